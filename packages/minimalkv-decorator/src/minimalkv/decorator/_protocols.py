"""Structural types the decorators use to type capability-dependent methods."""

from __future__ import annotations

from typing import Protocol

from minimalkv import BlobStore, FileSource, TtlArgument

__all__ = ["TtlWritableStore"]


class TtlWritableStore(BlobStore, Protocol):
    """A store whose ``put`` and ``put_file`` take ``ttl_secs``.

    Unlike :class:`minimalkv.SupportsTtl` it does not ask for the ``ttl_support`` and
    ``default_ttl_secs`` attributes: :class:`minimalkv.TimeToLiveMixin` declares
    ``ttl_support`` as a class variable, which mypy does not accept for a protocol's instance
    variable, so stores built on the mixin would not match.
    """

    def put(self, key: str, data: bytes, ttl_secs: TtlArgument = None) -> str:
        """Store ``data`` under ``key`` with an optional time-to-live; return ``key``."""
        ...

    def put_file(self, key: str, file: FileSource, ttl_secs: TtlArgument = None) -> str:
        """Store a file's content under ``key`` with an optional time-to-live; return ``key``."""
        ...

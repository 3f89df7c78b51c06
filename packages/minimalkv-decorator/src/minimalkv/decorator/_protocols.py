"""Structural types the decorators use to type capability-dependent methods."""

from __future__ import annotations

from typing import NewType, Protocol

from minimalkv import BlobStore, FileSource, TtlArgument

__all__ = ["TtlWritableStore", "WrappedStoreCannotCopy", "WrappedStoreHasNoUrls"]


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


# Marker types for the second overload of copy, move and url_for. A decorator whose wrapped
# store lacks the capability keeps only that overload, so mypy reports "expected
# WrappedStoreCannotCopy" for a call, and the decorator does not match SupportsCopy (a
# self-type restriction alone would be ignored by mypy's protocol check).
WrappedStoreCannotCopy = NewType("WrappedStoreCannotCopy", str)
WrappedStoreHasNoUrls = NewType("WrappedStoreHasNoUrls", str)

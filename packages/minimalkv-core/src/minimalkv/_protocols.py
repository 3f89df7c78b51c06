"""Structural types for application code: annotate with these, accept any conforming store.

A store does not need to subclass :class:`~minimalkv.KeyValueStore` to satisfy them. Optional
capabilities are separate protocols; :func:`minimalkv.capabilities_of` answers the same question
at run time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import IO, Protocol, runtime_checkable

from ._metadata import KeyMetadata
from ._streams import FileSource, FileTarget
from ._ttl import TtlArgument

__all__ = ["BlobStore", "SupportsCopy", "SupportsTtl", "SupportsUrl"]


@runtime_checkable
class BlobStore(Protocol):
    """The core API every minimalkv store offers."""

    def __contains__(self, key: str, /) -> bool:
        """Return whether ``key`` exists."""
        ...

    def __iter__(self) -> Iterator[str]:
        """Iterate over every key."""
        ...

    def get(self, key: str) -> bytes:
        """Return the value of ``key``."""
        ...

    def put(self, key: str, data: bytes) -> str:
        """Store ``data`` under ``key``; return ``key``."""
        ...

    def put_file(self, key: str, file: FileSource) -> str:
        """Store a file's content under ``key``; return ``key``."""
        ...

    def get_file(self, key: str, file: FileTarget) -> str:
        """Write the value of ``key`` to a path or file; return ``key``."""
        ...

    def open(self, key: str) -> IO[bytes]:
        """Open the value of ``key`` for reading."""
        ...

    def delete(self, key: str) -> None:
        """Delete ``key`` (missing keys are ignored)."""
        ...

    def keys(self, prefix: str = "") -> list[str]:
        """List the keys starting with ``prefix``."""
        ...

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys starting with ``prefix``."""
        ...

    def iter_prefixes(self, delimiter: str, prefix: str = "") -> Iterator[str]:
        """Iterate over distinct key prefixes up to ``delimiter``."""
        ...

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Return the existing values among ``keys``."""
        ...

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        """Store several values; return their keys."""
        ...

    def delete_many(self, keys: Iterable[str]) -> None:
        """Delete several keys."""
        ...

    def metadata(self, key: str) -> KeyMetadata:
        """Return size, etag and modification time of ``key``'s value."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...

    # Typed as BlobStore, not Self: a Self-typed member stops type checkers from inferring
    # generic wrappers built inside a call (``f(PrefixDecorator("p", DictStore()))``).
    def __enter__(self) -> BlobStore:
        """Return the store itself, for ``with store:``."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None:
        """Close the store (see :meth:`close`)."""
        ...


@runtime_checkable
class SupportsCopy(BlobStore, Protocol):
    """A store that copies and moves values itself."""

    def copy(self, source: str, dest: str) -> str:
        """Copy ``source`` to ``dest``; return ``dest``."""
        ...

    def move(self, source: str, dest: str) -> str:
        """Move ``source`` to ``dest``; return ``dest``."""
        ...


@runtime_checkable
class SupportsUrl(BlobStore, Protocol):
    """A store that can give a URL for a key."""

    def url_for(self, key: str) -> str:
        """Return a URL for ``key``."""
        ...


@runtime_checkable
class SupportsTtl(BlobStore, Protocol):
    """A store whose values can expire."""

    @property
    def ttl_support(self) -> bool:
        """True: the store accepts ``ttl_secs``."""
        ...

    default_ttl_secs: TtlArgument

    def put(self, key: str, data: bytes, ttl_secs: TtlArgument = None) -> str:
        """Store ``data`` under ``key`` with an optional time-to-live."""
        ...

    def put_file(self, key: str, file: FileSource, ttl_secs: TtlArgument = None) -> str:
        """Store a file's content under ``key`` with an optional time-to-live."""
        ...

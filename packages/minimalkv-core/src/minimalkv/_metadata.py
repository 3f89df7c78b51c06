"""What a store knows about one stored value without reading it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = ["KeyMetadata"]


@dataclass(frozen=True, slots=True)
class KeyMetadata:
    """Size and, where the backend has them, entity tag and modification time of a value.

    Returned by :meth:`minimalkv.KeyValueStore.metadata`.
    """

    key: str
    """The key the metadata describes."""
    size: int
    """Length of the value in bytes."""
    etag: str | None = None
    """An opaque tag that changes when the value changes, when the backend has one (an entity
    tag on cloud stores; a weak tag from inode, mtime and size on the filesystem store)."""
    last_modified: datetime.datetime | None = None
    """Time of the last write (timezone-aware, UTC), when the backend records it."""

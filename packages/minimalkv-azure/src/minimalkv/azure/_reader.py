"""A seekable reader over one version of a blob: ranged GETs conditional on its entity tag."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from minimalkv.backend import RangeReader

from azure.core import MatchConditions

from ._errors import translated

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient

__all__ = ["AzureReader"]


class AzureReader(RangeReader):
    """Reads one version of a blob (``size`` bytes, entity tag ``etag``) in ranges.

    Each fetch asks for at least ``window`` bytes at the position and keeps what the caller did
    not take yet, so small sequential reads cost one request per window. ``blob`` gives the
    blob's client for each request: the store's current one, so a reader outlives a ``close``
    of its store (which reopens). Every request names
    the entity tag (``If-Match``): a value replaced while it is read raises
    :class:`~minimalkv.StoreError`, never a mix of two versions. ``first`` is the value's
    beginning when the store already fetched it.
    """

    def __init__(
        self,
        blob: Callable[[], BlobClient],
        *,
        key: str,
        size: int,
        etag: str,
        where: str,
        window: int,
        first: bytes = b"",
    ) -> None:
        super().__init__(size, key=key)
        self._blob = blob
        self._etag = etag
        self._where = where
        self._window = max(1, window)
        self._buffer = first
        self._buffer_at = 0

    @property
    def etag(self) -> str:
        """The entity tag of the version being read."""
        return self._etag

    def _read_range(self, start: int, wanted: int) -> bytes:
        offset = start - self._buffer_at
        if 0 <= offset < len(self._buffer):
            return self._buffer[offset : offset + wanted]
        length = min(max(wanted, self._window), self.size - start)
        with translated(self._where, self._key):
            data = (
                self._blob()
                .download_blob(
                    offset=start,
                    length=length,
                    etag=self._etag,
                    match_condition=MatchConditions.IfNotModified,
                )
                .readall()
            )
        self._buffer, self._buffer_at = data, start
        return data[:wanted]

    def _release(self) -> None:
        self._buffer = b""

"""A seekable reader over a value kept in GridFS, fetching its chunks in ranges."""

from __future__ import annotations

from typing import Any, Final

from minimalkv import StoreError
from minimalkv.backend import RangeReader

from ._errors import translated

__all__ = ["READ_CHUNKS", "GridFSRangeReader", "ValueGoneError"]

READ_CHUNKS: Final = 16
"""GridFS chunks fetched per query (about 4 MiB): what a reader holds in memory at most."""


class ValueGoneError(StoreError):
    """The GridFS file of a value was deleted while it was read (the key was overwritten)."""


class GridFSRangeReader(RangeReader):
    """Reads one GridFS file from its ``chunks`` collection, 16 chunks (``READ_CHUNKS``) at a time.

    A GridFS file is never changed once written: an overwrite of the key writes a new file
    and deletes the old one. So this reader returns the bytes of one value or, when the key
    was overwritten or deleted while it was read, raises :class:`ValueGoneError`; never a mix
    of two values. Each fetch is one query for a range of chunk numbers (pymongo's own
    ``GridOut`` asks for all remaining chunks at once, which some servers answer in one
    message).
    """

    def __init__(
        self,
        chunks: Any,
        file_id: Any,
        size: int,
        chunk_size: int,
        *,
        key: str,
        where: str,
    ) -> None:
        super().__init__(size, key=key)
        self._chunks = chunks
        self._file_id = file_id
        self._chunk_size = chunk_size
        self._where = where
        self._span_start = 0
        self._span = b""

    def prime(self) -> None:
        """Fetch the first chunks now (raises :class:`ValueGoneError` if the file is gone)."""
        if self.size:
            self._fill(0)

    def _fill(self, start: int) -> None:
        size = self._chunk_size
        first = start // size
        last = min((self.size - 1) // size, first + READ_CHUNKS - 1)
        with translated(self._where, self._key):
            documents = list(
                self._chunks.find(
                    {"files_id": self._file_id, "n": {"$gte": first, "$lte": last}},
                    {"_id": 0, "n": 1, "data": 1},
                ).sort("n", 1)
            )
        numbers = [document["n"] for document in documents]
        if numbers != list(range(first, last + 1)):
            raise ValueGoneError(
                f"the value of key {self._key!r} in {self._where} was overwritten or deleted "
                "while it was read (its GridFS file is gone): read the key again",
                key=self._key,
            )
        self._span_start = first * size
        self._span = b"".join(bytes(document["data"]) for document in documents)

    def _read_range(self, start: int, wanted: int) -> bytes:
        offset = start - self._span_start
        if not 0 <= offset < len(self._span):
            self._fill(start)
            offset = start - self._span_start
        return self._span[offset : offset + wanted]

    def _release(self) -> None:
        self._span = b""

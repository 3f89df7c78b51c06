"""Large transfers: the stream a resumable upload reads, the rewrite loop of a server-side copy.

A resumable upload sends ``chunk_size`` bytes per request and makes the object visible only
when its last chunk is sent; a failed upload leaves the previous value. The SDK reads each
chunk from a stream, asks its position, and after a dropped request seeks back to the first
byte the server has not confirmed: :class:`ChunkStream` keeps the last chunk for that, so an
upload from a pipe or socket holds a chunk in memory (the SDK holds the one it sent last), never
the whole value.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from minimalkv.backend import ReadableBinary, read_chunk

__all__ = ["MIN_CHUNK_SIZE", "ChunkStream", "read_part", "rewrite_all"]

MIN_CHUNK_SIZE = 256 * 1024
"""A resumable upload's chunks are multiples of this (GCS's rule)."""


def read_part(source: ReadableBinary, size: int) -> bytes:
    """Read ``size`` bytes from ``source`` (fewer only at its end)."""
    first = read_chunk(source, size)
    if len(first) == size or not first:
        return first
    pieces = [first]
    missing = size - len(first)
    while missing:
        piece = read_chunk(source, missing)
        if not piece:
            break
        pieces.append(piece)
        missing -= len(piece)
    return b"".join(pieces)


class ChunkStream(io.RawIOBase):
    """``first`` followed by the rest of ``source``: readable, with ``tell`` and a short ``seek``.

    ``seek`` may go back to any byte of the last ``read`` (the chunk the SDK is sending) or
    forward to the position; anything further back raises :class:`OSError`, as the bytes are
    gone. Memory holds the last chunk read and nothing else of the source.
    """

    def __init__(self, first: bytes, source: ReadableBinary) -> None:
        super().__init__()
        self._source = source
        self._pending = first  # bytes to serve before reading the source again
        self._position = 0  # position of the next byte of _pending (or of the source)
        self._last_at = 0
        self._last = b""

    def readable(self) -> bool:
        """Return True."""
        return True

    def seekable(self) -> bool:
        """Return True: within the last chunk read."""
        return True

    def tell(self) -> int:
        """Return the position."""
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        """Go back into the last chunk read (the SDK resends it after a dropped request)."""
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence != io.SEEK_SET:
            raise OSError("a chunk stream seeks only from its start or its position")
        if offset == self._position:
            return offset
        last_end = self._last_at + len(self._last)
        if not self._last_at <= offset <= last_end:
            raise OSError(
                f"cannot seek to byte {offset}: only the last {len(self._last)} bytes read are kept"
            )
        # _pending starts at the position, which lies within the last chunk or at its end.
        after_last = self._pending[last_end - self._position :]
        self._pending = self._last[offset - self._last_at :] + after_last
        self._position = offset
        return offset

    def read(self, size: int | None = -1, /) -> bytes:
        """Read ``size`` bytes (fewer only at the end); everything when ``size`` is negative."""
        if size is None or size < 0:
            raise OSError("a chunk stream is read a chunk at a time")
        taken = self._pending[:size]
        self._pending = self._pending[len(taken) :]
        self._last = b""  # the previous chunk is confirmed: free it before reading the next
        rest = read_part(self._source, size - len(taken)) if len(taken) < size else b""
        data = taken + rest if rest else taken
        self._last_at, self._last = self._position, data
        self._position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer``."""
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)


def rewrite_all(
    step: Callable[[str | None], tuple[str | None, int, int]],
) -> int:
    """Run a GCS rewrite to the end: ``step(token)`` is one ``rewrite`` call.

    Each call copies up to a server-chosen amount and returns ``(token, done, total)``; the
    token is ``None`` when the copy is complete. Returns the total bytes copied. A large or
    cross-location copy takes many calls; each is a request of its own, retried by the SDK.
    """
    token, _done, total = step(None)
    calls = 1
    while token is not None:
        token, _done, total = step(token)
        calls += 1
        if calls > 100_000:  # a server that never finishes would loop forever otherwise
            raise RuntimeError(f"the rewrite did not finish after {calls} calls")
    return total

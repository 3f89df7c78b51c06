"""The base of every reader a remote store returns from ``open``: seekable, fetched in ranges."""

from __future__ import annotations

import io
from typing import Any

from ._errors import StoreError
from ._streams import seek_target

__all__ = ["RangeReader"]


class RangeReader(io.RawIOBase):
    """A read-only, seekable binary stream over a value of ``size`` bytes kept by a backend.

    The base keeps the position and the ``open`` contract of every store (``seek`` before 0
    raises :class:`OSError`, past the end is allowed and reads nothing; the stream is
    read-only); a backend only says how to fetch bytes. A subclass implements
    :meth:`_read_range` and, when it holds a connection, stream or snapshot, :meth:`_release`.

    ``read(n)`` returns what :meth:`_read_range` fetched without copying it again; ``readall``
    and ``read()`` fetch from the position to the end (the whole rest of the value in memory:
    use ``read(n)`` or ``readinto`` to stay bounded). Not thread-safe, like every file object.
    """

    def __init__(self, size: int, *, key: str | None = None) -> None:
        super().__init__()
        if size < 0:
            raise ValueError(f"size must be 0 or more, not {size}")
        self._size = size
        self._key = key
        self._position = 0

    @property
    def size(self) -> int:
        """Length of the value in bytes."""
        return self._size

    def _read_range(self, start: int, wanted: int) -> bytes:
        """Fetch between 1 and ``wanted`` bytes of the value, starting at byte ``start``.

        Called with ``0 <= start < size`` and ``1 <= wanted <= size - start``. Returning fewer
        bytes than ``wanted`` is allowed (the caller asks again from where it stopped);
        returning none is a backend failure. Failures raise a :class:`minimalkv.StoreError`.
        """
        raise NotImplementedError

    def _release(self) -> None:
        """Free what the reader holds (a stream, a snapshot); called once, by ``close``."""

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def _fetch(self, wanted: int) -> bytes:
        """Fetch ``1 <= wanted <= size - position`` bytes at the position and move past them."""
        chunk = self._read_range(self._position, wanted)
        if not chunk or len(chunk) > wanted:
            where = f" of key {self._key!r}" if self._key is not None else ""
            raise StoreError(
                f"the backend returned {len(chunk)} bytes{where} at byte {self._position} of "
                f"{self._size} where 1 to {wanted} were asked: the value may have changed; "
                "open it again",
                key=self._key,
            )
        self._position += len(chunk)
        return chunk

    def readable(self) -> bool:
        """Return True."""
        return True

    def seekable(self) -> bool:
        """Return True."""
        return True

    def writable(self) -> bool:
        """Return False: the value is read-only."""
        return False

    def tell(self) -> int:
        """Return the current position."""
        self._check_open()
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        """Move to ``offset`` relative to ``whence``; a position before 0 raises OSError."""
        self._check_open()
        self._position = seek_target(self._position, self._size, offset, whence)
        return self._position

    def read(self, size: int | None = -1, /) -> bytes:
        """Read up to ``size`` bytes (to the end when ``size`` is negative or None)."""
        self._check_open()
        if size is None or size < 0:
            return self.readall()
        wanted = min(size, self._size - self._position)
        if wanted <= 0:
            return b""
        return self._fetch(wanted)

    def readinto(self, buffer: Any) -> int:
        """Read up to ``len(buffer)`` bytes at the current position into ``buffer``."""
        self._check_open()
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self._size - self._position)
        if wanted <= 0:
            return 0
        chunk = self._fetch(wanted)
        view[: len(chunk)] = chunk
        return len(chunk)

    def readall(self) -> bytes:
        """Read from the current position to the end."""
        self._check_open()
        parts: list[bytes] = []
        while self._position < self._size:
            parts.append(self._fetch(self._size - self._position))
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def write(self, data: Any, /) -> int:
        """Refuse: the value is read-only."""
        raise io.UnsupportedOperation("write: values opened from a store are read-only")

    def truncate(self, size: int | None = None, /) -> int:
        """Refuse: the value is read-only."""
        raise io.UnsupportedOperation("truncate: values opened from a store are read-only")

    def close(self) -> None:
        """Release what the reader holds and close it. Idempotent."""
        if not self.closed:
            try:
                self._release()
            finally:
                super().close()

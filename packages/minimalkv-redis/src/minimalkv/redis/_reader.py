"""A seekable reader over a Redis string, fetching byte ranges with ``GETRANGE``."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import Any, Final

from minimalkv import StoreError
from minimalkv.backend import seek_target

from redis import exceptions as redis_errors

from ._errors import translate_error

__all__ = ["SNAPSHOT_TTL_MS", "RedisRangeReader"]

SNAPSHOT_TTL_MS: Final = 3_600_000
"""How long a snapshot of a large value outlives the last read of its reader (one hour)."""


class RedisRangeReader(io.RawIOBase):
    """Reads the string at ``snapshot`` (``size`` bytes) in ranges; deletes it on close.

    The snapshot is a server-side copy of the opened value (``COPY``), so concurrent writes to
    the key never tear what this reader returns. Every read renews the snapshot's expiry, so
    a reader that is never closed leaves nothing behind for longer than an hour.
    """

    def __init__(
        self, client: Any, snapshot: str, size: int, key: str, describe: Callable[[], str]
    ) -> None:
        super().__init__()
        self._client = client
        self._snapshot = snapshot
        self._size = size
        self._key = key
        self._describe = describe
        self._position = 0

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def readable(self) -> bool:
        """Return True."""
        return True

    def seekable(self) -> bool:
        """Return True."""
        return True

    def tell(self) -> int:
        """Return the current position."""
        self._check_open()
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        """Move to ``offset`` relative to ``whence``; a position before 0 raises OSError."""
        self._check_open()
        self._position = seek_target(self._position, self._size, offset, whence)
        return self._position

    def readinto(self, buffer: Any) -> int:
        """Read up to ``len(buffer)`` bytes at the current position into ``buffer``."""
        self._check_open()
        view = memoryview(buffer).cast("B")
        start = self._position
        stop = min(self._size, start + len(view))
        if stop <= start:
            return 0
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.execute_command("GETRANGE", self._snapshot, start, stop - 1)
            pipe.execute_command("PEXPIRE", self._snapshot, SNAPSHOT_TTL_MS)
            chunk, _ = pipe.execute()
        except redis_errors.RedisError as exc:
            raise translate_error(exc, self._describe(), self._key) from exc
        if len(chunk) != stop - start:
            raise StoreError(
                f"the snapshot of key {self._key!r} opened from Redis at {self._describe()} "
                "has expired (a reader left unread for over an hour): open the key again",
                key=self._key,
            )
        view[: len(chunk)] = chunk
        self._position = start + len(chunk)
        return len(chunk)

    def readall(self) -> bytes:
        """Read from the current position to the end."""
        parts: list[bytes] = []
        while True:
            part = self.read(max(self._size - self._position, 1))
            if not part:
                return b"".join(parts)
            parts.append(part)

    def close(self) -> None:
        """Delete the snapshot and close the reader. Idempotent."""
        if not self.closed:
            with contextlib.suppress(redis_errors.RedisError):
                self._client.execute_command("UNLINK", self._snapshot)
        super().close()

"""A seekable reader over a Redis string, fetching byte ranges with ``GETRANGE``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Final

from minimalkv import StoreError
from minimalkv.backend import RangeReader

from redis import exceptions as redis_errors

from ._errors import translate_error

__all__ = ["SNAPSHOT_TTL_MS", "RedisRangeReader"]

SNAPSHOT_TTL_MS: Final = 3_600_000
"""How long a snapshot of a large value outlives the last read of its reader (one hour)."""


class RedisRangeReader(RangeReader):
    """Reads the string at ``snapshot`` (``size`` bytes) in ranges; deletes it on close.

    The snapshot is a server-side copy of the opened value (``COPY``), so concurrent writes to
    the key never tear what this reader returns. Every read renews the snapshot's expiry, so
    a reader that is never closed leaves nothing behind for longer than an hour.
    """

    def __init__(
        self, client: Any, snapshot: str, size: int, key: str, describe: Callable[[], str]
    ) -> None:
        super().__init__(size, key=key)
        self._client = client
        self._snapshot = snapshot
        self._describe = describe

    def _read_range(self, start: int, wanted: int) -> bytes:
        """Fetch ``wanted`` bytes at ``start`` with ``GETRANGE`` and renew the snapshot."""
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.execute_command("GETRANGE", self._snapshot, start, start + wanted - 1)
            pipe.execute_command("PEXPIRE", self._snapshot, SNAPSHOT_TTL_MS)
            chunk, _ = pipe.execute()
        except redis_errors.RedisError as exc:
            raise translate_error(exc, self._describe(), self._key) from exc
        if len(chunk) != wanted:
            raise StoreError(
                f"the snapshot of key {self._key!r} opened from Redis at {self._describe()} "
                "has expired (a reader left unread for over an hour): open the key again",
                key=self._key,
            )
        return bytes(chunk)

    def _release(self) -> None:
        """Delete the snapshot (a failure leaves it to expire)."""
        with contextlib.suppress(redis_errors.RedisError):
            self._client.execute_command("UNLINK", self._snapshot)

"""Redis store for minimalkv (redis-py): :class:`RedisStore` and :class:`HRedisStore`.

``redis://`` and ``hredis://`` (``rediss://`` with TLS), with time-to-live, server-side copy,
batch calls, and streaming of large values.
"""

from ._errors import DEFAULT_MAX_VALUE_SIZE, ValueTooLargeError
from ._factory import DEFAULT_CONNECT_TIMEOUT, DEFAULT_SOCKET_TIMEOUT
from ._reader import RedisRangeReader
from ._store import MAX_TTL_SECS, TEMP_KEY_PREFIX, HRedisStore, RedisStore, escape_match_pattern

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_VALUE_SIZE",
    "DEFAULT_SOCKET_TIMEOUT",
    "MAX_TTL_SECS",
    "TEMP_KEY_PREFIX",
    "HRedisStore",
    "RedisRangeReader",
    "RedisStore",
    "ValueTooLargeError",
    "escape_match_pattern",
]

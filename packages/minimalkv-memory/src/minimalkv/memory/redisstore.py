"""The original's import path of RedisStore; the store lives in ``minimalkv.redis``.

``from minimalkv.memory.redisstore import RedisStore`` keeps working when the distribution
``minimalkv-redis`` is installed; without it the import names that distribution.
"""

try:
    from minimalkv.redis import HRedisStore, RedisStore
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "minimalkv.memory.redisstore moved to minimalkv.redis: pip install minimalkv-redis",
        name=__name__,
    ) from exc

__all__ = ["HRedisStore", "RedisStore"]

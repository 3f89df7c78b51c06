"""minimalkv 1.x's import path of RedisStore; the store lives in ``minimalkv.redis``."""

from minimalkv._moved import backend_missing

try:
    from minimalkv.redis import HRedisStore, RedisStore
except ModuleNotFoundError as error:  # pragma: no cover - depends on what is installed
    if error.name not in ("minimalkv.redis", "minimalkv"):
        raise
    raise backend_missing(__name__, "minimalkv.redis", "redis") from error

__all__ = ["HRedisStore", "RedisStore"]

"""Translation of redis-py's exceptions into the minimalkv error hierarchy, in one place.

::

    redis.exceptions.TimeoutError        -> minimalkv.StoreTimeoutError   (TimeoutError)
    redis.exceptions.ConnectionError     -> minimalkv.StoreConnectionError (ConnectionError)
      (includes authentication failures, a server still loading, a full pool)
    "string exceeds maximum allowed size" -> ValueTooLargeError           (StoreError)
    any other redis.exceptions.RedisError -> minimalkv.StoreError          (OSError)

Every message names the server as ``redis://host:port/db`` built from the client's connection
settings: never with its password.
"""

from __future__ import annotations

from typing import Any, Final

from minimalkv import StoreConnectionError, StoreError, StoreTimeoutError

from redis import exceptions as redis_errors

__all__ = ["ValueTooLargeError", "describe_client", "translate_error"]

DEFAULT_MAX_VALUE_SIZE: Final = 512 * 1024 * 1024
"""Redis's default ``proto-max-bulk-len``: the largest string a server accepts (512 MiB)."""


class ValueTooLargeError(StoreError):
    """The value is larger than the Redis server accepts (``proto-max-bulk-len``).

    Nothing is stored when it is raised; the previous value of the key, if any, is kept.
    """


def describe_client(client: Any) -> str:
    """Return ``redis://host:port/db`` (``rediss://`` for TLS, ``unix://path``) for ``client``.

    Built from the connection pool's settings, so the password never appears.
    """
    try:
        pool = client.connection_pool
        kwargs: dict[str, Any] = dict(pool.connection_kwargs)
        connection_class = getattr(pool, "connection_class", None)
    except AttributeError:
        return f"<{type(client).__name__}>"
    db = kwargs.get("db", 0)
    user = "***@" if kwargs.get("password") or kwargs.get("username") else ""
    if "path" in kwargs and "host" not in kwargs:
        return f"unix://{user}{kwargs['path']}?db={db}"
    scheme = "rediss" if "SSL" in getattr(connection_class, "__name__", "") else "redis"
    host = kwargs.get("host", "localhost")
    if ":" in str(host):
        host = f"[{host}]"
    return f"{scheme}://{user}{host}:{kwargs.get('port', 6379)}/{db}"


def translate_error(exc: BaseException, where: str, key: str | None = None) -> Exception:
    """Return the minimalkv error for ``exc`` (a redis-py error), raised from the call site.

    ``where`` describes the server (see :func:`describe_client`); ``key`` the key involved.
    Anything that is not a redis-py error is returned unchanged.
    """
    about = f" (key {key!r})" if key is not None else ""
    if isinstance(exc, redis_errors.TimeoutError):
        return StoreTimeoutError(f"Redis at {where} did not answer in time{about}: {exc}", key=key)
    if isinstance(exc, redis_errors.ConnectionError):
        return StoreConnectionError(
            f"cannot talk to Redis at {where}{about}: {type(exc).__name__}: {exc}", key=key
        )
    if isinstance(exc, redis_errors.RedisError):
        text = str(exc)
        if "exceeds maximum allowed size" in text or "invalid bulk length" in text:
            return ValueTooLargeError(
                f"the value{about} is larger than Redis at {where} accepts "
                f"(its proto-max-bulk-len, 512 MiB by default): {text}",
                key=key,
            )
        return StoreError(
            f"Redis at {where} refused a command{about}: {type(exc).__name__}: {text}", key=key
        )
    if isinstance(exc, Exception):
        return exc
    raise exc  # KeyboardInterrupt and friends pass through untouched

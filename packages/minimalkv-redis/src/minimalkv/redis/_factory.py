"""Registration of the ``redis`` and ``rediss`` store types (``hredis://`` and ``hrediss://`` too).

URL form: ``redis://[[user:]password@]host[:port][/db][?options]``; ``rediss://`` connects with
TLS. A user-info part without ``:`` is the password (the original's grammar); with ``:`` it is
an ACL user name and password. The host defaults to ``localhost``, the port to 6379, the database
to 0. Options: ``socket_timeout``, ``socket_connect_timeout`` (seconds, more than 0; by default
:data:`DEFAULT_SOCKET_TIMEOUT` and :data:`DEFAULT_CONNECT_TIMEOUT`, so a stopped or paused
server never makes a call hang), ``default_ttl_secs``, ``max_value_size`` (bytes), and for TLS
``ssl_cert_reqs`` (``required``, ``optional``, ``none``) and ``ssl_ca_certs`` (a file).

The client retries a failed connection twice with a short backoff (a restarted server or a
dropped idle connection is survived) and never retries a timeout: a call to a server that does
not answer raises :class:`~minimalkv.StoreTimeoutError` after ``socket_timeout``.

``get_store("redis", host=..., port=..., db=..., password=..., username=..., ...)`` takes the
same settings as keyword parameters (and ``ssl=True`` instead of the ``rediss`` type).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from minimalkv import ConfigurationError, KeyValueStore
from minimalkv.backend import (
    StoreType,
    StoreUrl,
    check_params,
    parse_bool,
    parse_number,
    parse_str,
    parse_timeout,
)

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from ._store import HRedisStore, RedisStore

__all__ = ["DEFAULT_CONNECT_TIMEOUT", "DEFAULT_SOCKET_TIMEOUT", "STORE_TYPE", "STORE_TYPE_TLS"]

DEFAULT_CONNECT_TIMEOUT: Final = 5.0
"""Seconds a factory-made store waits to connect to the server (``socket_connect_timeout``)."""
DEFAULT_SOCKET_TIMEOUT: Final = 10.0
"""Seconds a factory-made store waits for each read or write (``socket_timeout``)."""
_CONNECT_RETRIES: Final = 2

_URL_OPTIONS: Final = (
    "socket_timeout",
    "socket_connect_timeout",
    "default_ttl_secs",
    "max_value_size",
    "ssl_cert_reqs",
    "ssl_ca_certs",
)
_PARAMS: Final = ("host", "port", "db", "password", "username", "ssl", *_URL_OPTIONS)


def _build(params: Mapping[str, Any], extended_keys: bool, tls: bool) -> KeyValueStore:
    type_name = "rediss" if tls else "redis"
    where = f"store type {type_name!r}"
    check_params(type_name, params, _PARAMS)
    port = parse_number("port", params.get("port", 6379), integer=True)
    db = parse_number("db", params.get("db", 0), integer=True)
    ssl = tls or parse_bool("ssl", params.get("ssl", False), where=where)
    options: dict[str, Any] = {
        "host": parse_str("host", params.get("host"), where=where) or "localhost",
        "port": port,
        "db": db,
        "password": parse_str("password", params.get("password"), where=where),
        "username": parse_str("username", params.get("username"), where=where),
        "socket_timeout": parse_timeout(
            "socket_timeout", params.get("socket_timeout"), DEFAULT_SOCKET_TIMEOUT
        ),
        "socket_connect_timeout": parse_timeout(
            "socket_connect_timeout", params.get("socket_connect_timeout"), DEFAULT_CONNECT_TIMEOUT
        ),
        # Reconnect after a lost connection; a timeout is raised at once, never repeated.
        "retry": Retry(
            ExponentialWithJitterBackoff(base=0.05, cap=0.5),
            _CONNECT_RETRIES,
            supported_errors=(redis.ConnectionError,),
        ),
    }
    if ssl:
        options["ssl"] = True
        if params.get("ssl_cert_reqs") is not None:
            reqs = parse_str("ssl_cert_reqs", params["ssl_cert_reqs"], where=where)
            if reqs not in ("required", "optional", "none"):
                raise ConfigurationError(
                    f"ssl_cert_reqs must be required, optional or none, got {reqs!r}"
                )
            options["ssl_cert_reqs"] = reqs
        if params.get("ssl_ca_certs") is not None:
            options["ssl_ca_certs"] = parse_str("ssl_ca_certs", params["ssl_ca_certs"], where=where)
    elif params.get("ssl_cert_reqs") is not None or params.get("ssl_ca_certs") is not None:
        raise ConfigurationError("ssl_cert_reqs and ssl_ca_certs need TLS (rediss:// or ssl=True)")
    store_options: dict[str, Any] = {"owns_client": True}
    if params.get("default_ttl_secs") is not None:
        ttl = params["default_ttl_secs"]
        if isinstance(ttl, str) and ttl not in ("forever", "not_set"):
            ttl = parse_number("default_ttl_secs", ttl)
        store_options["default_ttl_secs"] = ttl
    if params.get("max_value_size") is not None:
        store_options["max_value_size"] = parse_number(
            "max_value_size", params["max_value_size"], integer=True
        )
    client = redis.Redis(**options)
    cls = HRedisStore if extended_keys else RedisStore
    try:
        return cls(client, **store_options)
    except BaseException:
        client.close()
        raise


def _create(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    return _build(params, extended_keys, tls=False)


def _create_tls(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    return _build(params, extended_keys, tls=True)


def _params_from_url(url: StoreUrl) -> dict[str, Any]:
    url.check_options(*_URL_OPTIONS)
    params: dict[str, Any] = dict(url.query)
    if url.host:
        params["host"] = url.host
    if url.port is not None:
        params["port"] = url.port
    database = url.path.strip("/")
    if database:
        if not database.isdigit():
            raise ConfigurationError(
                f"store URL {url.redacted}: the path must be a database number, e.g. /15"
            )
        params["db"] = int(database)
    if url.password is not None:  # user:password@ (ACL); ":password@" has no user
        params["password"] = url.password
        if url.user:
            params["username"] = url.user
    elif url.userinfo:  # password@ (the original's form)
        params["password"] = url.userinfo
    return params


STORE_TYPE: Final = StoreType(name="redis", create=_create, params_from_url=_params_from_url)
"""The ``redis`` store type (``redis://``, ``hredis://``)."""

STORE_TYPE_TLS: Final = StoreType(
    name="rediss", create=_create_tls, params_from_url=_params_from_url
)
"""The ``rediss`` store type: Redis over TLS (``rediss://``, ``hrediss://``)."""

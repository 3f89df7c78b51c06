"""Registration of the ``mongodb`` store type (``hmongodb://`` for the extended key space).

URL form: ``mongodb://[user:password@]host[:port]/database?collection=name[&options]``. The
host defaults to ``localhost``, the port to 27017; the database and ``collection`` are
required. Options: ``inline_limit`` (bytes kept in a key's document; larger values go to
GridFS), ``auth_source`` (the database of the user, default: the store's database), ``tls``
(``true``/``false``), and the timeouts in seconds above 0 ``timeout`` (one operation on the
server, pymongo's retry included: its ``timeoutMS``), ``connect_timeout`` and
``server_selection_timeout`` (by default :data:`DEFAULT_TIMEOUT`, :data:`DEFAULT_CONNECT_TIMEOUT`,
:data:`DEFAULT_SERVER_SELECTION_TIMEOUT`: a stopped or paused server never makes a call hang).

``get_store("mongodb", host=..., port=..., database=..., collection=..., username=...,
password=..., ...)`` takes the same settings as keyword parameters. With
``create_if_missing=false`` the collection must exist already.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pymongo
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

from ._errors import translated
from ._store import DEFAULT_INLINE_LIMIT, HMongoStore, MongoStore

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_SERVER_SELECTION_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "STORE_TYPE",
]

DEFAULT_CONNECT_TIMEOUT: Final = 5.0
"""Seconds a factory-made store waits to open a connection (``connect_timeout``)."""
DEFAULT_TIMEOUT: Final = 30.0
"""Seconds one operation of a factory-made store may take, retry included (``timeout``)."""
DEFAULT_SERVER_SELECTION_TIMEOUT: Final = 10.0
"""Seconds a factory-made store waits for a usable server (``server_selection_timeout``)."""

_WHERE: Final = "store type 'mongodb'"
_URL_OPTIONS: Final = (
    "collection",
    "inline_limit",
    "auth_source",
    "tls",
    "connect_timeout",
    "timeout",
    "server_selection_timeout",
)
_PARAMS: Final = ("host", "port", "database", "username", "password", *_URL_OPTIONS)


def _create(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    check_params("mongodb", params, _PARAMS)
    database = parse_str("database", params.get("database"), where=_WHERE)
    collection = parse_str("collection", params.get("collection"), where=_WHERE)
    if not database:
        raise ConfigurationError(
            f"{_WHERE} needs a database: mongodb://host:port/database?collection=name"
        )
    if not collection:
        raise ConfigurationError(
            f"{_WHERE} needs a collection: mongodb://host:port/{database}?collection=name"
        )
    inline_limit = parse_number(
        "inline_limit", params.get("inline_limit", DEFAULT_INLINE_LIMIT), integer=True
    )
    port = parse_number("port", params.get("port", 27017), integer=True)
    if not port or port > 65535:
        raise ConfigurationError(f"{_WHERE}: port must be between 1 and 65535, got {port!r}")
    options: dict[str, Any] = {
        "host": parse_str("host", params.get("host"), where=_WHERE) or "localhost",
        "port": int(port),
        "tls": parse_bool("tls", params.get("tls", False), where=_WHERE),
        "connectTimeoutMS": 1000
        * parse_timeout("connect_timeout", params.get("connect_timeout"), DEFAULT_CONNECT_TIMEOUT),
        # A deadline per operation that covers pymongo's one retry (a socket timeout would
        # apply to each attempt): a paused server fails a call after ``timeout``, not twice.
        "timeoutMS": 1000 * parse_timeout("timeout", params.get("timeout"), DEFAULT_TIMEOUT),
        "serverSelectionTimeoutMS": 1000
        * parse_timeout(
            "server_selection_timeout",
            params.get("server_selection_timeout"),
            DEFAULT_SERVER_SELECTION_TIMEOUT,
        ),
        "connect": False,  # nothing is sent before the store's first call
    }
    username = parse_str("username", params.get("username"), where=_WHERE)
    password = parse_str("password", params.get("password"), where=_WHERE)
    if username is not None or password is not None:
        options["username"] = username or ""
        options["password"] = password or ""
        options["authSource"] = (
            parse_str("auth_source", params.get("auth_source"), where=_WHERE) or database
        )
    elif params.get("auth_source") is not None:
        raise ConfigurationError(f"{_WHERE}: auth_source needs a user name and password")
    client: Any = pymongo.MongoClient(**options)
    cls = HMongoStore if extended_keys else MongoStore
    try:
        store = cls(
            client.get_database(database),
            collection,
            inline_limit=int(inline_limit or 0),
            owns_client=True,
        )
        if not create_if_missing:
            with translated(repr(store)):
                exists = collection in client.get_database(database).list_collection_names()
            if not exists:
                raise ConfigurationError(
                    f"{_WHERE}: the collection {collection!r} does not exist in the database "
                    f"{database!r} (and create_if_missing is false)"
                )
    except BaseException:
        client.close()
        raise
    return store


def _params_from_url(url: StoreUrl) -> dict[str, Any]:
    url.check_options(*_URL_OPTIONS)
    params: dict[str, Any] = dict(url.query)
    if url.host:
        params["host"] = url.host
    if url.port is not None:
        params["port"] = url.port
    database = url.path.strip("/")
    if not database or "/" in database:
        raise ConfigurationError(
            f"store URL {url.redacted}: the path must name the database, "
            "e.g. mongodb://host:27017/mydb?collection=blobs"
        )
    params["database"] = database
    if url.userinfo is not None:
        params["username"] = url.user if url.password is not None else url.userinfo
        params["password"] = url.password if url.password is not None else ""
    return params


STORE_TYPE: Final = StoreType(name="mongodb", create=_create, params_from_url=_params_from_url)
"""The ``mongodb`` store type (``mongodb://``, ``hmongodb://``)."""

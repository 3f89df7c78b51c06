"""Registration of the SQL store types for ``get_store`` and ``get_store_from_url``.

URL grammar (``h`` in front of the scheme selects the extended key space)::

    sqlite:///relative/path.db            a file relative to the working directory
    sqlite:////absolute/path.db           an absolute path (four slashes, as in SQLAlchemy)
    sqlite://   or   sqlite:///:memory:   a private in-memory database
    sql+postgresql://[user[:password]@]host[:port]/database[?options]
    sql+mysql://...   sql+mariadb://...   same form

Options: ``table`` (default ``minimalkv``), ``create_table`` (default: ``create_if_missing``,
itself true by default), ``driver`` (``psycopg`` for PostgreSQL, ``pymysql`` for MySQL and
MariaDB by default); any other option is passed to SQLAlchemy's URL (and so to the driver, e.g.
``sslmode=require``; see :mod:`._driver_options` for the checks and the default
``connect_timeout``). Credentials are percent-decoded and never shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final

from minimalkv import ConfigurationError, KeyValueStore
from minimalkv.backend import StoreType, StoreUrl, check_params, parse_bool, parse_str
from sqlalchemy import URL, Engine, MetaData, create_engine, inspect
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from ._deadline import install_deadline
from ._driver_options import (
    PYMYSQL_MAX_PACKET,
    check_port,
    driver_settings,
)
from ._errors import translate_errors
from ._redact import show_url
from ._stale import install_stale_check
from ._store import HSQLAlchemyStore, SQLAlchemyStore

__all__ = [
    "DEFAULT_TABLE",
    "STORE_TYPE_MARIADB",
    "STORE_TYPE_MYSQL",
    "STORE_TYPE_POSTGRESQL",
    "STORE_TYPE_SQL",
    "STORE_TYPE_SQLITE",
]

DEFAULT_TABLE: Final = "minimalkv"
"""The table a factory-made store uses unless ``table`` says otherwise."""

_DEFAULT_DRIVERS: Final = {"postgresql": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}
_MEMORY: Final = ("", ":memory:")


def _options(type_name: str, value: object) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return dict(value)
    raise ConfigurationError(f"store type {type_name!r}: options must be a dict of str to str")


def _open_store(
    engine: Engine,
    params: Mapping[str, Any],
    type_name: str,
    *,
    extended_keys: bool,
    create_if_missing: bool,
    owns_engine: bool,
) -> SQLAlchemyStore:
    table = params.get("table", DEFAULT_TABLE)
    create = parse_bool(
        "create_table",
        params.get("create_table", create_if_missing),
        where=f"store type {type_name!r}",
    )
    cls = HSQLAlchemyStore if extended_keys else SQLAlchemyStore
    try:
        store = cls(engine, MetaData(), table, owns_engine=owns_engine)
    except BaseException:
        if owns_engine:
            engine.dispose()
        raise
    where = repr(store)
    try:
        with translate_errors(where, "create_table" if create else "open"):
            if create:
                store.table.metadata.create_all(engine)
            elif not inspect(engine).has_table(table):
                raise ConfigurationError(
                    f"{where}: the table does not exist and create_table is false "
                    "(create it, or pass create_table=true)"
                )
    except BaseException:
        store.close()
        raise
    return store


def _engine(url: URL, type_name: str, connect_args: dict[str, Any] | None = None) -> Engine:
    kwargs: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite":
        if (url.database or "") in _MEMORY:
            # One connection for every thread, or each thread would get its own empty database;
            # the store takes turns on it.
            kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif url.get_driver_name() == "pymysql":
        kwargs = {"connect_args": {"max_allowed_packet": PYMYSQL_MAX_PACKET}}
    if connect_args is not None:
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}), **connect_args}
    try:
        return create_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigurationError(
            f"store type {type_name!r}: cannot create an engine for {show_url(url)}: {exc}"
        ) from exc


# ----------------------------------------------------------------------------- sqlite
_SQLITE_PARAMS: Final = ("path", "table", "create_table", "options")


def _create_sqlite(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    check_params("sqlite", params, _SQLITE_PARAMS)
    path = params.get("path", ":memory:")
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise ConfigurationError(f"store type 'sqlite': path must be a str, got {path!r}")
    if path not in _MEMORY and not create_if_missing and not os.path.exists(path):
        raise ConfigurationError(
            f"the SQLite database {path!r} does not exist (and create_if_missing is false)"
        )
    options = _options("sqlite", params.get("options"))
    url = URL.create("sqlite", database=path or None, query=options)
    return _open_store(
        _engine(url, "sqlite"),
        params,
        "sqlite",
        extended_keys=extended_keys,
        create_if_missing=create_if_missing,
        owns_engine=True,
    )


def _split_store_options(url: StoreUrl, names: tuple[str, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {name: url.query[name] for name in names if name in url.query}
    passed = {name: value for name, value in url.query.items() if name not in names}
    if passed:
        params["options"] = passed
    return params


def _sqlite_params_from_url(url: StoreUrl) -> dict[str, Any]:
    if url.host or url.port is not None or url.userinfo is not None:
        raise ConfigurationError(
            f"store URL {url.redacted!r}: sqlite URLs take no host; use "
            "sqlite:///relative.db, sqlite:////absolute.db or sqlite:// (in memory)"
        )
    params = _split_store_options(url, ("table", "create_table"))
    params["path"] = url.path[1:] if url.path.startswith("/") else url.path
    return params


STORE_TYPE_SQLITE = StoreType(
    name="sqlite", create=_create_sqlite, params_from_url=_sqlite_params_from_url
)
"""``sqlite:///path.db`` and ``get_store("sqlite", path=...)``."""


# ----------------------------------------------------------------------------- servers
_SERVER_PARAMS: Final = (
    "host",
    "port",
    "user",
    "password",
    "database",
    "driver",
    "table",
    "create_table",
    "options",
)


def _server_creator(backend: str) -> Any:
    type_name = f"sql+{backend}"

    def create(
        params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
    ) -> KeyValueStore:
        check_params(type_name, params, _SERVER_PARAMS)
        where = f"store type {type_name!r}"
        driver = parse_str("driver", params.get("driver"), where=where) or _DEFAULT_DRIVERS[backend]
        port = check_port(where, params.get("port"))
        query, connect_args, deadline = driver_settings(
            type_name, backend, driver, _options(type_name, params.get("options"))
        )
        password = parse_str("password", params.get("password"), where=where)
        _check_password(where, driver, password)
        url = URL.create(
            f"{backend}+{driver}",
            username=parse_str("user", params.get("user"), where=where),
            password=password,
            host=parse_str("host", params.get("host"), where=where),
            port=port,
            database=parse_str("database", params.get("database"), where=where),
            query=query,
        )
        engine = _engine(url, type_name, connect_args)
        install_stale_check(engine)
        if deadline is not None:
            install_deadline(engine, deadline)
        return _open_store(
            engine,
            params,
            type_name,
            extended_keys=extended_keys,
            create_if_missing=create_if_missing,
            owns_engine=True,
        )

    return create


def _check_password(where: str, driver: str, password: str | None) -> None:
    # PyMySQL sends a password as Latin-1; any other character would fail deep inside the
    # driver with an error that carries the whole password.
    if driver != "pymysql" or password is None:
        return
    try:
        password.encode("latin-1")
    except UnicodeEncodeError:
        pass  # raised below, outside the handler: the encoding error must not be chained
    else:
        return
    raise ConfigurationError(
        f"{where}: the password holds characters the driver PyMySQL cannot send (it sends "
        "passwords as Latin-1); choose a password of Latin-1 characters"
    )


def _server_params_from_url(url: StoreUrl) -> dict[str, Any]:
    params = _split_store_options(url, ("table", "create_table", "driver"))
    database = url.path.lstrip("/")
    if not url.host or not database or "/" in database:
        raise ConfigurationError(
            f"store URL {url.redacted!r}: expected {url.scheme}://[user[:password]@]host[:port]"
            "/database[?table=...]"
        )
    params.update(host=url.host, database=database)
    if url.port is not None:
        params["port"] = url.port
    if url.user:
        params["user"] = url.user
    if url.password is not None:
        params["password"] = url.password
    return params


STORE_TYPE_POSTGRESQL = StoreType(
    name="sql+postgresql",
    create=_server_creator("postgresql"),
    params_from_url=_server_params_from_url,
)
"""``sql+postgresql://user:password@host:5432/database?table=...`` (driver psycopg)."""

STORE_TYPE_MYSQL = StoreType(
    name="sql+mysql", create=_server_creator("mysql"), params_from_url=_server_params_from_url
)
"""``sql+mysql://user:password@host:3306/database?table=...`` (driver PyMySQL)."""

STORE_TYPE_MARIADB = StoreType(
    name="sql+mariadb", create=_server_creator("mariadb"), params_from_url=_server_params_from_url
)
"""``sql+mariadb://user:password@host:3306/database?table=...`` (driver PyMySQL)."""


# ----------------------------------------------------------------------------- any engine
_SQL_PARAMS: Final = ("url", "engine", "table", "create_table")


def _create_sql(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    check_params("sql", params, _SQL_PARAMS)
    engine = params.get("engine")
    url = params.get("url")
    if (engine is None) == (url is None):
        raise ConfigurationError(
            "store type 'sql' needs exactly one of url (a SQLAlchemy URL) and engine"
        )
    if engine is not None:
        if not isinstance(engine, Engine):
            raise ConfigurationError(f"engine must be a sqlalchemy Engine, got {engine!r}")
        owns = False
    else:
        if not isinstance(url, (str, URL)):
            raise ConfigurationError(f"url must be a str or sqlalchemy URL, got {type(url)!r}")
        try:
            parsed = url if isinstance(url, URL) else _parse_sqlalchemy_url(url)
        except ArgumentError as exc:
            raise ConfigurationError(
                f"store type 'sql': url is not a SQLAlchemy URL: {exc}"
            ) from None
        engine = _engine(parsed, "sql")
        owns = True
    return _open_store(
        engine,
        params,
        "sql",
        extended_keys=extended_keys,
        create_if_missing=create_if_missing,
        owns_engine=owns,
    )


def _parse_sqlalchemy_url(text: str) -> URL:
    from sqlalchemy import make_url

    return make_url(text)


def _sql_params_from_url(url: StoreUrl) -> dict[str, Any]:
    raise ConfigurationError(
        f"store URL {url.redacted!r}: name the database in the scheme: "
        "sqlite:///path.db, sql+postgresql://..., sql+mysql://... or sql+mariadb://..."
    )


STORE_TYPE_SQL = StoreType(name="sql", create=_create_sql, params_from_url=_sql_params_from_url)
"""``get_store("sql", url="postgresql+psycopg://...")`` or ``get_store("sql", engine=...)``."""

"""The driver options of a factory-made server store: checked before anything connects.

A store URL's options other than ``table``, ``create_table`` and ``driver`` go to the driver.
For the default drivers (psycopg, PyMySQL) every name is checked against what the driver
takes, and the values that must be numbers or known names are checked too, so that a typo is a
:class:`~minimalkv.ConfigurationError` that says what to fix, never a driver traceback at the
first call. Other drivers get the options as they are.

Every server store gets a finite ``connect_timeout`` (:data:`DEFAULT_CONNECT_TIMEOUT` unless
the options say otherwise): a server that does not answer fails the first call instead of
hanging it. PyMySQL reads the server's greeting under its ``read_timeout``, not under
``connect_timeout``, so PyMySQL stores also get finite ``read_timeout`` and ``write_timeout``
(:data:`DEFAULT_PYMYSQL_IO_TIMEOUT`), longer than the server's own lock wait timeout (50 s by
default) so that a lock wait is reported by the server, as a timeout, and not cut short.

psycopg has no read timeout at all (``statement_timeout`` is the server's, and a paused or
hung server enforces nothing; TCP keepalives and ``tcp_user_timeout`` are answered by a paused
server's kernel). psycopg stores take the option ``read_timeout`` (seconds, above 0; default
:data:`DEFAULT_PSYCOPG_READ_TIMEOUT`) and enforce it on the client: each store call's whole use
of its connection must end within it, or the connection is cut off and the call raises
:class:`~minimalkv.StoreTimeoutError` (see :mod:`._deadline`).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from typing import Any, Final

from minimalkv import ConfigurationError

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_PSYCOPG_READ_TIMEOUT",
    "DEFAULT_PYMYSQL_IO_TIMEOUT",
    "PYMYSQL_MAX_PACKET",
    "check_port",
    "driver_settings",
]

DEFAULT_CONNECT_TIMEOUT: Final = 10
"""Seconds a factory-made PostgreSQL or MySQL/MariaDB store waits to connect."""

DEFAULT_PYMYSQL_IO_TIMEOUT: Final = 60
"""Seconds a factory-made PyMySQL store waits for each read or write on its connection."""

DEFAULT_PSYCOPG_READ_TIMEOUT: Final = 60.0
"""Seconds a factory-made psycopg store's call may use its connection (queries and commit)."""

# PyMySQL refuses to send a packet over 16 MiB by default; the server's own limit still applies.
PYMYSQL_MAX_PACKET: Final = 1 << 30

# Set from the URL's host, port, user, password and database, never from an option.
_URL_PARTS: Final = frozenset(
    {"host", "port", "user", "password", "passwd", "database", "db", "dbname"}
)
# Options PyMySQL takes that a URL cannot express (Python objects).
_PYMYSQL_OBJECTS: Final = frozenset({"self", "conv", "cursorclass", "auth_plugin_map", "ssl"})
# SQLAlchemy's MySQL dialect turns these into PyMySQL's ``ssl`` dict.
_SQLALCHEMY_MYSQL_SSL: Final = frozenset({"ssl_capath", "ssl_cipher", "ssl_check_hostname"})
# PyMySQL options that are whole numbers of seconds or bytes (and so checked here).
_PYMYSQL_WHOLE: Final = ("read_timeout", "write_timeout", "max_allowed_packet")


def _known_options(driver: str) -> frozenset[str] | None:
    """Return the option names ``driver`` takes, or None when it is not one of the defaults."""
    if driver == "psycopg":
        from psycopg import pq

        libpq = frozenset(d.keyword.decode() for d in pq.Conninfo.get_defaults())
        return (libpq | {"read_timeout"}) - _URL_PARTS
    if driver == "pymysql":
        from pymysql.connections import Connection  # type: ignore[import-untyped]  # no hints

        names = frozenset(inspect.signature(Connection.__init__).parameters)
        return (names | _SQLALCHEMY_MYSQL_SSL) - _URL_PARTS - _PYMYSQL_OBJECTS
    return None


def _whole(where: str, name: str, value: str, *, least: int, unit: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < least:
        raise ConfigurationError(
            f"{where}: {name} must be a whole number of {unit}, at least {least}, got {value!r}"
        )
    return number


def driver_settings(
    type_name: str, backend: str, driver: str, options: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, Any], float | None]:
    """Split the driver ``options`` of a server store into URL query and ``connect_args``.

    The third item is the client-side deadline of each call (psycopg's ``read_timeout``), or
    None where the driver bounds its reads itself. Raises
    :class:`~minimalkv.ConfigurationError` for an option the driver does not take, a
    timeout that is not a whole number of seconds of at least 1, and an unknown ``charset``.
    """
    where = f"store type {type_name!r}"
    query = dict(options)
    known = _known_options(driver)
    if known is not None:
        unknown = sorted(set(query) - known)
        if unknown:
            raise ConfigurationError(
                f"{where}: unknown option(s) {', '.join(map(repr, unknown))} for the driver "
                f"{driver}; the store takes table, create_table and driver, and {driver} takes "
                f"{', '.join(sorted(known))}"
            )
    connect_args: dict[str, Any] = {}
    timeout = query.pop("connect_timeout", None)
    connect_args["connect_timeout"] = (
        DEFAULT_CONNECT_TIMEOUT
        if timeout is None
        else _whole(where, "connect_timeout", timeout, least=1, unit="seconds")
    )
    if driver == "pymysql":
        connect_args["max_allowed_packet"] = PYMYSQL_MAX_PACKET
        connect_args["read_timeout"] = DEFAULT_PYMYSQL_IO_TIMEOUT
        connect_args["write_timeout"] = DEFAULT_PYMYSQL_IO_TIMEOUT
        for name in _PYMYSQL_WHOLE:
            if name in query:
                unit = "bytes" if name == "max_allowed_packet" else "seconds"
                connect_args[name] = _whole(where, name, query.pop(name), least=1, unit=unit)
        if "charset" in query:
            from pymysql.charset import charset_by_name  # type: ignore[import-untyped]  # no hints

            if charset_by_name(query["charset"]) is None:
                raise ConfigurationError(
                    f"{where}: charset {query['charset']!r} is not a character set MySQL and "
                    "MariaDB know; use e.g. charset=utf8mb4 (the default)"
                )
    deadline: float | None = None
    if driver == "psycopg":
        deadline = DEFAULT_PSYCOPG_READ_TIMEOUT
        if "read_timeout" in query:
            deadline = _seconds(where, "read_timeout", query.pop("read_timeout"))
    return query, connect_args, deadline


def _seconds(where: str, name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise ConfigurationError(
            f"{where}: {name} must be a number of seconds above 0, got {value!r}"
        )
    return number


def check_port(where: str, port: object) -> int | None:
    """Return ``port`` as an int from 1 to 65535 (a str of digits is accepted), or None."""
    if port is None:
        return None
    number: object = int(port) if isinstance(port, str) and port.isdigit() else port
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 65535:
        raise ConfigurationError(f"{where}: port must be a number from 1 to 65535, got {port!r}")
    return number

"""The one place where SQLAlchemy and driver errors become minimalkv errors.

::

    sqlalchemy.exc.TimeoutError (pool exhausted)       -> StoreTimeoutError
    DBAPIError: lock wait / busy / statement timeout   -> StoreTimeoutError
    DBAPIError: the client's connect or read timeout   -> StoreTimeoutError
      (PyMySQL's "lost connection (timed out)", psycopg's ConnectionTimeout, a call the
      store's deadline cut off: see :mod:`._deadline`)
    DBAPIError: connection lost, refused, invalidated  -> StoreConnectionError
      (also PostgreSQL's 57P01-57P03: the server shut down or is starting)
    any other SQLAlchemyError                          -> StoreError

A transaction the database asks to run again (deadlock, serialization failure: SQLSTATE 40001
and 40P01, MySQL/MariaDB 1213 and 1205) is retried by the store first, with a jittered
backoff, for up to :data:`TRANSACTION_RETRY_SECONDS` (:func:`should_retry`,
:func:`retry_delay`); only when that time is spent is it translated.

Messages name the operation and the store (its URL without password and the table), and the
driver's own message, never the statement's parameters (they hold the values).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from typing import Final

from minimalkv import StoreConnectionError, StoreError, StoreTimeoutError
from sqlalchemy import exc

from ._deadline import expired_deadline, forget_deadline

__all__ = ["TRANSACTION_RETRY_SECONDS", "retry_delay", "should_retry", "translate_errors"]

TRANSACTION_RETRY_SECONDS: Final = 30.0
"""How long a write transaction is run again while the database asks for that. Ordered writes
make deadlocks rare, but InnoDB's gap locks and a loaded server still produce some; a writer
among many must not fail for them, so the bound is time, not a count of attempts."""
_FIRST_DELAY: Final = 0.005
_MAX_DELAY: Final = 0.5
# SQLSTATE 40001 serialization_failure, 40P01 deadlock_detected (PostgreSQL; MySQL reports
# 40001 for its deadlocks too); MySQL/MariaDB 1213 deadlock, 1205 lock wait timeout.
_RETRY_STATES: Final = frozenset({"40001", "40P01"})
_RETRY_CODES: Final = frozenset({1213, 1205})

# PostgreSQL SQLSTATEs: 57014 query_canceled (statement_timeout), 55P03 lock_not_available.
_PG_TIMEOUT_STATES: Final = frozenset({"57014", "55P03"})
# PostgreSQL SQLSTATEs of a server going away: 57P01 admin_shutdown (a fast shutdown ends every
# session), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down).
_PG_CONNECTION_STATES: Final = frozenset({"57P01", "57P02", "57P03"})
# MySQL/MariaDB error numbers: 1205 lock wait timeout, 3024 / 1969 max execution time.
_MYSQL_TIMEOUT_CODES: Final = frozenset({1205, 3024, 1969})
# 2002/2003 cannot connect, 2006 server gone away, 2013 lost connection, 2055 lost (SSL),
# 1040 too many connections, 1045 access denied, 1049 unknown database.
_MYSQL_CONNECTION_CODES: Final = frozenset({2002, 2003, 2006, 2013, 2055, 1040, 1045, 1049})
_SQLITE_TIMEOUT_TEXT: Final = ("database is locked", "database table is locked")
_SQLITE_CONNECTION_TEXT: Final = ("unable to open database file",)


def _driver_code(orig: BaseException | None) -> int | None:
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and not isinstance(args[0], bool):
        return args[0]
    return None


def should_retry(error: BaseException) -> bool:
    """Return whether ``error`` is a database's request to run the transaction again."""
    if not isinstance(error, exc.DBAPIError) or error.connection_invalidated:
        return False
    orig = error.orig
    return getattr(orig, "sqlstate", None) in _RETRY_STATES or _driver_code(orig) in _RETRY_CODES


def retry_delay(attempt: int) -> float:
    """Return the seconds to wait before retry ``attempt`` (1, 2, ...): jittered, bounded."""
    ceiling = min(_MAX_DELAY, _FIRST_DELAY * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)


def _timed_out(orig: BaseException | None) -> bool:
    """Return whether the driver error ``orig`` comes from a client-side timeout.

    PyMySQL raises its "lost connection" (2013) or "cannot connect" (2003) errors from the
    socket's :class:`TimeoutError`; psycopg names its connect timeout ``ConnectionTimeout``.
    """
    seen = 0
    current = orig
    while current is not None and seen < 8:
        if isinstance(current, TimeoutError) or type(current).__name__ == "ConnectionTimeout":
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def _classify(error: exc.SQLAlchemyError) -> type[StoreError]:
    if isinstance(error, exc.TimeoutError):
        return StoreTimeoutError
    if not isinstance(error, exc.DBAPIError):
        return StoreError
    orig = error.orig
    text = str(orig).lower()
    sqlstate = getattr(orig, "sqlstate", None)
    code = _driver_code(orig)
    if (
        sqlstate in _PG_TIMEOUT_STATES
        or code in _MYSQL_TIMEOUT_CODES
        or any(part in text for part in _SQLITE_TIMEOUT_TEXT)
        or _timed_out(orig)
    ):
        return StoreTimeoutError
    if (
        error.connection_invalidated
        or code in _MYSQL_CONNECTION_CODES
        or sqlstate in _PG_CONNECTION_STATES
    ):
        return StoreConnectionError
    if any(part in text for part in _SQLITE_CONNECTION_TEXT):
        return StoreConnectionError
    if isinstance(error, exc.OperationalError) and (
        (isinstance(sqlstate, str) and sqlstate.startswith("08"))  # connection exception class
        or (sqlstate is None and code is None and "connect" in text)
    ):
        return StoreConnectionError
    return StoreError


def _hint(error: exc.SQLAlchemyError) -> str:
    text = str(getattr(error, "orig", error)).lower()
    if "no such table" in text or "does not exist" in text or "doesn't exist" in text:
        return " (has the table been created? call metadata.create_all(engine))"
    if "max_allowed_packet" in text or "packet too large" in text or "packet bigger" in text:
        return (
            " (the value is larger than the server's or the driver's max_allowed_packet; "
            "see the minimalkv-sql README)"
        )
    return ""


@contextlib.contextmanager
def translate_errors(where: str, operation: str, key: str | None = None) -> Iterator[None]:
    """Turn SQLAlchemy errors raised inside the block into minimalkv ``StoreError`` subclasses.

    ``where`` describes the store (safe for messages), ``operation`` the call.
    """
    forget_deadline()
    try:
        yield
    except exc.SQLAlchemyError as error:
        orig = getattr(error, "orig", None)
        detail = str(orig if orig is not None else error).strip().splitlines()
        first = detail[0] if detail else type(error).__name__
        seconds = expired_deadline()
        if seconds is not None:  # the store's own deadline cut the connection off
            raise StoreTimeoutError(
                f"{operation} on {where} failed: no answer within read_timeout={seconds:g} s, "
                f"so the connection was cut off ({first})",
                key=key,
            ) from error
        cls = _classify(error)
        raise cls(f"{operation} on {where} failed: {first}{_hint(error)}", key=key) from error

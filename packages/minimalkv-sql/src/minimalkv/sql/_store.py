"""SQLAlchemyStore: one row per key in a table of any SQLite, PostgreSQL or MySQL/MariaDB."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import IO, Any, Final, TypeVar

from minimalkv import (
    CopyMixin,
    ExtendedKeyspaceMixin,
    InvalidKeyError,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
    StoreConnectionError,
    StoreError,
)
from minimalkv.backend import BytesReader, check_prefix, pickling_refused
from sqlalchemy import Connection, Engine, MetaData, Table, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool

from ._errors import TRANSACTION_RETRY_SECONDS, retry_delay, should_retry, translate_errors
from ._redact import show_url
from ._statements import build_statements
from ._table import KEY_LENGTH, define_table

__all__ = ["HSQLAlchemyStore", "SQLAlchemyStore"]

_PAGE: Final = 1000
"""Keys fetched per query while listing."""
_BATCH: Final = 500
"""Keys per ``IN (...)`` list of get_many and delete_many (below every driver's limits)."""
_LISTABLE_LOW: Final = " "
_LISTABLE_HIGH: Final = "~"
_T = TypeVar("_T")


def _prefix_bounds(prefix: str) -> tuple[str, str | None] | None:
    r"""Return the key range ``[low, high)`` holding exactly the keys that start with ``prefix``.

    Keys are printable ASCII, so a prefix with any other character matches nothing (None), and
    the successor of a prefix (its last character incremented) is at most ``\x7f``.
    """
    if not prefix:
        return "", None
    if not all(_LISTABLE_LOW <= char <= _LISTABLE_HIGH for char in prefix):
        return None
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


class SQLAlchemyStore(CopyMixin, KeyValueStore):
    """Stores each value as a row of the table ``tablename`` in the database of ``bind``.

    ``bind`` is a SQLAlchemy :class:`~sqlalchemy.Engine` (SQLite, PostgreSQL, MySQL or
    MariaDB); the table (``key`` String(250) primary key, ``value`` LargeBinary not null,
    LONGBLOB on MySQL/MariaDB) is defined on ``metadata``, and creating it is the caller's job,
    as in the original::

        store = SQLAlchemyStore(engine, metadata, "minimalkv")
        metadata.create_all(engine)

    Every call is one transaction; ``put`` is one atomic upsert, so concurrent writers of a
    key (threads or processes) never fail and one of the written values wins. Keys are at most
    250 characters. Values are held in memory whole, once, on the way in and on the way out
    (SQL has no portable streaming of a blob); the largest value is bounded by the database.

    With ``owns_engine=True`` (stores made by :func:`minimalkv.get_store` from a URL),
    :meth:`close` disposes of the engine; otherwise the engine stays the caller's.
    """

    _dialect_name: str

    def __init__(
        self, bind: Engine, metadata: MetaData, tablename: str, *, owns_engine: bool = False
    ) -> None:
        if not isinstance(bind, Engine):
            raise TypeError(f"bind must be a sqlalchemy Engine, not {type(bind).__name__}")
        self.bind: Final = bind
        self.table: Final[Table] = define_table(metadata, tablename)
        self._dialect_name = bind.dialect.name
        self._sql = build_statements(self.table, self._dialect_name)
        # put_many hands its rows to the driver's executemany as they are when no column
        # needs a bind processor (SQLite, PostgreSQL): SQLAlchemy's per-row parameter
        # processing would otherwise cost more than the database's own work.
        self._raw_upsert: str | None = None
        self._raw_positional = False
        if self._dialect_name in ("sqlite", "postgresql"):
            compiled = self._sql.upsert.compile(dialect=bind.dialect)
            self._raw_upsert = str(compiled)
            self._raw_positional = compiled.positional
        # psycopg sends bytea as hex text unless asked for binary results: a value must cross
        # the wire as its own bytes, not twice as many to decode into a further copy.
        self._binary_get: str | None = None
        if self._dialect_name == "postgresql" and bind.dialect.driver == "psycopg":
            self._binary_get = str(self._sql.get.compile(dialect=bind.dialect))
        # A read of one statement needs no transaction. On PostgreSQL the drivers would open
        # one (a round trip for BEGIN) and the pool would roll it back when the connection
        # returns (another): reads run in autocommit instead, a switch the drivers make on
        # the client without a round trip. (PyMySQL would send SET AUTOCOMMIT both ways, and
        # MySQL/MariaDB and SQLite start no transaction for a SELECT: they read as they are.)
        self._read_bind: Engine = (
            bind.execution_options(isolation_level="AUTOCOMMIT")
            if self._dialect_name == "postgresql"
            else bind
        )
        self._where = f"{type(self).__name__}({show_url(bind.url)}, table {tablename!r})"
        # One shared connection (an in-memory SQLite behind a StaticPool) must not carry two
        # threads' transactions at once: calls take turns on it.
        shared = isinstance(bind.pool, StaticPool)
        self._turns: contextlib.AbstractContextManager[object] = (
            threading.RLock() if shared else contextlib.nullcontext()
        )
        self._owns_engine = owns_engine

    def __repr__(self) -> str:
        return f"<{self._where}>"

    def __reduce__(self) -> Any:
        raise pickling_refused(self, "its SQLAlchemy engine")

    def close(self) -> None:
        """Dispose of the engine if the store owns it (see the class docstring). Idempotent."""
        if self._owns_engine:
            self.bind.dispose()

    # ----------------------------------------------------------------- keys
    def _check_valid_key(self, key: str) -> None:
        # Stricter than the key space: a key must fit the key column.
        super()._check_valid_key(key)
        if len(key) > KEY_LENGTH:
            raise InvalidKeyError(
                f"invalid key {key[:40]!r}... ({len(key)} characters): a SQL store's keys are "
                f"at most {KEY_LENGTH} characters (the width of its key column)",
                key=key,
            )

    # ----------------------------------------------------------------- reading
    def _get(self, key: str) -> bytes:
        with (
            self._turns,
            translate_errors(self._where, "get", key),
            self._read_bind.connect() as conn,
        ):
            if self._binary_get is None:
                value = conn.execute(self._sql.get, {"key": key}).scalar()
            else:
                value = self._get_binary(conn, self._binary_get, key)
        if value is None:
            raise KeyNotFoundError.for_key(key)
        return value if value.__class__ is bytes else bytes(value)

    def _get_binary(self, conn: Connection, sql: str, key: str) -> Any:
        dbapi_error: type[Exception] = self.bind.dialect.loaded_dbapi.Error
        try:
            cursor = conn.connection.cursor(binary=True)
            try:
                cursor.execute(sql, {"key": key})
                row = cursor.fetchone()
            finally:
                cursor.close()
        except dbapi_error as error:
            # This cursor bypasses SQLAlchemy's execution, so do what it does on a lost
            # connection: discard the connection instead of returning it to the pool.
            driver_error: Any = error
            dbapi_connection = conn.connection.dbapi_connection
            lost = self.bind.dialect.is_disconnect(driver_error, dbapi_connection, None)
            if lost:
                conn.invalidate(error)
            raise DBAPIError.instance(
                sql, None, error, dbapi_error, connection_invalidated=lost
            ) from error
        return None if row is None else row[0]

    def _open(self, key: str) -> IO[bytes]:
        return BytesReader(self._get(key))

    def _has_key(self, key: str) -> bool:
        with (
            self._turns,
            translate_errors(self._where, "contains", key),
            self._read_bind.connect() as conn,
        ):
            return conn.execute(self._sql.has_key, {"key": key}).first() is not None

    def _metadata(self, key: str) -> KeyMetadata:
        with (
            self._turns,
            translate_errors(self._where, "metadata", key),
            self._read_bind.connect() as conn,
        ):
            size = conn.execute(self._sql.length, {"key": key}).scalar()
        if size is None:
            raise KeyNotFoundError.for_key(key)
        return KeyMetadata(key=key, size=int(size))

    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        if not keys:
            return found
        unique = list(dict.fromkeys(keys))
        with (
            self._turns,
            translate_errors(self._where, "get_many"),
            self.bind.connect() as conn,
            conn.begin(),  # one snapshot where the database gives one
        ):
            for start in range(0, len(unique), _BATCH):
                rows = conn.execute(self._sql.get_many, {"keys": unique[start : start + _BATCH]})
                for key, value in rows:
                    found[key] = value if value.__class__ is bytes else bytes(value)
        return {key: found[key] for key in unique if key in found}

    def _key_page(self, low: str, inclusive: bool, high: str | None) -> list[str]:
        column = self.table.c.key
        query = select(column).where(column >= low if inclusive else column > low)
        if high is not None:
            query = query.where(column < high)
        query = query.order_by(column).limit(_PAGE)
        with (
            self._turns,
            translate_errors(self._where, "iter_keys"),
            self._read_bind.connect() as conn,
        ):
            return list(conn.execute(query).scalars())

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys that start with ``prefix``, in byte order.

        Keys are fetched a page at a time by an indexed range query (no connection is held
        between pages, so the store may be changed while iterating; keys written meanwhile
        may or may not be seen).
        """
        check_prefix(prefix)
        return self._iter_keys(prefix)

    def _iter_keys(self, prefix: str) -> Iterator[str]:
        bounds = _prefix_bounds(prefix)
        if bounds is None:
            return
        low, high = bounds
        inclusive = True
        while True:
            page = self._key_page(low, inclusive, high)
            yield from page
            if len(page) < _PAGE:
                return
            low, inclusive = page[-1], False

    def _iter_prefixes(self, delimiter: str, prefix: str) -> Iterator[str]:
        # Keys come sorted, so the keys under one yielded prefix are adjacent: after a page,
        # jump past the current prefix instead of reading every key below it.
        bounds = _prefix_bounds(prefix)
        if bounds is None:
            return
        low, high = bounds
        inclusive = True
        start, width = len(prefix), len(delimiter)
        last: str | None = None
        while True:
            page = self._key_page(low, inclusive, high)
            for key in page:
                end = key.find(delimiter, start)
                found = key if end < 0 else key[: end + width]
                if found != last:
                    last = found
                    yield found
            if len(page) < _PAGE:
                return
            tail = page[-1]
            if last is not None and last != tail and tail.startswith(last):
                following = _prefix_bounds(last)
                if following is None or following[1] is None:  # pragma: no cover - keys are ASCII
                    low, inclusive = tail, False
                else:
                    low, inclusive = following[1], True
            else:
                low, inclusive = tail, False

    # ----------------------------------------------------------------- writing
    # Every write is one transaction run by _write. Writers that touch several rows touch them
    # in key order (sorted batches, copy and move lock both rows in order first), so two
    # writers never wait for each other in a cycle; what the database still reports as a
    # deadlock or serialization failure is run again, a bounded number of times.
    def _write(self, work: Callable[[Connection], _T]) -> _T:
        """Run ``work`` in a transaction; again while the database asks for that (bounded)."""
        deadline = time.monotonic() + TRANSACTION_RETRY_SECONDS
        attempt = 0
        while True:
            attempt += 1
            try:
                with self._turns, self.bind.begin() as conn:
                    return work(conn)
            except DBAPIError as error:
                delay = retry_delay(attempt)
                if not should_retry(error) or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)

    def _put(self, key: str, data: bytes) -> str:
        def work(conn: Connection) -> None:
            conn.execute(self._sql.upsert, {"key": key, "value": data})

        try:
            with translate_errors(self._where, "put", key):
                self._write(work)
        except StoreConnectionError as error:
            self._explain_packet(error, len(data), "put", key)
            raise
        return key

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        if not pairs:
            return []
        # Sorted (stably, so the last of equal keys still wins): every writer locks rows in
        # the same order.
        rows: list[tuple[str, bytes]] = sorted(pairs, key=itemgetter(0))

        def work(conn: Connection) -> None:
            if self._raw_upsert is None:
                conn.execute(self._sql.upsert, [{"key": k, "value": v} for k, v in rows])
            elif self._raw_positional:
                conn.exec_driver_sql(self._raw_upsert, rows)
            else:
                conn.exec_driver_sql(self._raw_upsert, [{"key": k, "value": v} for k, v in rows])

        try:
            with translate_errors(self._where, "put_many"):
                self._write(work)
        except StoreConnectionError as error:
            self._explain_packet(error, sum(len(value) for _, value in rows), "put_many", None)
            raise
        return [key for key, _ in pairs]

    def _explain_packet(
        self, error: StoreConnectionError, size: int, operation: str, key: str | None
    ) -> None:
        """Raise a StoreError that says so when ``size`` bytes exceed ``max_allowed_packet``.

        MySQL and MariaDB drop the connection when a statement is larger than the server's
        ``max_allowed_packet``, which the driver reports as a lost connection. After such a
        failure (never on the way of a successful call) the store asks the server for its
        limit; if the values alone exceed it, the error says that instead.
        """
        if self._dialect_name not in ("mysql", "mariadb"):
            return
        try:
            with self.bind.connect() as conn:
                limit = int(conn.execute(text("SELECT @@max_allowed_packet")).scalar_one())
        except Exception:
            return
        if size < limit:
            return
        raise StoreError(
            f"{operation} on {self._where} failed: the values of the call ({size} bytes) are "
            f"larger than the server's max_allowed_packet ({limit} bytes); raise it on the "
            "server (max_allowed_packet = 1G, at most 1 GiB) or put fewer or smaller values",
            key=key,
        ) from error

    def _delete(self, key: str) -> None:
        def work(conn: Connection) -> None:
            conn.execute(self._sql.delete, {"key": key})

        with translate_errors(self._where, "delete", key):
            self._write(work)

    def _delete_many(self, keys: list[str]) -> None:
        if not keys:
            return
        unique = sorted(set(keys))

        def work(conn: Connection) -> None:
            for start in range(0, len(unique), _BATCH):
                chunk = unique[start : start + _BATCH]
                # A DELETE takes its row locks in scan order, not key order: lock them in key
                # order first, as every other writer does.
                if self._sql.lock_rows is not None:
                    conn.execute(self._sql.lock_rows, {"keys": chunk}).all()
                conn.execute(self._sql.delete_many, {"keys": chunk})

        with translate_errors(self._where, "delete_many"):
            self._write(work)

    def _copy(self, source: str, dest: str) -> str:
        def work(conn: Connection) -> None:
            self._lock_in_order(conn, source, dest)
            self._copy_in(conn, source, dest)

        with translate_errors(self._where, "copy", source):
            self._write(work)
        return dest

    def _move(self, source: str, dest: str) -> str:
        def work(conn: Connection) -> None:
            self._lock_in_order(conn, source, dest)
            self._copy_in(conn, source, dest)
            if source != dest:
                conn.execute(self._sql.delete, {"key": source})

        with translate_errors(self._where, "move", source):
            self._write(work)
        return dest

    def _lock_in_order(self, conn: Connection, source: str, dest: str) -> None:
        # copy(x, y) racing copy(y, x) would otherwise take the two row locks in opposite
        # orders. SQLite locks the whole database and needs no row locks.
        if self._sql.lock_rows is not None:
            conn.execute(self._sql.lock_rows, {"keys": sorted({source, dest})}).all()

    def _copy_in(self, conn: Connection, source: str, dest: str) -> None:
        copied = conn.execute(self._sql.copy, {"source": source, "dest": dest}).rowcount
        # MySQL reports 0 affected rows when the new value equals the old one, psycopg may
        # report -1: ask.
        if copied <= 0 and conn.execute(self._sql.has_key, {"key": source}).first() is None:
            raise KeyNotFoundError.for_key(source)


class HSQLAlchemyStore(ExtendedKeyspaceMixin, SQLAlchemyStore):
    """A :class:`SQLAlchemyStore` whose keys may also contain ``/`` and space."""

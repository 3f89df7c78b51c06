"""Benchmark cases of minimalkv-sql: SQLite against the stdlib sqlite3, and stores made from
PostgreSQL and MariaDB URLs against their raw drivers on the servers at 127.0.0.1:5432 and
127.0.0.1:3306 (database ``test``)."""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from tools._bench_cases import Case, Settings, Target
from tools._bench_harness import Paired, paired_calls

__all__ = ["SQL_CASES"]

_UPSERT: Final = (
    "INSERT INTO kv (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


def _build_sql_put_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from minimalkv.sql import SQLAlchemyStore
    from sqlalchemy import MetaData, create_engine

    base = Path(tempfile.mkdtemp(prefix="minimalkv-bench-sql-", dir=settings.fast_dir))
    stack.callback(shutil.rmtree, base, True)
    items = [(f"key-{i:06d}", os.urandom(settings.value_size)) for i in range(settings.values)]

    # Raw: the leanest honest baseline, the stdlib driver's executemany of the same upsert in
    # one transaction, on a table of the same shape.
    raw = sqlite3.connect(base / "raw.db")
    stack.callback(raw.close)
    raw.execute("CREATE TABLE kv (key VARCHAR(250) NOT NULL PRIMARY KEY, value BLOB NOT NULL)")

    def run_raw(i: int) -> None:
        with raw:
            raw.executemany(_UPSERT, items)

    engine = create_engine(f"sqlite:///{base / 'lib.db'}")
    stack.callback(engine.dispose)
    metadata = MetaData()
    store = SQLAlchemyStore(engine, metadata, "kv")
    metadata.create_all(engine)

    def run_lib(i: int) -> None:
        store.put_many(items)

    # Steady state: every timed call replaces existing rows on both sides.
    run_raw(0)
    run_lib(0)
    return Paired(run_raw, run_lib, 1, len(items))


def _server_get(
    settings: Settings, stack: contextlib.ExitStack, backend: str
) -> tuple[Callable[[str], object], Callable[[str], object], list[list[str]]]:
    """A store made from a URL (timeouts, stale-connection check, deadline) and a raw driver
    connection with the same query, both on the shared server; a fresh table, dropped after."""
    from minimalkv import get_store_from_url

    table = f"mkv_bench_{os.getpid()}_{backend}"
    items = {f"key-{i:06d}": os.urandom(settings.value_size) for i in range(settings.values)}
    if backend == "postgresql":
        import psycopg

        url = f"sql+postgresql://postgres@127.0.0.1:5432/test?table={table}"
        raw: Any = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test")
        raw.autocommit = True
        query = f"SELECT value FROM {table} WHERE key = %s"  # noqa: S608 - our own table name
    else:
        # PyMySQL ships no type hints: used as Any, like the store's own use of it.
        pymysql: Any = importlib.import_module("pymysql")

        url = f"sql+mariadb://root@127.0.0.1:3306/test?table={table}"
        raw = pymysql.connect(host="127.0.0.1", port=3306, user="root", database="test")
        raw.autocommit(True)
        query = f"SELECT value FROM {table} WHERE `key` = %s"  # noqa: S608 - our own table
    stack.callback(raw.close)
    store = get_store_from_url(url)
    stack.callback(store.close)
    store.put_many(items)

    def drop() -> None:
        with raw.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")

    stack.callback(drop)

    def raw_get(key: str) -> object:
        with raw.cursor() as cursor:
            cursor.execute(query, (key,))
            return cursor.fetchone()

    keys = list(items)
    chunks = [keys[i : i + settings.chunk] for i in range(0, len(keys), settings.chunk)]
    return raw_get, store.get, chunks


def _build_server_get(settings: Settings, stack: contextlib.ExitStack, backend: str) -> Paired:
    raw_get, lib_get, chunks = _server_get(settings, stack, backend)
    return paired_calls(raw_get, lib_get, chunks, settings.chunk)


SQL_CASES: Final[tuple[Case, ...]] = (
    Case(
        name="sql-put-many",
        title="`SQLAlchemyStore.put_many` of all values in one call, SQLite file on tmpfs",
        baseline="stdlib `sqlite3` `executemany` of the same upsert in one transaction",
        target=Target(min_ratio=0.8),
        build=_build_sql_put_many,
    ),
    Case(
        name="pg-get",
        title="`get` of a store made from a `sql+postgresql://` URL, server on loopback",
        baseline="one autocommit psycopg connection running the same `SELECT`",
        # One round trip each; what remains is SQLAlchemy's pool and connection in Python,
        # about as long as a loopback round trip itself.
        target=Target(min_ratio=0.4),
        build=functools.partial(_build_server_get, backend="postgresql"),
    ),
    Case(
        name="mariadb-get",
        title="`get` of a store made from a `sql+mariadb://` URL, server on loopback",
        baseline="one autocommit PyMySQL connection running the same `SELECT`",
        # Two round trips (the pool's ROLLBACK ends the read's implicit transaction) against one.
        target=Target(min_ratio=0.33),
        build=functools.partial(_build_server_get, backend="mariadb"),
    ),
)
"""The minimalkv-sql cases, appended to the case table by tools/bench.py."""

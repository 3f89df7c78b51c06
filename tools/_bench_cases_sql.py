"""Benchmark cases of minimalkv-sql: SQLAlchemyStore on SQLite against the stdlib sqlite3."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Final

from tools._bench_cases import Case, Settings, Target
from tools._bench_harness import Paired

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


SQL_CASES: Final[tuple[Case, ...]] = (
    Case(
        name="sql-put-many",
        title="`SQLAlchemyStore.put_many` of all values in one call, SQLite file on tmpfs",
        baseline="stdlib `sqlite3` `executemany` of the same upsert in one transaction",
        target=Target(min_ratio=0.8),
        build=_build_sql_put_many,
    ),
)
"""The minimalkv-sql cases, appended to the case table by tools/bench.py."""

"""Database servers and fresh tables for the minimalkv-sql tests (imported by the test modules).

PostgreSQL and MariaDB/MySQL come from ``MINIMALKV_POSTGRES_URL`` and ``MINIMALKV_MYSQL_URL``
(SQLAlchemy URLs; defaults: the servers on 127.0.0.1 with database ``test``). A server that
cannot be reached skips its tests with the reason, or fails them when ``CI=true``. Every table
a test run creates is named ``mkv_<pid>_<random>_<n>`` and dropped by the run; nothing else in
the database is touched.
"""

from __future__ import annotations

import functools
import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from typing import Final, NoReturn

import pytest
from minimalkv.contract import service_unavailable
from minimalkv.sql import HSQLAlchemyStore, SQLAlchemyStore
from sqlalchemy import Engine, MetaData, Table, create_engine, text
from sqlalchemy.exc import DBAPIError

__all__ = [
    "BACKENDS",
    "MYSQL_URL",
    "POSTGRES_URL",
    "StoreMaker",
    "engine_for",
    "fresh_table_name",
    "make_store_factory",
    "process_batch_writer",
    "process_copier",
    "process_writer",
    "require",
    "table_stores",
]

POSTGRES_URL: Final = os.environ.get(
    "MINIMALKV_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MYSQL_URL: Final = os.environ.get(
    "MINIMALKV_MYSQL_URL", "mariadb+pymysql://root@127.0.0.1:3306/test"
)
BACKENDS: Final = ("sqlite", "postgresql", "mysql")
# Large enough for the 64 MiB values of the tests (and what MariaDB allows at most).
NEEDED_PACKET: Final = 1 << 30
_RUN: Final = f"mkv_{os.getpid()}_{secrets.token_hex(3)}"
_counter = itertools.count()

StoreMaker = Callable[[], SQLAlchemyStore]


def fresh_table_name() -> str:
    """Return a table name no other test run uses."""
    return f"{_RUN}_{next(_counter)}"


def _fail_or_skip(reason: str) -> NoReturn:
    service_unavailable("A database server", reason)


@functools.cache
def _server_engine(backend: str) -> Engine | str:
    """Return a shared engine for ``backend`` or the reason it cannot be used."""
    url = POSTGRES_URL if backend == "postgresql" else MYSQL_URL
    connect_args: dict[str, object] = {}
    if "pymysql" in url:
        connect_args["max_allowed_packet"] = NEEDED_PACKET
    engine = create_engine(url, pool_size=8, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        return f"{backend} server at {shown} is not reachable: {str(exc.orig).splitlines()[0]}"
    return engine


def require(backend: str) -> Engine:
    """Return the shared engine of a server ``backend``, or skip (fail under CI)."""
    found = _server_engine(backend)
    if isinstance(found, str):
        _fail_or_skip(found)
    return found


def engine_for(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Return an engine for ``backend``: a fresh SQLite file, or the shared server engine."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "store.db"
        return create_engine(f"sqlite:///{path}")
    return require(backend)


def drop_tables(engine: Engine, names: list[str]) -> None:
    """Drop the tables ``names`` this run created."""
    if not names:
        return
    metadata = MetaData()
    tables = [Table(name, metadata) for name in names]
    with engine.begin() as conn:
        for table in tables:
            table.drop(conn, checkfirst=True)


class _RecycledStore(SQLAlchemyStore):
    """A store whose table goes back to its factory's free list when the store is closed."""

    recycle: Callable[[str], None] | None = None

    def close(self) -> None:
        recycle, self.recycle = self.recycle, None
        if recycle is not None:
            recycle(self.table.name)
        super().close()


class _HRecycledStore(_RecycledStore, HSQLAlchemyStore):
    """The extended-key variant of :class:`_RecycledStore`."""


def make_store_factory(
    engine: Engine, extended: bool, created: list[str]
) -> Callable[[], SQLAlchemyStore]:
    """Return a factory of fresh, empty stores on tables of ``engine``; it records their names.

    Creating a table costs far more than emptying one (the state machine makes a store per
    run): a closed store's table is reused, emptied with DELETE, by the next store.
    """
    cls = _HRecycledStore if extended else _RecycledStore
    free: list[str] = []

    def make() -> SQLAlchemyStore:
        metadata = MetaData()
        if free:
            store = cls(engine, metadata, free.pop())
            with engine.begin() as conn:
                conn.execute(store.table.delete())
        else:
            name = fresh_table_name()
            store = cls(engine, metadata, name)
            created.append(name)
            metadata.create_all(engine)
        store.recycle = free.append
        return store

    return make


def table_stores(
    backend: str, extended: bool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], SQLAlchemyStore]]:
    """Yield a factory of fresh stores on ``backend``'s tables; drop the tables afterwards.

    The body of every suite class's ``store_factory`` fixture: ``yield from table_stores(...)``.
    A SQLite engine (a file of this test) is disposed of; a server's engine is shared.
    """
    engine = engine_for(backend, tmp_path_factory)
    created: list[str] = []
    try:
        yield make_store_factory(engine, extended, created)
    finally:
        drop_tables(engine, created)
        if backend == "sqlite":
            engine.dispose()


@pytest.fixture(scope="session")
def mysql_packet_size() -> Iterator[None]:
    """Make the MariaDB/MySQL server accept packets of 1 GiB for this run, then restore it.

    ``max_allowed_packet`` is read-only per session; SET GLOBAL needs privileges (root has them
    on the test server) and only affects new connections, so the shared engine's pool is reset.
    The old value is put back at the end of the run.
    """
    engine = require("mysql")
    with engine.connect() as conn:
        before = int(conn.execute(text("SELECT @@GLOBAL.max_allowed_packet")).scalar_one())
        if before < NEEDED_PACKET:
            conn.execute(text(f"SET GLOBAL max_allowed_packet = {NEEDED_PACKET}"))
    engine.dispose()
    try:
        yield
    finally:
        if before < NEEDED_PACKET:
            with engine.connect() as conn:
                conn.execute(text(f"SET GLOBAL max_allowed_packet = {before}"))
            engine.dispose()


def process_writer(url: str, table: str, number: int, rounds: int) -> None:
    """Put ``rounds`` values of one byte ``number`` under ``contested`` (run in a subprocess).

    It lives here, not in a test module: a spawned process imports it by module name.
    """
    connect_args: dict[str, object] = {}
    if "pymysql" in url:
        connect_args["max_allowed_packet"] = 1 << 26
    engine = create_engine(url, connect_args=connect_args)
    try:
        store = SQLAlchemyStore(engine, MetaData(), table)
        for _ in range(rounds):
            store.put("contested", bytes([number]) * 4096)
    finally:
        engine.dispose()


BATCH_KEYS: Final = tuple(f"batch-{number:03d}" for number in range(200))
"""The keys every :func:`process_batch_writer` writes, each process in its own orders."""


def _process_store(url: str, table: str) -> tuple[Engine, SQLAlchemyStore]:
    connect_args: dict[str, object] = {}
    if "pymysql" in url:
        connect_args["max_allowed_packet"] = 1 << 26
    engine = create_engine(url, connect_args=connect_args)
    return engine, SQLAlchemyStore(engine, MetaData(), table)


def process_batch_writer(url: str, table: str, number: int, rounds: int) -> None:
    """``put_many`` and ``delete_many`` of :data:`BATCH_KEYS` in shuffled orders (a subprocess)."""
    import random

    shuffler = random.Random(number)
    engine, store = _process_store(url, table)
    try:
        for round_ in range(rounds):
            keys = list(BATCH_KEYS)
            shuffler.shuffle(keys)
            if round_ % 5 == 4:
                store.delete_many(keys[: len(keys) // 2])
            else:
                store.put_many({key: bytes([number]) * 64 for key in keys})
    finally:
        engine.dispose()


def process_copier(url: str, table: str, forward: bool, rounds: int) -> None:
    """``copy`` between ``left`` and ``right``, one way round (a subprocess)."""
    engine, store = _process_store(url, table)
    source, dest = ("left", "right") if forward else ("right", "left")
    try:
        for _ in range(rounds):
            store.copy(source, dest)
    finally:
        engine.dispose()

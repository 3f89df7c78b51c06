"""SQL-specific behaviour on SQLite, PostgreSQL and MariaDB: upserts, keys, listing, tables."""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from minimalkv import InvalidKeyError, KeyNotFoundError, StoreConnectionError, StoreError
from minimalkv.sql import KEY_LENGTH, HSQLAlchemyStore, SQLAlchemyStore
from sqlalchemy import Engine, MetaData, func, inspect, select
from sqlalchemy.exc import DBAPIError

sys.path.insert(0, str(Path(__file__).parent))
from sql_servers import (
    BACKENDS,
    BATCH_KEYS,
    drop_tables,
    engine_for,
    fresh_table_name,
    make_store_factory,
    mysql_packet_size,  # noqa: F401  (session fixture)
    process_batch_writer,
    process_copier,
    process_writer,
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "mysql":
        request.getfixturevalue("mysql_packet_size")
    return name


@pytest.fixture
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = engine_for(backend, tmp_path_factory)
    yield engine
    if backend == "sqlite":
        engine.dispose()


@pytest.fixture
def tables(engine: Engine) -> Iterator[list[str]]:
    created: list[str] = []
    yield created
    drop_tables(engine, created)


@pytest.fixture
def store(engine: Engine, tables: list[str]) -> SQLAlchemyStore:
    return make_store_factory(engine, False, tables)()


@pytest.fixture
def hstore(engine: Engine, tables: list[str]) -> SQLAlchemyStore:
    return make_store_factory(engine, True, tables)()


def test_sql_original_usage_defines_table_on_metadata(engine: Engine, tables: list[str]) -> None:
    metadata = MetaData()
    name = fresh_table_name()
    store = SQLAlchemyStore(engine, metadata, name)
    tables.append(name)
    assert store.table is metadata.tables[name]
    metadata.create_all(engine)
    assert store.put("key", b"value") == "key"
    assert store.get("key") == b"value"
    # A second store on the same MetaData and table name shares the definition.
    assert SQLAlchemyStore(engine, metadata, name).get("key") == b"value"


def test_sql_column_types(engine: Engine, store: SQLAlchemyStore) -> None:
    columns = {c["name"]: c for c in inspect(engine).get_columns(store.table.name)}
    assert set(columns) == {"key", "value"}
    assert columns["value"]["nullable"] is False
    kind = str(columns["value"]["type"]).upper()
    if engine.dialect.name in ("mysql", "mariadb"):
        assert kind == "LONGBLOB"
        assert str(columns["key"]["type"]).upper() == "VARBINARY(250)"
    elif engine.dialect.name == "postgresql":
        assert kind == "BYTEA"
        assert getattr(columns["key"]["type"], "collation", None) == "C"


def test_sql_empty_value_is_not_missing(store: SQLAlchemyStore) -> None:
    store.put("empty", b"")
    assert store.get("empty") == b""
    assert "empty" in store
    assert store.get_many(["empty"]) == {"empty": b""}
    assert store.metadata("empty").size == 0


def test_sql_put_overwrites_in_place(store: SQLAlchemyStore) -> None:
    store.put("k", b"one")
    store.put("k", b"two")
    assert store.get("k") == b"two"
    assert store.keys() == ["k"]


def test_sql_keys_are_case_and_space_sensitive(hstore: SQLAlchemyStore) -> None:
    values = {"a": b"1", "A": b"2", "a b": b"3", "a b ": b"4", "a b  ": b"5"}
    hstore.put_many(values)
    assert {key: hstore.get(key) for key in values} == values
    assert hstore.keys("a b") == ["a b", "a b ", "a b  "]


def test_sql_prefix_listing_takes_percent_and_underscore_literally(store: SQLAlchemyStore) -> None:
    for key in ("a%b", "a_c", "axc", "abc", "a%", "_x", "%y", "a\\d"):
        store.put(key, b"v")
    assert store.keys("a%") == ["a%", "a%b"]
    assert store.keys("a_") == ["a_c"]
    assert store.keys("_") == ["_x"]
    assert store.keys("%") == ["%y"]
    assert store.keys("a\\") == ["a\\d"]
    assert store.keys("~") == []
    assert store.keys("\u00e4") == []
    assert store.keys("a\x00") == []


def test_sql_key_length_limit(store: SQLAlchemyStore) -> None:
    longest = "k" * KEY_LENGTH
    store.put(longest, b"v")
    assert store.get(longest) == b"v"
    too_long = "k" * (KEY_LENGTH + 1)
    for call in (
        lambda: store.put(too_long, b"v"),
        lambda: store.get(too_long),
        lambda: too_long in store,
        lambda: store.copy(longest, too_long),
        lambda: store.put_many([(too_long, b"v")]),
    ):
        with pytest.raises(InvalidKeyError, match="at most 250 characters"):
            call()
    assert store.keys() == [longest]


def test_sql_listing_pages_and_prefix_skipping(store: SQLAlchemyStore) -> None:
    keys = [f"d{group}X{item:04d}" for group in range(3) for item in range(1100)]
    keys += [f"plain{n:04d}" for n in range(1200)]
    store.put_many((key, b"") for key in keys)
    assert store.keys() == sorted(keys)
    assert len(store.keys("d1X")) == 1100
    assert list(store.iter_prefixes("X")) == ["d0X", "d1X", "d2X", *sorted(keys)[3300:]]
    assert list(store.iter_prefixes("X", "d1")) == ["d1X"]
    store.delete_many(keys)
    assert store.keys() == []


def test_sql_iterating_while_deleting(store: SQLAlchemyStore) -> None:
    store.put_many((f"k{n:04d}", b"v") for n in range(2500))
    for key in store:
        store.delete(key)
    assert store.keys() == []


def test_sql_batches(store: SQLAlchemyStore) -> None:
    pairs = [(f"k{n}", bytes([n % 256])) for n in range(1200)]
    assert store.put_many([*pairs, ("k0", b"last")]) == [*(key for key, _ in pairs), "k0"]
    assert store.get("k0") == b"last"
    wanted = [f"k{n}" for n in range(0, 1300, 7)] + ["k1", "k1"]
    found = store.get_many(wanted)
    assert found == {key: store.get(key) for key in wanted if int(key[1:]) < 1200}
    store.delete_many([key for key, _ in pairs[:1100]] + ["missing"])
    assert len(store.keys()) == 100


def test_sql_copy_and_move(store: SQLAlchemyStore) -> None:
    store.put("src", b"data")
    assert store.copy("src", "dst") == "dst"
    assert store.copy("src", "dst") == "dst"  # same value again: MySQL reports 0 rows
    assert store.get("dst") == b"data"
    assert store.move("dst", "moved") == "moved"
    assert "dst" not in store
    assert store.move("moved", "moved") == "moved"
    assert store.get("moved") == b"data"
    with pytest.raises(KeyNotFoundError):
        store.copy("missing", "x")
    with pytest.raises(KeyNotFoundError):
        store.move("missing", "x")
    assert "x" not in store


def test_sql_concurrent_puts_of_one_key_from_threads(store: SQLAlchemyStore) -> None:
    written = {bytes([n]) * 1000 for n in range(8)}
    errors: list[BaseException] = []

    def writer(value: bytes) -> None:
        try:
            for _ in range(25):
                store.put("contested", value)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(value,)) for value in written]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.get("contested") in written


def test_sql_concurrent_puts_of_one_key_from_processes(
    engine: Engine, store: SQLAlchemyStore
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=process_writer, args=(url, store.table.name, number, 30))
        for number in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert store.get("contested") in {bytes([number]) * 4096 for number in range(4)}


def _run_processes(target: object, argument_lists: list[tuple[object, ...]]) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=target, args=args) for args in argument_lists]  # type: ignore[arg-type]  # any callable target
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)


def test_sql_concurrent_batches_in_different_orders_never_fail(
    engine: Engine, store: SQLAlchemyStore
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    _run_processes(
        process_batch_writer, [(url, store.table.name, number, 40) for number in range(4)]
    )
    values = store.get_many(list(BATCH_KEYS))
    assert set(values.values()) <= {bytes([number]) * 64 for number in range(4)}
    assert set(store.keys()) <= set(BATCH_KEYS)


def test_sql_copies_in_opposite_directions_never_fail(
    engine: Engine, store: SQLAlchemyStore
) -> None:
    store.put_many({"left": b"L" * 100, "right": b"R" * 100})
    url = engine.url.render_as_string(hide_password=False)
    _run_processes(
        process_copier, [(url, store.table.name, number % 2 == 0, 60) for number in range(4)]
    )
    assert store.get("left") in (b"L" * 100, b"R" * 100)
    assert store.get("right") in (b"L" * 100, b"R" * 100)


def test_sql_rows_hold_exactly_what_was_put(engine: Engine, store: SQLAlchemyStore) -> None:
    store.put("raw", b"\x00\xff\x00")
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(store.table)).scalar_one()
    assert rows == 1
    assert store.get("raw") == b"\x00\xff\x00"


def test_sql_old_module_path() -> None:
    from minimalkv.db import sql

    assert sql.SQLAlchemyStore is SQLAlchemyStore
    assert sql.HSQLAlchemyStore is HSQLAlchemyStore


def test_sql_missing_table_on_every_read_path(engine: Engine) -> None:
    store = SQLAlchemyStore(engine, MetaData(), fresh_table_name())  # never created
    for call in (
        lambda: store.get("k"),
        lambda: store.keys(),
        lambda: store.get_many(["k"]),
        lambda: store.put("k", b"v"),
    ):
        with pytest.raises(StoreError, match=r"metadata\.create_all") as caught:
            call()
        assert not isinstance(caught.value, StoreConnectionError)
        assert isinstance(caught.value.__cause__, DBAPIError)


def test_sql_pickling_is_refused_with_the_way_out(store: SQLAlchemyStore) -> None:
    import pickle

    with pytest.raises(TypeError, match=r"SQLAlchemy engine .*get_store_from_url") as caught:
        pickle.dumps(store)
    assert repr(store) in str(caught.value)

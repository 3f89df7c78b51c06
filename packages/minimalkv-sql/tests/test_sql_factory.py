"""Store URLs and factory parameters of the SQL store types, and error translation."""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from minimalkv import (
    ConfigurationError,
    ReadOnlyError,
    StoreConnectionError,
    StoreError,
    StoreTimeoutError,
    get_store,
    get_store_from_url,
    url2dict,
)
from minimalkv.contract import silent_server as contract_silent_server
from minimalkv.sql import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_PYMYSQL_IO_TIMEOUT,
    HSQLAlchemyStore,
    SQLAlchemyStore,
)
from sqlalchemy import Engine, MetaData, create_engine, event, text

sys.path.insert(0, str(Path(__file__).parent))
from sql_servers import MYSQL_URL, POSTGRES_URL, drop_tables, fresh_table_name, require


def test_sql_url_sqlite_relative_absolute_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert url2dict("sqlite:///rel/x.db") == {"type": "sqlite", "path": "rel/x.db"}
    assert url2dict("sqlite:////abs/x.db") == {"type": "sqlite", "path": "/abs/x.db"}
    assert url2dict("sqlite://") == {"type": "sqlite", "path": ""}
    assert url2dict("sqlite:///:memory:?table=t") == {
        "type": "sqlite",
        "path": ":memory:",
        "table": "t",
    }
    relative = get_store_from_url("sqlite:///relative.db")
    relative.put("k", b"v")
    relative.close()
    assert (tmp_path / "relative.db").is_file()
    absolute = get_store_from_url(f"sqlite:///{tmp_path}/absolute.db?table=blobs")
    assert isinstance(absolute, SQLAlchemyStore)
    assert absolute.table.name == "blobs"
    absolute.close()
    with sqlite3.connect(tmp_path / "absolute.db") as conn:
        names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert names == [("blobs",)]


def test_sql_url_hsqlite_is_extended_and_memory_is_shared_across_threads() -> None:

    store = get_store_from_url("hsqlite://")
    assert isinstance(store, HSQLAlchemyStore)
    store.put("a b/c", b"v")
    seen: list[bytes] = []
    thread = threading.Thread(target=lambda: seen.append(store.get("a b/c")))
    thread.start()
    thread.join()
    assert seen == [b"v"]
    store.close()


def test_sql_factory_params(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    store = get_store("sqlite", path=path, table="t1")
    assert isinstance(store, SQLAlchemyStore)
    store.put("k", b"v")
    store.close()
    again = get_store("sqlite", path=str(path), table="t1", create_if_missing=False)
    assert again.get("k") == b"v"
    again.close()
    with pytest.raises(ConfigurationError, match="does not exist and create_table is false"):
        get_store("sqlite", path=str(path), table="other", create_table=False)
    with pytest.raises(ConfigurationError, match="does not exist"):
        get_store("sqlite", path=str(tmp_path / "none.db"), create_if_missing=False)
    with pytest.raises(ConfigurationError, match="takes no parameter"):
        get_store("sqlite", path=str(path), bogus=1)
    with pytest.raises(ConfigurationError, match="table name"):
        get_store("sqlite", table="bad name")
    with pytest.raises(ConfigurationError, match="create_table must be true or false"):
        get_store("sqlite", create_table="maybe")


def _watch_dispose(engine: Engine) -> list[Engine]:
    disposed: list[Engine] = []
    event.listen(engine, "engine_disposed", disposed.append)
    return disposed


def test_sql_store_owns_engine_only_when_told(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/mine.db")
    disposed = _watch_dispose(engine)
    SQLAlchemyStore(engine, MetaData(), "t").close()
    assert disposed == []  # the caller's engine is the caller's to dispose
    SQLAlchemyStore(engine, MetaData(), "t", owns_engine=True).close()
    assert disposed == [engine]


def test_sql_factory_store_owns_the_engine_it_made(tmp_path: Path) -> None:
    store = get_store("sqlite", path=str(tmp_path / "made.db"))
    assert isinstance(store, SQLAlchemyStore)
    disposed = _watch_dispose(store.bind)
    store.close()
    assert disposed == [store.bind]


def test_sql_factory_any_engine_or_url(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/e.db")
    store = get_store("sql", engine=engine, table="t")
    store.put("k", b"v")
    store.close()  # the caller's engine stays usable
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM t")).scalar_one() == b"v"
    engine.dispose()
    by_url = get_store("sql", url=f"sqlite:///{tmp_path}/e.db", table="t")
    assert by_url.get("k") == b"v"
    by_url.close()
    with pytest.raises(ConfigurationError, match="exactly one of url"):
        get_store("sql")
    with pytest.raises(ConfigurationError, match="name the database in the scheme"):
        get_store_from_url("sql://host/db")


def test_sql_url_readonly_wrapper(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ro.db"
    get_store_from_url(url).put("k", b"v")
    readonly = get_store("sqlite+readonly", path=f"{tmp_path}/ro.db")
    assert readonly.get("k") == b"v"
    with pytest.raises(ReadOnlyError):
        readonly.put("k", b"w")
    from_url = get_store_from_url(f"{url}#wrap:readonly")
    with pytest.raises(ReadOnlyError):
        from_url.delete("k")


def test_sql_url_server_grammar() -> None:
    url = "sql+postgresql://u:p%40ss%3Aw@db.example:5433/prod?table=t&sslmode=require"
    assert url2dict(url) == {
        "type": "sql+postgresql",
        "host": "db.example",
        "port": 5433,
        "database": "prod",
        "user": "u",
        "password": "p@ss:w",
        "table": "t",
        "options": {"sslmode": "require"},
    }
    assert url2dict("hsql+mariadb://root@h/test?driver=mysqldb") == {
        "type": "hsql+mariadb",
        "host": "h",
        "database": "test",
        "user": "root",
        "driver": "mysqldb",
    }
    for bad in ("sql+postgresql://host", "sql+mysql:///db", "sql+postgresql://h/a/b"):
        with pytest.raises(ConfigurationError, match="expected"):
            url2dict(bad)
    with pytest.raises(ConfigurationError, match="take no host"):
        url2dict("sqlite://host/x.db")


def test_sql_url_postgresql_real_server() -> None:
    require("postgresql")
    table = fresh_table_name()
    base = POSTGRES_URL.split("://", 1)[1]
    store = get_store_from_url(f"sql+postgresql://{base}?table={table}")
    engine = store.bind if isinstance(store, SQLAlchemyStore) else None
    try:
        store.put("k", b"v")
        assert store.get("k") == b"v"
        readonly = get_store_from_url(f"hsql+postgresql+readonly://{base}?table={table}")
        assert readonly.get("k") == b"v"
        with pytest.raises(ReadOnlyError):
            readonly.put("k", b"w")
        readonly.close()
    finally:
        assert engine is not None
        drop_tables(engine, [table])
        store.close()


def test_sql_url_mariadb_real_server() -> None:
    require("mysql")
    table = fresh_table_name()
    base = os.environ.get("MINIMALKV_MYSQL_URL", "mariadb+pymysql://root@127.0.0.1:3306/test")
    store = get_store_from_url(f"sql+mariadb://{base.split('://', 1)[1]}?table={table}")
    assert isinstance(store, SQLAlchemyStore)
    try:
        store.put("k", b"v")
        assert store.get("k") == b"v"
    finally:
        drop_tables(store.bind, [table])
        store.close()


def test_sql_connection_error_names_url_without_password() -> None:
    from sqlalchemy import MetaData

    engine = create_engine("postgresql+psycopg://alice:s3cret@127.0.0.1:1/db")
    store = SQLAlchemyStore(engine, MetaData(), "t")
    with pytest.raises(StoreConnectionError) as caught:
        store.get("k")
    message = str(caught.value)
    assert "s3cret" not in message
    assert "s3cret" not in repr(store)
    assert "alice:***@127.0.0.1:1/db" in message
    assert "get on SQLAlchemyStore" in message
    engine.dispose()
    with pytest.raises(StoreConnectionError) as from_url:
        get_store_from_url("sql+postgresql://alice:s3cret@127.0.0.1:1/db")
    assert "s3cret" not in str(from_url.value)
    assert "alice:***@127.0.0.1:1/db" in str(from_url.value)


def test_sql_missing_table_is_a_store_error_with_hint(tmp_path: Path) -> None:
    from sqlalchemy import MetaData

    store = SQLAlchemyStore(create_engine(f"sqlite:///{tmp_path}/m.db"), MetaData(), "nothere")
    with pytest.raises(StoreError, match=r"metadata\.create_all") as caught:
        store.put("k", b"v")
    assert not isinstance(caught.value, StoreConnectionError)
    store.bind.dispose()


def test_sql_locked_database_is_a_timeout(tmp_path: Path) -> None:
    from sqlalchemy import MetaData

    path = tmp_path / "locked.db"
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    metadata = MetaData()
    store = SQLAlchemyStore(engine, metadata, "t")
    metadata.create_all(engine)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreTimeoutError, match="database is locked"):
            store.put("k", b"v")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        engine.dispose()


def test_sql_url_bare_create_table_flag_means_true(tmp_path: Path) -> None:
    # A bare URL flag (?create_table) arrives as "" and means true, as for every store type.
    store = get_store_from_url(f"sqlite:///{tmp_path}/flag.db?create_table&table=t")
    store.put("k", b"v")
    assert store.get("k") == b"v"
    store.close()


def _engine_connect_args(store: object) -> dict[str, object]:
    """The parameters the driver gets when the store opens a new connection."""
    captured: dict[str, object] = {}
    assert isinstance(store, SQLAlchemyStore)

    def capture(
        dialect: object, conn_rec: object, cargs: object, cparams: dict[str, object]
    ) -> None:
        captured.update(cparams)

    store.bind.dispose()  # the next call opens a new connection
    event.listen(store.bind, "do_connect", capture)
    try:
        assert not store.keys()
    finally:
        event.remove(store.bind, "do_connect", capture)
    return captured


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_sql_server_stores_have_finite_default_timeouts(backend: str) -> None:
    server = "postgresql" if backend == "postgresql" else "mysql"
    require(server)
    table = fresh_table_name()
    base = (POSTGRES_URL if backend == "postgresql" else MYSQL_URL).split("://", 1)[1]
    store = get_store_from_url(f"sql+{backend}://{base}?table={table}")
    assert isinstance(store, SQLAlchemyStore)
    try:
        params = _engine_connect_args(store)
        assert params["connect_timeout"] == DEFAULT_CONNECT_TIMEOUT
        if backend == "mariadb":
            assert params["read_timeout"] == params["write_timeout"] == DEFAULT_PYMYSQL_IO_TIMEOUT
        store.put("k", b"v")
        assert store.get("k") == b"v"
    finally:
        store.close()
    chosen = get_store_from_url(f"sql+{backend}://{base}?table={table}&connect_timeout=3")
    try:
        chosen.delete("k")
        assert _engine_connect_args(chosen)["connect_timeout"] == 3
    finally:
        assert isinstance(chosen, SQLAlchemyStore)
        drop_tables(chosen.bind, [table])
        chosen.close()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers (a paused server)."""
    with contract_silent_server() as port:
        yield port


@pytest.mark.parametrize(
    "url",
    [
        "sql+postgresql://u@127.0.0.1:{port}/db?connect_timeout=1",
        "sql+mariadb://u@127.0.0.1:{port}/db?connect_timeout=1&read_timeout=1",
    ],
)
def test_sql_server_that_does_not_answer_fails_within_the_timeout(
    silent_server: int, url: str
) -> None:
    started = time.monotonic()
    with pytest.raises(StoreError, match="create_table on"):
        get_store_from_url(url.format(port=silent_server))
    # libpq rounds connect_timeout up to 2 s and tries IPv4/IPv6 addresses in turn.
    assert time.monotonic() - started < 6


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sql+postgresql://u@h/db?bogus=1", "unknown option.*'bogus'.*psycopg takes"),
        ("sql+mariadb://u@h/db?bogus=1", "unknown option.*'bogus'.*pymysql takes"),
        ("sql+mysql://u@h/db?sslmode=require", "unknown option.*'sslmode'"),
        ("sql+postgresql://u@h/db?connect_timeout=soon", "connect_timeout must be a whole"),
        ("sql+postgresql://u@h/db?connect_timeout=0", "at least 1"),
        ("sql+mariadb://u@h/db?connect_timeout=1.5", "connect_timeout must be a whole"),
        ("sql+mariadb://u@h/db?read_timeout=never", "read_timeout must be a whole"),
        ("sql+mariadb://u@h/db?write_timeout=-3", "write_timeout must be a whole"),
        ("sql+mariadb://u@h/db?max_allowed_packet=big", "max_allowed_packet must be a whole"),
        ("sql+mariadb://u@h/db?charset=klingon", "charset 'klingon' is not a character set"),
        ("sql+postgresql://u@h:99999/db", "port"),
        ("sql+mariadb://u@h:0/db", "port"),
        ("sql+postgresql://u@h/db?driver=bogus", "cannot create an engine"),
        ("sql+oracle://u@h/db", "name the database in the scheme"),
        ("sql+postgresql://u@h/db?user=x", "unknown option.*'user'"),
    ],
)
def test_sql_bad_server_urls_are_configuration_errors(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        get_store_from_url(url)


@pytest.mark.parametrize("port", [0, 65536, -1, "eighty", True, 3.5])
def test_sql_bad_port_parameter(port: object) -> None:
    with pytest.raises(ConfigurationError, match="port must be a number from 1 to 65535"):
        get_store("sql+postgresql", host="h", database="db", port=port)


def test_sql_mariadb_value_over_max_allowed_packet_says_so() -> None:
    engine = require("mysql")
    with engine.connect() as conn:
        before = int(conn.execute(text("SELECT @@GLOBAL.max_allowed_packet")).scalar_one())
        conn.execute(text("SET GLOBAL max_allowed_packet = 1048576"))  # new connections only
    table = fresh_table_name()
    store = get_store_from_url(f"sql+mariadb://{MYSQL_URL.split('://', 1)[1]}?table={table}")
    assert isinstance(store, SQLAlchemyStore)
    try:
        store.put("kept", b"old")
        for call in (
            lambda: store.put("kept", b"x" * (2 << 20)),
            lambda: store.put_many({"kept": b"y" * (1 << 20), "other": b"z" * (1 << 20)}),
        ):
            with pytest.raises(
                StoreError, match="larger than the server's max_allowed_packet"
            ) as info:
                call()
            assert not isinstance(info.value, StoreConnectionError)
            assert "raise it on the server" in str(info.value)
        assert store.get("kept") == b"old"
        assert "other" not in store
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"SET GLOBAL max_allowed_packet = {before}"))
        engine.dispose()
        drop_tables(store.bind, [table])
        store.close()


def test_a_password_pymysql_cannot_send_is_refused_without_showing_it() -> None:
    secret = "pass\u0100word"  # noqa: S105 - a made-up password
    with pytest.raises(ConfigurationError, match="Latin-1") as info:
        get_store_from_url("sql+mariadb://u:pass%C4%80word@127.0.0.1:1/db")
    assert secret not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None  # the driver's error, which holds it, is not chained
    with pytest.raises(ConfigurationError, match="Latin-1"):
        get_store("sql+mysql", host="127.0.0.1", port=1, password=secret, database="db")

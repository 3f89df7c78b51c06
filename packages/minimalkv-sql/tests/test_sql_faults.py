"""Faults on PostgreSQL and MariaDB: a private server is stopped and paused while a store uses it.

The shared servers of the other SQL tests are never touched: each backend gets a cluster of its
own (see ``sql_private_servers``), started once per session and removed at the end. The stores
are made from URLs, as an application makes them, with short timeouts.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from minimalkv import (
    ConfigurationError,
    StoreCapabilities,
    StoreTimeoutError,
    get_store_from_url,
)
from minimalkv.contract import (
    RELIABILITY_MARK,
    ControllableServer,
    ServerFaultContract,
    StoreFactory,
)
from minimalkv.sql import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_PSYCOPG_READ_TIMEOUT,
    DEFAULT_PYMYSQL_IO_TIMEOUT,
    SQLAlchemyStore,
)
from minimalkv.sql._stale import socket_of
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).parent))
from sql_private_servers import PrivateServer, private_mariadb, private_postgres

pytestmark = RELIABILITY_MARK

_tables = itertools.count()


def _server(
    make: Callable[[], contextlib.AbstractContextManager[PrivateServer]], name: str
) -> Iterator[PrivateServer]:
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(make())
        except RuntimeError as error:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"a private {name} server is required under CI=true: {error}")
            pytest.skip(f"no private {name} server: {error}")
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PrivateServer]:
    """A PostgreSQL cluster of this session's own, removed at the end."""
    yield from _server(private_postgres, "PostgreSQL")


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[PrivateServer]:
    """A MariaDB server of this session's own, removed at the end."""
    yield from _server(private_mariadb, "MariaDB")


def _store_url(server: PrivateServer, options: str) -> str:
    scheme = "sql+postgresql" if server.url.startswith("postgresql") else "sql+mariadb"
    address = server.url.split("://", 1)[1]
    return f"{scheme}://{address}?table=mkv_faults_{next(_tables)}&{options}"


class TestPostgresqlServerFaults(ServerFaultContract):
    capabilities = StoreCapabilities(copy=True)
    # psycopg waits at least 2 s to connect (as libpq does); each exchange at most 1 s.
    fault_timeout: ClassVar[float] = 2.0

    @pytest.fixture
    def fault_server(self, postgres_server: PrivateServer) -> ControllableServer:
        return postgres_server

    @pytest.fixture
    def store_factory(self, postgres_server: PrivateServer) -> StoreFactory:
        return lambda: get_store_from_url(
            _store_url(postgres_server, "connect_timeout=2&read_timeout=1")
        )


class TestMariadbServerFaults(ServerFaultContract):
    capabilities = StoreCapabilities(copy=True)
    fault_timeout: ClassVar[float] = 1.0

    @pytest.fixture
    def fault_server(self, mariadb_server: PrivateServer) -> ControllableServer:
        return mariadb_server

    @pytest.fixture
    def store_factory(self, mariadb_server: PrivateServer) -> StoreFactory:
        return lambda: get_store_from_url(
            _store_url(mariadb_server, "connect_timeout=1&read_timeout=1&write_timeout=1")
        )


@pytest.mark.parametrize("value", ["0", "-1", "abc", "inf", "nan", ""])
def test_psycopg_read_timeout_must_be_positive_seconds(value: str) -> None:
    with pytest.raises(ConfigurationError, match="read_timeout"):
        get_store_from_url(f"sql+postgresql://u@127.0.0.1:1/db?read_timeout={value}")


def test_the_psycopg_read_timeout_ends_a_call_to_a_paused_server(
    postgres_server: PrivateServer,
) -> None:
    # connect_timeout is longer than read_timeout: only the client-side deadline on the open
    # connection can end the call this early.
    store = get_store_from_url(_store_url(postgres_server, "connect_timeout=10&read_timeout=1"))
    try:
        store.put("key", b"value")
        postgres_server.pause()
        try:
            began = time.monotonic()
            with pytest.raises(StoreTimeoutError, match="read_timeout"):
                store.get("key")
            elapsed = time.monotonic() - began
        finally:
            postgres_server.resume()
        assert 0.9 <= elapsed <= 3.0, f"the call ended after {elapsed:.2f} s"
        assert store.get("key") == b"value"
    finally:
        store.close()


def test_the_default_read_timeouts_are_finite() -> None:
    assert 0 < DEFAULT_PSYCOPG_READ_TIMEOUT < math.inf
    assert 0 < DEFAULT_PYMYSQL_IO_TIMEOUT < math.inf
    assert 0 < DEFAULT_CONNECT_TIMEOUT < math.inf


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_a_healthy_pooled_connection_is_reused_even_on_a_descriptor_above_1024(
    backend: str, postgres_server: PrivateServer, mariadb_server: PrivateServer
) -> None:
    """The stale-connection check must not mistake a high descriptor number for a closed link."""
    server = postgres_server if backend == "postgresql" else mariadb_server
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(2048, hard), hard))
    filler = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        store = get_store_from_url(_store_url(server, "connect_timeout=2"))
        assert isinstance(store, SQLAlchemyStore)
        connects: list[object] = []
        descriptors: list[int | None] = []
        event.listen(store.bind, "connect", lambda *args: connects.append(args))
        event.listen(store.bind, "checkout", lambda conn, *_: descriptors.append(socket_of(conn)))
        try:
            for _ in range(5):
                store.put("key", b"value")
                assert store.get("key") == b"value"
        finally:
            store.close()
        assert descriptors
        assert all(fd is not None and fd >= 1024 for fd in descriptors), descriptors
        # The store connected once when it was made (creating its table): every call since
        # reused that connection.
        assert not connects, f"{len(connects)} new connections for one thread's ten calls"
    finally:
        for fd in filler:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_forked_child_bounds_its_calls_with_a_watchdog_of_its_own(
    postgres_server: PrivateServer,
) -> None:
    """The parent's watchdog thread does not exist in a child: the child's deadlines still fire."""
    url = _store_url(postgres_server, "connect_timeout=10&read_timeout=1")
    parent_store = get_store_from_url(url)
    parent_store.put("key", b"value")  # the parent's watchdog thread is running now
    parent_store.close()
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only if its call to the paused server times out
        status = 1
        try:
            child_store = get_store_from_url(url)
            child_store.get("key")
            os.write(ready_write, b"r")
            os.read(go_read, 1)  # the parent has paused the server
            began = time.monotonic()
            try:
                child_store.get("key")
            except StoreTimeoutError:
                status = 0 if time.monotonic() - began < 3 else 2
        finally:
            os._exit(status)
    os.close(ready_write)  # a child that dies early then ends the read below with b""
    os.close(go_read)
    try:
        assert os.read(ready_read, 1) == b"r", "the child could not use the store"
        postgres_server.pause()
        try:
            os.write(go_write, b"g")
            _, status = os.waitpid(pid, 0)
        finally:
            postgres_server.resume()
    finally:
        os.close(ready_read)
        os.close(go_write)
    assert os.waitstatus_to_exitcode(status) == 0

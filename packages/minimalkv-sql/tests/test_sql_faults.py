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
)

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

"""The contract suite on SQLite, PostgreSQL and MariaDB, in both key spaces."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from minimalkv import KeyValueStore, StoreCapabilities, get_store
from minimalkv.contract import ContractSuite, StoreFactory

sys.path.insert(0, str(Path(__file__).parent))
from sql_servers import table_stores

MiB = 1024 * 1024


class _SqlContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True)
    backend: ClassVar[str] = "sqlite"
    extended: ClassVar[bool] = False
    # Every database must hold values of at least 64 MiB.
    large_value_size = 64 * MiB
    # SQL has no portable streaming of a blob: a value is held in memory whole on the way in
    # (put_file reads the file, the driver sends it) and on the way out (the driver returns
    # it). The memory test uses a 64 MiB value and allows the copies the drivers make (up to
    # four of the value; PyMySQL escapes it into the SQL text, up to nine) instead of
    # pretending that the store streams.
    memory_test_size = 64 * MiB
    memory_bound_bytes = 4 * 64 * MiB + 32 * MiB

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreFactory]:
        yield from table_stores(self.backend, self.extended, tmp_path_factory)


class TestSqliteContract(_SqlContract):
    pass


class TestHSqliteMemoryContract(_SqlContract):
    """An in-memory database from the factory (one shared connection, calls take turns)."""

    extended = True
    values_in_memory = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreFactory]:
        made: list[KeyValueStore] = []

        def make() -> KeyValueStore:
            store = get_store("hsqlite")
            made.append(store)
            return store

        yield make
        for store in made:
            store.close()


@pytest.mark.usefixtures("mysql_packet_size")
class TestMariadbContract(_SqlContract):
    backend = "mysql"
    memory_bound_bytes = 9 * 64 * MiB + 32 * MiB


class TestPostgresqlContract(_SqlContract):
    backend = "postgresql"


class TestHPostgresqlContract(_SqlContract):
    backend = "postgresql"
    extended = True


from sql_servers import mysql_packet_size  # noqa: E402,F401  (session fixture)

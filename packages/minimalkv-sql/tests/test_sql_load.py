"""The reliability suite's load test on SQLite (two processes), PostgreSQL and MariaDB."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from minimalkv import BlobStore, StoreCapabilities
from minimalkv.contract import LoadContract, StoreFactory, StoreRecipe
from minimalkv.sql import SQLAlchemyStore

sys.path.insert(0, str(Path(__file__).parent))
from sql_servers import table_stores


class _SqlLoad(LoadContract):
    capabilities = StoreCapabilities(copy=True)
    backend: ClassVar[str] = "sqlite"

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreFactory]:
        yield from table_stores(self.backend, False, tmp_path_factory)


class TestSqliteLoad(_SqlLoad):
    load_processes = 2

    def load_recipe(self, store: BlobStore) -> StoreRecipe:
        assert isinstance(store, SQLAlchemyStore)
        database = store.bind.url.database
        assert database is not None
        return StoreRecipe.from_url(f"sqlite:///{database}?table={store.table.name}")


class TestPostgresqlLoad(_SqlLoad):
    backend = "postgresql"


class TestMariadbLoad(_SqlLoad):
    backend = "mariadb"

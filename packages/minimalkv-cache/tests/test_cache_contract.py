"""The contract suite over CacheDecorator: cache and backing store in memory and on disk."""

from __future__ import annotations

import pytest
from minimalkv import StoreCapabilities
from minimalkv.cache import CacheDecorator
from minimalkv.contract import ContractSuite, StoreFactory
from minimalkv.fs import FilesystemStore
from minimalkv.memory import DictStore

# A cache in memory needs max_value_size to keep large values (the suite's 200 MiB streaming
# tests) out of it; 8 MiB still caches every value of the state machine and the 1 MiB ones.
_IN_MEMORY_LIMIT = 8 * 1024 * 1024


class TestCacheOverDictStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: CacheDecorator(DictStore(), DictStore(), max_value_size=_IN_MEMORY_LIMIT)


class TestCacheOverFilesystemStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, url=True)
    # The cache is a DictStore: reading a value fills it, so the values are in this process.
    values_in_memory = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: CacheDecorator(
            DictStore(),
            FilesystemStore(tmp_path_factory.mktemp("fs")),
            max_value_size=_IN_MEMORY_LIMIT,
        )


class TestFilesystemCacheOverFilesystemStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, url=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: CacheDecorator(
            FilesystemStore(tmp_path_factory.mktemp("cache")),
            FilesystemStore(tmp_path_factory.mktemp("store")),
        )

"""The reliability suite's load test on FilesystemStore: two processes on one directory."""

from __future__ import annotations

import pytest
from minimalkv import BlobStore, StoreCapabilities
from minimalkv.contract import LoadContract, StoreFactory, StoreRecipe
from minimalkv.fs import FilesystemStore


class TestFilesystemStoreLoad(LoadContract):
    capabilities = StoreCapabilities(copy=True, url=True)
    load_processes = 2

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: FilesystemStore(tmp_path_factory.mktemp("fs-load"))

    def load_recipe(self, store: BlobStore) -> StoreRecipe:
        assert isinstance(store, FilesystemStore)
        return StoreRecipe.from_url(f"fs://{store.root}")

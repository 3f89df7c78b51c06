"""The reliability suite's load test on GitCommitStore: two processes on one repository."""

from __future__ import annotations

import pytest
from minimalkv import BlobStore, StoreCapabilities
from minimalkv.contract import LoadContract, StoreFactory, StoreRecipe
from minimalkv.git import GitCommitStore


class TestGitCommitStoreLoad(LoadContract):
    capabilities = StoreCapabilities(copy=True)
    load_processes = 2

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: GitCommitStore(tmp_path_factory.mktemp("git-load") / "repo", subdir="kv")

    def load_recipe(self, store: BlobStore) -> StoreRecipe:
        assert isinstance(store, GitCommitStore)
        return StoreRecipe.from_url(f"git://{store.repo.path}?subdir=kv")

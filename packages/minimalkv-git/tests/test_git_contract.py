"""The contract suite over GitCommitStore and HGitCommitStore, at the root and in a subdir."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import ContractSuite, StoreFactory
from minimalkv.git import GitCommitStore, HGitCommitStore


class GitSuite(ContractSuite):
    # Every write is a commit (a few files written and renamed): no per-step deadline.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None}


class TestGitCommitStoreContract(GitSuite):
    capabilities = StoreCapabilities(copy=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: GitCommitStore(tmp_path_factory.mktemp("git") / "repo")


class TestGitCommitStoreInSubdirContract(GitSuite):
    capabilities = StoreCapabilities(copy=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        def make() -> GitCommitStore:
            path = tmp_path_factory.mktemp("git-subdir") / "repo"
            # Files beside and around the store's directory are no keys of the store.
            with GitCommitStore(path, b"main") as other:
                other.put("beside", b"x")
            with HGitCommitStore(path, b"main") as other:
                other.put("data/store/nested/deeper", b"y")
                other.put("data/sibling", b"z")
            return GitCommitStore(path, b"main", b"/data//store/")

        return make


class TestHGitCommitStoreContract(GitSuite):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: HGitCommitStore(tmp_path_factory.mktemp("hgit") / "repo", subdir="kv")

"""The reliability suite's hostile-input tests over GitCommitStore and HGitCommitStore.

A git store has no server: the server-fault suite does not apply (see docs/git.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from minimalkv import BlobStore, StoreCapabilities
from minimalkv.contract import HostileInputContract, StoreFactory
from minimalkv.git import GitCommitStore, HGitCommitStore


class _GitHostileInput(HostileInputContract):
    def hostile_state(self, store: BlobStore) -> object:
        """Every key and value, and the branch's commit: a refused call commits nothing."""
        assert isinstance(store, GitCommitStore)
        ref = Path(store.repo.path, "refs", "heads", store.branch.decode())
        head = ref.read_bytes() if ref.exists() else None
        return super().hostile_state(store), head, store.leftovers()


class TestGitCommitStoreHostileInput(_GitHostileInput):
    capabilities = StoreCapabilities(copy=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: GitCommitStore(tmp_path_factory.mktemp("git") / "repo")


class TestHGitCommitStoreHostileInput(_GitHostileInput):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: HGitCommitStore(os.fspath(tmp_path_factory.mktemp("hgit")), subdir="s")

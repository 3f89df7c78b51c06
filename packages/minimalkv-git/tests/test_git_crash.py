"""Writers of GitCommitStore and HGitCommitStore killed at random moments (reliability).

A killed writer may leave a temporary object file and, killed while moving the branch, the
branch's lock file; the next writers then wait for it (BranchLockedError after lock_timeout)
until it is removed, as with git itself. ``remove_stale_temporaries`` removes both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from minimalkv import BlobStore
from minimalkv.contract import CrashSafetyContract, StoreRecipe
from minimalkv.git import GitCommitStore


class TestGitCommitStoreCrash(CrashSafetyContract):
    @pytest.fixture
    def store_recipe(self, tmp_path: Path) -> StoreRecipe:
        return StoreRecipe.from_url(f"git://{tmp_path}/repo?subdir=data&lock_timeout=5")

    def clean_leftovers(self, store: BlobStore) -> None:
        """Remove the killed writers' temporary files and lock, as after a crash."""
        assert isinstance(store, GitCommitStore)
        store.remove_stale_temporaries(older_than=0)

    def leftovers(self, store: BlobStore) -> list[str]:
        """Temporary object files and the branch's lock file."""
        assert isinstance(store, GitCommitStore)
        return store.leftovers()


class TestHGitCommitStoreCrash(TestGitCommitStoreCrash):
    crash_keys = ("crash/a", "crash/deep/b", "crash/deep/c d", "top")

    @pytest.fixture
    def store_recipe(self, tmp_path: Path) -> StoreRecipe:
        return StoreRecipe.from_url(f"hgit://{tmp_path}/repo?lock_timeout=5")

"""Writers of FilesystemStore and HFilesystemStore killed at random moments (reliability)."""

from __future__ import annotations

from pathlib import Path

import pytest
from minimalkv import BlobStore
from minimalkv.contract import CrashSafetyContract, StoreRecipe
from minimalkv.fs import FilesystemStore, HFilesystemStore
from minimalkv.fs._temp import TEMP_START


def _temporaries_and_empty_directories(store: BlobStore) -> list[str]:
    """Every temporary file below the root, and every directory that holds nothing."""
    assert isinstance(store, FilesystemStore)
    root = Path(store.root)
    found = []
    for path in root.rglob("*"):
        if path.name.startswith(TEMP_START) or (path.is_dir() and not any(path.iterdir())):
            found.append(str(path.relative_to(root)))
    return sorted(found)


class TestFilesystemStoreCrash(CrashSafetyContract):
    @pytest.fixture
    def store_recipe(self, tmp_path: Path) -> StoreRecipe:
        return StoreRecipe.from_url(f"fs://{tmp_path}/store")

    def clean_leftovers(self, store: BlobStore) -> None:
        """Remove the killed writers' temporary files, as after a crash."""
        assert isinstance(store, FilesystemStore)
        store.remove_stale_temporaries(older_than=0)

    def leftovers(self, store: BlobStore) -> list[str]:
        """Temporary files (and emptied directories) under the root."""
        return _temporaries_and_empty_directories(store)


class TestHFilesystemStoreCrash(TestFilesystemStoreCrash):
    crash_keys = ("crash/a", "crash/deep/b", "crash/deep/c d", "top")

    @pytest.fixture
    def store_recipe(self, tmp_path: Path) -> StoreRecipe:
        return StoreRecipe.from_url(f"hfs://{tmp_path}/store")


def test_cleanup_removes_the_empty_directory_of_a_writer_killed_after_creating_it(
    tmp_path: Path,
) -> None:
    store = HFilesystemStore(tmp_path / "root")
    store.put("kept/key", b"value")
    # What a writer of "crash/deep/key" killed between creating its directories and its
    # temporary file leaves behind.
    (tmp_path / "root" / "crash" / "deep").mkdir(parents=True)
    assert store.remove_stale_temporaries() == 0
    assert (tmp_path / "root" / "crash" / "deep").is_dir()  # fresh: a writer may be about to use it
    assert store.remove_stale_temporaries(older_than=0) == 0
    assert not (tmp_path / "root" / "crash").exists()
    assert store.keys() == ["kept/key"]
    assert store.get("kept/key") == b"value"

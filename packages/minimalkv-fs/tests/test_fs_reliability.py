"""The reliability suite's hostile-input tests over FilesystemStore and HFilesystemStore."""

from __future__ import annotations

from pathlib import Path

import pytest
from minimalkv import BlobStore, StoreCapabilities
from minimalkv.contract import HostileInputContract, StoreFactory
from minimalkv.fs import FilesystemStore, HFilesystemStore


class _FsHostileInput(HostileInputContract):
    def hostile_state(self, store: BlobStore) -> object:
        """Every key and value, and every path under the root (a refused call leaves no file)."""
        assert isinstance(store, FilesystemStore)
        root = Path(store.root)
        return super().hostile_state(store), sorted(
            str(p.relative_to(root)) for p in root.rglob("*")
        )


class TestFilesystemStoreHostileInput(_FsHostileInput):
    capabilities = StoreCapabilities(copy=True, url=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: FilesystemStore(tmp_path_factory.mktemp("fs"))


class TestHFilesystemStoreHostileInput(_FsHostileInput):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: HFilesystemStore(tmp_path_factory.mktemp("hfs"))

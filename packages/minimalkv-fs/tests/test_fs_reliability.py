"""The reliability suite's hostile-input tests over FilesystemStore and HFilesystemStore."""

from __future__ import annotations

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import HostileInputContract, StoreFactory
from minimalkv.fs import FilesystemStore, HFilesystemStore


class TestFilesystemStoreHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True, url=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: FilesystemStore(tmp_path_factory.mktemp("fs"))


class TestHFilesystemStoreHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: HFilesystemStore(tmp_path_factory.mktemp("hfs"))

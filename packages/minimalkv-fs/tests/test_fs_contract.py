"""The contract suite over every filesystem store, in both key spaces."""

from __future__ import annotations

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import ContractSuite, StoreFactory
from minimalkv.fs import (
    FilesystemStore,
    HFilesystemStore,
    HWebFilesystemStore,
    WebFilesystemStore,
)


class TestFilesystemStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, url=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: FilesystemStore(tmp_path_factory.mktemp("fs"))


class TestHFilesystemStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: HFilesystemStore(tmp_path_factory.mktemp("hfs"))


class TestWebFilesystemStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, url=True)
    url_fetchable = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        def make() -> WebFilesystemStore:
            root = tmp_path_factory.mktemp("web")
            return WebFilesystemStore(root, f"file://{root}/")

        return make


class TestHWebFilesystemStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        def make() -> HWebFilesystemStore:
            root = tmp_path_factory.mktemp("hweb")
            # The callable form of url_prefix: asked for every key.
            return HWebFilesystemStore(root, lambda store, key: f"https://files.example/{key[:1]}/")

        return make

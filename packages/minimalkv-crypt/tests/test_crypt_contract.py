"""The contract suite over HMACDecorator, on DictStore and FilesystemStore, in both key spaces.

HMACDecorator copies over any wrapped store (verified re-signing) and offers no URLs, so every
class declares ``copy`` and not ``url``, whatever the wrapped store has.
"""

from __future__ import annotations

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import ContractSuite, StoreFactory
from minimalkv.crypt import HMACDecorator
from minimalkv.fs import FilesystemStore, HFilesystemStore
from minimalkv.memory import DictStore, HDictStore

SECRET = b"contract-suite-secret"


class TestHMACDictStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: HMACDecorator(SECRET, DictStore())


class TestHMACHDictStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: HMACDecorator(SECRET, HDictStore())


class TestHMACFilesystemStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: HMACDecorator(SECRET, FilesystemStore(tmp_path_factory.mktemp("hmac-fs")))


class TestHMACHFilesystemStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: HMACDecorator(SECRET, HFilesystemStore(tmp_path_factory.mktemp("hmac-hfs")))

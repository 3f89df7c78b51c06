"""The contract suite over DictStore (basic keys) and HDictStore (extended keys)."""

from __future__ import annotations

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import ContractSuite, StoreFactory
from minimalkv.memory import DictStore, HDictStore


class TestDictStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return DictStore


class TestHDictStoreContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return HDictStore

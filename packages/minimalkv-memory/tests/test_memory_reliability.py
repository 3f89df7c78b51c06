"""The reliability suite over DictStore and HDictStore: hostile input, and DictStore under load."""

from __future__ import annotations

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import HostileInputContract, LoadContract, StoreFactory
from minimalkv.memory import DictStore, HDictStore


class TestDictStoreHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True)

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return DictStore


class TestHDictStoreHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return HDictStore


class TestDictStoreLoad(LoadContract):
    capabilities = StoreCapabilities(copy=True)

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return DictStore

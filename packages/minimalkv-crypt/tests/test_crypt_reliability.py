"""The reliability suite's hostile-input test over HMACDecorator, in both key spaces."""

from __future__ import annotations

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import HostileInputContract, StoreFactory
from minimalkv.crypt import HMACDecorator
from minimalkv.memory import DictStore, HDictStore

SECRET = b"reliability-suite-secret"


class TestHMACDictStoreHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True)

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: HMACDecorator(SECRET, DictStore())


class TestHMACHDictStoreHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: HMACDecorator(SECRET, HDictStore())

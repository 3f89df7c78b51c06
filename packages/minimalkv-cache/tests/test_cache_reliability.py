"""The reliability suite's hostile-input test over CacheDecorator (cache and store in memory)."""

from __future__ import annotations

import pytest
from minimalkv import StoreCapabilities
from minimalkv.cache import CacheDecorator
from minimalkv.contract import HostileInputContract, StoreFactory
from minimalkv.memory import DictStore


class TestCacheDecoratorHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True)

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: CacheDecorator(DictStore(), DictStore())

"""The reliability suite's load test on RedisStore (the run's private server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import LoadContract, StoreFactory
from minimalkv.redis import RedisStore


class TestRedisStoreLoad(LoadContract):
    capabilities = StoreCapabilities(copy=True, ttl=True)

    @pytest.fixture
    def store_factory(self, fresh_client: Callable[[], Any]) -> StoreFactory:
        return lambda: RedisStore(fresh_client())

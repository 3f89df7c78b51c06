"""The contract suite on a real Redis server: RedisStore, HRedisStore and a prefixed store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import ContractSuite, StoreFactory
from minimalkv.decorator import PrefixDecorator
from minimalkv.redis import HRedisStore, RedisStore


class RedisSuite(ContractSuite):
    # Every state-machine step is a round trip to the server.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None}


class TestRedisStoreContract(RedisSuite):
    capabilities = StoreCapabilities(copy=True, ttl=True)

    @pytest.fixture
    def store_factory(self, fresh_client: Callable[[], Any]) -> StoreFactory:
        return lambda: RedisStore(fresh_client())


class TestHRedisStoreContract(RedisSuite):
    capabilities = StoreCapabilities(copy=True, ttl=True, extended_keys=True)

    @pytest.fixture
    def store_factory(self, fresh_client: Callable[[], Any]) -> StoreFactory:
        return lambda: HRedisStore(fresh_client())


class TestPrefixedRedisStoreContract(RedisSuite):
    capabilities = StoreCapabilities(copy=True, ttl=True)

    @pytest.fixture
    def store_factory(self, fresh_client: Callable[[], Any]) -> StoreFactory:
        # Another tenant's keys share the database: the suite must never see them.
        def make() -> PrefixDecorator[RedisStore]:
            client = fresh_client()
            client.set("other_tenant_key", b"x")
            client.set("tenant", b"y")
            return PrefixDecorator("tenant_", RedisStore(client))

        return make

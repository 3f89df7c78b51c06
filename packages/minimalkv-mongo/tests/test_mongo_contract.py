"""The contract suite on the run's MongoDB server: MongoStore, HMongoStore, a prefixed store.

Every store gets a new collection. ``inline_limit`` is lowered in the variants so that the
suite's values of every size cross between inline documents and GridFS files.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import ContractSuite, HostileInputContract, StoreFactory
from minimalkv.decorator import PrefixDecorator
from minimalkv.mongo import HMongoStore, MongoStore

sys.path.insert(0, str(Path(__file__).parent))  # mongo_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_mongo, at the root

pytest_plugins = ["mongo_servers"]  # the MongoDB fixtures (mongo_target, fresh_collection)

MiB = 1024 * 1024


class MongoSuite(ContractSuite):
    # Every state-machine step is a round trip to the server.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None}


class TestMongoStoreContract(MongoSuite):
    capabilities = StoreCapabilities()

    @pytest.fixture
    def store_factory(self, mongo_target: Any, fresh_collection: Callable[[], str]) -> StoreFactory:
        return lambda: MongoStore(mongo_target.db(), fresh_collection())


class TestMongoStoreSmallInlineContract(MongoSuite):
    """Values above 1 KiB go to GridFS: the suite's writes switch between the two forms."""

    capabilities = StoreCapabilities()
    memory_test_size = 64 * MiB

    @pytest.fixture
    def store_factory(self, mongo_target: Any, fresh_collection: Callable[[], str]) -> StoreFactory:
        return lambda: MongoStore(mongo_target.db(), fresh_collection(), inline_limit=1024)


class TestHMongoStoreContract(MongoSuite):
    capabilities = StoreCapabilities(extended_keys=True)
    memory_test_size = 64 * MiB

    @pytest.fixture
    def store_factory(self, mongo_target: Any, fresh_collection: Callable[[], str]) -> StoreFactory:
        return lambda: HMongoStore(mongo_target.db(), fresh_collection(), inline_limit=4096)


class TestPrefixedMongoStoreContract(MongoSuite):
    capabilities = StoreCapabilities()
    memory_test_size = 64 * MiB
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None, "max_examples": 30}

    @pytest.fixture
    def store_factory(self, mongo_target: Any, fresh_collection: Callable[[], str]) -> StoreFactory:
        # Another tenant's documents share the collection: the suite must never see them.
        def make() -> PrefixDecorator[MongoStore]:
            name = fresh_collection()
            documents = mongo_target.db()[name]
            documents.insert_many([{"_id": "other_key", "v": b"x"}, {"_id": "t", "v": b"y"}])
            documents.insert_one({"_id": 7, "v": b"not a key"})
            return PrefixDecorator("t_", MongoStore(mongo_target.db(), name))

        return make


class TestMongoStoreHostileInput(HostileInputContract):
    @pytest.fixture
    def store_factory(self, mongo_target: Any, fresh_collection: Callable[[], str]) -> StoreFactory:
        return lambda: MongoStore(mongo_target.db(), fresh_collection(), inline_limit=1024)


class TestHMongoStoreHostileInput(HostileInputContract):
    @pytest.fixture
    def store_factory(self, mongo_target: Any, fresh_collection: Callable[[], str]) -> StoreFactory:
        return lambda: HMongoStore(mongo_target.db(), fresh_collection())

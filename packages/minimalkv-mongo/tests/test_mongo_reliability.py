"""The reliability suite on MongoDB: load, writers killed mid-write, a stopped and a paused server.

The load and crash tests use the run's server, with ``inline_limit`` lowered so that their
larger values go through GridFS. The fault tests start an nx-27017 of their own (stopping or
pausing the shared one would disturb every other test), once per module, its data on disk so
that a restart keeps it, and give their stores timeouts of :data:`FAULT_TIMEOUT`.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from minimalkv import BlobStore, KeyValueStore, StoreCapabilities, get_store_from_url
from minimalkv.contract import (
    RELIABILITY_MARK,
    CrashSafetyContract,
    LoadContract,
    ServerFaultContract,
    StoreFactory,
    StoreRecipe,
)
from minimalkv.mongo import MongoStore

sys.path.insert(0, str(Path(__file__).parent))  # mongo_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_mongo, at the root

from tools._services_mongo import Nx27017Server

pytest_plugins = ["mongo_servers"]  # the MongoDB fixtures (mongo_target, fresh_collection)

pytestmark = RELIABILITY_MARK

KiB = 1024


class TestMongoStoreLoad(LoadContract):
    capabilities = StoreCapabilities()
    # The whole package's tests run in CI's time budget; the load's rules are the same.
    load_seconds: ClassVar[float] = 10.0

    @pytest.fixture
    def store_factory(self, mongo_target: Any, fresh_collection: Callable[[], str]) -> StoreFactory:
        return lambda: MongoStore(mongo_target.db(), fresh_collection(), inline_limit=64 * KiB)


class TestMongoStoreCrash(CrashSafetyContract):
    """Writers killed during inline writes and GridFS uploads (values of 64 B to 4 MiB)."""

    crash_kills = 40
    crash_max_delay = 0.3

    @pytest.fixture
    def store_recipe(self, mongo_target: Any, fresh_collection: Callable[[], str]) -> StoreRecipe:
        return StoreRecipe.from_url(
            mongo_target.url(fresh_collection(), f"inline_limit={64 * KiB}")
        )

    def clean_leftovers(self, store: BlobStore) -> None:
        """Delete the GridFS files of uploads that killed writers abandoned."""
        assert isinstance(store, MongoStore)
        store.remove_orphans(older_than=0)

    def leftovers(self, store: BlobStore) -> list[str]:
        """Upload records and GridFS files that no document points to."""
        assert isinstance(store, MongoStore)
        return store.orphans()


FAULT_TIMEOUT = 1.0
_FAULT_OPTIONS = (
    f"timeout={FAULT_TIMEOUT}&connect_timeout={FAULT_TIMEOUT}"
    f"&server_selection_timeout={FAULT_TIMEOUT}"
)


@pytest.fixture(scope="module")
def controllable_mongo() -> Iterator[Nx27017Server]:
    """A private nx-27017 keeping its data on disk, removed at the end of the module."""
    with tempfile.TemporaryDirectory(prefix="minimalkv-nx27017-faults-") as directory:
        try:
            server = Nx27017Server(directory)
            server.start()
        except RuntimeError as exc:
            from mongo_servers import unavailable

            unavailable(str(exc))
        try:
            yield server
        finally:
            server.stop()


class TestMongoStoreFaults(ServerFaultContract):
    capabilities = StoreCapabilities()
    fault_timeout = FAULT_TIMEOUT

    @pytest.fixture
    def fault_server(self, controllable_mongo: Nx27017Server) -> Nx27017Server:
        return controllable_mongo

    @pytest.fixture
    def store_factory(self, controllable_mongo: Nx27017Server) -> Iterator[StoreFactory]:
        made: list[KeyValueStore] = []

        def make() -> KeyValueStore:
            name = f"kv_{uuid.uuid4().hex[:12]}"  # the server outlives the test's stores
            store = get_store_from_url(controllable_mongo.url("faults", name, _FAULT_OPTIONS))
            made.append(store)
            return store

        yield make
        for store in made:
            with contextlib.suppress(Exception):
                store.delete_many(list(store.keys()))
            store.close()

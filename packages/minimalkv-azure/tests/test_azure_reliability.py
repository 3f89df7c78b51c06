"""The reliability suite on Azure: load, writers killed mid-upload, a stopped and a paused server.

The load and crash tests use the run's Azurite. The fault tests start an Azurite of their own
(stopping or pausing the shared one would disturb every other test), once per module, and
give its stores short timeouts and a single attempt per request.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from minimalkv import StoreCapabilities
from minimalkv.azure import AzureBlockBlobStore, AzureConnection
from minimalkv.contract import (
    RELIABILITY_MARK,
    CrashSafetyContract,
    LoadContract,
    ServerFaultContract,
    StoreFactory,
    StoreRecipe,
)

sys.path.insert(0, str(Path(__file__).parent))  # azure_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_azure

from tools._services_azure import Azurite

pytest_plugins = ["azure_servers"]  # the Azure fixtures (azure_target, azure_container, ...)

pytestmark = RELIABILITY_MARK

MiB = 1024 * 1024


class TestAzureStoreLoad(LoadContract):
    capabilities = StoreCapabilities(copy=True, url=True)
    load_seconds = 10.0  # the package's whole run stays within CI's budget

    @pytest.fixture
    def store_factory(self, azure_target: Any, fresh_container: Callable[[], str]) -> StoreFactory:
        return lambda: AzureBlockBlobStore(
            container=fresh_container(), connection=azure_target.connection
        )


class TestAzureStoreCrash(CrashSafetyContract):
    """Writers killed during puts and staged uploads (1 MiB blocks, values up to 8 MiB)."""

    crash_kills = 30
    crash_max_delay = 0.4  # an 8 MiB staged upload takes about this long on Azurite
    crash_value_sizes = (64, 8 * MiB)

    @pytest.fixture
    def store_recipe(self, azure_target: Any, azure_container: str) -> StoreRecipe:
        return StoreRecipe.from_url(
            azure_target.url(azure_container, options="max_block_size=1048576&max_connections=4")
        )


FAULT_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def controllable_azurite() -> Iterator[Azurite]:
    """A private Azurite for the fault tests, removed at the end of the module."""
    from azure_servers import unavailable

    with tempfile.TemporaryDirectory(prefix="minimalkv-azurite-faults-") as directory:
        try:
            azurite = Azurite(directory, in_memory=False)  # data survives restarts
            azurite.start()
        except RuntimeError as exc:
            unavailable(str(exc))
        try:
            yield azurite
        finally:
            azurite.stop()


class TestAzureStoreFaults(ServerFaultContract):
    capabilities = StoreCapabilities(copy=True, url=True)
    fault_timeout = FAULT_TIMEOUT

    @pytest.fixture
    def fault_server(self, controllable_azurite: Azurite) -> Azurite:
        return controllable_azurite

    @pytest.fixture
    def store_factory(self, controllable_azurite: Azurite) -> Iterator[StoreFactory]:
        account = controllable_azurite.account
        connection = AzureConnection(
            account_name=account.account_name,
            account_key=account.account_key,
            blob_endpoint=account.blob_endpoint,
            connect_timeout=FAULT_TIMEOUT,
            read_timeout=FAULT_TIMEOUT,
            max_attempts=1,
        )
        made: list[AzureBlockBlobStore] = []

        def make() -> AzureBlockBlobStore:
            store = AzureBlockBlobStore(
                container=f"faults-{uuid.uuid4().hex[:12]}", connection=connection
            )
            made.append(store)
            return store

        yield make
        for store in made:
            with contextlib.suppress(Exception):
                store.close()

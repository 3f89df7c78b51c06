"""The contract suite on Azurite: AzureBlockBlobStore, HAzureBlockBlobStore, decorators on it.

Every store gets an emptied container of the run's own. The decorated variants share their
container with blobs of another tenant, which the suite must never see.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from minimalkv import StoreCapabilities
from minimalkv.azure import AzureBlockBlobStore, HAzureBlockBlobStore
from minimalkv.contract import ContractSuite, HostileInputContract, StoreFactory
from minimalkv.crypt import HMACDecorator
from minimalkv.decorator import PrefixDecorator

sys.path.insert(0, str(Path(__file__).parent))  # azure_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_azure

pytest_plugins = ["azure_servers"]  # the Azure fixtures (azure_target, fresh_container, ...)

MiB = 1024 * 1024
SECRET = b"azure contract secret"


class AzureSuite(ContractSuite):
    # Every state-machine step is a round trip to the server: 30 examples per variant keep the
    # package's run within CI's budget.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None, "max_examples": 30}
    # Azurite, like the Azure service, stores a "\\" in a blob name as "/": such keys cannot be
    # told apart from the key with "/" (and are no keys at all of the basic key space).
    unstorable_characters = "\\"
    url_fetchable = True
    memory_bound_bytes = 64 * MiB
    memory_test_size = 64 * MiB  # the basic store streams 300 MiB; the variants add layers


class TestAzureStoreContract(AzureSuite):
    capabilities = StoreCapabilities(copy=True, url=True)
    memory_test_size = 300 * MiB

    @pytest.fixture
    def store_factory(self, azure_target: Any, fresh_container: Callable[[], str]) -> StoreFactory:
        return lambda: AzureBlockBlobStore(
            container=fresh_container(), connection=azure_target.connection
        )


class TestHAzureStoreContract(AzureSuite):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, azure_target: Any, fresh_container: Callable[[], str]) -> StoreFactory:
        return lambda: HAzureBlockBlobStore(
            container=fresh_container(), connection=azure_target.connection, checksum=True
        )


def _with_neighbours(azure_target: Any, container: str) -> str:
    """Put blobs of another tenant next to the store's."""
    client = azure_target.service.get_container_client(container)
    for name in ("other/key", "t", "t-x", "t_ü", "tenant", "tenant/ü", "tenant/x:y", "tenantX/k"):
        client.upload_blob(name, b"not yours")
    return container


class TestPrefixDecoratorAzureStoreContract(AzureSuite):
    capabilities = StoreCapabilities(copy=True, url=True)
    # The decorator's own rules run in full over the other stores; here, the composition.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None, "max_examples": 30}

    @pytest.fixture
    def store_factory(self, azure_target: Any, fresh_container: Callable[[], str]) -> StoreFactory:
        def make() -> PrefixDecorator[AzureBlockBlobStore]:
            container = _with_neighbours(azure_target, fresh_container())
            store = AzureBlockBlobStore(container=container, connection=azure_target.connection)
            return PrefixDecorator("t_", store)

        return make


class TestHMACAzureStoreContract(AzureSuite):
    capabilities = StoreCapabilities(copy=True)
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None, "max_examples": 30}

    @pytest.fixture
    def store_factory(self, azure_target: Any, fresh_container: Callable[[], str]) -> StoreFactory:
        return lambda: HMACDecorator(
            SECRET,
            AzureBlockBlobStore(container=fresh_container(), connection=azure_target.connection),
        )


class TestAzureStoreHostileInput(HostileInputContract):
    @pytest.fixture
    def store_factory(self, azure_target: Any, fresh_container: Callable[[], str]) -> StoreFactory:
        return lambda: HAzureBlockBlobStore(
            container=fresh_container(), connection=azure_target.connection
        )


class TestBasicAzureStoreHostileInput(TestAzureStoreHostileInput):
    # The extended store above runs the full profile; the basic one differs only in its key
    # space, so fewer examples keep the package's run within CI's budget.
    hostile_input_settings: ClassVar[dict[str, Any]] = {"max_examples": 50}

    @pytest.fixture
    def store_factory(self, azure_target: Any, fresh_container: Callable[[], str]) -> StoreFactory:
        return lambda: AzureBlockBlobStore(
            container=fresh_container(), connection=azure_target.connection
        )

"""The contract suite on fake-gcs-server: GoogleCloudStore, HGoogleCloudStore, decorators on it.

Every store gets an emptied bucket of the run's own. The prefixed and HMAC variants share their
bucket with objects of another tenant, which the suite must never see.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import (
    ContractSuite,
    HostileInputContract,
    StoreFactory,
)
from minimalkv.crypt import HMACDecorator
from minimalkv.decorator import PrefixDecorator
from minimalkv.gcs import GoogleCloudStore, HGoogleCloudStore

sys.path.insert(0, str(Path(__file__).parent))  # gcs_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_gcs, at the root

pytest_plugins = ["gcs_servers"]  # the GCS fixtures (gcs_target, fresh_bucket, ...)

MiB = 1024 * 1024
SECRET = b"gcs contract secret"


def _store(target: Any, bucket: str, *, extended: bool = False) -> GoogleCloudStore:
    cls = HGoogleCloudStore if extended else GoogleCloudStore
    return cls(None, bucket, False, connection=target.signing.replace(read_timeout=60))


class GcsSuite(ContractSuite):
    # Every state-machine step is a round trip to the server.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None}
    url_fetchable = True
    memory_bound_bytes = 64 * MiB
    # The 300 MiB bound is proven on the plain store; the variants add no buffering of their
    # own, and every megabyte is a round trip through the emulator's memory.
    memory_test_size = 64 * MiB


class TestGoogleCloudStoreContract(GcsSuite):
    capabilities = StoreCapabilities(copy=True, url=True)
    memory_test_size = 300 * MiB

    @pytest.fixture
    def store_factory(self, gcs_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: _store(gcs_target, fresh_bucket())


class TestHGoogleCloudStoreContract(GcsSuite):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, gcs_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: _store(gcs_target, fresh_bucket(), extended=True)


def _with_neighbours(gcs_target: Any, bucket: str) -> str:
    """Put objects of another tenant next to the store's (and some inside its prefix)."""
    handle = gcs_target.client.bucket(bucket)
    for name in ("other/key", "t", "t-x", "t_ü", "tenant", "tenant/ü", "tenant/x:y", "t_a/ü"):
        handle.blob(name).upload_from_string(b"not yours")
    return bucket


class TestPrefixDecoratorGcsContract(GcsSuite):
    capabilities = StoreCapabilities(copy=True, url=True)
    # The decorator's own rules run in full over the other stores; here, the composition.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None, "max_examples": 30}

    @pytest.fixture
    def store_factory(self, gcs_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        def make() -> PrefixDecorator[GoogleCloudStore]:
            bucket = _with_neighbours(gcs_target, fresh_bucket())
            return PrefixDecorator("t_", _store(gcs_target, bucket))

        return make


class TestHMACGcsContract(GcsSuite):
    capabilities = StoreCapabilities(copy=True)
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None, "max_examples": 30}

    @pytest.fixture
    def store_factory(self, gcs_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: HMACDecorator(SECRET, _store(gcs_target, fresh_bucket()))


class TestGoogleCloudStoreHostileInput(HostileInputContract):
    @pytest.fixture
    def store_factory(self, gcs_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: _store(gcs_target, fresh_bucket())


class TestHGoogleCloudStoreHostileInput(HostileInputContract):
    @pytest.fixture
    def store_factory(self, gcs_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: _store(gcs_target, fresh_bucket(), extended=True)

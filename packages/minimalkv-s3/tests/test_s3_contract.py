"""The contract suite on a real S3 server (SeaweedFS): S3Store, HS3Store, and decorators on it.

Every store gets an emptied bucket of the run's own. The prefixed and HMAC variants share
their bucket with objects of another tenant, which the suite must never see.
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
    StateMachineContract,
    StoreFactory,
    WeirdKeyContract,
)
from minimalkv.crypt import HMACDecorator
from minimalkv.decorator import PrefixDecorator
from minimalkv.s3 import HS3Store, S3Store

sys.path.insert(0, str(Path(__file__).parent))  # s3_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools.services, at the repository root

pytest_plugins = ["s3_servers"]  # the S3 fixtures (s3_target, fresh_bucket, ...)

MiB = 1024 * 1024
SECRET = b"s3 contract secret"


class S3Suite(ContractSuite):
    # Every state-machine step is a round trip to the server.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None}
    # SeaweedFS turns "\\" in an object name into "/"; those keys are tested on moto below.
    unstorable_characters = "\\"
    url_fetchable = True
    memory_bound_bytes = 64 * MiB
    memory_test_size = 128 * MiB


class TestS3StoreContract(S3Suite):
    capabilities = StoreCapabilities(copy=True, url=True)
    memory_test_size = 300 * MiB

    @pytest.fixture
    def store_factory(self, s3_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: S3Store(fresh_bucket(), connection=s3_target.connection)


class TestHS3StoreContract(S3Suite):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, s3_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: HS3Store(fresh_bucket(), connection=s3_target.connection)


def _with_neighbours(s3_target: Any, bucket: str) -> str:
    """Put objects of another tenant next to the store's (and one inside its prefix)."""
    for name in ("other/key", "t", "t-x", "t_ü", "tenant", "tenant/ü", "tenant/x:y", "tenantX/k"):
        s3_target.client.put_object(Bucket=bucket, Key=name, Body=b"not yours")
    return bucket


class TestPrefixedS3StoreContract(S3Suite):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, s3_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        def make() -> HS3Store:
            bucket = _with_neighbours(s3_target, fresh_bucket())
            return HS3Store(bucket, prefix="tenant/", connection=s3_target.connection)

        return make


class TestPrefixDecoratorS3StoreContract(S3Suite):
    capabilities = StoreCapabilities(copy=True, url=True)
    # The decorator's own rules run in full over the other stores; here, the composition.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None, "max_examples": 30}

    @pytest.fixture
    def store_factory(self, s3_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        def make() -> PrefixDecorator[S3Store]:
            bucket = _with_neighbours(s3_target, fresh_bucket())
            # SeaweedFS stores a name segment of at most 255 bytes: a two-character prefix
            # keeps the longest key (250 characters) within it.
            return PrefixDecorator("t_", S3Store(bucket, connection=s3_target.connection))

        return make


class TestHMACS3StoreContract(S3Suite):
    capabilities = StoreCapabilities(copy=True)
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None, "max_examples": 30}

    @pytest.fixture
    def store_factory(self, s3_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: HMACDecorator(
            SECRET, S3Store(fresh_bucket(), connection=s3_target.connection)
        )


class TestS3StoreOnMotoKeys(WeirdKeyContract, StateMachineContract):
    """Every key, backslashes included, on a second S3 implementation (moto's server)."""

    capabilities = StoreCapabilities(copy=True, url=True)
    # The full state machine runs on SeaweedFS; here it adds the keys SeaweedFS cannot hold.
    state_machine_settings: ClassVar[dict[str, Any]] = {"deadline": None, "max_examples": 30}

    @pytest.fixture
    def store_factory(self, moto_target: Any, fresh_moto_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: S3Store(fresh_moto_bucket(), connection=moto_target.connection)


class TestHS3StoreOnMotoKeys(TestS3StoreOnMotoKeys):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)

    @pytest.fixture
    def store_factory(self, moto_target: Any, fresh_moto_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: HS3Store(fresh_moto_bucket(), connection=moto_target.connection)


class TestS3StoreHostileInput(HostileInputContract):
    """Hostile keys and values, on moto's server (they hold backslashes)."""

    @pytest.fixture
    def store_factory(self, moto_target: Any, fresh_moto_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: HS3Store(fresh_moto_bucket(), connection=moto_target.connection)


class TestBasicS3StoreHostileInput(TestS3StoreHostileInput):
    @pytest.fixture
    def store_factory(self, moto_target: Any, fresh_moto_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: S3Store(fresh_moto_bucket(), connection=moto_target.connection)

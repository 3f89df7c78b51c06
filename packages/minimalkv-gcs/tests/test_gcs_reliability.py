"""The reliability suite on GCS: load, writers killed mid-upload, a stopped and a paused server.

The load and crash tests use the run's fake-gcs-server. The fault tests start one of their own
that keeps its objects on disk (stopping or pausing the shared one would disturb every other
test, and a stopped in-memory server forgets its data), once per module, and give its stores
short timeouts and no retries.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import (
    RELIABILITY_MARK,
    CrashSafetyContract,
    LoadContract,
    ServerFaultContract,
    StoreFactory,
    StoreRecipe,
)
from minimalkv.gcs import GcsConnection, GoogleCloudStore

sys.path.insert(0, str(Path(__file__).parent))  # gcs_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_gcs, at the root

from tools._services_gcs import FakeGcsServer

pytest_plugins = ["gcs_servers"]  # the GCS fixtures (gcs_target, fresh_bucket, ...)

pytestmark = RELIABILITY_MARK

MiB = 1024 * 1024


class TestGoogleCloudStoreLoad(LoadContract):
    capabilities = StoreCapabilities(copy=True, url=True)
    # The whole package's tests run in CI's time budget; the load's rules are the same.
    load_seconds: ClassVar[float] = 10.0

    @pytest.fixture
    def store_factory(self, gcs_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: GoogleCloudStore(None, fresh_bucket(), connection=gcs_target.signing)


class TestGoogleCloudStoreCrash(CrashSafetyContract):
    """Writers killed during puts and resumable uploads (256 KiB chunks, values up to 8 MiB)."""

    crash_kills = 25
    crash_max_delay = 0.3  # an 8 MiB upload in 256 KiB chunks takes about this long here
    crash_value_sizes = (64, 8 * MiB)

    @pytest.fixture
    def store_recipe(self, gcs_target: Any, gcs_bucket: str) -> StoreRecipe:
        return StoreRecipe.from_url(
            gcs_target.url(gcs_bucket, options=f"chunk_size={256 * 1024}&max_concurrency=4")
        )


FAULT_TIMEOUT = 1.5


@pytest.fixture(scope="module")
def controllable_gcs() -> Iterator[FakeGcsServer]:
    """A private fake-gcs-server keeping objects on disk, removed at the end of the module."""
    with tempfile.TemporaryDirectory(prefix="minimalkv-fake-gcs-faults-") as directory:
        try:
            server = FakeGcsServer(directory, persistent=True)
            server.start()
        except RuntimeError as exc:
            from gcs_servers import unavailable

            unavailable(str(exc))
        try:
            yield server
        finally:
            server.stop()


class TestGoogleCloudStoreFaults(ServerFaultContract):
    capabilities = StoreCapabilities(copy=True, url=True)
    fault_timeout = FAULT_TIMEOUT

    @pytest.fixture
    def fault_server(self, controllable_gcs: FakeGcsServer) -> FakeGcsServer:
        return controllable_gcs

    @pytest.fixture
    def store_factory(self, controllable_gcs: FakeGcsServer) -> Iterator[StoreFactory]:
        # Imported here: the module is the plugin named above, registered once it is loaded.
        from gcs_servers import GcsTarget

        target = GcsTarget(controllable_gcs.endpoint_url)
        connection = GcsConnection(
            endpoint=controllable_gcs.endpoint_url,
            connect_timeout=FAULT_TIMEOUT,
            read_timeout=FAULT_TIMEOUT,
            retry_deadline=0,
        )
        made: list[GoogleCloudStore] = []

        def make() -> GoogleCloudStore:
            store = GoogleCloudStore(None, target.new_bucket(), connection=connection)
            made.append(store)
            return store

        yield make
        for store in made:
            with contextlib.suppress(Exception):
                store.close()
        with contextlib.suppress(Exception):
            target.remove_all()

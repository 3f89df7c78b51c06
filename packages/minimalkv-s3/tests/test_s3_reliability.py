"""The reliability suite on S3: load, writers killed mid-upload, a stopped and a paused server.

The load and crash tests use the run's SeaweedFS. The fault tests start a SeaweedFS of their
own (stopping or pausing the shared one would disturb every other test), once per module, and
give its stores short timeouts and a single attempt per request.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from minimalkv import BlobStore, StoreCapabilities
from minimalkv.contract import (
    RELIABILITY_MARK,
    CrashSafetyContract,
    LoadContract,
    ServerFaultContract,
    StoreFactory,
    StoreRecipe,
)
from minimalkv.s3 import MIN_PART_SIZE, S3Store

sys.path.insert(0, str(Path(__file__).parent))  # s3_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools.services, at the repository root

from tools.services import SeaweedFS

pytest_plugins = ["s3_servers"]  # the S3 fixtures (s3_target, fresh_bucket, ...)

pytestmark = RELIABILITY_MARK

MiB = 1024 * 1024


class TestS3StoreLoad(LoadContract):
    capabilities = StoreCapabilities(copy=True, url=True)

    @pytest.fixture
    def store_factory(self, s3_target: Any, fresh_bucket: Callable[[], str]) -> StoreFactory:
        return lambda: S3Store(fresh_bucket(), connection=s3_target.connection)


class TestS3StoreCrash(CrashSafetyContract):
    """Writers killed during puts and multipart uploads (5 MiB parts, values up to 16 MiB)."""

    crash_kills = 60
    crash_max_delay = 0.4  # a 16 MiB upload takes about this long on the test server
    crash_value_sizes = (64, 16 * MiB)

    @pytest.fixture
    def store_recipe(self, s3_target: Any, s3_bucket: str) -> StoreRecipe:
        return StoreRecipe.from_url(
            s3_target.url(s3_bucket, options=f"part_size={MIN_PART_SIZE}&max_concurrency=4")
        )

    def clean_leftovers(self, store: BlobStore) -> None:
        """Abort the uploads of killed writers, as a lifecycle rule or an operator would."""
        assert isinstance(store, S3Store)
        store.abort_unfinished_uploads(older_than=0)

    def leftovers(self, store: BlobStore) -> list[str]:
        """The unfinished multipart uploads (invisible to readers, but billed)."""
        assert isinstance(store, S3Store)
        return sorted(f"upload of {name}" for name, _, _ in store.unfinished_uploads())


FAULT_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def controllable_seaweedfs() -> Iterator[SeaweedFS]:
    """A private SeaweedFS for the fault tests, removed at the end of the module."""
    with tempfile.TemporaryDirectory(prefix="minimalkv-seaweedfs-faults-") as directory:
        try:
            weed = SeaweedFS(directory, "fault-key", "fault-secret")
            weed.start()
        except RuntimeError as exc:
            if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
                pytest.fail(f"SeaweedFS is required under CI=true: {exc}", pytrace=False)
            pytest.skip(f"no SeaweedFS: {exc}")
        try:
            yield weed
        finally:
            weed.stop()


class TestS3StoreFaults(ServerFaultContract):
    capabilities = StoreCapabilities(copy=True, url=True)
    fault_timeout = FAULT_TIMEOUT

    @pytest.fixture
    def fault_server(self, controllable_seaweedfs: SeaweedFS) -> SeaweedFS:
        return controllable_seaweedfs

    @pytest.fixture
    def store_factory(self, controllable_seaweedfs: SeaweedFS) -> Iterator[StoreFactory]:
        # Imported here: the module is the plugin named below, registered once it is loaded.
        from s3_servers import S3Target

        target = S3Target(controllable_seaweedfs.server)
        connection = target.connection.replace(
            connect_timeout=FAULT_TIMEOUT, read_timeout=FAULT_TIMEOUT, max_attempts=1
        )
        made: list[S3Store] = []

        def make() -> S3Store:
            store = S3Store(target.new_bucket(), connection=connection)
            made.append(store)
            return store

        yield make
        for store in made:
            with contextlib.suppress(Exception):
                store.close()
        with contextlib.suppress(Exception):
            target.remove_all()

"""The GCS server of the tests and its fixtures (import the fixtures a module uses).

The tests share one server per session: a private fake-gcs-server (``tools._services_gcs``) on a
free loopback port, in memory, stopped at the end of the session. ``MINIMALKV_GCS_ENDPOINT``
(``http://host:port`` of a running fake-gcs-server) uses that one instead; the tests make
buckets named ``minimalkv-test-*`` there.

Stores reach it with anonymous requests (``endpoint=...``); the service-account credentials of
:data:`SERVICE_ACCOUNT` (a throwaway RSA key made for this run, a token URI on a closed
loopback port) only sign URLs. fake-gcs-server serves signed URLs but does not check their
signatures: the tests check the signature's presence and shape.

When no server can be had the GCS tests skip with the reason; with ``CI=true`` they fail.
The fixtures live here rather than in a ``conftest.py`` (one module of that name per
repository: mypy checks every test module under its own name).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from minimalkv.contract import service_unavailable, session_service
from minimalkv.gcs import GcsConnection

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # tools._services_gcs
    sys.path.insert(0, str(ROOT))

from tools._services_gcs import FakeGcsServer, fake_gcs_server  # noqa: E402

__all__ = [
    "GcsTarget",
    "fresh_bucket",
    "gcs_bucket",
    "gcs_target",
    "service_account",
    "service_account_url",
    "unavailable",
]

ENDPOINT_VARIABLE = "MINIMALKV_GCS_ENDPOINT"


@functools.cache
def service_account() -> dict[str, str]:
    """A service-account JSON with a fresh 2048-bit RSA key (made once per session).

    Its token URI is a closed loopback port: a store that wrongly asked for an OAuth token
    would fail at once instead of reaching Google.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "minimalkv-test",
        "private_key_id": uuid.uuid4().hex,
        "private_key": pem,
        "client_email": "tester@minimalkv-test.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": "http://127.0.0.1:9/token",
    }


def service_account_url(info: dict[str, str] | None = None) -> str:
    """The URL-safe base64 form of a service-account JSON, as ``gcs://`` URLs carry it."""
    raw = json.dumps(info or service_account()).encode()
    return base64.urlsafe_b64encode(raw).decode()


class GcsTarget:
    """The server of this test run, and the buckets the tests made on it."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.connection = GcsConnection(endpoint=endpoint, read_timeout=60)
        self.signing = GcsConnection(credentials=service_account(), endpoint=endpoint)
        self.client: Any = self.connection.client()[0]
        self._buckets: list[str] = []
        self._next = 0

    def url(self, bucket: str, scheme: str = "gcs", options: str = "") -> str:
        """The ``gcs://`` URL of ``bucket`` on this server, with the test's service account."""
        query = f"endpoint={self.endpoint}" + (f"&{options}" if options else "")
        return f"{scheme}://{service_account_url()}@{bucket}?{query}"

    def new_bucket(self) -> str:
        """Create a bucket with a unique name and return the name."""
        name = f"minimalkv-test-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(name)
        self._buckets.append(name)
        return name

    def empty(self, bucket: str) -> None:
        """Delete every object in ``bucket``."""
        for blob in list(self.client.list_blobs(bucket)):
            with contextlib.suppress(Exception):
                blob.delete()

    def fresh_bucket(self) -> str:
        """An empty bucket: a new one, or one of the run's emptied again (memory is finite)."""
        if len(self._buckets) < 6:
            return self.new_bucket()
        bucket = self._buckets[self._next % len(self._buckets)]
        self._next += 1
        self.empty(bucket)
        return bucket

    def remove_all(self) -> None:
        """Empty and delete every bucket the run made."""
        for bucket in self._buckets:
            with contextlib.suppress(Exception):
                self.empty(bucket)
                self.client.bucket(bucket).delete()
        self._buckets.clear()
        with contextlib.suppress(Exception):
            self.client.close()


def unavailable(reason: str) -> NoReturn:
    """Skip the test (fail it under ``CI=true``): no GCS server can be had."""
    service_unavailable("A GCS server", reason)


def _start(stack: contextlib.ExitStack) -> GcsTarget:
    given = os.environ.get(ENDPOINT_VARIABLE)
    if given:
        endpoint = given.rstrip("/")
    else:
        try:
            server: FakeGcsServer = stack.enter_context(fake_gcs_server())
        except RuntimeError as exc:
            unavailable(str(exc))
        endpoint = server.endpoint_url
    target = GcsTarget(endpoint)
    stack.callback(target.remove_all)
    return target


@pytest.fixture(scope="session")
def gcs_target(pytestconfig: pytest.Config) -> GcsTarget:
    """The GCS server of this test run (see the module docstring)."""
    return session_service(pytestconfig, "fake-gcs-server", _start)


@pytest.fixture
def gcs_bucket(gcs_target: GcsTarget) -> str:
    """An empty bucket for one test."""
    return gcs_target.fresh_bucket()


@pytest.fixture
def fresh_bucket(gcs_target: GcsTarget) -> Iterator[Callable[[], str]]:
    """A callable returning an empty bucket each time; emptied again after the test.

    The server keeps every object in memory: large values go as soon as the test is over.
    """
    handed: list[str] = []

    def fresh() -> str:
        handed.append(gcs_target.fresh_bucket())
        return handed[-1]

    yield fresh
    for bucket in handed:
        with contextlib.suppress(Exception):
            gcs_target.empty(bucket)

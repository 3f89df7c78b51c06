"""The Azure servers of the tests and their fixtures (import the fixtures a module uses).

The tests share one blob service per session:

- ``MINIMALKV_AZURE_CONNECTION_STRING`` set (with ``AccountName``, ``AccountKey`` and, for
  anything but Azure itself, ``BlobEndpoint``): that account is used; the tests make
  containers named ``minimalkv-test-*`` there and delete them at the end.
- otherwise: a private Azurite (installed from npm into the user's cache by
  ``tools._services_azure``) on a free loopback port, in memory, stopped at the end.

When no server can be had the Azure tests skip with the reason; with ``CI=true`` they fail.
The fixtures live here rather than in a ``conftest.py`` (one module of that name per
repository: mypy checks every test module under its own name).
"""

from __future__ import annotations

import contextlib
import itertools
import sys
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest
from azure.storage.blob import BlobServiceClient
from minimalkv.azure import AzureConnection
from minimalkv.contract import service_unavailable, session_service

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # tools._services_azure
    sys.path.insert(0, str(ROOT))

from tools._services_azure import AzureAccount, azurite_server  # noqa: E402

__all__ = ["AzureTarget", "azure_container", "azure_target", "fresh_container", "unavailable"]


class AzureTarget:
    """The blob service of this test run, and the containers the tests made on it."""

    def __init__(self, account: AzureAccount) -> None:
        self.account = account
        self.connection = AzureConnection(
            account_name=account.account_name,
            account_key=account.account_key,
            blob_endpoint=account.blob_endpoint,
            read_timeout=60,
        )
        self.service = BlobServiceClient(
            account.blob_endpoint,
            credential={"account_name": account.account_name, "account_key": account.account_key},
        )
        self._containers: list[str] = []
        self._counter = itertools.count()

    def url(self, container: str, scheme: str = "azure", options: str = "") -> str:
        """The ``azure://`` URL of ``container`` on this service (key percent-encoded)."""
        key = urllib.parse.quote(self.account.account_key, safe="")
        endpoint = urllib.parse.quote(self.account.blob_endpoint, safe="")
        query = f"endpoint={endpoint}" + (f"&{options}" if options else "")
        return f"{scheme}://{self.account.account_name}:{key}@{container}?{query}"

    def new_container(self) -> str:
        """Create a container with a unique name and return the name."""
        name = f"minimalkv-test-{uuid.uuid4().hex[:12]}"
        self.service.create_container(name)
        self._containers.append(name)
        return name

    def empty(self, container: str) -> None:
        """Delete every blob in ``container``."""
        client = self.service.get_container_client(container)
        names = list(client.list_blob_names())
        for start in range(0, len(names), 256):
            client.delete_blobs(*names[start : start + 256], raise_on_any_failure=False)

    def fresh_container(self) -> str:
        """An empty container: a new one, or one of the run's emptied again."""
        if len(self._containers) < 6:
            return self.new_container()
        container = self._containers[next(self._counter) % len(self._containers)]
        self.empty(container)
        return container

    def remove_all(self) -> None:
        """Delete every container the run made."""
        for container in self._containers:
            with contextlib.suppress(Exception):
                self.service.delete_container(container)
        self._containers.clear()
        self.service.close()


def unavailable(reason: str) -> NoReturn:
    """Skip the test with ``reason``; fail it under ``CI=true`` (the server must be there)."""
    service_unavailable("An Azure blob service", reason)


def _start(stack: contextlib.ExitStack) -> AzureTarget:
    try:
        account = stack.enter_context(azurite_server())
    except RuntimeError as exc:
        unavailable(str(exc))
    target = AzureTarget(account)
    stack.callback(target.remove_all)
    return target


@pytest.fixture(scope="session")
def azure_target(pytestconfig: pytest.Config) -> AzureTarget:
    """The blob service of this test run (see the module docstring)."""
    return session_service(pytestconfig, "azurite", _start)


@pytest.fixture
def azure_container(azure_target: AzureTarget) -> str:
    """An empty container for one test."""
    return azure_target.fresh_container()


@pytest.fixture
def fresh_container(azure_target: AzureTarget) -> Callable[[], str]:
    """A callable returning an empty container each time."""
    return azure_target.fresh_container

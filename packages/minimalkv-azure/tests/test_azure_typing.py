"""Typing tests that mypy must reject: TTL on an Azure store, text values, bad settings.

The accepted cases are in ``typing_azure_ok.py`` (checked by ``hatch run mypy``). A snippet is
type-checked with mypy --strict; every line marked ``# E: <code>`` must get that error, and no
other line any error.
"""

from __future__ import annotations

from pathlib import Path

from minimalkv.contract import assert_mypy_diagnostics

SNIPPET = """
from minimalkv import SupportsTtl
from minimalkv.azure import AzureBlockBlobStore, AzureConnection


def wants_ttl(store: SupportsTtl) -> None:
    pass


store = AzureBlockBlobStore(container="c01", connection=AzureConnection(account_name="a"))
store.put("k", b"v", ttl_secs=10)  # E: call-arg
wants_ttl(store)  # E: arg-type
store.put("k", "text")  # E: arg-type
AzureConnection(account_name="a", read_timeout="30")  # E: arg-type
AzureBlockBlobStore("conn", "c01", max_connections="2")  # E: arg-type
AzureBlockBlobStore("conn", "c01", socket_timeout="20")  # E: arg-type
reveal_type(store.container_client)  # N: ContainerClient
"""


def test_mypy_rejects_what_the_azure_store_cannot_do(tmp_path: Path) -> None:
    assert_mypy_diagnostics(SNIPPET, tmp_path, "typing_azure_rejected.py")

"""Typing tests for minimalkv.azure: mypy --strict must accept this module as it is.

It is not a pytest module; ``hatch run mypy`` checks it (the cases mypy must reject are in
``test_azure_typing.py``). An Azure store is a BlobStore that copies and gives URLs, and has
no TTL.
"""

from __future__ import annotations

from azure.storage.blob import ContainerClient
from minimalkv import BatchError, BlobStore, KeyMetadata, SupportsCopy, SupportsUrl
from minimalkv.azure import AzureBlockBlobStore, AzureConnection, HAzureBlockBlobStore
from minimalkv.decorator import PrefixDecorator
from minimalkv.net.azurestore import AzureBlockBlobStore as LegacyStore
from typing_extensions import assert_type


def uses(store: BlobStore, copies: SupportsCopy, links: SupportsUrl) -> None:
    """Accept any store, one that copies, one with URLs."""


def example(connection: AzureConnection, client: ContainerClient) -> None:
    """Everything here type-checks."""
    store = AzureBlockBlobStore(container="data", connection=connection, checksum=True)
    uses(store, store, store)
    assert_type(store.url_for("k"), str)
    assert_type(store.metadata("k"), KeyMetadata)
    assert_type(store.copy("a", "b"), str)
    assert_type(store.connection, AzureConnection | None)
    assert_type(store.container_client, ContainerClient)
    hierarchical = HAzureBlockBlobStore(
        container="data", connection=connection.replace(read_timeout=5.0)
    )
    prefixed = PrefixDecorator("tenant/", hierarchical)
    uses(prefixed, prefixed, prefixed)
    legacy = LegacyStore(
        "AccountName=a;AccountKey=k", "data", False, True, 2, None, None, True, (20, 100)
    )
    uses(legacy, legacy, legacy)
    from_client = AzureBlockBlobStore(container_client=client)
    uses(from_client, from_client, from_client)
    try:
        store.delete_many(["a", "b"])
    except BatchError as error:
        assert_type(error.failures, dict[str, str])

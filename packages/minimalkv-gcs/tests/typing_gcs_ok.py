"""Typing tests for minimalkv.gcs: mypy --strict must accept this module as it is.

It is not a pytest module; ``hatch run mypy`` checks it (the cases mypy must reject are in
``test_gcs_typing.py``). A GCS store is a BlobStore that copies and gives URLs, and has no TTL.
"""

from __future__ import annotations

from minimalkv import BatchError, BlobStore, KeyMetadata, SupportsCopy, SupportsUrl
from minimalkv.decorator import PrefixDecorator
from minimalkv.gcs import GcsConnection, GoogleCloudStore, HGoogleCloudStore
from minimalkv.net.gcstore import GoogleCloudStore as LegacyStore
from typing_extensions import assert_type


def uses(store: BlobStore, copies: SupportsCopy, links: SupportsUrl) -> None:
    """Accept any store, one that copies, one with URLs."""


def example(connection: GcsConnection, info: dict[str, str]) -> None:
    """Everything here type-checks."""
    store = GoogleCloudStore(None, "bucket", connection=connection, chunk_size=16 * 1024 * 1024)
    uses(store, store, store)
    assert_type(store.url_for("k"), str)
    assert_type(store.metadata("k"), KeyMetadata)
    assert_type(store.copy("a", "b"), str)
    assert_type(store.connection, GcsConnection | None)
    assert_type(connection.timeout, tuple[float, float])
    hierarchical = HGoogleCloudStore(
        None, "bucket", connection=connection.replace(read_timeout=5.0, retry_deadline=0)
    )
    prefixed = PrefixDecorator("tenant/", hierarchical)
    uses(prefixed, prefixed, prefixed)
    legacy = LegacyStore(info, "bucket", True, "EUROPE-WEST3", "project")
    uses(legacy, legacy, legacy)
    emulated = GoogleCloudStore("key.json", "bucket", endpoint="http://127.0.0.1:4443")
    uses(emulated, emulated, emulated)
    try:
        store.delete_many(["a", "b"])
    except BatchError as error:
        assert_type(error.failures, dict[str, str])

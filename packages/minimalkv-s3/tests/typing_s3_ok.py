"""Typing tests for minimalkv.s3: mypy --strict must accept this module as it is.

It is not a pytest module; ``hatch run mypy`` checks it (the cases mypy must reject are in
``test_s3_typing.py``). An S3 store is a BlobStore that copies and gives URLs, and has no TTL.
"""

from __future__ import annotations

import datetime

from minimalkv import BatchError, BlobStore, KeyMetadata, SupportsCopy, SupportsUrl
from minimalkv.decorator import PrefixDecorator
from minimalkv.net.boto import BotoStore
from minimalkv.s3 import HS3Store, S3Connection, S3Store
from typing_extensions import assert_type


def uses(store: BlobStore, copies: SupportsCopy, links: SupportsUrl) -> None:
    """Accept any store, one that copies, one with URLs."""


def example(connection: S3Connection) -> None:
    """Everything here type-checks."""
    store = S3Store("bucket", "prefix/", connection=connection, part_size=16 * 1024 * 1024)
    uses(store, store, store)
    assert_type(store.url_for("k"), str)
    assert_type(store.metadata("k"), KeyMetadata)
    assert_type(store.copy("a", "b"), str)
    assert_type(store.unfinished_uploads(), list[tuple[str, str, datetime.datetime]])
    assert_type(store.abort_unfinished_uploads(older_than=3600), int)
    assert_type(store.connection, S3Connection | None)
    hierarchical = HS3Store("bucket", connection=connection.replace(read_timeout=5.0))
    prefixed = PrefixDecorator("tenant/", hierarchical)
    uses(prefixed, prefixed, prefixed)
    legacy = BotoStore("bucket", "p/", 60, False, False, {"owner": "me"}, connection=connection)
    uses(legacy, legacy, legacy)
    try:
        store.delete_many(["a", "b"])
    except BatchError as error:
        assert_type(error.failures, dict[str, str])

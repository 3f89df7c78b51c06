"""Typing tests for the decorators: mypy --strict must accept this module as it is.

It is not a pytest module; ``hatch run mypy`` checks it (the cases mypy must reject are in
``test_decorator_typing.py``). Each ``assert_type`` pins a type users' code relies on: a
decorator keeps the type of the store it wraps, so the wrapped store's capabilities stay
visible through any stack of decorators.
"""

from __future__ import annotations

import io
from typing import IO

from minimalkv import (
    FOREVER,
    BlobStore,
    KeyMetadata,
    KeyValueStore,
    StoreCapabilities,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    TimeToLiveMixin,
    UrlMixin,
)
from minimalkv.decorator import (
    PrefixDecorator,
    ReadOnlyDecorator,
    StoreDecorator,
    URLEncodeKeysDecorator,
)
from minimalkv.memory import DictStore
from typing_extensions import assert_type


class TtlStore(TimeToLiveMixin, DictStore):
    """A TTL store built on the mixin (no copy beyond DictStore's, no URLs)."""

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.d[key] = data
        return key


class UrlStore(UrlMixin, DictStore):
    """A URL store built on the mixin."""

    def _url_for(self, key: str) -> str:
        return "memory://" + key


def wants_ttl(store: SupportsTtl) -> str:
    """Application code that needs expiring values."""
    return store.put("k", b"v", ttl_secs=60)


def wants_copy(store: SupportsCopy) -> str:
    """Application code that copies."""
    return store.copy("a", "b")


def wants_url(store: SupportsUrl) -> str:
    """Application code that hands out URLs."""
    return store.url_for("k")


def wants_blob_store(store: BlobStore) -> bytes:
    """Application code that needs only the core API."""
    return store.get("k")


def check_types_follow_the_wrapped_store() -> None:
    """The decorator's type parameter is the wrapped store's type."""
    prefixed = PrefixDecorator("p_", TtlStore())
    assert_type(prefixed, PrefixDecorator[TtlStore])
    assert_type(prefixed.store, TtlStore)
    assert_type(URLEncodeKeysDecorator(prefixed), URLEncodeKeysDecorator[PrefixDecorator[TtlStore]])
    assert_type(ReadOnlyDecorator(DictStore()), ReadOnlyDecorator[DictStore])
    assert_type(StoreDecorator(UrlStore()).store, UrlStore)
    assert_type(prefixed.prefix, str)
    assert_type(prefixed.capabilities, StoreCapabilities)


def check_ttl_passes_through() -> None:
    """A prefixed TTL store accepts ttl_secs, through any depth of decorators."""
    prefixed = PrefixDecorator("p_", TtlStore())
    assert_type(prefixed.put("k", b"v", ttl_secs=10), str)
    assert_type(prefixed.put("k", b"v", 0.5), str)
    assert_type(prefixed.put_file("k", io.BytesIO(b"v"), ttl_secs=FOREVER), str)
    stacked = URLEncodeKeysDecorator(PrefixDecorator("q_", prefixed))
    assert_type(stacked.put("k", b"v", ttl_secs=10), str)
    wants_ttl(prefixed)
    wants_ttl(stacked)


def check_copy_and_url_pass_through() -> None:
    """Copy and URL capabilities follow the wrapped store."""
    copying = PrefixDecorator("p_", DictStore())
    assert_type(copying.copy("a", "b"), str)
    assert_type(copying.move("a", "b"), str)
    wants_copy(copying)
    wants_copy(URLEncodeKeysDecorator(copying))
    urls = URLEncodeKeysDecorator(PrefixDecorator("p_", UrlStore()))
    assert_type(urls.url_for("k"), str)
    wants_url(urls)
    assert_type(ReadOnlyDecorator(UrlStore()).url_for("k"), str)


def check_the_core_api() -> None:
    """Every decorator is a KeyValueStore and a BlobStore with the core API's types."""
    store = PrefixDecorator("p_", DictStore())
    base: KeyValueStore = store
    blob: BlobStore = ReadOnlyDecorator(store)
    wants_blob_store(URLEncodeKeysDecorator(DictStore()))
    assert_type(store.get("k"), bytes)
    assert_type(store.put("k", b""), str)
    assert_type(store.open("k"), IO[bytes])
    assert_type(store.keys(), list[str])
    assert_type(store.get_many(["k"]), dict[str, bytes])
    assert_type(store.put_many({"k": b""}), list[str])
    assert_type(store.metadata("k"), KeyMetadata)
    assert_type("k" in store, bool)
    with store as entered:
        assert_type(entered, PrefixDecorator[DictStore])
    assert base is not blob


def check_a_decorator_over_a_structural_store(store: BlobStore) -> None:
    """Any BlobStore can be wrapped, not only KeyValueStore subclasses."""
    assert_type(PrefixDecorator("p_", store), PrefixDecorator[BlobStore])

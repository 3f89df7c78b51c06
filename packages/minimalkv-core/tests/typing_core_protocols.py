"""Typing tests for the core API: mypy --strict must accept this module as it is.

It is not a pytest module; ``hatch run mypy`` checks it. Each ``assert_type`` pins a type that
users' code relies on, and each assignment checks that a store satisfies a protocol statically.
"""

from __future__ import annotations

import io
import pathlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import IO

import minimalkv
from minimalkv import (
    FOREVER,
    NOT_SET,
    BlobStore,
    CopyMixin,
    FileSource,
    FileTarget,
    KeyMetadata,
    KeyValueStore,
    StoreCapabilities,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    TimeToLiveMixin,
    UrlKeyValueStore,
    UrlMixin,
    capabilities_of,
    get_store,
    get_store_from_url,
)
from minimalkv._key_value_store import UrlKeyValueStore as OriginalPathUrlKeyValueStore
from minimalkv.backend import BytesReader
from minimalkv.contrib import ExtendedKeyspaceMixin
from minimalkv.memory import DictStore
from minimalkv.mixin import TimeToLiveMixin as OriginalPathTimeToLiveMixin
from typing_extensions import Self, assert_type


class StructuralStore:
    """Conforms to BlobStore without subclassing anything."""

    def __contains__(self, key: str, /) -> bool:
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def get(self, key: str) -> bytes:
        return b""

    def put(self, key: str, data: bytes) -> str:
        return key

    def put_file(self, key: str, file: FileSource) -> str:
        return key

    def get_file(self, key: str, file: FileTarget) -> str:
        return key

    def open(self, key: str) -> IO[bytes]:
        return io.BytesIO()

    def delete(self, key: str) -> None:
        return None

    def keys(self, prefix: str = "") -> list[str]:
        return []

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return iter(())

    def iter_prefixes(self, delimiter: str, prefix: str = "") -> Iterator[str]:
        return iter(())

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return {}

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        return []

    def delete_many(self, keys: Iterable[str]) -> None:
        return None

    def metadata(self, key: str) -> KeyMetadata:
        return KeyMetadata(key=key, size=0)

    def close(self) -> None:
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class TtlDictStore(TimeToLiveMixin, DictStore):
    """A TTL store built on the mixin."""

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.d[key] = data
        return key


class UrlDictStore(UrlMixin, DictStore):
    """A URL store built on the mixin."""

    def _url_for(self, key: str) -> str:
        return "memory://" + key


class LegacyUrlStore(OriginalPathUrlKeyValueStore):
    """minimalkv 1.x documents subclassing minimalkv._key_value_store.UrlKeyValueStore."""

    def _url_for(self, key: str) -> str:
        return key


class LegacyTtlStore(OriginalPathTimeToLiveMixin, ExtendedKeyspaceMixin, CopyMixin, KeyValueStore):
    """Mixins from the import paths of minimalkv 1.x compose."""


def application(store: BlobStore) -> str:
    """Application code annotated with the protocol."""
    assert_type(store.get("k"), bytes)
    assert_type(store.put("k", b"v"), str)
    assert_type(store.put_file("k", "path"), str)
    assert_type(store.put_file("k", pathlib.Path("path")), str)
    assert_type(store.put_file("k", io.BytesIO(b"v")), str)
    assert_type(store.get_file("k", pathlib.Path("out")), str)
    assert_type(store.get_file("k", io.BytesIO()), str)
    assert_type(store.open("k"), IO[bytes])
    assert_type(store.keys(), list[str])
    assert_type(store.iter_keys("p"), Iterator[str])
    assert_type(store.iter_prefixes("/"), Iterator[str])
    assert_type(store.get_many(["k"]), dict[str, bytes])
    assert_type(store.put_many({"k": b"v"}), list[str])
    assert_type(store.put_many([("k", b"v")]), list[str])
    assert_type(store.metadata("k"), KeyMetadata)
    assert_type(store.metadata("k").size, int)
    assert_type("k" in store, bool)
    assert_type(store.delete("k"), None)
    return store.put("k", b"v")


def copier(store: SupportsCopy) -> str:
    """Uses the copy capability."""
    assert_type(store.copy("a", "b"), str)
    return store.move("a", "b")


def with_ttl(store: SupportsTtl) -> str:
    """Uses the TTL capability."""
    store.put("k", b"v", 5)
    store.put("k", b"v", ttl_secs=FOREVER)
    store.put_file("k", io.BytesIO(b"v"), NOT_SET)
    return store.put("k", b"v", 0.5)


def with_url(store: SupportsUrl) -> str:
    """Uses the URL capability."""
    return store.url_for("k")


def check_all() -> None:
    """Every assignment below must type-check."""
    application(StructuralStore())
    application(DictStore())
    structural: BlobStore = StructuralStore()
    dict_store: BlobStore = DictStore()
    copy_store: SupportsCopy = DictStore()
    ttl_store: SupportsTtl = TtlDictStore()
    url_store: SupportsUrl = UrlDictStore()
    legacy: SupportsUrl = LegacyUrlStore()
    base_store: BlobStore = get_store("memory")
    url_made: BlobStore = get_store_from_url("memory://")
    copier(copy_store)
    with_ttl(ttl_store)
    with_url(url_store)
    with_url(legacy)
    assert_type(get_store("memory"), KeyValueStore)
    assert_type(capabilities_of(structural), StoreCapabilities)
    assert_type(DictStore().copy("a", "b"), str)
    assert_type(DictStore().get_file("a", "out"), str)
    assert_type(BytesReader(b"").seek(0), int)
    regexp: str = minimalkv.VALID_KEY_REGEXP
    assert_type(minimalkv.VALID_KEY_RE.match(regexp), re.Match[str] | None)
    assert_type(minimalkv.is_valid_key("k"), bool)
    with DictStore() as entered:
        assert_type(entered, DictStore)
    for store in (dict_store, base_store, url_made):
        assert_type(store.get("k"), bytes)
    url_kv: type[UrlKeyValueStore] = LegacyUrlStore
    assert_type(url_kv, type[UrlKeyValueStore])

"""Runtime side of the typed protocols and the capability record."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from typing import IO

import pytest
from minimalkv import (
    BlobStore,
    FileSource,
    FileTarget,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
    StoreCapabilities,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    TimeToLiveMixin,
    UrlMixin,
    capabilities_of,
    get_store,
)
from minimalkv.backend import BytesReader
from minimalkv.memory import DictStore, HDictStore
from typing_extensions import Self


class Conforming:
    """Implements the BlobStore API without subclassing KeyValueStore."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def __contains__(self, key: str, /) -> bool:
        return key in self.data

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.data))

    def get(self, key: str) -> bytes:
        try:
            return self.data[key]
        except KeyError:
            raise KeyNotFoundError.for_key(key) from None

    def put(self, key: str, data: bytes) -> str:
        self.data[key] = data
        return key

    def put_file(self, key: str, file: FileSource) -> str:
        if isinstance(file, (str, bytes)) or not hasattr(file, "read"):
            raise TypeError("paths are not supported here")
        return self.put(key, file.read())

    def get_file(self, key: str, file: FileTarget) -> str:
        if isinstance(file, str) or not hasattr(file, "write"):
            raise TypeError("paths are not supported here")
        file.write(self.get(key))
        return key

    def open(self, key: str) -> IO[bytes]:
        return BytesReader(self.get(key))

    def delete(self, key: str) -> None:
        self.data.pop(key, None)

    def keys(self, prefix: str = "") -> list[str]:
        return list(self.iter_keys(prefix))

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return (key for key in list(self.data) if key.startswith(prefix))

    def iter_prefixes(self, delimiter: str, prefix: str = "") -> Iterator[str]:
        return iter(sorted({key.split(delimiter)[0] for key in self.iter_keys(prefix)}))

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return {key: self.data[key] for key in keys if key in self.data}

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        return [self.put(key, value) for key, value in pairs]

    def delete_many(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.delete(key)

    def metadata(self, key: str) -> KeyMetadata:
        return KeyMetadata(key=key, size=len(self.get(key)))

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def application_code(store: BlobStore) -> bytes:
    store.put("greeting", b"hello")
    with store.open("greeting") as file:
        return file.read()


def test_dict_store_satisfies_blob_store_and_supports_copy() -> None:
    store = DictStore()
    assert isinstance(store, BlobStore)
    assert isinstance(store, SupportsCopy)
    probe: object = store  # the run-time answer, whatever the static type says
    assert not isinstance(probe, SupportsUrl)
    assert not isinstance(probe, SupportsTtl)
    assert application_code(store) == b"hello"


def test_a_structurally_conforming_class_is_a_blob_store() -> None:
    store = Conforming()
    assert not isinstance(store, KeyValueStore)
    assert isinstance(store, BlobStore)
    assert not isinstance(store, SupportsCopy)
    assert application_code(store) == b"hello"


def test_a_partial_class_is_not_a_blob_store() -> None:
    class OnlyGetPut:
        def get(self, key: str) -> bytes:
            return b""

        def put(self, key: str, data: bytes) -> str:
            return key

    assert not isinstance(OnlyGetPut(), BlobStore)
    assert not isinstance({}, BlobStore)


class _TtlStore(TimeToLiveMixin, DictStore):
    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.d[key] = data
        return key


class _UrlStore(UrlMixin, DictStore):
    def _url_for(self, key: str) -> str:
        return "memory://" + key


def test_capability_protocols_at_run_time() -> None:
    assert isinstance(_TtlStore(), SupportsTtl)
    assert isinstance(_UrlStore(), SupportsUrl)
    assert isinstance(_UrlStore(), SupportsCopy)


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        (DictStore(), StoreCapabilities(copy=True)),
        (HDictStore(), StoreCapabilities(copy=True, extended_keys=True)),
        (_TtlStore(), StoreCapabilities(copy=True, ttl=True)),
        (_UrlStore(), StoreCapabilities(copy=True, url=True)),
        (Conforming(), StoreCapabilities()),
        (object(), StoreCapabilities()),
    ],
    ids=["dict", "hdict", "ttl", "url", "conforming", "object"],
)
def test_capabilities_of(store: object, expected: StoreCapabilities) -> None:
    assert capabilities_of(store) == expected


def test_capabilities_of_factory_stores() -> None:
    assert capabilities_of(get_store("memory")) == StoreCapabilities(copy=True)
    assert capabilities_of(get_store("hmemory")).extended_keys


def test_declared_capabilities_win() -> None:
    declared = StoreCapabilities(ttl=True)

    class Declares(DictStore):
        capabilities = declared

    assert capabilities_of(Declares()) is declared


def test_capability_flags_must_be_true_not_truthy() -> None:
    class Truthy:
        ttl_support = "yes"
        extended_keys = 1

    assert capabilities_of(Truthy()) == StoreCapabilities()


def test_capabilities_record_is_frozen() -> None:
    record = StoreCapabilities()
    with pytest.raises(AttributeError):
        record.copy = True  # type: ignore[misc]
    assert (record.copy, record.url, record.ttl, record.extended_keys) == (False,) * 4


def test_conforming_store_round_trip_through_the_protocol() -> None:
    store: BlobStore = Conforming()
    store.put_many({"a/1": b"x", "a/2": b"y", "b": b"z"})
    assert sorted(store.iter_prefixes("/")) == ["a", "b"]
    out = io.BytesIO()
    assert store.get_file("b", out) == "b"
    assert out.getvalue() == b"z"
    assert store.metadata("a/1").size == 1

"""Decorators call the wrapped store's public methods, and subclass overrides are honoured."""

from __future__ import annotations

import copy
import io
import pickle
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from minimalkv import FileSource, InvalidKeyError, KeyNotFoundError, ReadOnlyError
from minimalkv.decorator import (
    PrefixDecorator,
    ReadOnlyDecorator,
    StoreDecorator,
    UnsupportedCapabilityError,
    URLEncodeKeysDecorator,
)
from minimalkv.memory import DictStore

Clone = Callable[[Any], Any]
CLONES: list[Clone] = [
    copy.copy,
    copy.deepcopy,
    lambda store: pickle.loads(pickle.dumps(store)),  # noqa: S301 - our own bytes
]


class AuditedDictStore(DictStore):
    """A DictStore that audits every write by overriding the public methods."""

    def __init__(self) -> None:
        super().__init__()
        self.audit: list[tuple[str, str]] = []

    def put(self, key: str, data: bytes) -> str:
        self.audit.append(("put", key))
        return super().put(key, data)

    def put_file(self, key: str, file: FileSource) -> str:
        self.audit.append(("put_file", key))
        return super().put_file(key, file)

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        self.audit.extend(("put_many", key) for key, _ in pairs)
        return super().put_many(pairs)

    def get(self, key: str) -> bytes:
        self.audit.append(("get", key))
        return super().get(key)


def test_a_store_overriding_put_sees_every_put_through_a_prefix_decorator() -> None:
    inner = AuditedDictStore()
    tenant = PrefixDecorator("t1_", inner)
    for round_ in range(3):  # the same keys again and again
        tenant.put("k", b"%d" % round_)
        tenant.put("j", b"v")
    assert inner.audit == [("put", "t1_k"), ("put", "t1_j")] * 3
    assert inner.d == {"t1_k": b"2", "t1_j": b"v"}


def test_every_write_and_read_reaches_the_overridden_public_methods(tmp_path: Path) -> None:
    inner = AuditedDictStore()
    stack = URLEncodeKeysDecorator(PrefixDecorator("t1_", inner))
    source = tmp_path / "value"
    source.write_bytes(b"from a path")
    stack.put("a b", b"1")
    stack.put_file("f", io.BytesIO(b"2"))
    stack.put_file("p", source)
    stack.put_many({"m": b"3", "n": b"4"})
    assert stack.get("a b") == b"1"
    assert stack.get("a b") == b"1"
    assert inner.audit == [
        ("put", "t1_a+b"),
        ("put_file", "t1_f"),
        ("put_file", "t1_p"),
        ("put_many", "t1_m"),
        ("put_many", "t1_n"),
        ("get", "t1_a+b"),
        ("get", "t1_a+b"),
    ]


def test_errors_are_those_of_the_one_path() -> None:
    store = PrefixDecorator("p_", DictStore())
    assert store.put("k", b"v") == "k"
    with pytest.raises(KeyNotFoundError):
        store.get("missing")
    for bad in ("", "a b", "a\n", b"k", None, ["unhashable"]):
        with pytest.raises(InvalidKeyError):
            store.get(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidKeyError):
            store.put(bad, b"v")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedCapabilityError):
        store.put("k", b"w", ttl_secs=5)  # type: ignore[call-arg]
    assert store.store.d == {"p_k": b"v"}


def test_a_subclass_overriding_get_keeps_its_override() -> None:
    class Shouting(PrefixDecorator[DictStore]):
        def get(self, key: str) -> bytes:
            return super().get(key).upper()

    store = Shouting("p_", DictStore())
    store.put("k", b"v")
    assert store.get("k") == b"V"
    assert type(store).__name__ == "Shouting"
    assert isinstance(store, Shouting)


def test_a_subclass_mapping_keys_is_honoured_by_every_read() -> None:
    class CaseFolding(ReadOnlyDecorator[DictStore]):
        def _inner_key(self, key: str) -> str:
            return key.lower()

    store = CaseFolding(DictStore({"k": b"v"}))
    assert store.get("K") == b"v"
    assert "K" in store
    with store.open("K") as file:
        assert file.read() == b"v"


def test_a_subclass_overriding_a_capability_hook_is_honoured() -> None:
    moves: list[tuple[str, str]] = []

    class Logged(PrefixDecorator[DictStore]):
        def _move(self, source: str, dest: str) -> str:
            moves.append((source, dest))
            return super()._move(source, dest)

    store = Logged("p_", DictStore())
    store.put("a", b"1")
    assert store.move("a", "b") == "b"
    assert moves == [("a", "b")]
    assert store.store.d == {"p_b": b"1"}


def test_the_class_reads_as_the_decorator_class() -> None:
    store = PrefixDecorator("p_", DictStore())
    assert type(store).__name__ == "PrefixDecorator"
    assert type(store).__qualname__ == "PrefixDecorator"
    assert type(store).__module__ == PrefixDecorator.__module__
    assert isinstance(store, PrefixDecorator)
    assert repr(store) == "PrefixDecorator('p_', DictStore(<0 keys>))"
    assert type(PrefixDecorator("q_", DictStore())) is type(store)


@pytest.mark.parametrize("clone", CLONES)
def test_copies_and_pickles_are_decorators_of_the_same_kind(clone: Clone) -> None:
    prefixed = PrefixDecorator("p_", DictStore())
    prefixed.put("k", b"v")
    twin = clone(prefixed)
    assert type(twin) is type(prefixed)
    assert twin.get("k") == b"v"
    twin.put("j", b"w")
    assert twin.store.d["p_j"] == b"w"
    assert twin.copy("j", "i") == "i"
    readonly = clone(ReadOnlyDecorator(DictStore({"k": b"v"})))
    assert readonly.get("k") == b"v"
    with pytest.raises(ReadOnlyError):
        readonly.copy("k", "j")
    plain = clone(StoreDecorator(DictStore()))
    plain.put("k", b"v")
    assert plain.keys() == ["k"]


def test_a_pickle_names_the_decorator_class() -> None:
    data = pickle.dumps(PrefixDecorator("p_", DictStore()))
    assert b"PrefixDecorator" in data
    assert b"_specialised" not in data

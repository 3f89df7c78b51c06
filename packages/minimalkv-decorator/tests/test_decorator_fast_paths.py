"""The instance-level fast paths of PrefixDecorator and ReadOnlyDecorator behave as the methods."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from minimalkv import InvalidKeyError, KeyNotFoundError, ReadOnlyError, TtlArgument
from minimalkv.decorator import (
    PrefixDecorator,
    ReadOnlyDecorator,
    UnsupportedCapabilityError,
)
from minimalkv.memory import DictStore


def test_prefix_fast_paths_are_installed_and_behave() -> None:
    store = PrefixDecorator("p_", DictStore())
    assert set(vars(store)) >= {"get", "put"}
    assert store.put("k", b"v") == "k"
    assert store.get("k") == b"v"
    assert store.store.d == {"p_k": b"v"}
    with pytest.raises(KeyNotFoundError):
        store.get("missing")
    for bad in ("", "a b", "a\n", b"k", None, ["unhashable"]):
        with pytest.raises(InvalidKeyError):
            store.get(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidKeyError):
            store.put(bad, b"v")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedCapabilityError):
        store.put("k", b"v", ttl_secs=5)  # type: ignore[call-arg]
    assert store.store.d == {"p_k": b"v"}


def test_prefix_fast_put_with_ttl_reaches_the_wrapped_store() -> None:
    calls: list[tuple[str, Any]] = []

    class TtlDict(DictStore):
        ttl_support = True

        def put(self, key: str, data: bytes, ttl_secs: TtlArgument = None) -> str:
            calls.append((key, ttl_secs))
            return super().put(key, data)

    store: Any = PrefixDecorator("p_", TtlDict())  # TtlDict.put_file takes no ttl_secs
    assert store.put("k", b"v", ttl_secs=7) == "k"
    assert calls == [("p_k", 7)]


def test_a_subclass_overriding_get_keeps_its_override() -> None:
    class Shouting(PrefixDecorator[DictStore]):
        def get(self, key: str) -> bytes:
            return super().get(key).upper()

    store = Shouting("p_", DictStore())
    assert "get" not in vars(store)
    store.put("k", b"v")
    assert store.get("k") == b"V"


def test_readonly_reads_are_the_wrapped_store_methods() -> None:
    inner = DictStore({"k": b"v"})
    store = ReadOnlyDecorator(inner)
    assert store.get == inner.get
    assert store.get("k") == b"v"
    with store.open("k") as file:
        assert file.read() == b"v"
    with pytest.raises(ReadOnlyError):
        store.put("k", b"w")


@pytest.mark.parametrize(
    "clone",
    [copy.copy, copy.deepcopy, lambda s: pickle.loads(pickle.dumps(s))],  # noqa: S301
)
def test_copies_and_pickles_get_their_own_fast_paths(clone: Any) -> None:
    prefixed = PrefixDecorator("p_", DictStore())
    prefixed.put("k", b"v")
    state = prefixed.__getstate__()
    assert "get" not in state
    assert "put" not in state
    twin = clone(prefixed)
    assert twin.get("k") == b"v"
    twin.put("j", b"w")
    assert twin.store.d["p_j"] == b"w"
    readonly = clone(ReadOnlyDecorator(DictStore({"k": b"v"})))
    assert readonly.get == readonly.store.get

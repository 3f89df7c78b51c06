"""DictStore specifics that the contract suite does not cover: the passed dict and the factory."""

from __future__ import annotations

import pytest
from minimalkv import get_store, get_store_from_url
from minimalkv.memory import DictStore, HDictStore


def test_passed_empty_dict_is_used_as_the_store() -> None:
    backing: dict[str, bytes] = {}
    store = DictStore(backing)
    assert store.d is backing
    store.put("k", b"v")
    assert backing == {"k": b"v"}
    backing["direct"] = b"seen"
    assert store.get("direct") == b"seen"


def test_passed_dict_with_values_is_used() -> None:
    backing = {"a": b"1"}
    store = DictStore(backing)
    assert store.keys() == ["a"]
    store.delete("a")
    assert backing == {}


def test_without_dict_each_store_has_its_own() -> None:
    first, second = DictStore(), DictStore()
    first.put("k", b"v")
    assert "k" not in second


@pytest.mark.parametrize(("url", "cls"), [("memory://", DictStore), ("hmemory://", HDictStore)])
def test_store_from_url(url: str, cls: type[DictStore]) -> None:
    store = get_store_from_url(url)
    assert type(store) is cls
    store.put("k", b"v")
    assert store.get("k") == b"v"


def test_get_store_memory() -> None:
    store = get_store("memory")
    assert type(store) is DictStore
    backing: dict[str, bytes] = {}
    with_dict = get_store("memory", d=backing)
    with_dict.put("k", b"v")
    assert backing == {"k": b"v"}


def test_extended_keys_only_in_hdictstore() -> None:
    HDictStore().put("a/b c", b"v")
    with pytest.raises(ValueError, match="a/b"):
        DictStore().put("a/b c", b"v")

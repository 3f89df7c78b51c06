"""The entry points and the store URLs that build decorator stacks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from minimalkv import (
    ConfigurationError,
    KeyValueStore,
    ReadOnlyError,
    UnknownStoreError,
    _factory,
    decorate_store,
    get_store,
    get_store_from_url,
)
from minimalkv.backend import DECORATOR_GROUP, DecoratorFactory
from minimalkv.decorator import (
    PrefixDecorator,
    ReadOnlyDecorator,
    URLEncodeKeysDecorator,
    _registry,
)
from minimalkv.memory import DictStore, HDictStore


def _layers(store: KeyValueStore) -> list[str]:
    """Name the stack from the outside in."""
    names = [type(store).__name__]
    # The private attribute: a read-only decorator does not hand out ``.store``.
    while "_dstore" in vars(store):
        store = vars(store)["_dstore"]
        names.append(type(store).__name__)
    return names


def test_the_entry_points_name_the_registry() -> None:
    points = {point.name: point for point in entry_points(group=DECORATOR_GROUP)}
    assert points["readonly"].load() is _registry.readonly
    assert points["urlencode"].load() is _registry.urlencode
    assert points["prefix"].load() is _registry.prefix


def test_old_form_applies_right_to_left() -> None:
    store = get_store_from_url("memory+urlencode+readonly://")
    assert _layers(store) == ["URLEncodeKeysDecorator", "ReadOnlyDecorator", "DictStore"]
    assert _layers(get_store("memory+readonly+urlencode")) == [
        "ReadOnlyDecorator",
        "URLEncodeKeysDecorator",
        "DictStore",
    ]


def test_wrap_form_applies_left_to_right() -> None:
    store = get_store_from_url("memory://#wrap:readonly+urlencode")
    assert _layers(store) == ["URLEncodeKeysDecorator", "ReadOnlyDecorator", "DictStore"]
    assert _layers(get_store("memory", wrap="urlencode+readonly")) == [
        "ReadOnlyDecorator",
        "URLEncodeKeysDecorator",
        "DictStore",
    ]


def test_single_wrappers() -> None:
    for url in ("memory+readonly://", "memory://#wrap:readonly"):
        store = get_store_from_url(url)
        assert isinstance(store, ReadOnlyDecorator)
        with pytest.raises(ReadOnlyError):
            store.put("k", b"")
    assert isinstance(get_store_from_url("memory+urlencode://"), URLEncodeKeysDecorator)


def test_a_readonly_store_over_a_passed_dict() -> None:
    store = get_store("memory", d={"k": b"v"}, wrap="readonly")
    assert store.get("k") == b"v"
    with pytest.raises(ReadOnlyError):
        store.delete("k")


def test_prefix_in_urls() -> None:
    store = get_store_from_url("hmemory://#wrap:prefix(t1/)")
    assert isinstance(store, PrefixDecorator)
    assert store.prefix == "t1/"
    assert isinstance(store.store, HDictStore)
    store.put("a/b", b"")
    assert store.store.d == {"t1/a/b": b""}
    stacked = get_store_from_url("memory://#wrap:prefix(t1_)+urlencode")
    assert _layers(stacked) == ["URLEncodeKeysDecorator", "PrefixDecorator", "DictStore"]
    stacked.put("a b", b"")
    assert _layers(get_store("memory+readonly+prefix(x_)")) == [
        "ReadOnlyDecorator",
        "PrefixDecorator",
        "DictStore",
    ]


def test_both_forms_at_once_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="one of the two forms"):
        get_store_from_url("memory+readonly://#wrap:urlencode")


@pytest.mark.parametrize("spec", ["nosuchdecorator", "readonlyx"])
def test_unknown_decorators_are_named(spec: str) -> None:
    with pytest.raises(UnknownStoreError, match=spec):
        get_store_from_url(f"memory://#wrap:{spec}")
    with pytest.raises(UnknownStoreError, match=spec):
        get_store(f"memory+{spec}")


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("readonly(x)", "takes no argument"),
        ("urlencode()", "takes no argument"),
        ("prefix", "needs the prefix"),
        ("prefix()", "needs the prefix"),
        ("prefix(a b)", "cannot start a key"),
    ],
)
def test_bad_decorator_arguments(spec: str, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        decorate_store(DictStore(), spec)


def test_the_registry_functions_are_decorator_factories() -> None:
    factory: DecoratorFactory = _registry.prefix
    store = factory(DictStore(), "p_")
    assert isinstance(store, PrefixDecorator)
    assert isinstance(_registry.urlencode(DictStore(), None), URLEncodeKeysDecorator)
    assert isinstance(_registry.readonly(DictStore(), None), ReadOnlyDecorator)


# ----------------------------------------------------------------- third-party decorators
_THIRD_PARTY_MODULE = '''
from minimalkv.decorator import StoreDecorator


class CountingDecorator(StoreDecorator):
    """Counts reads; the URL argument names the counter."""

    def __init__(self, store, name):
        super().__init__(store)
        self.name = name
        self.reads = 0

    def get(self, key):
        self.reads += 1
        return super().get(key)


def counting(store, argument):
    return CountingDecorator(store, argument or "default")
'''


@pytest.fixture
def third_party_decorator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Install, for this test, a distribution registering ``counting`` as a decorator."""
    module = "minimalkv_test_counting_decorator"
    (tmp_path / f"{module}.py").write_text(_THIRD_PARTY_MODULE)
    info = tmp_path / "minimalkv_test_counting-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: minimalkv-test-counting\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(f"[{DECORATOR_GROUP}]\ncounting = {module}:counting\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield module
    sys.modules.pop(module, None)
    _factory._entry_points.cache_clear()


def test_third_parties_register_decorators_through_entry_points(
    third_party_decorator: str,
) -> None:
    points = {point.name: point for point in entry_points(group=DECORATOR_GROUP)}
    assert points["counting"].value == f"{third_party_decorator}:counting"
    store = get_store_from_url("memory://#wrap:prefix(t_)+counting(hits)+readonly")
    assert _layers(store) == [
        "ReadOnlyDecorator",
        "CountingDecorator",
        "PrefixDecorator",
        "DictStore",
    ]
    # A ReadOnlyDecorator does not hand out ``.store``; its private attribute holds it.
    counting: Any = vars(store)["_dstore"]
    assert counting.name == "hits"
    counting.put("k", b"v")
    assert store.get("k") == b"v"
    assert counting.reads == 1
    assert counting.store.store.d == {"t_k": b"v"}
    old_form = get_store("memory+counting+urlencode")
    assert _layers(old_form) == ["CountingDecorator", "URLEncodeKeysDecorator", "DictStore"]
    assert decorate_store(DictStore(), "counting").name == "default"  # type: ignore[attr-defined]

"""The contract suite over the decorators that take writes, on DictStore and HDictStore.

ReadOnlyDecorator refuses every write the suite needs; its behaviour is covered by
``test_decorator_readonly.py``.

URLEncodeKeysDecorator has a key space of its own (any text without control characters), which
the suite cannot describe yet: it knows only the basic and the extended key space. The three
tests that judge keys by the key space are replaced for it below, with the same cases judged by
the decorator's rules; everything else runs unchanged.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from minimalkv import InvalidKeyError, KeyValueStore, StoreCapabilities
from minimalkv.contract import (
    INVALID_KEYS,
    NON_STR_KEYS,
    WEIRD_KEYS,
    ContractSuite,
    KeyCase,
    StoreFactory,
)
from minimalkv.decorator import (
    PrefixDecorator,
    StoreDecorator,
    URLEncodeKeysDecorator,
    encode_key,
)
from minimalkv.memory import DictStore, HDictStore


def _valid_text_key(key: object) -> bool:
    try:
        encode_key(key)  # type: ignore[arg-type]
    except InvalidKeyError:
        return False
    return True


# Keys every store refuses, plus those the URL-encoding key space refuses on its own.
_TEXT_KEY_REJECTS: tuple[object, ...] = (
    *(key for key in INVALID_KEYS if not _valid_text_key(key)),
    *NON_STR_KEYS,
    "\ud800",
)
_SENTINEL = "sentinel"

_KEY_CALLS: dict[str, Callable[[Any, object, Path], object]] = {
    "get": lambda store, key, tmp: store.get(key),
    "put": lambda store, key, tmp: store.put(key, b"data"),
    "put_file-path": lambda store, key, tmp: store.put_file(key, str(tmp / "missing-source")),
    "put_file-fileobj": lambda store, key, tmp: store.put_file(key, io.BytesIO(b"data")),
    "get_file-path": lambda store, key, tmp: store.get_file(key, str(tmp / "target")),
    "get_file-fileobj": lambda store, key, tmp: store.get_file(key, io.BytesIO()),
    "open": lambda store, key, tmp: store.open(key),
    "delete": lambda store, key, tmp: store.delete(key),
    "in": lambda store, key, tmp: key in store,
    "metadata": lambda store, key, tmp: store.metadata(key),
    "get_many": lambda store, key, tmp: store.get_many([_SENTINEL, key]),
    "put_many": lambda store, key, tmp: store.put_many([("ok", b"1"), (key, b"2")]),
    "delete_many": lambda store, key, tmp: store.delete_many([_SENTINEL, key]),
}


class TextKeySpace(ContractSuite):
    """The suite with the key-space tests judged by URLEncodeKeysDecorator's rules."""

    @pytest.mark.parametrize("case", WEIRD_KEYS, ids=lambda case: case.label)
    def test_weird_key(self, store: KeyValueStore, tmp_path: Path, case: KeyCase) -> None:
        valid = _valid_text_key(case.key)
        judged = KeyCase(case.key, basic=valid, extended=valid, label=case.label)
        super().test_weird_key(store, tmp_path, judged)

    def test_all_text_keys_of_the_table_are_valid(self) -> None:
        refused = {case.key for case in WEIRD_KEYS if not _valid_text_key(case.key)}
        assert refused == {"", ".", "..", "\x00", "a\tb", "a\rb", "\x7f", "a\n", "\na"}

    @pytest.mark.parametrize("method", _KEY_CALLS)
    def test_invalid_key_raises_value_error(
        self, store: KeyValueStore, tmp_path: Path, method: str
    ) -> None:
        store.put(_SENTINEL, b"value")
        for key in _TEXT_KEY_REJECTS:
            with pytest.raises(ValueError, match=r".") as info:
                _KEY_CALLS[method](store, key, tmp_path)
            assert not isinstance(info.value, KeyError), f"{method}({key!r}) raised a KeyError"
        assert not (tmp_path / "target").exists()
        assert {key: store.get(key) for key in store} == {_SENTINEL: b"value"}

    @pytest.mark.parametrize("method", ["copy", "move"])
    @pytest.mark.parametrize("position", ["source", "dest"])
    def test_copy_or_move_invalid_key_raises_value_error(
        self, store: KeyValueStore, method: str, position: str
    ) -> None:
        call = getattr(store, method)
        store.put(_SENTINEL, b"value")
        for bad in _TEXT_KEY_REJECTS:
            args = (bad, _SENTINEL) if position == "source" else (_SENTINEL, bad)
            with pytest.raises(ValueError, match=r"."):
                call(*args)
        assert {key: store.get(key) for key in store} == {_SENTINEL: b"value"}


class TestStoreDecoratorContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: StoreDecorator(DictStore())


class TestPrefixDecoratorContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        # Another tenant's keys live in the same dict: the suite must never see them.
        def make() -> PrefixDecorator[DictStore]:
            shared = DictStore({"other_tenant_key": b"x", "tenant": b"y"})
            return PrefixDecorator("tenant_", shared)

        return make


class TestPrefixDecoratorExtendedContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        def make() -> PrefixDecorator[HDictStore]:
            shared = HDictStore({"other/key": b"x", "tenant": b"y", "tenant/": b"z"})
            return PrefixDecorator("tenant/", shared)

        return make


class TestURLEncodeKeysDecoratorContract(TextKeySpace):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: URLEncodeKeysDecorator(DictStore())


class TestThreeDeepStackContract(TextKeySpace):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: PrefixDecorator(
            "outer_", URLEncodeKeysDecorator(PrefixDecorator("inner/", HDictStore()))
        )

"""The weird-key table run through every key-taking path of a store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from minimalkv import BlobStore

from ._base import ContractBase
from ._key_table import WEIRD_KEYS, KeyCase
from ._support import snapshot

__all__ = ["WeirdKeyContract"]


def _value_for(key: str) -> bytes:
    return b"value of " + key.encode("utf-8", "backslashreplace")


class WeirdKeyContract(ContractBase):
    """Each allowed character, the longest key, path-like keys and every kind of invalid key."""

    @pytest.mark.parametrize("case", WEIRD_KEYS, ids=lambda case: case.label)
    def test_weird_key(self, store: BlobStore, tmp_path: Path, case: KeyCase) -> None:
        key = case.key
        if not self.key_is_valid(store, key):
            with pytest.raises(ValueError, match=r"."):
                store.put(key, b"v")
            with pytest.raises(ValueError, match=r"."):
                store.get(key)
            with pytest.raises(ValueError, match=r"."):
                _ = key in store
            assert store.keys() == []
            return
        value = _value_for(key)
        assert store.put(key, value) == key
        assert key in store
        assert store.get(key) == value
        assert store.keys() == [key]
        assert store.keys(key) == [key]
        assert store.metadata(key).size == len(value)
        with store.open(key) as file:
            assert file.read() == value
        target = tmp_path / "target"
        assert store.get_file(key, str(target)) == key
        assert target.read_bytes() == value
        assert store.put_file(key, io.BytesIO(value + b"!")) == key
        assert store.get_many([key]) == {key: value + b"!"}
        store.delete(key)
        assert key not in store
        assert store.keys() == []

    def test_all_weird_keys_coexist(self, store: BlobStore) -> None:
        valid = [
            case.key
            for case in WEIRD_KEYS
            if self.key_is_valid(store, case.key) and self.server_stores_key(case.key)
        ]
        store.put_many([(key, _value_for(key)) for key in valid])
        assert sorted(store.keys()) == sorted(valid)
        assert snapshot(store) == {key: _value_for(key) for key in valid}
        store.delete_many(valid)
        assert store.keys() == []

    def test_key_and_nested_path_key(self, store: BlobStore) -> None:
        if not self.key_is_valid(store, "a/b"):
            with pytest.raises(ValueError, match=r"."):
                store.put("a/b", b"nested")
            assert store.keys() == []
            return
        store.put("a", b"plain")
        try:
            store.put("a/b", b"nested")
        except OSError:
            assert self.hierarchical_keys, (
                "only stores that declare hierarchical_keys may refuse 'a/b' next to 'a'"
            )
            assert snapshot(store) == {"a": b"plain"}
            return
        assert snapshot(store) == {"a": b"plain", "a/b": b"nested"}
        assert sorted(store.keys("a")) == ["a", "a/b"]
        assert set(store.iter_prefixes("/")) == {"a", "a/"}

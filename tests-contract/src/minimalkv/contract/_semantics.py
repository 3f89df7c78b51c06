"""Example tests: one test for each documented point of the core semantics."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Final

import pytest
from minimalkv import (
    BlobStore,
    InvalidValueError,
    KeyNotFoundError,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    capabilities_of,
    is_valid_key,
)

from ._base import ContractBase, StoreFactory
from ._key_table import INVALID_KEYS, NON_STR_KEYS
from ._support import SENTINEL_KEY, SENTINEL_VALUE, snapshot, untyped

__all__ = ["SemanticsContract"]

KeyCall = Callable[[BlobStore, object, Path], object]


def _put_file_path(store: BlobStore, key: object, tmp: Path) -> object:
    source = tmp / "source"
    source.write_bytes(b"data")
    return untyped(store).put_file(key, str(source))


def _get_file_path(store: BlobStore, key: object, tmp: Path) -> object:
    target = tmp / "target"
    try:
        return untyped(store).get_file(key, str(target))
    finally:
        assert not target.exists(), "get_file with an invalid key created the target file"


# Every public method that takes a key; copy and move are in CopyContract.
KEY_METHODS: Final[dict[str, KeyCall]] = {
    "get": lambda store, key, tmp: untyped(store).get(key),
    "put": lambda store, key, tmp: untyped(store).put(key, b"data"),
    "put_file-path": _put_file_path,
    "put_file-fileobj": lambda store, key, tmp: untyped(store).put_file(key, io.BytesIO(b"data")),
    "get_file-path": _get_file_path,
    "get_file-fileobj": lambda store, key, tmp: untyped(store).get_file(key, io.BytesIO()),
    "open": lambda store, key, tmp: untyped(store).open(key),
    "delete": lambda store, key, tmp: untyped(store).delete(key),
    "in": lambda store, key, tmp: key in untyped(store),
    "metadata": lambda store, key, tmp: untyped(store).metadata(key),
    "get_many": lambda store, key, tmp: untyped(store).get_many([SENTINEL_KEY, key]),
    "put_many": lambda store, key, tmp: untyped(store).put_many([("ok", b"1"), (key, b"2")]),
    "delete_many": lambda store, key, tmp: untyped(store).delete_many([SENTINEL_KEY, key]),
}

NON_BYTES_VALUES: Final[tuple[object, ...]] = ("text", 1, None, bytearray(b"x"), [b"x"])

ITER_PREFIXES_KEYS: Final = ("X", "a1Xb1", "a2X", "a2Xb1", "a3", "a4Xb1Xc1", "a4Xb1Xc2")
ITER_PREFIXES_KEYS_2: Final = ("a4Xb2Xc1", "a4Xb3")


def invalid_keys_for(
    store: BlobStore, key_is_valid: Callable[[object], bool] | None = None
) -> list[object]:
    """Return every key the store must refuse: the shared table, non-str keys, space-specific.

    ``key_is_valid`` judges the candidates (default: the store's basic or extended key space);
    the candidates it accepts are left out.
    """
    if key_is_valid is None:
        extended = capabilities_of(store).extended_keys
        key_is_valid = partial(is_valid_key, extended=extended)
    candidates: list[object] = [*INVALID_KEYS, *NON_STR_KEYS, "a/b", "a b", " ", "x/y z/w"]
    return [key for key in candidates if not key_is_valid(key)]


def _assert_unique(items: list[str]) -> set[str]:
    assert len(items) == len(set(items)), f"duplicates in {items!r}"
    return set(items)


class SemanticsContract(ContractBase):
    """Keys, values, return values, errors, listing, batch calls, metadata, ``open``."""

    # --------------------------------------------------------------- the store itself
    def test_factory_makes_fresh_empty_stores(self, store_factory: StoreFactory) -> None:
        first = store_factory()
        second = store_factory()
        try:
            assert first.keys() == []
            assert second.keys() == []
            first.put("only-in-first", b"1")
            assert "only-in-first" not in second
            assert second.keys() == []
        finally:
            first.close()
            second.close()

    def test_declared_capabilities_match_store(self, store: BlobStore) -> None:
        actual = capabilities_of(store)
        declared = self.capabilities
        offered = {name for name in ("copy", "url", "ttl") if getattr(actual, name)}
        expected = {name for name in ("copy", "url", "ttl") if getattr(declared, name)}
        assert offered == expected, (
            f"{type(store).__name__} offers {sorted(offered) or 'no capability'} but "
            f"{type(self).__name__} declares {sorted(expected) or 'none'}, so capability tests "
            "would be missing or wrong: set "
            f"`capabilities = StoreCapabilities({', '.join(f'{n}=True' for n in sorted(offered))})`"
            " (or `capabilities_of(StoreClass)`) on the test class"
        )

    @pytest.mark.parametrize(
        ("capability", "protocol"),
        [("copy", SupportsCopy), ("url", SupportsUrl), ("ttl", SupportsTtl)],
        ids=["copy", "url", "ttl"],
    )
    def test_protocol_isinstance_agrees_with_capability(
        self, store: BlobStore, capability: str, protocol: type[BlobStore]
    ) -> None:
        offered = getattr(capabilities_of(store), capability)
        shaped = isinstance(store, protocol)
        assert shaped == offered, (
            f"{type(store).__name__}: isinstance(store, {protocol.__name__}) is {shaped} but "
            f"capabilities_of(store).{capability} is {offered}; a store (or decorator) must "
            f"have the methods of {protocol.__name__} exactly when it offers {capability!r}, "
            "so that a type check and a capability check give one answer"
        )

    def test_context_manager_returns_store_and_calls_close(
        self, store_factory: StoreFactory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store = store_factory()
        assert isinstance(store, AbstractContextManager), (
            f"{type(store).__name__} is not a context manager: `with store:` must close it"
        )
        calls: list[str] = []
        original_close = store.close

        def close() -> None:
            calls.append("close")
            original_close()

        monkeypatch.setattr(store, "close", close)
        with store as entered:
            assert entered is store
            store.put("k", b"v")
            assert calls == []
        assert calls == ["close"]

    def test_close_is_idempotent(self, store_factory: StoreFactory) -> None:
        store = store_factory()
        store.put("k", b"v")
        assert untyped(store).close() is None
        assert untyped(store).close() is None

    # --------------------------------------------------------------- put / get
    def test_put_returns_key_and_get_returns_bytes(self, store: BlobStore) -> None:
        assert store.put("key", b"value") == "key"
        value = store.get("key")
        assert type(value) is bytes
        assert value == b"value"

    def test_put_overwrites(self, store: BlobStore) -> None:
        store.put("key", b"old")
        store.put("key", b"new")
        assert store.get("key") == b"new"
        assert store.keys() == ["key"]

    def test_empty_value_is_a_value(self, store: BlobStore) -> None:
        store.put("empty", b"")
        assert "empty" in store
        assert store.get("empty") == b""
        assert store.keys() == ["empty"]

    def test_missing_key_raises_key_not_found(self, store: BlobStore, tmp_path: Path) -> None:
        target = tmp_path / "target"
        buffer = io.BytesIO()
        calls: dict[str, Callable[[], object]] = {
            "get": lambda: store.get("missing"),
            "open": lambda: store.open("missing"),
            "metadata": lambda: store.metadata("missing"),
            "get_file-path": lambda: store.get_file("missing", str(target)),
            "get_file-fileobj": lambda: store.get_file("missing", buffer),
        }
        for call in calls.values():
            with pytest.raises(KeyNotFoundError):
                call()
        assert not target.exists(), "get_file of a missing key created the target file"
        assert buffer.getvalue() == b""

    @pytest.mark.parametrize("method", list(KEY_METHODS))
    def test_invalid_key_raises_value_error(
        self, store: BlobStore, tmp_path: Path, method: str
    ) -> None:
        store.put(SENTINEL_KEY, SENTINEL_VALUE)
        call = KEY_METHODS[method]
        for key in invalid_keys_for(store, partial(self.key_is_valid, store)):
            if not self.must_refuse_key(method, key):
                continue
            with pytest.raises(ValueError, match=r".") as info:
                call(store, key, tmp_path)
            assert not isinstance(info.value, KeyError), f"{method}({key!r}) raised a KeyError"
        assert snapshot(store) == {SENTINEL_KEY: SENTINEL_VALUE}

    def test_trailing_newline_key_is_invalid(self, store: BlobStore) -> None:
        with pytest.raises(ValueError, match=r"."):
            store.put("key\n", b"v")
        with pytest.raises(ValueError, match=r"."):
            store.get("key\n")
        with pytest.raises(ValueError, match=r"."):
            _ = "key\n" in store
        assert store.keys() == []

    def test_key_of_250_characters(self, store: BlobStore) -> None:
        key = "k" * 249 + "~"
        if not self.key_is_valid(store, key):  # a key space of its own, without "~"
            key = "k" * 250
        assert store.put(key, b"long") == key
        assert key in store
        assert store.get(key) == b"long"
        assert store.keys() == [key]
        store.delete(key)
        assert store.keys() == []

    @pytest.mark.parametrize("value", NON_BYTES_VALUES, ids=lambda v: type(v).__name__)
    def test_non_bytes_value_raises_type_and_os_error(
        self, store: BlobStore, value: object
    ) -> None:
        store.put(SENTINEL_KEY, SENTINEL_VALUE)
        calls: list[Callable[[], object]] = [
            lambda: untyped(store).put(SENTINEL_KEY, value),
            lambda: untyped(store).put("new", value),
            lambda: untyped(store).put_many([("new", b"ok"), ("new2", value)]),
            lambda: untyped(store).put_many({"new": b"ok", SENTINEL_KEY: value}),
        ]
        for call in calls:
            with pytest.raises(TypeError) as info:
                call()
            error: object = info.value
            assert isinstance(error, OSError)
            assert isinstance(error, InvalidValueError)
        assert snapshot(store) == {SENTINEL_KEY: SENTINEL_VALUE}

    # --------------------------------------------------------------- put_file / get_file
    def test_put_file_from_path_str_and_pathlike(self, store: BlobStore, tmp_path: Path) -> None:
        source = tmp_path / "source"
        source.write_bytes(b"from a path")
        assert store.put_file("as-str", str(source)) == "as-str"
        source.write_bytes(b"from a PathLike")
        assert store.put_file("as-pathlike", source) == "as-pathlike"
        assert store.get("as-str") == b"from a path"
        assert store.get("as-pathlike") == b"from a PathLike"
        if source.exists():  # a backend may move the file in, but never alter it
            assert source.read_bytes() == b"from a PathLike"

    def test_put_file_reads_file_object_from_current_position(
        self, store: BlobStore, tmp_path: Path
    ) -> None:
        buffer = io.BytesIO(b"skip|value")
        buffer.seek(5)
        assert store.put_file("from-bytesio", buffer) == "from-bytesio"
        source = tmp_path / "source"
        source.write_bytes(b"skip|real file")
        with open(source, "rb") as file:
            file.seek(5)
            assert store.put_file("from-file", file) == "from-file"
        assert store.get("from-bytesio") == b"value"
        assert store.get("from-file") == b"real file"
        assert source.read_bytes() == b"skip|real file"

    @pytest.mark.parametrize("kind", ["text-file", "stringio"])
    def test_put_file_text_mode_file_raises_and_stores_nothing(
        self, store: BlobStore, tmp_path: Path, kind: str
    ) -> None:
        source = tmp_path / "text"
        source.write_text("text, not bytes")
        if kind == "text-file":
            with open(source, encoding="utf-8") as text_file, pytest.raises(TypeError) as info:
                store.put_file("text", untyped(text_file))
        else:
            with pytest.raises(TypeError) as info:
                store.put_file("text", untyped(io.StringIO("text, not bytes")))
        error: object = info.value
        assert isinstance(error, OSError)
        assert "text" not in store
        assert store.keys() == []

    @pytest.mark.parametrize("bad", [b"bytes are not a file", 123, None, object()])
    def test_put_file_rejects_what_is_not_a_file(self, store: BlobStore, bad: object) -> None:
        with pytest.raises(TypeError) as info:
            store.put_file("k", untyped(bad))
        error: object = info.value
        assert isinstance(error, OSError)
        assert store.keys() == []

    def test_get_file_to_path_returns_key_and_replaces_file(
        self, store: BlobStore, tmp_path: Path
    ) -> None:
        store.put("key", b"stored value")
        target = tmp_path / "target"
        target.write_bytes(b"older and longer content that must disappear")
        assert store.get_file("key", str(target)) == "key"
        assert target.read_bytes() == b"stored value"
        other = tmp_path / "other"
        assert store.get_file("key", other) == "key"
        assert other.read_bytes() == b"stored value"

    def test_get_file_to_file_object_returns_key(self, store: BlobStore, tmp_path: Path) -> None:
        store.put("key", b"stored value")
        buffer = io.BytesIO()
        buffer.write(b"head:")
        assert store.get_file("key", buffer) == "key"
        assert buffer.getvalue() == b"head:stored value"
        with open(tmp_path / "out", "wb") as out:
            assert store.get_file("key", out) == "key"
        assert (tmp_path / "out").read_bytes() == b"stored value"

    # --------------------------------------------------------------- delete / in
    def test_delete_removes_key(self, store: BlobStore) -> None:
        store.put("a", b"1")
        store.put("b", b"2")
        assert untyped(store).delete("a") is None
        assert "a" not in store
        with pytest.raises(KeyError):
            store.get("a")
        assert store.keys() == ["b"]

    def test_delete_missing_key_is_noop(self, store: BlobStore) -> None:
        store.put("present", b"1")
        store.delete("missing")
        store.delete("missing")
        assert store.keys() == ["present"]

    def test_contains(self, store: BlobStore) -> None:
        assert "k" not in store
        store.put("k", b"")
        assert "k" in store
        assert "k2" not in store
        assert "K" not in store

    # --------------------------------------------------------------- listing
    def test_keys_iter_keys_and_iter(self, store: BlobStore) -> None:
        for key in ("a", "ab", "abc", "b", "ba"):
            store.put(key, key.encode())
        assert sorted(store.keys()) == ["a", "ab", "abc", "b", "ba"]
        assert sorted(store.iter_keys()) == ["a", "ab", "abc", "b", "ba"]
        assert sorted(store) == ["a", "ab", "abc", "b", "ba"]
        assert sorted(store.keys("a")) == ["a", "ab", "abc"]
        assert sorted(store.iter_keys("ab")) == ["ab", "abc"]
        assert store.keys("c") == []
        assert store.keys("abcd") == []

    def test_iter_prefixes_documented_example(self, store: BlobStore) -> None:
        for key in ITER_PREFIXES_KEYS + ITER_PREFIXES_KEYS_2:
            store.put(key, b"")
        top = _assert_unique(list(store.iter_prefixes("X")))
        assert top == {"X", "a1X", "a2X", "a3", "a4X"}
        nested = _assert_unique(list(store.iter_prefixes("X", prefix="a4X")))
        assert nested == {"a4Xb1X", "a4Xb2X", "a4Xb3"}
        assert _assert_unique(list(store.iter_prefixes("X", "a4Xb1X"))) == {
            "a4Xb1Xc1",
            "a4Xb1Xc2",
        }
        assert list(store.iter_prefixes("X", "zzz")) == []

    def test_iter_prefixes_with_multi_character_delimiter(self, store: BlobStore) -> None:
        for key in ("a--b", "a--c--d", "a-b", "b"):
            store.put(key, b"")
        assert _assert_unique(list(store.iter_prefixes("--"))) == {"a--", "a-b", "b"}

    @pytest.mark.parametrize("delimiter", ["", None, 1])
    def test_iter_prefixes_rejects_bad_delimiter(self, store: BlobStore, delimiter: object) -> None:
        store.put("aXb", b"")
        with pytest.raises(ValueError, match=r"."):
            list(store.iter_prefixes(untyped(delimiter)))

    # --------------------------------------------------------------- batch calls
    def test_get_many_returns_existing_values_only(self, store: BlobStore) -> None:
        store.put("a", b"1")
        store.put("b", b"")
        assert store.get_many(["a", "missing", "b"]) == {"a": b"1", "b": b""}
        assert store.get_many([]) == {}
        assert store.get_many(iter(["a"])) == {"a": b"1"}

    def test_put_many_returns_keys_in_order(self, store: BlobStore) -> None:
        assert store.put_many({"b": b"2", "a": b"1"}) == ["b", "a"]
        assert store.put_many([("c", b"3"), ("a", b"one")]) == ["c", "a"]
        assert store.put_many([]) == []
        assert snapshot(store) == {"a": b"one", "b": b"2", "c": b"3"}

    def test_delete_many_ignores_missing_keys(self, store: BlobStore) -> None:
        store.put_many({"a": b"1", "b": b"2", "c": b"3"})
        assert untyped(store).delete_many(["a", "missing", "c"]) is None
        store.delete_many([])
        assert store.keys() == ["b"]

    # --------------------------------------------------------------- metadata
    def test_metadata_size(self, store: BlobStore) -> None:
        store.put("k", b"12345")
        store.put("empty", b"")
        meta = store.metadata("k")
        assert meta.key == "k"
        assert meta.size == 5
        assert store.metadata("empty").size == 0
        if meta.last_modified is not None:
            assert meta.last_modified.tzinfo is not None
        if meta.etag is not None:
            assert isinstance(meta.etag, str)

    # --------------------------------------------------------------- open
    def test_open_is_readable_and_seekable(self, store: BlobStore) -> None:
        store.put("k", b"0123456789")
        with store.open("k") as file:
            assert file.readable()
            assert file.seekable()
            assert file.read() == b"0123456789"

    def test_open_reads_consecutive_slices(self, store: BlobStore) -> None:
        store.put("k", b"0123456789")
        with store.open("k") as file:
            assert file.read(3) == b"012"
            assert file.read(4) == b"3456"
            assert file.tell() == 7
            assert file.read(0) == b""
            assert file.read(100) == b"789"
            assert file.read(1) == b""
            assert file.read() == b""

    def test_open_seek_returns_new_position(self, store: BlobStore) -> None:
        store.put("k", b"0123456789")
        with store.open("k") as file:
            assert file.seek(4) == 4
            assert file.read(2) == b"45"
            assert file.seek(-3, os.SEEK_CUR) == 3
            assert file.read(1) == b"3"
            assert file.seek(-2, os.SEEK_END) == 8
            assert file.read() == b"89"
            assert file.seek(0, os.SEEK_END) == 10
            assert file.seek(0) == 0
            assert file.read(1) == b"0"

    def test_open_seek_before_start_raises_os_error(self, store: BlobStore) -> None:
        store.put("k", b"0123456789")
        with store.open("k") as file:
            file.seek(5)
            with pytest.raises(OSError):  # noqa: PT011 - any OSError is the contract
                file.seek(-1)
            assert file.tell() == 5
            with pytest.raises(OSError):  # noqa: PT011
                file.seek(-6, os.SEEK_CUR)
            with pytest.raises(OSError):  # noqa: PT011
                file.seek(-11, os.SEEK_END)
            assert file.tell() == 5
            assert file.read(1) == b"5"

    def test_open_seek_past_end_then_read_is_empty(self, store: BlobStore) -> None:
        store.put("k", b"0123456789")
        with store.open("k") as file:
            assert file.seek(100) == 100
            assert file.read() == b""
            assert file.read(5) == b""
            assert file.seek(5, os.SEEK_END) == 15
            assert file.read() == b""

    def test_open_after_close_raises_value_error(self, store: BlobStore) -> None:
        store.put("k", b"0123456789")
        file = store.open("k")
        file.read(2)
        file.close()
        assert file.closed
        calls: list[Callable[[], object]] = [
            lambda: file.read(),
            lambda: file.read(1),
            lambda: file.seek(0),
            lambda: file.tell(),
        ]
        for call in calls:
            with pytest.raises(ValueError, match=r"."):
                call()

    def test_open_context_manager_closes(self, store: BlobStore) -> None:
        store.put("k", b"v")
        with store.open("k") as file:
            assert not file.closed
        assert file.closed

    def test_open_empty_value(self, store: BlobStore) -> None:
        store.put("k", b"")
        with store.open("k") as file:
            assert file.read() == b""
            assert file.seek(0, os.SEEK_END) == 0

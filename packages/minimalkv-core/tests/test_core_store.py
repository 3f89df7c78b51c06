"""The KeyValueStore base class: public methods and the default hooks built on few overrides."""

from __future__ import annotations

import io
import os
import pathlib
from collections.abc import Callable, Iterator
from typing import IO

import pytest
from minimalkv import (
    PORTABLE_KEY_LENGTH,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidValueError,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
)
from minimalkv.backend import BytesReader, ReadableBinary


class StreamStore(KeyValueStore):
    """The minimal backend of minimalkv 1.x: only _delete, iter_keys, _open and _put_file."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.close_calls = 0

    def _delete(self, key: str) -> None:
        self.data.pop(key, None)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return iter([key for key in sorted(self.data) if key.startswith(prefix)])

    def _open(self, key: str) -> IO[bytes]:
        try:
            return io.BytesIO(self.data[key])
        except KeyError:
            raise KeyNotFoundError.for_key(key) from None

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        buffer = bytearray()
        while chunk := file.read(7):  # small chunks: the content arrives in pieces
            buffer += chunk
        self.data[key] = bytes(buffer)
        return key

    def close(self) -> None:
        self.close_calls += 1


class ValueStore(KeyValueStore):
    """The other minimal backend: only _get, _put, _delete and iter_keys."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.close_calls = 0

    def _delete(self, key: str) -> None:
        self.data.pop(key, None)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return iter([key for key in sorted(self.data) if key.startswith(prefix)])

    def _get(self, key: str) -> bytes:
        try:
            return self.data[key]
        except KeyError:
            raise KeyNotFoundError.for_key(key) from None

    def _put(self, key: str, data: bytes) -> str:
        self.data[key] = data
        return key

    def close(self) -> None:
        self.close_calls += 1


MinimalStore = StreamStore | ValueStore


@pytest.fixture(params=[StreamStore, ValueStore])
def store(request: pytest.FixtureRequest) -> MinimalStore:
    cls: type[MinimalStore] = request.param
    return cls()


INVALID_KEYS: list[object] = ["", "a b", "a/b", "key\n", "..", "ä", b"bytes", 42, None]


# ----------------------------------------------------------------- get / put / delete
def test_put_returns_the_key_and_get_returns_the_value(store: MinimalStore) -> None:
    assert store.put("key", b"value") == "key"
    assert store.get("key") == b"value"
    assert store.put("key", b"other") == "key"
    assert store.get("key") == b"other"


def test_empty_value_and_longest_key_round_trip(store: MinimalStore) -> None:
    long_key = "k" * PORTABLE_KEY_LENGTH
    store.put(long_key, b"")
    assert store.get(long_key) == b""
    assert long_key in store


def test_get_missing_key_raises_key_error(store: MinimalStore) -> None:
    with pytest.raises(KeyNotFoundError) as info:
        store.get("missing")
    assert isinstance(info.value, KeyError)


def test_delete(store: MinimalStore) -> None:
    store.put("key", b"v")
    store.delete("key")
    assert "key" not in store
    store.delete("key")  # a missing key is not an error
    store.delete("never-there")


@pytest.mark.parametrize("value", ["text", 1, None, ["b"], bytearray(b"x")])
def test_put_non_bytes_raises_invalid_value_and_changes_nothing(
    store: MinimalStore, value: object
) -> None:
    store.put("key", b"old")
    with pytest.raises(InvalidValueError) as info:
        store.put("key", value)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, OSError)
    with pytest.raises(InvalidValueError):
        store.put("new", value)  # type: ignore[arg-type]
    assert store.data == {"key": b"old"}


def test_put_str_value_message_suggests_encoding(store: MinimalStore) -> None:
    with pytest.raises(InvalidValueError, match="encode"):
        store.put("key", "text")  # type: ignore[arg-type]


@pytest.mark.parametrize("key", INVALID_KEYS)
def test_every_method_validates_the_key(store: MinimalStore, key: str, tmp_path: Path) -> None:
    store.put("good", b"v")
    target = tmp_path / "target"
    calls: list[Callable[[], object]] = [
        lambda: store.get(key),
        lambda: store.put(key, b"v"),
        lambda: store.put_file(key, io.BytesIO(b"v")),
        lambda: store.get_file(key, io.BytesIO()),
        lambda: store.get_file(key, str(target)),
        lambda: store.open(key),
        lambda: store.delete(key),
        lambda: key in store,
        lambda: store.metadata(key),
        lambda: store.get_many(["good", key]),
        lambda: store.put_many([("good2", b"v"), (key, b"v")]),
        lambda: store.delete_many(["good", key]),
    ]
    for call in calls:
        with pytest.raises(InvalidKeyError) as info:
            call()
        assert isinstance(info.value, ValueError)
    assert store.data == {"good": b"v"}
    assert not target.exists()


def test_open_reads_the_value(store: MinimalStore) -> None:
    store.put("key", b"0123456789")
    with store.open("key") as file:
        assert file.read(3) == b"012"
        assert file.read() == b"3456789"
    with pytest.raises(KeyNotFoundError):
        store.open("missing")


def test_default_open_keeps_the_open_contract() -> None:
    store = ValueStore()
    store.put("key", b"0123456789")
    file = store.open("key")
    assert file.readable()
    assert file.seekable()
    assert file.seek(4) == 4
    assert file.read(2) == b"45"
    with pytest.raises(OSError):  # noqa: PT011 - the contract names only OSError
        file.seek(-1)
    assert file.tell() == 6
    assert file.seek(100) == 100
    assert file.read() == b""
    file.close()
    for after_close in (file.read, file.tell, lambda: file.seek(0)):
        with pytest.raises(ValueError):  # noqa: PT011 - the contract names only ValueError
            after_close()


# ----------------------------------------------------------------- put_file / get_file
Path = pathlib.Path


@pytest.mark.parametrize("as_type", [str, pathlib.Path])
def test_put_file_from_a_path_keeps_the_file(
    store: MinimalStore, tmp_path: Path, as_type: type[str] | type[Path]
) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(b"content of the file" * 3)
    assert store.put_file("key", as_type(source)) == "key"
    assert store.get("key") == b"content of the file" * 3
    assert source.read_bytes() == b"content of the file" * 3


def test_put_file_from_a_binary_file_reads_from_its_position(
    store: MinimalStore, tmp_path: Path
) -> None:
    assert store.put_file("key", io.BytesIO(b"abcdefghijklmnop")) == "key"
    assert store.get("key") == b"abcdefghijklmnop"
    source = tmp_path / "source.bin"
    source.write_bytes(b"0123456789")
    with source.open("rb") as file:
        file.seek(3)
        assert store.put_file("other", file) == "other"
    assert store.get("other") == b"3456789"
    assert source.read_bytes() == b"0123456789"


def test_put_file_from_a_missing_path_raises_and_stores_nothing(
    store: MinimalStore, tmp_path: Path
) -> None:
    with pytest.raises(FileNotFoundError):
        store.put_file("key", tmp_path / "nope")
    assert store.data == {}


def test_put_file_from_a_text_mode_file_is_refused(store: MinimalStore, tmp_path: Path) -> None:
    source = tmp_path / "text.txt"
    source.write_text("some text")
    with source.open("r") as text_file, pytest.raises(InvalidValueError):
        store.put_file("key", text_file)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError):
        store.put_file("key", io.StringIO("text"))  # type: ignore[arg-type]
    assert store.data == {}


@pytest.mark.parametrize("bad", [42, None, b"bytes are not a file", object()])
def test_put_file_from_a_non_file_is_refused(store: MinimalStore, bad: object) -> None:
    with pytest.raises(InvalidValueError):
        store.put_file("key", bad)  # type: ignore[arg-type]
    assert store.data == {}


@pytest.mark.parametrize("as_type", [str, pathlib.Path])
def test_get_file_to_a_path(
    store: MinimalStore, tmp_path: Path, as_type: type[str] | type[Path]
) -> None:
    store.put("key", b"the value")
    target = tmp_path / "out.bin"
    assert store.get_file("key", as_type(target)) == "key"
    assert target.read_bytes() == b"the value"
    store.put("key", b"new")
    store.get_file("key", as_type(target))
    assert target.read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == ["out.bin"]


def test_get_file_to_a_binary_file(store: MinimalStore) -> None:
    store.put("key", b"x" * 100)
    out = io.BytesIO()
    out.write(b"head:")
    assert store.get_file("key", out) == "key"
    assert out.getvalue() == b"head:" + b"x" * 100


def test_get_file_of_a_missing_key_leaves_no_file(store: MinimalStore, tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with pytest.raises(KeyNotFoundError):
        store.get_file("missing", target)
    assert os.listdir(tmp_path) == []
    target.write_bytes(b"keep me")
    with pytest.raises(KeyError):
        store.get_file("missing", str(target))
    assert target.read_bytes() == b"keep me"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_get_file_to_a_text_mode_file_is_refused(store: MinimalStore, tmp_path: Path) -> None:
    store.put("key", b"value")
    with (tmp_path / "out.txt").open("w") as text_file, pytest.raises(InvalidValueError):
        store.get_file("key", text_file)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [42, None, object()])
def test_get_file_to_a_non_file_is_refused(store: MinimalStore, bad: object) -> None:
    store.put("key", b"value")
    with pytest.raises(InvalidValueError):
        store.get_file("key", bad)  # type: ignore[arg-type]


class _BreaksMidway(io.RawIOBase):
    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        self.calls += 1
        if self.calls > 1:
            raise OSError("connection dropped")
        buffer[:4] = b"part"
        return 4


class FailingReadStore(StreamStore):
    """A backend whose value stream fails after the first bytes."""

    def _open(self, key: str) -> IO[bytes]:
        if key not in self.data:
            raise KeyNotFoundError.for_key(key)
        return io.BufferedReader(_BreaksMidway(), buffer_size=4)


def test_get_file_to_a_path_is_atomic(tmp_path: Path) -> None:
    store = FailingReadStore()
    store.data["key"] = b"whatever"
    target = tmp_path / "out.bin"
    target.write_bytes(b"previous content")
    with pytest.raises(OSError, match="connection dropped"):
        store.get_file("key", target)
    assert target.read_bytes() == b"previous content"
    assert os.listdir(tmp_path) == ["out.bin"]
    with pytest.raises(OSError, match="connection dropped"):
        store.get_file("key", tmp_path / "fresh.bin")
    assert os.listdir(tmp_path) == ["out.bin"]


# ----------------------------------------------------------------- listing
ORIGINAL_KEYS = ["X", "a1Xb1", "a2X", "a2Xb1", "a3", "a4Xb1Xc1", "a4Xb1Xc2", "a4Xb2Xc1", "a4Xb3"]


def _fill(store: MinimalStore, keys: list[str]) -> None:
    for key in keys:
        store.put(key, key.encode())


def test_iter_prefixes_as_the_original_documents(store: MinimalStore) -> None:
    _fill(store, ORIGINAL_KEYS)
    assert sorted(store.iter_prefixes("X")) == ["X", "a1X", "a2X", "a3", "a4X"]
    assert sorted(store.iter_prefixes("X", prefix="a4X")) == ["a4Xb1X", "a4Xb2X", "a4Xb3"]
    assert sorted(store.iter_prefixes("X", "a4X")) == ["a4Xb1X", "a4Xb2X", "a4Xb3"]
    assert list(store.iter_prefixes("X", prefix="zzz")) == []


def test_iter_prefixes_yields_each_prefix_once_and_is_an_iterator(store: MinimalStore) -> None:
    _fill(store, ORIGINAL_KEYS)
    result = store.iter_prefixes("X")
    assert iter(result) is result
    values = list(result)
    assert len(values) == len(set(values))


def test_iter_prefixes_with_a_multi_character_delimiter(store: MinimalStore) -> None:
    _fill(store, ["a--b", "a--c--d", "b-c", "c--"])
    assert sorted(store.iter_prefixes("--")) == ["a--", "b-c", "c--"]
    assert sorted(store.iter_prefixes("--", "a--")) == ["a--b", "a--c--"]


@pytest.mark.parametrize("delimiter", ["", None, b"X", 1])
def test_iter_prefixes_refuses_a_bad_delimiter(store: MinimalStore, delimiter: object) -> None:
    _fill(store, ORIGINAL_KEYS)
    with pytest.raises(InvalidArgumentError) as info:
        store.iter_prefixes(delimiter)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)


def test_iter_prefixes_refuses_a_non_str_prefix(store: MinimalStore) -> None:
    with pytest.raises(InvalidArgumentError):
        store.iter_prefixes("X", prefix=None)  # type: ignore[arg-type]


def test_keys_iter_keys_and_iteration(store: MinimalStore) -> None:
    _fill(store, ORIGINAL_KEYS)
    keys = store.keys()
    assert isinstance(keys, list)
    assert sorted(keys) == sorted(ORIGINAL_KEYS)
    assert sorted(store.keys("a4")) == ["a4Xb1Xc1", "a4Xb1Xc2", "a4Xb2Xc1", "a4Xb3"]
    assert sorted(store.iter_keys("a2")) == ["a2X", "a2Xb1"]
    assert sorted(store) == sorted(ORIGINAL_KEYS)
    assert store.keys("nothing") == []


def test_contains(store: MinimalStore) -> None:
    _fill(store, ["ab", "abc"])
    assert "ab" in store
    assert "abc" in store
    assert "a" not in store
    assert "abcd" not in store


# ----------------------------------------------------------------- batch calls
def test_get_many_leaves_missing_keys_out(store: MinimalStore) -> None:
    _fill(store, ["a", "b"])
    assert store.get_many(["a", "missing", "b"]) == {"a": b"a", "b": b"b"}
    assert store.get_many(iter([])) == {}


def test_put_many_accepts_a_mapping_or_pairs_and_returns_the_keys(store: MinimalStore) -> None:
    assert store.put_many({"a": b"1", "b": b"2"}) == ["a", "b"]
    assert store.put_many([("c", b"3"), ("a", b"4")]) == ["c", "a"]
    assert store.put_many(iter([("d", b"5")])) == ["d"]
    assert store.data == {"a": b"4", "b": b"2", "c": b"3", "d": b"5"}


@pytest.mark.parametrize(
    "items",
    [
        [("a", b"1"), ("bad key", b"2")],
        [("a", b"1"), ("b", "not bytes")],
        [("a", b"1"), ("b",)],
        [("a", b"1"), "ab"],
        {"a": b"1", "b//": b"2"},
    ],
)
def test_put_many_validates_everything_before_writing(
    store: MinimalStore, items: list[object] | dict[str, bytes]
) -> None:
    store.put("a", b"old")
    with pytest.raises((ValueError, TypeError)):
        store.put_many(items)  # type: ignore[arg-type]
    assert store.data == {"a": b"old"}


def test_put_many_with_a_bad_value_raises_invalid_value(store: MinimalStore) -> None:
    with pytest.raises(InvalidValueError):
        store.put_many([("a", b"1"), ("b", "text")])  # type: ignore[list-item]
    assert store.data == {}


def test_delete_many(store: MinimalStore) -> None:
    _fill(store, ["a", "b", "c"])
    store.delete_many(["a", "missing", "c"])
    assert store.data == {"b": b"b"}
    with pytest.raises(InvalidKeyError):
        store.delete_many(["b", "no good"])
    assert store.data == {"b": b"b"}


# ----------------------------------------------------------------- metadata, close
def test_metadata_reports_the_size(store: MinimalStore) -> None:
    store.put("key", b"12345")
    store.put("empty", b"")
    meta = store.metadata("key")
    assert isinstance(meta, KeyMetadata)
    assert meta.key == "key"
    assert meta.size == 5
    assert store.metadata("empty").size == 0
    with pytest.raises(KeyNotFoundError):
        store.metadata("missing")


def test_context_manager_calls_close(store: MinimalStore) -> None:
    with store as entered:
        assert entered is store
        assert store.close_calls == 0
    assert store.close_calls == 1


def test_context_manager_calls_close_on_error(store: MinimalStore) -> None:
    with pytest.raises(RuntimeError), store:
        raise RuntimeError("inside")
    assert store.close_calls == 1


def test_base_close_is_a_harmless_no_op() -> None:
    class Plain(ValueStore):
        close = KeyValueStore.close

    plain = Plain()
    plain.close()
    plain.close()
    with plain:
        plain.put("k", b"v")
    assert plain.get("k") == b"v"


def test_default_open_is_a_bytes_reader() -> None:
    store = ValueStore()
    store.put("k", b"v")
    assert isinstance(store.open("k"), BytesReader)

"""CopyMixin, UrlMixin, TimeToLiveMixin and ExtendedKeyspaceMixin on minimal test backends."""

from __future__ import annotations

import io
import math
import pathlib
from collections.abc import Iterator
from typing import IO

import pytest
from minimalkv import (
    FOREVER,
    NOT_SET,
    CopyMixin,
    ExtendedKeyspaceMixin,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidValueError,
    KeyNotFoundError,
    KeyValueStore,
    TimeToLiveMixin,
    TtlArgument,
    UrlKeyValueStore,
    UrlMixin,
)
from minimalkv.backend import ReadableBinary, normalize_ttl


class _DataStore(CopyMixin, KeyValueStore):
    """A dict ``data`` with ``_delete`` and ``iter_keys``; subclasses add the value hooks."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def _delete(self, key: str) -> None:
        self.data.pop(key, None)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return iter([key for key in sorted(self.data) if key.startswith(prefix)])


class StreamCopyStore(_DataStore):
    """Only the four hooks minimalkv 1.x requires; copy and move come from the defaults."""

    def _open(self, key: str) -> IO[bytes]:
        if key not in self.data:
            raise KeyNotFoundError.for_key(key)
        return io.BytesIO(self.data[key])

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        self.data[key] = file.read()
        return key


class ValueCopyStore(_DataStore):
    """Only _get, _put, _delete and iter_keys."""

    def _get(self, key: str) -> bytes:
        if key not in self.data:
            raise KeyNotFoundError.for_key(key)
        return self.data[key]

    def _put(self, key: str, data: bytes) -> str:
        self.data[key] = data
        return key


CopyStore = StreamCopyStore | ValueCopyStore


@pytest.fixture(params=[StreamCopyStore, ValueCopyStore])
def copy_store(request: pytest.FixtureRequest) -> CopyStore:
    cls: type[CopyStore] = request.param
    return cls()


# ----------------------------------------------------------------- CopyMixin
def test_copy_returns_dest_and_overwrites(copy_store: CopyStore) -> None:
    copy_store.put("src", b"source")
    copy_store.put("dst", b"old")
    assert copy_store.copy("src", "dst") == "dst"
    assert copy_store.data == {"src": b"source", "dst": b"source"}
    assert copy_store.copy("src", "new") == "new"
    assert copy_store.get("new") == b"source"


def test_copy_onto_itself_keeps_the_value(copy_store: CopyStore) -> None:
    copy_store.put("k", b"v")
    assert copy_store.copy("k", "k") == "k"
    assert copy_store.get("k") == b"v"


def test_move_returns_dest_and_removes_source(copy_store: CopyStore) -> None:
    copy_store.put("src", b"source")
    copy_store.put("dst", b"old")
    assert copy_store.move("src", "dst") == "dst"
    assert copy_store.data == {"dst": b"source"}


def test_move_onto_itself_keeps_the_value(copy_store: CopyStore) -> None:
    copy_store.put("k", b"v")
    assert copy_store.move("k", "k") == "k"
    assert copy_store.data == {"k": b"v"}


@pytest.mark.parametrize("method", ["copy", "move"])
def test_copy_and_move_of_a_missing_source(copy_store: CopyStore, method: str) -> None:
    copy_store.put("dst", b"old")
    with pytest.raises(KeyNotFoundError):
        getattr(copy_store, method)("missing", "dst")
    assert copy_store.data == {"dst": b"old"}


@pytest.mark.parametrize("method", ["copy", "move"])
@pytest.mark.parametrize(("source", "dest"), [("bad key", "dst"), ("src", "bad key"), ("src", "")])
def test_copy_and_move_validate_both_keys(
    copy_store: CopyStore, method: str, source: str, dest: str
) -> None:
    copy_store.put("src", b"v")
    with pytest.raises(InvalidKeyError):
        getattr(copy_store, method)(source, dest)
    assert copy_store.data == {"src": b"v"}


# ----------------------------------------------------------------- UrlMixin
class UrlStore(UrlMixin, ValueCopyStore):
    def _url_for(self, key: str) -> str:
        return f"https://example.invalid/{key}"


def test_url_for_validates_but_does_not_check_existence() -> None:
    store = UrlStore()
    assert store.url_for("not-stored") == "https://example.invalid/not-stored"
    with pytest.raises(InvalidKeyError):
        store.url_for("no good")


def test_url_key_value_store_is_a_url_mixin_store() -> None:
    assert issubclass(UrlKeyValueStore, UrlMixin)
    assert issubclass(UrlKeyValueStore, KeyValueStore)

    class Legacy(UrlKeyValueStore, ValueCopyStore):
        def _url_for(self, key: str) -> str:
            return "mem://" + key

    assert Legacy().url_for("k") == "mem://k"


# ----------------------------------------------------------------- ExtendedKeyspaceMixin
class ExtendedStore(ExtendedKeyspaceMixin, ValueCopyStore):
    pass


def test_extended_keyspace_mixin_widens_keys() -> None:
    store = ExtendedStore()
    assert store.extended_keys is True
    store.put("a/b c", b"v")
    assert store.get("a/b c") == b"v"
    assert store.copy("a/b c", "x/y") == "x/y"
    for bad in ["/", "/a", "a/", "a//b", "../x", "a/./b"]:
        with pytest.raises(InvalidKeyError):
            store.put(bad, b"v")
    assert ValueCopyStore.extended_keys is False


# ----------------------------------------------------------------- TimeToLiveMixin
class TtlStore(TimeToLiveMixin, KeyValueStore):
    """Records the TTL each write received."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.ttls: dict[str, float | None] = {}

    def _delete(self, key: str) -> None:
        self.data.pop(key, None)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return iter([key for key in sorted(self.data) if key.startswith(prefix)])

    def _get(self, key: str) -> bytes:
        if key not in self.data:
            raise KeyNotFoundError.for_key(key)
        return self.data[key]

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.data[key] = data
        self.ttls[key] = ttl_secs
        return key


class TtlFileStore(TtlStore):
    """Overrides _put_file too, to see what put_file passes on."""

    def __init__(self) -> None:
        super().__init__()
        self.file_calls: list[tuple[str, float | None]] = []

    def _put_file(self, key: str, file: ReadableBinary, ttl_secs: float | None = None) -> str:
        self.file_calls.append((key, ttl_secs))
        return self._put(key, file.read(), ttl_secs)


@pytest.mark.parametrize(
    ("given", "default", "expected"),
    [
        (None, NOT_SET, None),
        (None, FOREVER, None),
        (None, None, None),
        (None, 30, 30.0),
        (None, 0.25, 0.25),
        (FOREVER, 30, None),
        (NOT_SET, 30, None),
        (5, NOT_SET, 5.0),
        (0.5, NOT_SET, 0.5),
        (1e-3, NOT_SET, 1e-3),
    ],
)
def test_normalize_ttl(given: TtlArgument, default: TtlArgument, expected: float | None) -> None:
    result = normalize_ttl(given, default)
    assert result == expected
    if expected is not None:
        assert isinstance(result, float)


@pytest.mark.parametrize(
    "bad", [0, 0.0, -1, -0.5, math.nan, math.inf, -math.inf, True, False, "abc", "5", b"5", [5]]
)
def test_normalize_ttl_refuses(bad: object) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        normalize_ttl(bad)
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError will do for a bad default
        normalize_ttl(None, bad)


def test_ttl_constants() -> None:
    assert FOREVER == "forever"
    assert NOT_SET == "not_set"
    assert TimeToLiveMixin.ttl_support is True
    assert TimeToLiveMixin.default_ttl_secs == NOT_SET


def test_put_passes_the_ttl_to_put_hook() -> None:
    store = TtlStore()
    assert store.put("a", b"1") == "a"
    assert store.put("b", b"2", 10) == "b"  # positional, as the original allowed
    assert store.put("c", b"3", ttl_secs=0.5) == "c"
    assert store.put("d", b"4", ttl_secs=FOREVER) == "d"
    assert store.put("e", b"5", ttl_secs=NOT_SET) == "e"
    assert store.ttls == {"a": None, "b": 10.0, "c": 0.5, "d": None, "e": None}


def test_default_ttl_secs_applies_when_none() -> None:
    store = TtlStore()
    store.default_ttl_secs = 60
    store.put("a", b"1")
    store.put("b", b"1", None)
    store.put("c", b"1", FOREVER)
    store.put("d", b"1", 2)
    assert store.ttls == {"a": 60.0, "b": 60.0, "c": None, "d": 2.0}


@pytest.mark.parametrize("bad", [0, -1, "abc", math.nan, True])
def test_bad_ttl_is_refused_before_anything_is_written(bad: object, tmp_path: pathlib.Path) -> None:
    store = TtlFileStore()
    source = tmp_path / "f"
    source.write_bytes(b"x")
    with pytest.raises(ValueError):  # noqa: PT011
        store.put("a", b"1", bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # noqa: PT011
        store.put_file("a", io.BytesIO(b"1"), bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # noqa: PT011
        store.put_file("a", source, bad)  # type: ignore[arg-type]
    assert store.data == {}
    assert store.file_calls == []


def test_ttl_put_validates_key_and_value() -> None:
    store = TtlStore()
    with pytest.raises(InvalidKeyError):
        store.put("bad key", b"1", 5)
    with pytest.raises(InvalidValueError):
        store.put("a", "text", 5)  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError):
        store.put_file("bad key", io.BytesIO(b"1"), 5)
    with pytest.raises(InvalidValueError):
        store.put_file("a", 42, 5)  # type: ignore[arg-type]
    assert store.data == {}


def test_put_file_passes_the_ttl_for_a_file_object() -> None:
    store = TtlFileStore()
    assert store.put_file("a", io.BytesIO(b"abc"), 7) == "a"
    assert store.put_file("b", io.BytesIO(b"def")) == "b"
    assert store.file_calls == [("a", 7.0), ("b", None)]
    assert store.data == {"a": b"abc", "b": b"def"}


@pytest.mark.parametrize("as_type", [str, pathlib.Path])
def test_put_file_passes_the_ttl_for_a_path(
    tmp_path: pathlib.Path, as_type: type[str] | type[pathlib.Path]
) -> None:
    store = TtlFileStore()
    source = tmp_path / "source.bin"
    source.write_bytes(b"from a path")
    assert store.put_file("a", as_type(source), 2.5) == "a"
    assert store.file_calls == [("a", 2.5)]
    assert store.ttls == {"a": 2.5}
    assert store.data == {"a": b"from a path"}
    assert source.read_bytes() == b"from a path"


def test_default_ttl_put_file_goes_through_put() -> None:
    store = TtlStore()
    store.default_ttl_secs = 3
    assert store.put_file("a", io.BytesIO(b"abc")) == "a"
    assert store.ttls == {"a": 3.0}
    assert store.data == {"a": b"abc"}


def test_ttl_put_file_refuses_a_text_mode_file() -> None:
    store = TtlFileStore()
    with pytest.raises(InvalidValueError):
        store.put_file("a", io.StringIO("text"), 5)  # type: ignore[arg-type]
    assert store.data == {}


def test_ttl_store_batch_and_copy_defaults_still_work() -> None:
    store = TtlStore()
    assert store.put_many({"a": b"1", "b": b"2"}) == ["a", "b"]
    assert store.get_many(["a", "b"]) == {"a": b"1", "b": b"2"}
    assert store.ttls == {"a": None, "b": None}

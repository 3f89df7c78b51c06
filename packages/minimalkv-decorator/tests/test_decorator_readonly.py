"""ReadOnlyDecorator: every read works, every write is refused before it reaches the store."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from minimalkv import (
    NOT_SET,
    BlobStore,
    KeyMetadata,
    KeyNotFoundError,
    MinimalKVError,
    ReadOnlyError,
    StoreCapabilities,
    SupportsCopy,
    SupportsTtl,
    TimeToLiveMixin,
    UrlMixin,
    capabilities_of,
)
from minimalkv.decorator import PrefixDecorator, ReadOnlyDecorator
from minimalkv.fs import FilesystemStore
from minimalkv.memory import DictStore, HDictStore


class Recording(UrlMixin, HDictStore):
    """Records every hook call, to prove a refused write never reaches the store."""

    def __init__(self) -> None:
        super().__init__({"a": b"1", "dir/b": b"2", "dir/c": b"3"})
        self.writes: list[str] = []

    def _url_for(self, key: str) -> str:
        return "memory://" + key

    def put(self, key: str, data: bytes) -> str:
        self.writes.append("put")
        return super().put(key, data)

    def _put(self, key: str, data: bytes) -> str:
        self.writes.append("_put")
        return super()._put(key, data)

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        self.writes.append("_put_many")
        return super()._put_many(pairs)

    def _delete(self, key: str) -> None:
        self.writes.append("_delete")
        super()._delete(key)

    def _delete_many(self, keys: list[str]) -> None:
        self.writes.append("_delete_many")
        super()._delete_many(keys)

    def _copy(self, source: str, dest: str) -> str:
        self.writes.append("_copy")
        return super()._copy(source, dest)

    def _move(self, source: str, dest: str) -> str:
        self.writes.append("_move")
        return super()._move(source, dest)


def test_every_reading_call_works(tmp_path: Path) -> None:
    inner = Recording()
    store = ReadOnlyDecorator(inner)
    assert store.get("a") == b"1"
    with store.open("dir/b") as file:
        assert file.read() == b"2"
    target = io.BytesIO()
    assert store.get_file("a", target) == "a"
    assert target.getvalue() == b"1"
    assert store.get_file("a", tmp_path / "out") == "a"
    assert (tmp_path / "out").read_bytes() == b"1"
    assert "a" in store
    assert "zz" not in store
    assert sorted(store.keys()) == ["a", "dir/b", "dir/c"]
    assert sorted(store.iter_keys("dir/")) == ["dir/b", "dir/c"]
    assert sorted(store) == ["a", "dir/b", "dir/c"]
    assert sorted(store.iter_prefixes("/")) == ["a", "dir/"]
    assert store.url_for("dir/b") == "memory://dir/b"
    assert store.metadata("a") == KeyMetadata(key="a", size=1)
    assert store.get_many(["a", "dir/c", "none"]) == {"a": b"1", "dir/c": b"3"}
    with pytest.raises(KeyNotFoundError):
        store.get("none")
    assert inner.writes == []


WRITES: list[tuple[str, Callable[[ReadOnlyDecorator[Recording]], object]]] = [
    ("put('a')", lambda store: store.put("a", b"new")),
    ("put('bad key!\\n')", lambda store: store.put("bad key!\n", b"")),
    ("put('a')", lambda store: store.put("a", "not bytes")),  # type: ignore[arg-type]
    ("put_file('f')", lambda store: store.put_file("f", io.BytesIO(b"x"))),
    ("delete('a')", lambda store: store.delete("a")),
    ("delete('none')", lambda store: store.delete("none")),
    ("copy('a', 'b')", lambda store: store.copy("a", "b")),  # type: ignore[arg-type]  # refused by mypy too; the run-time refusal is tested here
    ("move('a', 'b')", lambda store: store.move("a", "b")),  # type: ignore[arg-type]  # refused by mypy too; the run-time refusal is tested here
    ("put_many()", lambda store: store.put_many({"a": b"x"})),
    ("delete_many()", lambda store: store.delete_many(["a"])),
]


@pytest.mark.parametrize(("message", "write"), WRITES, ids=[message for message, _ in WRITES])
def test_every_write_is_refused_before_reaching_the_store(
    message: str, write: Callable[[ReadOnlyDecorator[Recording]], object]
) -> None:
    inner = Recording()
    before = dict(inner.d)
    store = ReadOnlyDecorator(inner)
    with pytest.raises(ReadOnlyError) as caught:
        write(store)
    assert isinstance(caught.value, PermissionError)
    assert isinstance(caught.value, MinimalKVError)
    assert str(caught.value).startswith(message)
    assert "read-only" in str(caught.value)
    assert inner.writes == []
    assert inner.d == before


def test_a_batch_write_does_not_consume_its_argument() -> None:
    consumed: list[str] = []

    def items() -> object:
        consumed.append("started")
        yield ("a", b"")

    store = ReadOnlyDecorator(DictStore())
    with pytest.raises(ReadOnlyError):
        store.put_many(items())  # type: ignore[arg-type]
    assert consumed == []


def test_the_error_carries_the_key() -> None:
    with pytest.raises(ReadOnlyError) as caught:
        ReadOnlyDecorator(DictStore()).delete("k")
    assert caught.value.key == "k"


def test_ttl_writes_are_refused_too() -> None:
    store = ReadOnlyDecorator(DictStore())
    with pytest.raises(ReadOnlyError):
        store.put("k", b"", 10)  # type: ignore[call-arg]


def test_over_a_ttl_store_the_ttl_methods_exist_and_writes_are_refused() -> None:
    class TtlStore(TimeToLiveMixin, DictStore):
        def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
            self.d[key] = data
            return key

    inner = TtlStore({"k": b"v"})
    store = ReadOnlyDecorator(inner)
    assert capabilities_of(store) == StoreCapabilities(copy=True, ttl=True)
    assert isinstance(store, SupportsTtl)
    # At run time copy exists (and refuses); for mypy it takes no str, so the read-only store
    # is no SupportsCopy there: check the run-time answer on an object-typed name.
    checked: object = store
    assert isinstance(checked, SupportsCopy)
    assert store.ttl_support is True
    assert store.default_ttl_secs == inner.default_ttl_secs
    with pytest.raises(ReadOnlyError):
        store.put("k", b"w", ttl_secs=10)
    with pytest.raises(ReadOnlyError):
        store.default_ttl_secs = 10
    with pytest.raises(ReadOnlyError):
        store.copy("k", "j")  # type: ignore[arg-type]  # refused by mypy too; the run-time refusal is tested here
    assert inner.d == {"k": b"v"}
    assert inner.default_ttl_secs == NOT_SET


HOOKS: list[tuple[str, Callable[[Any], object]]] = [
    ("_put", lambda store: store._put("a", b"new")),
    ("_put", lambda store: store._put("a", b"new", 10)),
    ("_put_file", lambda store: store._put_file("a", io.BytesIO(b"new"))),
    ("_put_filename", lambda store: store._put_filename("a", "/dev/null")),
    ("_put_inner", lambda store: store._put_inner("a", b"new", None, "a")),
    ("_put_file_inner", lambda store: store._put_file_inner("a", io.BytesIO(b""), None, "a")),
    ("_delete", lambda store: store._delete("a")),
    ("_put_many", lambda store: store._put_many([("a", b"new")])),
    ("_delete_many", lambda store: store._delete_many(["a"])),
    ("_copy", lambda store: store._copy("a", "b")),
    ("_move", lambda store: store._move("a", "b")),
]


@pytest.mark.parametrize(
    ("name", "call"), HOOKS, ids=[f"{name}-{i}" for i, (name, _) in enumerate(HOOKS)]
)
def test_every_protected_write_hook_is_refused(name: str, call: Callable[[Any], object]) -> None:
    inner = Recording()
    before = dict(inner.d)
    store = ReadOnlyDecorator(inner)
    with pytest.raises(ReadOnlyError) as caught:
        call(store)
    assert str(caught.value).startswith(f"{name}(")
    assert inner.writes == []
    assert inner.d == before


class WithHandles(DictStore):
    """A store with the kinds of handle real backends have: a client, an engine, a store."""

    def __init__(self) -> None:
        super().__init__({"a": b"1"})
        self.redis = object()
        self.bind = object()
        self.backing = DictStore()
        self.bucket_name = "bucket"
        self.port = 6379
        self.parts = ("x", 1)
        self.tags = ["mutable"]

    def cleanup(self) -> None:
        """A public method that changes the store."""
        self.d.clear()


@pytest.mark.parametrize(
    "name", ["redis", "bind", "backing", "d", "tags", "cleanup", "_dstore_of_nobody"]
)
def test_handles_of_the_wrapped_store_are_not_forwarded(name: str) -> None:
    store = ReadOnlyDecorator(PrefixDecorator("p_", WithHandles()))
    with pytest.raises(AttributeError) as caught:
        getattr(store, name)
    assert "ReadOnlyDecorator does not" in str(caught.value)
    assert repr(name) in str(caught.value)
    assert not hasattr(store, name)


def test_private_hooks_of_the_wrapped_store_are_not_forwarded() -> None:
    store = ReadOnlyDecorator(WithHandles())
    with pytest.raises(AttributeError, match="private attributes"):
        getattr(store, "_some_private_helper")  # noqa: B009 - not visible to mypy


def test_plain_data_of_the_wrapped_store_is_forwarded() -> None:
    store = ReadOnlyDecorator(PrefixDecorator("p_", WithHandles()))
    assert getattr(store, "bucket_name") == "bucket"  # noqa: B009 - not visible to mypy
    assert getattr(store, "port") == 6379  # noqa: B009 - not visible to mypy
    assert getattr(store, "parts") == ("x", 1)  # noqa: B009 - not visible to mypy
    assert getattr(store, "prefix") == "p_"  # noqa: B009 - not visible to mypy


def test_the_wrapped_store_is_not_handed_out() -> None:
    inner = WithHandles()
    store = ReadOnlyDecorator(inner)
    with pytest.raises(AttributeError, match="keep a reference to the store you wrapped"):
        store.store  # noqa: B018  # the access itself is what is tested
    assert not hasattr(store, "store")
    assert getattr(store, "store", None) is None


# The decorator's own private state: the wrapped store and the bound key check of its key
# space; an implementation detail, like any attribute of an object in Python.
PRIVATE_STATE = frozenset({"_dstore", "_check_inner_key"})


def test_nothing_reachable_from_a_read_only_store_writes(tmp_path: Path) -> None:
    # Walk every public attribute (and every attribute the wrapped stores have): each is
    # refused, plain data, or a method of the read-only store itself, whose writes raise.
    fs = FilesystemStore(tmp_path)
    fs.put("a", b"1")
    inner = PrefixDecorator("", fs)
    store = ReadOnlyDecorator(inner)
    names = set(dir(store)) | set(dir(fs)) | set(vars(fs)) | set(dir(inner))
    for name in sorted(
        name for name in names if not name.startswith("__") and name not in PRIVATE_STATE
    ):
        try:
            value = getattr(store, name)
        except AttributeError:
            continue
        if isinstance(value, type):
            continue  # a class (the decorator's own), not an instance that could write
        if isinstance(value, (BlobStore, dict, list)):
            raise AssertionError(f"{name} hands out {value!r}")
        assert getattr(value, "__self__", store) in (store, type(store)), name
    assert fs.get("a") == b"1"

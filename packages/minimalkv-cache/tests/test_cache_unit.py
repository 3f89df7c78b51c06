"""CacheDecorator: read-through, invalidation, failing and flaky caches, copy/move, batches."""

from __future__ import annotations

import io
import pickle
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import pytest
from minimalkv import (
    FileSource,
    FileTarget,
    InvalidKeyError,
    KeyNotFoundError,
    KeyValueStore,
    StoreError,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    TimeToLiveMixin,
    capabilities_of,
)
from minimalkv.cache import CacheDecorator, CacheInvalidationError
from minimalkv.contract import PlainStore
from minimalkv.decorator import UnsupportedCapabilityError
from minimalkv.fs import FilesystemStore
from minimalkv.memory import DictStore, HDictStore


class ControlledCache(DictStore):
    """A DictStore whose methods named in ``failing`` raise StoreError (``"*"``: all of them).

    ``calls`` records every public call, so tests can see what reached the cache.
    """

    def __init__(self) -> None:
        super().__init__()
        self.failing: set[str] = set()
        self.calls: list[str] = []

    def _enter(self, name: str) -> None:
        self.calls.append(name)
        if name in self.failing or "*" in self.failing:
            raise StoreError(f"cache {name} is down")

    def get(self, key: str) -> bytes:
        self._enter("get")
        return super().get(key)

    def put(self, key: str, data: bytes) -> str:
        self._enter("put")
        return super().put(key, data)

    def put_file(self, key: str, file: FileSource) -> str:
        self._enter("put_file")
        return super().put_file(key, file)

    def get_file(self, key: str, file: FileTarget) -> str:
        self._enter("get_file")
        return super().get_file(key, file)

    def open(self, key: str) -> IO[bytes]:
        self._enter("open")
        return super().open(key)

    def delete(self, key: str) -> None:
        self._enter("delete")
        super().delete(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        self._enter("get_many")
        return super().get_many(keys)

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        self._enter("put_many")
        return super().put_many(items)

    def delete_many(self, keys: Iterable[str]) -> None:
        self._enter("delete_many")
        super().delete_many(keys)

    def __contains__(self, key: str) -> bool:
        self._enter("contains")
        return super().__contains__(key)


@pytest.fixture
def cache() -> ControlledCache:
    return ControlledCache()


@pytest.fixture
def backing() -> DictStore:
    return DictStore()


@pytest.fixture
def store(cache: ControlledCache, backing: DictStore) -> CacheDecorator[DictStore]:
    return CacheDecorator(cache, backing)


# ------------------------------------------------------------------ the original's behaviour
def test_original_example_read_through_and_invalidation() -> None:
    cache, backing = DictStore(), DictStore()
    store = CacheDecorator(cache, backing)
    assert store.put("key", b"value") == "key"
    assert cache.d == {}  # writes go to the backing store only
    assert store.get("key") == b"value"
    assert cache.d == {"key": b"value"}  # the miss filled the cache
    backing.d["key"] = b"changed behind the decorator's back"
    assert store.get("key") == b"value"  # served from the cache
    store.put("key", b"new")
    assert "key" not in cache.d
    assert store.get("key") == b"new"
    store.delete("key")
    assert cache.d == {}
    assert backing.d == {}
    with pytest.raises(KeyError):
        store.get("key")


def test_argument_order_is_cache_then_store() -> None:
    cache, backing = DictStore(), DictStore()
    store = CacheDecorator(cache, backing)
    assert store.cache is cache
    assert store.store is backing
    assert repr(store).startswith("CacheDecorator(DictStore")


@pytest.mark.parametrize("read", ["open", "get_file-path", "get_file-fileobj"])
def test_streaming_reads_fill_the_cache(
    store: CacheDecorator[DictStore], cache: ControlledCache, tmp_path: Path, read: str
) -> None:
    store.put("key", b"x" * 3000)
    assert _read(store, "key", read, tmp_path) == b"x" * 3000
    assert cache.d == {"key": b"x" * 3000}
    assert "put_file" in cache.calls  # streamed from the store's open() into the cache
    cache.d["key"] = b"cached"
    assert _read(store, "key", read, tmp_path) == b"cached"


def _read(store: CacheDecorator[Any], key: str, how: str, tmp_path: Path) -> bytes:
    if how == "get":
        return store.get(key)
    if how == "open":
        with store.open(key) as file:
            return file.read()
    if how == "get_file-path":
        target = tmp_path / "target"
        assert store.get_file(key, target) == key
        return target.read_bytes()
    buffer = io.BytesIO()
    assert store.get_file(key, buffer) == key
    return buffer.getvalue()


_READS = ["get", "open", "get_file-path", "get_file-fileobj"]


@pytest.mark.parametrize("read", _READS)
def test_missing_key_raises_key_not_found_and_caches_nothing(
    store: CacheDecorator[DictStore], cache: ControlledCache, tmp_path: Path, read: str
) -> None:
    with pytest.raises(KeyNotFoundError):
        _read(store, "missing", read, tmp_path)
    assert cache.d == {}
    assert not (tmp_path / "target").exists()


def test_listing_contains_and_metadata_ask_the_backing_store(
    store: CacheDecorator[DictStore], cache: ControlledCache, backing: DictStore
) -> None:
    cache.d["only_in_cache"] = b"stale"
    backing.d.update({"a1": b"1", "a2": b"22", "b": b"3"})
    assert sorted(store.keys()) == ["a1", "a2", "b"]
    assert sorted(store.iter_keys("a")) == ["a1", "a2"]
    assert sorted(store.iter_prefixes("1")) == ["a1", "a2", "b"]
    assert "only_in_cache" not in store
    assert "a1" in store
    assert store.metadata("a2").size == 2
    assert "contains" not in cache.calls


# ------------------------------------------------------------------ a failing cache
@pytest.mark.parametrize("read", _READS)
def test_failing_cache_never_fails_a_read(
    store: CacheDecorator[DictStore],
    cache: ControlledCache,
    backing: DictStore,
    tmp_path: Path,
    read: str,
) -> None:
    backing.d["key"] = b"value"
    cache.failing.add("*")
    assert _read(store, "key", read, tmp_path) == b"value"
    assert store.get_many(["key", "missing"]) == {"key": b"value"}
    with pytest.raises(KeyNotFoundError):
        _read(store, "missing", read, tmp_path)


@pytest.mark.parametrize("failing", ["put", "put_file"])
@pytest.mark.parametrize("read", _READS)
def test_cache_that_cannot_be_filled_still_reads(
    store: CacheDecorator[DictStore],
    cache: ControlledCache,
    backing: DictStore,
    tmp_path: Path,
    read: str,
    failing: str,
) -> None:
    backing.d["key"] = b"value"
    cache.failing.add(failing)
    assert _read(store, "key", read, tmp_path) == b"value"
    assert _read(store, "key", read, tmp_path) == b"value"


def test_failing_cache_refuses_writes_and_changes_nothing(
    store: CacheDecorator[DictStore], cache: ControlledCache, backing: DictStore
) -> None:
    backing.d["key"] = b"old"
    cache.d["key"] = b"old"
    cache.failing.update({"delete", "delete_many"})
    writes: list[Callable[[], object]] = [
        lambda: store.put("key", b"new"),
        lambda: store.put_file("key", io.BytesIO(b"new")),
        lambda: store.delete("key"),
        lambda: store.put_many({"key": b"new", "other": b"x"}),
        lambda: store.delete_many(["key", "other"]),
        lambda: store.copy("key", "copy"),
        lambda: store.move("key", "moved"),
    ]
    for write in writes:
        with pytest.raises(CacheInvalidationError) as info:
            write()
        assert isinstance(info.value, OSError)
        assert isinstance(info.value.__cause__, StoreError)
        assert backing.d == {"key": b"old"}
    # The cache is consistent with the store, so it may keep serving.
    assert store.get("key") == b"old"


def test_failed_drop_after_the_write_bypasses_the_cache_for_that_key(
    store: CacheDecorator[DictStore], cache: ControlledCache, backing: DictStore
) -> None:
    backing.d["key"] = b"old"

    class RefillingStore(DictStore):
        """Simulates a concurrent read refilling the cache while the write runs."""

        def put(self, key: str, data: bytes) -> str:
            cache.d[key] = b"old"
            cache.failing.add("delete")  # ...and the cache fails right after
            return super().put(key, data)

    store = CacheDecorator(cache, RefillingStore(backing.d))
    store.put("key", b"new")
    assert backing.d["key"] == b"new"
    assert cache.d["key"] == b"old"  # the stale entry could not be dropped...
    assert store.get("key") == b"new"  # ...so reads of that key bypass the cache
    with store.open("key") as file:
        assert file.read() == b"new"
    cache.failing.clear()
    assert store.get("key") == b"new"  # the drop succeeded now; the cache is used again
    assert cache.d["key"] == b"new"


def test_flaky_cache(
    store: CacheDecorator[DictStore], cache: ControlledCache, backing: DictStore
) -> None:
    # Every third call of the cache fails: reads never fail, writes either succeed (and then
    # the cache holds no stale value) or are refused with nothing written.
    original = cache._enter
    counter = iter(range(10**6))

    def flaky(name: str) -> None:
        original(name)
        if next(counter) % 3 == 2:
            raise StoreError(f"flaky {name}")

    cache._enter = flaky  # type: ignore[method-assign]
    model: dict[str, bytes] = {}
    for round_ in range(60):
        key = f"k{round_ % 4}"
        value = f"v{round_}".encode()
        try:
            store.put(key, value)
            model[key] = value
        except CacheInvalidationError:
            pass
        for known, expected in model.items():
            assert store.get(known) == expected
            with store.open(known) as file:
                assert file.read() == expected
        assert backing.d == model


def test_get_file_into_a_seekable_file_recovers_from_a_cache_failing_midway(
    store: CacheDecorator[DictStore], cache: ControlledCache, backing: DictStore
) -> None:
    backing.d["key"] = b"value" * 100
    cache.d["key"] = b"value" * 100

    class BrokenReader(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            if self.tell():
                raise StoreError("cache connection lost")
            return super().read(7)

    cache.open = lambda key: BrokenReader(cache.d[key])  # type: ignore[method-assign]
    target = io.BytesIO(b"header:")
    target.seek(0, io.SEEK_END)
    store.get_file("key", target)
    assert target.getvalue() == b"header:" + b"value" * 100


def test_cache_with_a_smaller_key_space_is_bypassed_for_its_invalid_keys() -> None:
    cache, backing = DictStore(), HDictStore()
    store = CacheDecorator(cache, backing)
    store.put("dir/file name", b"v")
    assert store.get("dir/file name") == b"v"
    with store.open("dir/file name") as file:
        assert file.read() == b"v"
    assert store.get_many(["dir/file name"]) == {"dir/file name": b"v"}
    store.put_many({"dir/file name": b"w", "plain": b"p"})
    assert store.get("dir/file name") == b"w"
    assert store.get("plain") == b"p"
    assert cache.d == {"plain": b"p"}
    store.delete_many(["dir/file name", "plain"])
    assert backing.d == {}
    assert cache.d == {}


def test_invalid_key_is_judged_by_the_backing_store(store: CacheDecorator[DictStore]) -> None:
    for call in (store.get, store.open, store.delete, lambda key: store.put(key, b"v")):
        with pytest.raises(InvalidKeyError):
            call("a/b")


# ------------------------------------------------------------------ copy, move, batches
def test_copy_and_move_invalidate(
    store: CacheDecorator[DictStore], cache: ControlledCache, backing: DictStore
) -> None:
    store.put("src", b"source")
    store.put("dst", b"dest")
    assert store.get("dst") == b"dest"  # cached
    assert store.copy("src", "dst") == "dst"
    assert store.get("dst") == b"source"
    store.put("src", b"second")
    assert store.get("src") == b"second"  # cached
    assert store.move("src", "dst") == "dst"
    assert "src" not in cache.d
    assert store.get("dst") == b"second"
    with pytest.raises(KeyError):
        store.get("src")
    with pytest.raises(KeyError):
        store.copy("src", "x")


def test_copy_needs_a_copying_backing_store() -> None:
    store: Any = CacheDecorator(DictStore(), PlainStore())
    with pytest.raises(UnsupportedCapabilityError):
        store.copy("a", "b")


class _TtlStore(TimeToLiveMixin, DictStore):
    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.d[key] = data
        return key


@pytest.mark.parametrize("kind", ["dict", "ttl", "fs", "uncopied"])
def test_protocols_and_capabilities_agree(kind: str, tmp_path: Path) -> None:
    makers: dict[str, Callable[[], KeyValueStore]] = {
        "dict": DictStore,
        "ttl": _TtlStore,
        "fs": lambda: FilesystemStore(tmp_path),
        "uncopied": PlainStore,
    }
    backing = makers[kind]()
    store = CacheDecorator(DictStore(), backing)
    capabilities = capabilities_of(store)
    assert capabilities == capabilities_of(backing)
    assert isinstance(store, SupportsCopy) is capabilities.copy is (kind != "uncopied")
    assert isinstance(store, SupportsUrl) is capabilities.url is (kind == "fs")
    assert isinstance(store, SupportsTtl) is capabilities.ttl is (kind == "ttl")


def test_batch_calls(
    store: CacheDecorator[DictStore], cache: ControlledCache, backing: DictStore
) -> None:
    assert store.put_many([("a", b"1"), ("b", b"2"), ("c", b"3")]) == ["a", "b", "c"]
    assert store.get_many(["a", "b", "missing"]) == {"a": b"1", "b": b"2"}
    assert cache.d == {"a": b"1", "b": b"2"}
    cache.d["a"] = b"cached"
    assert store.get_many(["a", "c"]) == {"a": b"cached", "c": b"3"}
    store.put_many({"a": b"new"})
    assert store.get_many(["a"]) == {"a": b"new"}
    store.delete_many(["a", "b", "missing"])
    assert sorted(backing.d) == ["c"]
    assert "a" not in cache.d
    assert "b" not in cache.d


def test_fill_overlapping_a_write_is_undone(cache: ControlledCache, backing: DictStore) -> None:
    backing.d["key"] = b"old"
    store: CacheDecorator[DictStore]

    class SlowStore(DictStore):
        """Lets a write happen between reading the old value and filling the cache."""

        def get(self, key: str) -> bytes:
            value = super().get(key)
            writer = threading.Thread(target=store.put, args=("key", b"new"))
            writer.start()
            writer.join()
            return value

    store = CacheDecorator(cache, SlowStore(backing.d))
    assert store.get("key") == b"old"  # the value current when it was read
    assert "key" not in cache.d  # but not left in the cache
    assert store.get("key") == b"new"


# ------------------------------------------------------------------ ttl, pickling, close
def test_ttl_passes_through() -> None:
    from minimalkv import TimeToLiveMixin

    class TtlStore(TimeToLiveMixin, DictStore):
        def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
            self.ttls[key] = ttl_secs
            self.d[key] = data
            return key

        def __init__(self) -> None:
            super().__init__()
            self.ttls: dict[str, float | None] = {}

    backing = TtlStore()
    store = CacheDecorator(DictStore(), backing)
    assert store.ttl_support
    store.put("k", b"v", ttl_secs=30)
    store.put_file("f", io.BytesIO(b"v"), 5)
    assert backing.ttls == {"k": 30.0, "f": 5.0}
    plain = CacheDecorator(DictStore(), DictStore())
    with pytest.raises(UnsupportedCapabilityError):
        plain.put("k", b"v", ttl_secs=30)  # type: ignore[call-arg]


def test_pickles_when_both_stores_do(tmp_path: Path) -> None:
    store = CacheDecorator(DictStore(), FilesystemStore(tmp_path))
    store.put("k", b"v")
    store.get("k")
    clone = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own bytes
    assert clone.get("k") == b"v"
    clone.put("k", b"w")
    assert clone.get("k") == b"w"


def test_close_closes_both() -> None:
    closed: list[str] = []

    class Closing(DictStore):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

        def close(self) -> None:
            closed.append(self.name)

    with CacheDecorator(Closing("cache"), Closing("store")):
        pass
    assert sorted(closed) == ["cache", "store"]

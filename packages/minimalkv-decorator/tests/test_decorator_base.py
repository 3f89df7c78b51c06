"""StoreDecorator: forwarding of every call and capability, errors, pickling."""

from __future__ import annotations

import copy
import io
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import minimalkv
import pytest
from minimalkv import (
    FOREVER,
    NOT_SET,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidValueError,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
    StoreCapabilities,
    TimeToLiveMixin,
    UrlMixin,
    capabilities_of,
)
from minimalkv.contract import PlainStore
from minimalkv.decorator import (
    PrefixDecorator,
    ReadOnlyDecorator,
    StoreDecorator,
    UnsupportedCapabilityError,
    URLEncodeKeysDecorator,
)
from minimalkv.memory import DictStore, HDictStore


class Clock:
    """A manual clock for the TTL store."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TtlDictStore(TimeToLiveMixin, DictStore):
    """A DictStore whose values expire, on a manual clock; it records the TTL of each put."""

    def __init__(self, clock: Clock | None = None) -> None:
        super().__init__()
        self.clock = clock or Clock()
        self.expires: dict[str, float] = {}
        self.ttl_log: list[tuple[str, float | None]] = []

    def _expire(self, key: str) -> None:
        if key in self.expires and self.expires[key] <= self.clock():
            self.d.pop(key, None)
            del self.expires[key]

    def get(self, key: str) -> bytes:
        self._check_valid_key(key)
        self._expire(key)
        return super().get(key)

    def _get(self, key: str) -> bytes:
        self._expire(key)
        return super()._get(key)

    def _has_key(self, key: str) -> bool:
        self._expire(key)
        return super()._has_key(key)

    def __contains__(self, key: str) -> bool:
        self._check_valid_key(key)
        return self._has_key(key)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        for key in list(self.expires):
            self._expire(key)
        return super().iter_keys(prefix)

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.ttl_log.append((key, ttl_secs))
        self.d[key] = data
        if ttl_secs is None:
            self.expires.pop(key, None)
        else:
            self.expires[key] = self.clock() + ttl_secs
        return key


class UrlDictStore(UrlMixin, DictStore):
    """A DictStore with URLs."""

    def _url_for(self, key: str) -> str:
        return "memory://" + key


class Custom(DictStore):
    """A DictStore with an extra attribute and method, to test forwarding."""

    flavour = "vanilla"

    def shout(self, word: str) -> str:
        return word.upper()


def _open_read(file: IO[bytes]) -> bytes:
    with file:
        return file.read()


# ----------------------------------------------------------------- plain forwarding
def test_every_core_call_is_forwarded() -> None:
    inner = DictStore()
    store = StoreDecorator(inner)
    assert store.put("a", b"1") == "a"
    assert inner.d == {"a": b"1"}
    assert store.get("a") == b"1"
    assert _open_read(store.open("a")) == b"1"
    target = io.BytesIO()
    assert store.get_file("a", target) == "a"
    assert target.getvalue() == b"1"
    assert store.put_file("b", io.BytesIO(b"22")) == "b"
    assert "b" in store
    assert "zz" not in store
    assert sorted(store) == ["a", "b"]
    assert sorted(store.keys()) == ["a", "b"]
    assert list(store.iter_keys("b")) == ["b"]
    assert store.metadata("b") == KeyMetadata(key="b", size=2)
    assert store.get_many(["a", "b", "c"]) == {"a": b"1", "b": b"22"}
    assert store.put_many({"c": b"3", "d": b"4"}) == ["c", "d"]
    store.delete_many(["c", "d", "nope"])
    store.delete("b")
    store.delete("b")
    assert inner.d == {"a": b"1"}
    assert store.copy("a", "x") == "x"
    assert store.move("x", "y") == "y"
    assert inner.d == {"a": b"1", "y": b"1"}


def test_iter_prefixes_is_forwarded() -> None:
    store = StoreDecorator(DictStore())
    store.put_many([(key, b"") for key in ["X", "a1Xb1", "a2X", "a2Xb1", "a3", "a4Xb1Xc1"]])
    assert sorted(store.iter_prefixes("X")) == ["X", "a1X", "a2X", "a3", "a4X"]
    assert sorted(store.iter_prefixes("X", "a4X")) == ["a4Xb1X"]


def test_errors_of_the_wrapped_store_pass_through() -> None:
    store = StoreDecorator(DictStore())
    with pytest.raises(KeyNotFoundError):
        store.get("missing")
    with pytest.raises(InvalidKeyError):
        store.get("bad key")
    with pytest.raises(InvalidKeyError):
        _ = "bad key" in store
    with pytest.raises(InvalidValueError):
        store.put("k", "text")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        store.put_many([("k", b"v", b"extra")])  # type: ignore[list-item]


def test_file_paths_work(tmp_path: Path) -> None:
    store = StoreDecorator(DictStore())
    source = tmp_path / "in.bin"
    source.write_bytes(b"content")
    assert store.put_file("k", source) == "k"
    assert source.read_bytes() == b"content"
    assert store.get_file("k", tmp_path / "out.bin") == "k"
    assert (tmp_path / "out.bin").read_bytes() == b"content"


def test_close_and_context_manager_close_the_wrapped_store() -> None:
    closed: list[str] = []

    class Closing(DictStore):
        def close(self) -> None:
            closed.append("closed")

    with StoreDecorator(Closing()) as store:
        assert isinstance(store, StoreDecorator)
    assert closed == ["closed"]


def test_unknown_attributes_come_from_the_wrapped_store() -> None:
    store = PrefixDecorator("p_", Custom())
    assert getattr(store, "flavour") == "vanilla"  # noqa: B009 - not visible to mypy
    assert getattr(store, "shout")("hi") == "HI"  # noqa: B009
    assert getattr(store, "d") is store.store.d  # noqa: B009
    with pytest.raises(AttributeError):
        getattr(store, "no_such_attribute")  # noqa: B009
    with pytest.raises(AttributeError):
        getattr(store, "__no_such_dunder__")  # noqa: B009


def test_the_wrapped_store_is_reachable() -> None:
    inner = DictStore()
    store = StoreDecorator(inner)
    assert store.store is inner
    assert getattr(store, "_dstore") is inner  # noqa: B009 - the original's attribute name


def test_a_read_only_decorator_does_not_hand_out_the_wrapped_store() -> None:
    # Its public API reaches nothing that writes; the original's private attribute remains.
    inner = DictStore()
    store = ReadOnlyDecorator(inner)
    with pytest.raises(AttributeError, match="does not hand out the wrapped DictStore"):
        store.store  # noqa: B018 - the access is what is tested
    assert getattr(store, "_dstore") is inner  # noqa: B009 - the original's attribute name


# ----------------------------------------------------------------- capabilities
@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        (DictStore(), StoreCapabilities(copy=True)),
        (HDictStore(), StoreCapabilities(copy=True, extended_keys=True)),
        (PlainStore(), StoreCapabilities()),
        (TtlDictStore(), StoreCapabilities(copy=True, ttl=True)),
        (UrlDictStore(), StoreCapabilities(copy=True, url=True)),
    ],
)
def test_capabilities_are_exactly_the_wrapped_ones(
    inner: KeyValueStore, expected: StoreCapabilities
) -> None:
    assert capabilities_of(inner) == expected
    # ReadOnlyDecorator has the methods of the wrapped store's capabilities too (its copy,
    # move and ttl_secs writes are refused like every write): capabilities say what exists.
    for store in (StoreDecorator(inner), PrefixDecorator("p", inner), ReadOnlyDecorator(inner)):
        assert capabilities_of(store) == expected
        assert store.capabilities == expected
        assert getattr(store, "ttl_support", False) is expected.ttl
        assert store.extended_keys is expected.extended_keys
    assert capabilities_of(URLEncodeKeysDecorator(inner)) == StoreCapabilities(
        copy=expected.copy, url=expected.url, ttl=expected.ttl, extended_keys=True
    )


def test_capabilities_of_a_stack() -> None:
    stack = URLEncodeKeysDecorator(PrefixDecorator("t_", StoreDecorator(TtlDictStore())))
    assert capabilities_of(stack) == StoreCapabilities(copy=True, ttl=True, extended_keys=True)


def test_extended_keys_cannot_be_set() -> None:
    store = StoreDecorator(DictStore())
    with pytest.raises(AttributeError):
        store.extended_keys = True


def test_missing_capabilities_raise_a_clear_error() -> None:
    store = StoreDecorator(PlainStore())
    with pytest.raises(UnsupportedCapabilityError, match="no 'copy' capability") as caught:
        store.copy("a", "b")  # type: ignore[arg-type]
    assert isinstance(caught.value, TypeError)
    assert isinstance(caught.value, minimalkv.MinimalKVError)
    with pytest.raises(UnsupportedCapabilityError, match="move"):
        store.move("a", "b")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedCapabilityError, match="url_for"):
        store.url_for("a")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedCapabilityError, match="ttl"):
        store.put("a", b"", 10)  # type: ignore[call-arg]
    with pytest.raises(UnsupportedCapabilityError, match="ttl"):
        store.put_file("a", io.BytesIO(b""), ttl_secs=FOREVER)  # type: ignore[call-arg]
    with pytest.raises(UnsupportedCapabilityError, match="ttl"):
        store.default_ttl_secs = 5  # type: ignore[misc]
    with pytest.raises(UnsupportedCapabilityError, match="ttl"):
        _ = store.default_ttl_secs  # type: ignore[misc]
    # The attributes of a missing capability do not exist (as on a plain store without it).
    for name in ("copy", "move", "url_for", "ttl_support", "default_ttl_secs"):
        assert not hasattr(store, name)
        with pytest.raises(AttributeError):
            getattr(store, name)
    assert getattr(store.store, "values") == {}  # noqa: B009 - nothing was written


def test_ttl_none_is_accepted_by_a_store_without_ttl() -> None:
    store = PrefixDecorator("p", DictStore())
    assert store.put("a", b"1", None) == "a"  # type: ignore[call-arg]
    assert store.get("a") == b"1"


# ----------------------------------------------------------------- TTL through decorators
def test_ttl_passes_through_a_prefix_decorator() -> None:
    clock = Clock()
    inner = TtlDictStore(clock)
    store = PrefixDecorator("t_", inner)
    assert store.put("short", b"1", ttl_secs=10) == "short"
    assert store.put("float", b"2", 0.5) == "float"
    assert store.put_file("file", io.BytesIO(b"3"), ttl_secs=20) == "file"
    assert store.put("forever", b"4", ttl_secs=FOREVER) == "forever"
    assert store.put("plain", b"5") == "plain"
    assert inner.ttl_log == [
        ("t_short", 10.0),
        ("t_float", 0.5),
        ("t_file", 20.0),
        ("t_forever", None),
        ("t_plain", None),
    ]
    clock.now += 15
    assert sorted(store.keys()) == ["file", "forever", "plain"]
    with pytest.raises(KeyNotFoundError):
        store.get("short")


def test_bad_ttl_values_are_refused_by_the_wrapped_store() -> None:
    store = URLEncodeKeysDecorator(TtlDictStore())
    bad_values: list[Any] = [0, -1, "soon", float("nan"), 10**400]  # "soon": untyped callers
    for bad in bad_values:
        with pytest.raises(InvalidArgumentError):
            store.put("k", b"", ttl_secs=bad)
    assert store.keys() == []


def test_default_ttl_secs_follows_the_wrapped_store() -> None:
    inner = TtlDictStore()
    store = PrefixDecorator("t_", inner)
    assert store.default_ttl_secs == NOT_SET
    store.default_ttl_secs = 30
    assert inner.default_ttl_secs == 30
    store.put("k", b"")
    assert inner.ttl_log == [("t_k", 30.0)]


def test_url_for_passes_through_with_mapped_keys() -> None:
    assert PrefixDecorator("p_", UrlDictStore()).url_for("k") == "memory://p_k"
    assert URLEncodeKeysDecorator(UrlDictStore()).url_for("a b") == "memory://a+b"
    assert ReadOnlyDecorator(UrlDictStore()).url_for("k") == "memory://k"
    with pytest.raises(InvalidKeyError):
        PrefixDecorator("p_", UrlDictStore()).url_for("")


# ----------------------------------------------------------------- pickling and copying
@pytest.mark.parametrize(
    "make",
    [
        StoreDecorator,
        ReadOnlyDecorator,
        URLEncodeKeysDecorator,
        lambda inner: PrefixDecorator("p_", inner),
        lambda inner: ReadOnlyDecorator(URLEncodeKeysDecorator(PrefixDecorator("p_", inner))),
    ],
)
def test_decorators_pickle_and_copy(make: type[StoreDecorator[DictStore]]) -> None:
    inner = Custom({"p_k": b"v", "k": b"v", "p_a%21": b"w"})
    store = make(inner)
    restored = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own bytes
    for clone in (restored, copy.deepcopy(store), copy.copy(store)):
        assert type(clone) is type(store)
        assert repr(clone) == repr(store)
        assert sorted(clone.keys()) == sorted(store.keys())
        assert getattr(clone, "flavour") == "vanilla"  # noqa: B009


def test_an_unpicklable_store_makes_an_unpicklable_decorator() -> None:
    inner = Custom()
    inner.lock = threading.Lock()  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="lock"):
        pickle.dumps(PrefixDecorator("p_", inner))

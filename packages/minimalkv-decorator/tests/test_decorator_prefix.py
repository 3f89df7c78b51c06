"""PrefixDecorator: key mapping in every method, validation, tenant isolation."""

from __future__ import annotations

import io
import string
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from minimalkv import (
    InvalidArgumentError,
    InvalidKeyError,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
)
from minimalkv.decorator import PrefixDecorator, URLEncodeKeysDecorator
from minimalkv.memory import DictStore, HDictStore


def _open_read(store: KeyValueStore, key: str) -> bytes:
    with store.open(key) as file:
        return file.read()


def test_keys_are_stored_under_the_prefix() -> None:
    inner = DictStore()
    store = PrefixDecorator("t1_", inner)
    assert store.prefix == "t1_"
    assert store.put("a", b"1") == "a"
    assert store.put_file("b", io.BytesIO(b"2")) == "b"
    assert inner.d == {"t1_a": b"1", "t1_b": b"2"}
    assert store.get("a") == b"1"
    assert _open_read(store, "b") == b"2"
    target = io.BytesIO()
    assert store.get_file("a", target) == "a"
    assert target.getvalue() == b"1"
    assert "a" in store
    assert "t1_a" not in store


def test_listing_filters_and_strips_the_prefix() -> None:
    inner = DictStore({"other": b"", "t1": b"", "t1_": b"", "t2_x": b""})
    store = PrefixDecorator("t1_", inner)
    store.put_many({"a1": b"", "a2": b"", "b": b""})
    assert sorted(store.keys()) == ["a1", "a2", "b"]
    assert sorted(store) == ["a1", "a2", "b"]
    assert sorted(store.iter_keys("a")) == ["a1", "a2"]
    assert store.keys("zzz") == []


def test_iter_prefixes_maps_keys_and_ignores_delimiters_in_the_prefix() -> None:
    inner = HDictStore()
    store = PrefixDecorator("ten/ant/", inner)
    for key in ["X", "a1Xb1", "a2X", "a2Xb1", "a3", "a4Xb1Xc1", "a4Xb1Xc2", "a4Xb2Xc1", "a4Xb3"]:
        store.put(key, b"")
    inner.put("other/a5Xb", b"")
    assert sorted(store.iter_prefixes("X")) == ["X", "a1X", "a2X", "a3", "a4X"]
    assert sorted(store.iter_prefixes("X", "a4X")) == ["a4Xb1X", "a4Xb2X", "a4Xb3"]
    assert sorted(store.iter_prefixes("/")) == sorted(store.keys())
    with pytest.raises(InvalidArgumentError):
        store.iter_prefixes("")


def test_copy_and_move_map_both_keys() -> None:
    inner = DictStore()
    store = PrefixDecorator("p_", inner)
    store.put("a", b"1")
    assert store.copy("a", "b") == "b"
    assert store.move("b", "c") == "c"
    assert inner.d == {"p_a": b"1", "p_c": b"1"}
    with pytest.raises(KeyNotFoundError):
        store.copy("missing", "x")
    with pytest.raises(InvalidKeyError):
        store.move("a", "")
    assert inner.d == {"p_a": b"1", "p_c": b"1"}


def test_batch_calls_map_keys() -> None:
    inner = DictStore({"a": b"outside"})
    store = PrefixDecorator("p_", inner)
    assert store.put_many([("a", b"1"), ("b", b"2")]) == ["a", "b"]
    assert store.get_many(["a", "b", "c"]) == {"a": b"1", "b": b"2"}
    store.delete_many(["a", "c"])
    assert inner.d == {"a": b"outside", "p_b": b"2"}


def test_metadata_reports_the_outer_key() -> None:
    store = PrefixDecorator("p_", DictStore())
    store.put("k", b"abc")
    assert store.metadata("k") == KeyMetadata(key="k", size=3)


def test_delete_maps_the_key() -> None:
    inner = DictStore({"k": b"outside"})
    store = PrefixDecorator("p_", inner)
    store.put("k", b"in")
    store.delete("k")
    store.delete("k")
    assert inner.d == {"k": b"outside"}


@pytest.mark.parametrize("key", ["", "bad key", "a/b", "k\n", ".", ".."])
def test_invalid_bare_keys_are_refused_everywhere(key: str) -> None:
    inner = DictStore()
    store = PrefixDecorator("p", inner)
    calls: list[Callable[[], object]] = [
        lambda: store.get(key),
        lambda: store.put(key, b""),
        lambda: store.put_file(key, io.BytesIO(b"")),
        lambda: store.get_file(key, io.BytesIO()),
        lambda: store.open(key),
        lambda: store.delete(key),
        lambda: key in store,
        lambda: store.metadata(key),
        lambda: store.copy("x", key),
        lambda: store.move(key, "x"),
        lambda: store.get_many([key]),
        lambda: store.put_many([(key, b"")]),
        lambda: store.delete_many([key]),
    ]
    for call in calls:
        with pytest.raises(InvalidKeyError):
            call()
    assert inner.d == {}


def test_the_empty_key_is_refused_although_the_prefix_is_a_valid_key() -> None:
    inner = DictStore({"tenant": b"secret"})
    store = PrefixDecorator("tenant", inner)
    with pytest.raises(InvalidKeyError, match="empty"):
        store.get("")
    with pytest.raises(InvalidKeyError):
        store.put("", b"")
    assert store.keys() == []


def test_bare_keys_follow_the_extended_rules_of_the_wrapped_store() -> None:
    store = PrefixDecorator("dir", HDictStore())
    with pytest.raises(InvalidKeyError):
        store.put("/x", b"")  # "dir/x" would be valid, "/x" is not
    store.put("a/b c", b"")
    assert store.keys() == ["a/b c"]


def test_the_wrapped_store_checks_the_whole_key() -> None:
    class Short(DictStore):
        def _check_valid_key(self, key: str) -> None:
            super()._check_valid_key(key)
            if len(key) > 10:
                raise InvalidKeyError(f"key {key!r} is longer than 10", key=key)

    store = PrefixDecorator("prefix_", Short())
    store.put("abc", b"")
    with pytest.raises(InvalidKeyError, match="longer"):
        store.put("abcd", b"")


@pytest.mark.parametrize(
    ("prefix", "inner"),
    [("a b", DictStore()), ("a/", DictStore()), ("/abs", HDictStore()), ("a//", HDictStore())],
)
def test_a_prefix_that_cannot_start_a_key_is_refused(prefix: str, inner: KeyValueStore) -> None:
    with pytest.raises(InvalidArgumentError, match="prefix"):
        PrefixDecorator(prefix, inner)


def test_a_prefix_must_be_a_str() -> None:
    with pytest.raises(InvalidArgumentError):
        PrefixDecorator(b"p", DictStore())  # type: ignore[arg-type]


def test_listing_hides_inner_keys_that_are_not_valid_bare_keys() -> None:
    inner = HDictStore({"t": b"", "t/": b"", "t//x": b"", "t/ok": b""})
    store = PrefixDecorator("t/", inner)
    assert store.keys() == ["ok"]


def test_non_str_listing_prefix_is_refused() -> None:
    store = PrefixDecorator("p", DictStore())
    with pytest.raises(InvalidArgumentError):
        store.keys(1)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        store.iter_prefixes("_", None)  # type: ignore[arg-type]


def test_prefixes_nest() -> None:
    inner = DictStore()
    store = PrefixDecorator("b_", PrefixDecorator("a_", inner))
    store.put("k", b"")
    assert inner.d == {"a_b_k": b""}
    assert store.keys() == ["k"]


# ----------------------------------------------------------------- tenant isolation
_KEY_CHARS = string.ascii_letters + string.digits + "!\"#$%&'()+,-.<=>?@[\\]^_`{}~"
keys = st.text(_KEY_CHARS, min_size=1, max_size=12).filter(lambda key: key not in (".", ".."))
# Tenant names never contain "_", and every prefix ends with "_": no tenant's prefix is a
# prefix of another's, the documented condition for sharing a store.
tenant_names = st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(tenant_names, min_size=2, max_size=3, unique=True),
    contents=st.lists(st.dictionaries(keys, st.binary(max_size=4), max_size=6), min_size=3),
    probes=st.lists(keys, max_size=8),
    list_prefix=st.text(_KEY_CHARS, max_size=3),
)
def test_a_tenant_never_reads_lists_or_deletes_another_tenants_keys(
    names: list[str],
    contents: list[dict[str, bytes]],
    probes: list[str],
    list_prefix: str,
) -> None:
    shared = DictStore()
    tenants = [PrefixDecorator(name + "_", shared) for name in names]
    written = [dict(content) for content in contents[: len(tenants)]]
    for tenant, content in zip(tenants, written, strict=True):
        tenant.put_many(content)

    for index, tenant in enumerate(tenants):
        own = written[index]
        assert sorted(tenant.keys()) == sorted(own)
        assert sorted(tenant.iter_keys(list_prefix)) == sorted(
            key for key in own if key.startswith(list_prefix)
        )
        assert set(tenant.iter_prefixes("_")) == {
            key[: key.find("_") + 1] if "_" in key else key for key in own
        }
        everyone = {key for content in written for key in content} | set(probes)
        for key in everyone:
            assert (key in tenant) == (key in own)
            if key in own:
                assert tenant.get(key) == own[key]
            else:
                with pytest.raises(KeyNotFoundError):
                    tenant.get(key)
        assert tenant.get_many(everyone) == own

    # The last tenant deletes everything it can name, moves and copies on its own keys:
    # the others keep every value.
    last = tenants[-1]
    everything = {key for content in written for key in content} | set(probes)
    made: set[str] = set()
    for key in sorted(written[-1]):
        if key in last:
            last.copy(key, key + "c")
            made.add(last.move(key + "c", key + "m"))
    last.delete_many(everything)
    for key in everything:
        last.delete(key)
    for tenant, own in zip(tenants[:-1], written[:-1], strict=True):
        assert tenant.get_many(everything) == own
        assert sorted(tenant.keys()) == sorted(own)
    assert sorted(last.keys()) == sorted(made - everything)


def test_bare_keys_follow_the_rules_of_a_decorated_store() -> None:
    inner = DictStore()
    store = PrefixDecorator("t_", URLEncodeKeysDecorator(inner))
    store.put("ä b/c", b"")
    assert inner.d == {"t_%C3%A4+b%2Fc": b""}
    assert store.keys() == ["ä b/c"]
    with pytest.raises(InvalidKeyError):
        store.put("line\n", b"")
    with pytest.raises(InvalidKeyError):
        store.put("..", b"")


def _prefixes_of_listed_keys(store: KeyValueStore, delimiter: str, prefix: str) -> set[str]:
    """The prefixes ``iter_prefixes`` must yield: computed from the keys ``iter_keys`` lists."""
    found = set()
    for key in store.iter_keys(prefix):
        end = key.find(delimiter, len(prefix))
        found.add(key if end < 0 else key[: end + len(delimiter)])
    return found


# Keys written into the wrapped store past the decorator; each is valid there, but its
# remainder after "p_" is no key of the decorator, so it is not listed.
FOREIGN_EXTENDED = ["p_/x", "p_/dir/y", "p_", "other/z"]
FOREIGN_BASIC = ["p_.", "p_..", "p_", "q_a"]


@pytest.mark.parametrize("delimiter", ["/", "_", "x", "ir/"])
@pytest.mark.parametrize("prefix", ["", "d", "dir/", "/"])
def test_iter_prefixes_yields_only_prefixes_of_listed_keys(delimiter: str, prefix: str) -> None:
    inner = HDictStore()
    store = PrefixDecorator("p_", inner)
    for key in ["a", "dir/b", "dir/sub/c", "d_x"]:
        store.put(key, b"")
    for key in FOREIGN_EXTENDED:
        inner.put(key, b"")
    assert sorted(store.iter_keys()) == ["a", "d_x", "dir/b", "dir/sub/c"]
    assert set(store.iter_prefixes(delimiter, prefix)) == _prefixes_of_listed_keys(
        store, delimiter, prefix
    )


@pytest.mark.parametrize("delimiter", ["_", ".", "a"])
def test_iter_prefixes_over_foreign_keys_in_the_basic_key_space(delimiter: str) -> None:
    inner = DictStore()
    store = PrefixDecorator("p_", inner)
    for key in ["a_b", "c"]:
        store.put(key, b"")
    for key in FOREIGN_BASIC:
        inner.put(key, b"")
    assert sorted(store.iter_keys()) == ["a_b", "c"]
    assert set(store.iter_prefixes(delimiter)) == _prefixes_of_listed_keys(store, delimiter, "")


def test_a_group_of_only_foreign_keys_leaves_no_prefix() -> None:
    inner = HDictStore()
    store = PrefixDecorator("p_", inner)
    inner.put("p_/only/foreign", b"")
    store.put("kept", b"")
    assert list(store.iter_prefixes("/")) == ["kept"]

"""URLEncodeKeysDecorator: any text key, encoded in the wrapped store, decoded in listings."""

from __future__ import annotations

import io
from urllib.parse import quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from minimalkv import InvalidKeyError, KeyMetadata, KeyValueStore
from minimalkv.decorator import URLEncodeKeysDecorator, decode_key, encode_key
from minimalkv.memory import DictStore

# Any str a key may be: no control characters, no lone surrogates, not "." or "..".
text_keys = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=10).filter(
    lambda key: key not in (".", "..")
)


def test_the_seed_example() -> None:
    inner = DictStore()
    store = URLEncodeKeysDecorator(inner)
    assert store.put("a b/ä:c", b"v") == "a b/ä:c"
    assert inner.d == {"a+b%2F%C3%A4%3Ac": b"v"}
    assert store.get("a b/ä:c") == b"v"
    assert store.keys() == ["a b/ä:c"]


def test_every_call_encodes() -> None:
    inner = DictStore()
    store = URLEncodeKeysDecorator(inner)
    store.put_file("ä", io.BytesIO(b"1"))
    assert "ä" in store
    with store.open("ä") as file:
        assert file.read() == b"1"
    target = io.BytesIO()
    assert store.get_file("ä", target) == "ä"
    assert store.metadata("ä") == KeyMetadata(key="ä", size=1)
    assert store.copy("ä", "ö ö") == "ö ö"
    assert store.move("ö ö", "/") == "/"
    assert store.put_many({"x y": b"2"}) == ["x y"]
    assert store.get_many(["ä", "/", "x y", "none"]) == {"ä": b"1", "/": b"1", "x y": b"2"}
    assert sorted(inner.d) == ["%2F", "%C3%A4", "x+y"]
    store.delete_many(["/", "x y"])
    store.delete("ä")
    assert inner.d == {}


@pytest.mark.parametrize("key", ["", ".", "..", "line\n", "nul\x00", "tab\t", "del\x7f", "\ud800"])
def test_keys_outside_the_key_space_are_refused(key: str) -> None:
    store = URLEncodeKeysDecorator(DictStore())
    with pytest.raises(InvalidKeyError):
        store.put(key, b"")
    with pytest.raises(InvalidKeyError):
        _ = key in store
    with pytest.raises(InvalidKeyError):
        encode_key(key)


def test_non_str_keys_are_refused() -> None:
    with pytest.raises(InvalidKeyError):
        URLEncodeKeysDecorator(DictStore()).get(b"k")  # type: ignore[arg-type]


def test_the_wrapped_store_checks_the_encoded_length() -> None:
    class Short(DictStore):
        def _check_valid_key(self, key: str) -> None:
            super()._check_valid_key(key)
            if len(key) > 13:
                raise InvalidKeyError(f"key {key!r} is too long", key=key)

    store = URLEncodeKeysDecorator(Short())
    store.put("äöa", b"")  # "%C3%A4%C3%B6a": 13 characters
    assert store.keys() == ["äöa"]
    with pytest.raises(InvalidKeyError, match="too long"):
        store.put("äöü", b"")  # 18 characters encoded


def test_keys_like_dots_and_slashes_are_storable() -> None:
    store = URLEncodeKeysDecorator(DictStore())
    for key in ["...", "./x", "../x", "a//b", "/", " ", "%", "+", "%2F", "ä\u2028"]:
        store.put(key, key.encode())
        assert store.get(key) == key.encode()
    assert len(store.keys()) == 10


def test_listing_hides_keys_the_decorator_did_not_write() -> None:
    inner = DictStore({"a!b": b"", "%zz": b"", "%c3%a4": b"", "%C3": b"", "ok": b"", "%0A": b""})
    assert URLEncodeKeysDecorator(inner).keys() == ["ok"]


def test_prefix_listing_encodes_the_prefix() -> None:
    store = URLEncodeKeysDecorator(DictStore())
    for key in ["ä1", "ä2", "äb", "a", "ab", "a b", "+"]:
        store.put(key, b"")
    assert sorted(store.keys("ä")) == ["ä1", "ä2", "äb"]
    assert sorted(store.keys("a")) == ["a", "a b", "ab"]
    assert store.keys("a ") == ["a b"]
    assert store.keys("+") == ["+"]
    assert store.keys("\ud800") == []


@pytest.mark.parametrize("delimiter", ["/", " ", "ä", "b", "/ä", "-", "%"])
def test_iter_prefixes_works_on_decoded_keys(delimiter: str) -> None:
    store = URLEncodeKeysDecorator(DictStore())
    keys = ["/", "a/b/c", "a/b c", "ä/x", "b a", "abc", "x-y/z", "%25", "b%/"]
    for key in keys:
        store.put(key, b"")
    for prefix in ["", "a", "a/", "ä", "%"]:
        expected = set(KeyValueStore.iter_prefixes(store, delimiter, prefix))
        assert set(store.iter_prefixes(delimiter, prefix)) == expected
        assert len(expected) == len(list(store.iter_prefixes(delimiter, prefix)))


@settings(max_examples=80, deadline=None)
@given(
    stored=st.lists(text_keys, max_size=8, unique=True),
    delimiter=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=2),
    prefix=st.text(st.characters(exclude_categories=["Cs"]), max_size=2),
)
def test_listing_agrees_with_a_model(stored: list[str], delimiter: str, prefix: str) -> None:
    store = URLEncodeKeysDecorator(DictStore())
    for key in stored:
        store.put(key, key.encode("utf-8"))
    assert sorted(store.keys(prefix)) == sorted(key for key in stored if key.startswith(prefix))
    expected: set[str] = set()
    for key in stored:
        if key.startswith(prefix):
            end = key.find(delimiter, len(prefix))
            expected.add(key if end < 0 else key[: end + len(delimiter)])
    found = list(store.iter_prefixes(delimiter, prefix))
    assert sorted(found) == sorted(expected)


@given(text_keys)
def test_encoding_round_trips_and_is_quote_plus(key: str) -> None:
    encoded = encode_key(key)
    assert encoded == quote_plus(key.encode("utf-8"))
    assert decode_key(encoded) == key


def _prefixes_of_listed_keys(store: KeyValueStore, delimiter: str, prefix: str) -> set[str]:
    """The prefixes ``iter_prefixes`` must yield: computed from the keys ``iter_keys`` lists."""
    found = set()
    for key in store.iter_keys(prefix):
        end = key.find(delimiter, len(prefix))
        found.add(key if end < 0 else key[: end + len(delimiter)])
    return found


# Keys of the wrapped store that are not valid percent-encoding of any key: never listed.
NOT_ENCODED = ["a%2F%zz", "c%2Fx%2F%ZZ", "d%2fy", "f%2F%", "g%2Fh%2F%C3", "bad+key%2Fx%2"]


@pytest.mark.parametrize("delimiter", ["/", " ", ":", "x", "%"])
@pytest.mark.parametrize("prefix", ["", "c", "c/", "g/"])
def test_iter_prefixes_yields_only_prefixes_of_listed_keys(delimiter: str, prefix: str) -> None:
    inner = DictStore()
    store = URLEncodeKeysDecorator(inner)
    for key in ["b/ok", "c/x/ok", "e /", "g/h:i", "plain"]:
        store.put(key, b"")
    for key in NOT_ENCODED:
        inner.put(key, b"")
    assert sorted(store.iter_keys()) == ["b/ok", "c/x/ok", "e /", "g/h:i", "plain"]
    assert set(store.iter_prefixes(delimiter, prefix)) == _prefixes_of_listed_keys(
        store, delimiter, prefix
    )


def test_a_group_of_only_invalid_encodings_leaves_no_prefix() -> None:
    inner = DictStore()
    store = URLEncodeKeysDecorator(inner)
    inner.put("a%2F%zz", b"")
    store.put("kept", b"")
    assert list(store.iter_prefixes("/")) == ["kept"]

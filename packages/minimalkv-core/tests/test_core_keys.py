"""Key rules of the basic and the extended key space (minimalkv._keys, minimalkv._constants)."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from minimalkv import (
    PORTABLE_KEY_LENGTH,
    VALID_KEY_RE,
    VALID_KEY_RE_EXTENDED,
    VALID_KEY_REGEXP,
    VALID_KEY_REGEXP_EXTENDED,
    InvalidKeyError,
    check_key,
    is_valid_key,
)
from minimalkv.backend import KEY_PUNCTUATION

# The oracle: written from the original's documentation, independent of the implementation.
PUNCTUATION = "!\"#$%&'()+,-.<=>?@[\\]^_`{}~"
BASIC_CHARS = frozenset(string.ascii_letters + string.digits + PUNCTUATION)
EXTENDED_CHARS = BASIC_CHARS | {"/", " "}
INVALID_SAMPLES = [
    " ",
    "*",
    "/",
    ":",
    ";",
    "|",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x7f",
    "é",
    "ß",
    "\u2028",
]


def oracle(key: object, extended: bool = False) -> bool:
    if not isinstance(key, str) or not key:
        return False
    allowed = EXTENDED_CHARS if extended else BASIC_CHARS
    if any(char not in allowed for char in key):
        return False
    segments = key.split("/") if extended else [key]
    return all(segment and segment not in (".", "..") for segment in segments)


def chars_only(key: str, extended: bool = False) -> bool:
    """What the regular expressions alone say: non-empty, only allowed characters."""
    allowed = EXTENDED_CHARS if extended else BASIC_CHARS
    return bool(key) and all(char in allowed for char in key)


def test_punctuation_matches_the_original_documentation() -> None:
    assert set(PUNCTUATION) == set(KEY_PUNCTUATION)
    assert "\\" in BASIC_CHARS


@pytest.mark.parametrize("char", sorted(BASIC_CHARS - {"."}))
def test_every_allowed_character_alone_is_a_valid_key(char: str) -> None:
    assert is_valid_key(char)
    assert is_valid_key(char, extended=True)
    check_key(char)
    assert VALID_KEY_RE.match(char)
    assert re.match(VALID_KEY_REGEXP, char)


def test_every_allowed_character_in_one_key() -> None:
    key = "".join(sorted(BASIC_CHARS))
    check_key(key)
    check_key(key, extended=True)


@pytest.mark.parametrize("char", INVALID_SAMPLES)
def test_invalid_character_classes_are_refused(char: str) -> None:
    extended_ok = char in (" ", "/")
    for key in (f"a{char}b", f"{char}b", f"a{char}"):
        assert not is_valid_key(key)
        with pytest.raises(InvalidKeyError):
            check_key(key)
        if extended_ok and key == f"a{char}b":
            assert is_valid_key(key, extended=True)
        elif not extended_ok:
            assert not is_valid_key(key, extended=True)


def test_every_non_allowed_ascii_character_is_refused() -> None:
    for code in range(128):
        char = chr(code)
        if char not in BASIC_CHARS:
            assert not is_valid_key(f"a{char}b"), repr(char)
            assert VALID_KEY_RE.match(f"a{char}b") is None


@pytest.mark.parametrize("extended", [False, True])
def test_trailing_newline_is_invalid(extended: bool) -> None:
    assert not is_valid_key("key\n", extended)
    with pytest.raises(InvalidKeyError):
        check_key("key\n", extended)
    assert VALID_KEY_RE.match("key\n") is None
    assert re.match(VALID_KEY_REGEXP, "key\n") is None
    assert VALID_KEY_RE_EXTENDED.match("key\n") is None
    assert re.match(VALID_KEY_REGEXP_EXTENDED, "a/b\n") is None


@pytest.mark.parametrize("extended", [False, True])
@pytest.mark.parametrize("key", ["", ".", ".."])
def test_empty_and_dot_names_are_invalid(key: str, extended: bool) -> None:
    assert not is_valid_key(key, extended)
    with pytest.raises(InvalidKeyError):
        check_key(key, extended)


@pytest.mark.parametrize("key", ["...", ".a", "a.", "a..b", ".hidden"])
def test_dots_inside_a_key_are_fine(key: str) -> None:
    check_key(key)


@pytest.mark.parametrize("key", ["a/b", "a/b/c", "a b", " a", "a ", "a b/c d", "x/.../y", ".a/b."])
def test_extended_key_space_accepts(key: str) -> None:
    check_key(key, extended=True)
    assert not is_valid_key(key, extended=False)


@pytest.mark.parametrize(
    "key", ["/", "a/", "/a", "a//b", "../x", "a/./b", "a/..", "./a", "a/.", "//", "a\n/b", "a*b/c"]
)
def test_extended_key_space_refuses(key: str) -> None:
    assert not is_valid_key(key, extended=True)
    with pytest.raises(InvalidKeyError):
        check_key(key, extended=True)


@pytest.mark.parametrize("key", [b"key", 1, None, 1.5, ["a"], ("a",), object()])
@pytest.mark.parametrize("extended", [False, True])
def test_non_str_keys_are_invalid(key: object, extended: bool) -> None:
    assert not is_valid_key(key, extended)
    with pytest.raises(InvalidKeyError) as info:
        check_key(key, extended)
    assert isinstance(info.value, ValueError)
    assert info.value.key is None
    assert "str" in str(info.value)


def test_portable_length_key_is_valid() -> None:
    assert PORTABLE_KEY_LENGTH == 250
    check_key("k" * PORTABLE_KEY_LENGTH)
    check_key("/".join(["abcd"] * 50)[:249] + "e", extended=True)


def test_valid_key_regexp_is_the_string_of_valid_key_re() -> None:
    assert isinstance(VALID_KEY_REGEXP, str)
    assert VALID_KEY_RE.pattern == VALID_KEY_REGEXP
    assert VALID_KEY_RE_EXTENDED.pattern == VALID_KEY_REGEXP_EXTENDED
    # The regular expression describes characters only: '.' matches it, is_valid_key refuses it.
    assert VALID_KEY_RE.match(".")
    assert not is_valid_key(".")


def test_message_names_the_bad_character_and_hints_at_extended_keys() -> None:
    with pytest.raises(InvalidKeyError) as info:
        check_key("a b")
    message = str(info.value)
    assert "' '" in message
    assert "extended" in message
    assert info.value.key == "a b"
    with pytest.raises(InvalidKeyError) as info:
        check_key("a*b")
    assert "*" in str(info.value)
    assert "allowed" in str(info.value)


def test_message_shows_a_trailing_newline_visibly() -> None:
    with pytest.raises(InvalidKeyError) as info:
        check_key("key\n")
    assert "\\n" in str(info.value)


def test_message_for_a_bad_extended_path_explains_the_path_rule() -> None:
    with pytest.raises(InvalidKeyError) as info:
        check_key("a//b", extended=True)
    assert "segment" in str(info.value)
    with pytest.raises(InvalidKeyError) as info:
        check_key("..", extended=True)
    assert "reserved" in str(info.value)


def test_message_for_empty_key() -> None:
    with pytest.raises(InvalidKeyError) as info:
        check_key("")
    assert "empty" in str(info.value)


_ALPHABET = st.sampled_from(sorted(EXTENDED_CHARS) + INVALID_SAMPLES + [".", "/", "/"])
_KEYS = st.one_of(
    st.text(_ALPHABET, max_size=12),
    st.lists(st.sampled_from(["a", ".", "..", "", " ", "b c", "x.y"]), max_size=4).map("/".join),
)


@given(_KEYS)
def test_basic_validation_agrees_with_the_oracle(key: str) -> None:
    assert is_valid_key(key) is oracle(key)
    assert (VALID_KEY_RE.match(key) is not None) is chars_only(key)
    if oracle(key):
        check_key(key)
    else:
        with pytest.raises(InvalidKeyError):
            check_key(key)


@given(_KEYS)
def test_extended_validation_agrees_with_the_oracle(key: str) -> None:
    assert is_valid_key(key, extended=True) is oracle(key, extended=True)
    assert (VALID_KEY_RE_EXTENDED.match(key) is not None) is chars_only(key, extended=True)
    if oracle(key, extended=True):
        check_key(key, extended=True)
    else:
        with pytest.raises(InvalidKeyError):
            check_key(key, extended=True)


@given(st.text(max_size=8))
def test_any_unicode_text_agrees_with_the_oracle(key: str) -> None:
    assert is_valid_key(key) is oracle(key)
    assert is_valid_key(key, extended=True) is oracle(key, extended=True)

"""The weird-key table: keys at the edges of both key spaces, with the expected verdict."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Final

from minimalkv import PORTABLE_KEY_LENGTH
from minimalkv.backend import KEY_PUNCTUATION

__all__ = ["INVALID_KEYS", "NON_STR_KEYS", "WEIRD_KEYS", "KeyCase"]


@dataclass(frozen=True)
class KeyCase:
    """One key of the table and whether it is valid in the basic and the extended key space."""

    key: str
    basic: bool
    extended: bool
    label: str

    def valid(self, extended: bool) -> bool:
        """Return the verdict for a store of the given key space."""
        return self.extended if extended else self.basic


def _cases() -> list[KeyCase]:
    cases: list[KeyCase] = []
    for char in KEY_PUNCTUATION:
        alone_ok = char != "."  # "." alone names a directory: refused everywhere
        cases.append(KeyCase(char, alone_ok, alone_ok, f"alone-{ord(char):02x}"))
        cases.append(KeyCase(f"a{char}b", True, True, f"inside-{ord(char):02x}"))
    letters = string.ascii_letters + string.digits
    cases += [
        KeyCase(letters, True, True, "letters-digits"),
        KeyCase("k" * PORTABLE_KEY_LENGTH, True, True, "longest"),
        KeyCase((KEY_PUNCTUATION * 10)[:PORTABLE_KEY_LENGTH], True, True, "longest-punct"),
        KeyCase("a..b", True, True, "dots-in-name"),
        KeyCase("...", True, True, "three-dots"),
        KeyCase(".a", True, True, "leading-dot"),
        KeyCase("-a", True, True, "leading-dash"),
        KeyCase("a/b", False, True, "slash"),
        KeyCase("a b", False, True, "space"),
        KeyCase(" ", False, True, "space-alone"),
        KeyCase("x/y z/w", False, True, "slash-and-space"),
        KeyCase("c..d/e..f", False, True, "dots-in-segments"),
        KeyCase("a/.b/c.", False, True, "dotted-segments"),
        KeyCase("/".join(["s"] * 125), False, True, "longest-path"),
    ]
    cases += [KeyCase(key, False, False, label) for key, label in _INVALID]
    return cases


_INVALID: Final = [
    ("", "empty"),
    ("/", "slash-alone"),
    ("a/", "trailing-slash"),
    ("/a", "leading-slash"),
    ("a//b", "double-slash"),
    ("../x", "parent-prefix"),
    ("a/../b", "parent-inside"),
    ("a/..", "parent-suffix"),
    ("./a", "dot-prefix"),
    ("a/./b", "dot-inside"),
    (".", "dot"),
    ("..", "dotdot"),
    ("\u00e4", "non-ascii"),
    ("a\u20acb", "non-ascii-inside"),
    ("\x00", "nul"),
    ("a\tb", "tab"),
    ("a\rb", "carriage-return"),
    ("\x7f", "delete-char"),
    ("*", "star"),
    (":", "colon"),
    (";", "semicolon"),
    ("|", "pipe"),
    ("a\n", "trailing-newline"),
    ("\na", "leading-newline"),
    ("a\\b/../c", "parent-after-backslash"),
]

WEIRD_KEYS: Final[tuple[KeyCase, ...]] = tuple(_cases())
"""Every key of the table, valid and invalid, in both key spaces."""

INVALID_KEYS: Final[tuple[str, ...]] = tuple(key for key, _ in _INVALID)
"""Keys that are invalid in both key spaces."""

NON_STR_KEYS: Final[tuple[object, ...]] = (b"a", 1, None, 1.5, ("a",))
"""Objects that are not keys at all; every method must raise ``ValueError`` for them."""

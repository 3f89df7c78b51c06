"""Key validation for the basic and the extended key space."""

from __future__ import annotations

from typing import Final

from ._errors import InvalidArgumentError, InvalidKeyError
from ._public_constants import KEY_PUNCTUATION, VALID_KEY_RE, VALID_KEY_RE_EXTENDED

__all__ = ["check_key", "check_prefix", "is_valid_key"]

_basic_match: Final = VALID_KEY_RE.match
_extended_match: Final = VALID_KEY_RE_EXTENDED.match
# "." and ".." are made of valid characters but name a directory on every path-like backend;
# refusing them everywhere keeps the semantics identical across backends.
_DOT_NAMES: Final = frozenset({".", ".."})

# Keys already found valid, one set per key space. Matching the key regex costs several times
# a set lookup, and applications use the same keys again and again; a lookup on a str (its
# hash is cached) is nearly free. Only exact ``str`` instances are cached (a subclass could
# redefine ``==``). The sets are private to this module and answer only "is this key valid in
# the generic rules of its key space": a store with stricter rules checks them in its own
# ``_check_valid_key``, which nothing bypasses. Bounded: cleared when full.
_CACHE_LIMIT: Final = 1 << 15
_valid_basic: Final[set[str]] = set()
_valid_extended: Final[set[str]] = set()


def is_valid_key(key: object, extended: bool = False) -> bool:
    r"""Return whether ``key`` is a valid key of the basic (or ``extended``) key space.

    Basic keys are non-empty strings of ASCII letters, digits and
    ``!"#$%&'()+,-.<=>?@[\]^_`{}~``, other than ``.`` and ``..``. Extended keys may also
    contain ``/`` and space, but as a path: no leading or trailing ``/``, no empty segment
    (``a//b``) and no ``.`` or ``..`` segment, so no key can name something outside a store.
    """
    cache = _valid_extended if extended else _valid_basic
    if not isinstance(key, str):
        return False
    if key.__class__ is str and key in cache:
        return True
    if not extended:
        valid = _basic_match(key) is not None and key not in _DOT_NAMES
    elif _extended_match(key) is None:
        valid = False
    elif "/" not in key:
        valid = key not in _DOT_NAMES
    else:
        valid = all(segment and segment not in _DOT_NAMES for segment in key.split("/"))
    if valid and key.__class__ is str:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache.add(key)
    return valid


def check_key(key: object, extended: bool = False) -> None:
    """Raise :class:`InvalidKeyError` (a ``ValueError``) unless ``key`` is valid.

    The message says which rule the key breaks.
    """
    if key.__class__ is str and key in (_valid_extended if extended else _valid_basic):
        return  # the common case, answered without a further call
    if is_valid_key(key, extended):
        return
    raise InvalidKeyError(_explain(key, extended), key=key if isinstance(key, str) else None)


def check_prefix(prefix: object) -> None:
    """Raise :class:`InvalidArgumentError` (a ``ValueError``) unless ``prefix`` is a ``str``.

    Prefixes of ``keys``, ``iter_keys`` and ``iter_prefixes`` are not keys: any str is allowed.
    """
    if not isinstance(prefix, str):
        raise InvalidArgumentError(f"prefix must be a str, got {type(prefix).__name__}")


def _explain(key: object, extended: bool) -> str:
    if not isinstance(key, str):
        return f"invalid key {key!r}: keys must be str, not {type(key).__name__}"
    if not key:
        return "invalid key '': keys must not be empty"
    space = "extended key space" if extended else "key space"
    allowed = "ASCII letters, digits, " + KEY_PUNCTUATION + (", '/' and space" if extended else "")
    bad = sorted({c for c in key if not c.isascii() or not (c.isalnum() or c in KEY_PUNCTUATION)})
    if extended:
        bad = [c for c in bad if c not in "/ "]
    if bad:
        hint = "" if extended else "; use an extended-key store (h... URL) for '/' and space"
        return (
            f"invalid key {key!r}: character(s) {''.join(bad)!r} are not in the {space} "
            f"(allowed: {allowed}){hint}"
        )
    if key in _DOT_NAMES:
        return f"invalid key {key!r}: '.' and '..' are reserved"
    return (
        f"invalid key {key!r}: in the extended key space a key is a path of non-empty segments "
        "separated by single '/', without a leading or trailing '/' and without '.' or '..' "
        "segments"
    )

"""URLEncodeKeysDecorator: any text key, stored percent-encoded."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Final
from urllib.parse import quote_plus, unquote_plus

from minimalkv import InvalidArgumentError, InvalidKeyError, KeyValueStore, StoreCapabilities

from ._store_decorator import StoreDecorator, WrappedStore

__all__ = ["URLEncodeKeysDecorator", "decode_key", "encode_key"]

_CONTROL: Final = re.compile("[\x00-\x1f\x7f]")
# The characters quote_plus(..., safe="") never changes (urllib.parse's always-safe set).
_UNCHANGED: Final = re.compile("[A-Za-z0-9_.~-]+").fullmatch


def encode_key(key: str) -> str:
    """Return the key :class:`URLEncodeKeysDecorator` stores for ``key``.

    That is ``urllib.parse.quote_plus(key.encode("utf-8"))``: ``"a b/ä:c"`` becomes
    ``"a+b%2F%C3%A4%3Ac"``. A key outside the decorator's key space raises
    :class:`minimalkv.InvalidKeyError`.
    """
    if not isinstance(key, str):
        raise InvalidKeyError(
            f"invalid key {key!r}: keys must be str, not {type(key).__name__}",
            key=None,
        )
    if key in ("", ".", ".."):
        what = "keys must not be empty" if not key else "'.' and '..' are reserved"
        raise InvalidKeyError(f"invalid key {key!r}: {what}", key=key)
    if _UNCHANGED(key) is not None:
        return key  # what quote_plus returns for a key of these characters only
    if _CONTROL.search(key) is not None:
        raise InvalidKeyError(
            f"invalid key {key!r}: control characters (U+0000-U+001F, U+007F) are not allowed",
            key=key,
        )
    try:
        return quote_plus(key, safe="", encoding="utf-8", errors="strict")
    except UnicodeEncodeError as exc:
        raise InvalidKeyError(
            f"invalid key {key!r}: not encodable as UTF-8 ({exc.reason})", key=key
        ) from None


def decode_key(stored: str) -> str | None:
    """Return the key whose :func:`encode_key` is ``stored``, or None if there is none.

    None means ``stored`` was not written by the decorator (``"a b"``, ``"%zz"``, lower-case
    escapes, invalid UTF-8): such keys are hidden from listings.
    """
    try:
        key = unquote_plus(stored, encoding="utf-8", errors="strict")
        if encode_key(key) == stored:
            return key
    except (UnicodeDecodeError, InvalidKeyError):
        pass
    return None


class URLEncodeKeysDecorator(StoreDecorator[WrappedStore]):
    """Stores each key percent-encoded, so that any text key fits any store.

    A key becomes ``urllib.parse.quote_plus(key.encode("utf-8"))`` in the wrapped store
    (``"a b/ä:c"`` is stored as ``"a+b%2F%C3%A4%3Ac"``); listing decodes.

    The decorator's key space: every non-empty ``str`` that is valid UTF-8 text (no lone
    surrogates) and contains no control character (U+0000-U+001F, U+007F, so no newline),
    except ``.`` and ``..`` (reserved in every minimalkv store). The encoded key must also be
    valid in the wrapped store, which decides about length: an encoded key is up to nine times
    as long as the key.

    Listing with a prefix encodes the prefix too; the encoding maps each character to a fixed
    sequence that cannot start in the middle of another's, so the encoded prefix matches
    exactly the encoded keys that start with the prefix. Keys in the wrapped store that the
    decorator could not have written are not listed.
    """

    def _capabilities_over(self, wrapped: StoreCapabilities) -> StoreCapabilities:
        """Return the wrapped store's capabilities; keys may contain ``/`` and space (and more)."""
        return dataclasses.replace(wrapped, extended_keys=True)

    def _inner_key(self, key: str) -> str:
        return encode_key(key)

    def _outer_key(self, inner_key: str) -> str | None:
        return decode_key(inner_key)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the (decoded) keys that start with ``prefix``."""
        if not isinstance(prefix, str):
            raise InvalidArgumentError(f"prefix must be a str, not {type(prefix).__name__}")
        try:
            inner_prefix = quote_plus(prefix, safe="", encoding="utf-8", errors="strict")
        except UnicodeEncodeError:
            return iter(())  # no key contains a lone surrogate
        found = map(decode_key, self._dstore.iter_keys(inner_prefix))
        return (key for key in found if key is not None)

    def iter_prefixes(self, delimiter: str, prefix: str = "") -> Iterator[str]:
        """Iterate over the distinct key prefixes up to ``delimiter``, on the decoded keys.

        When the encoded delimiter starts with ``%`` or ``+`` (``/``, space, most punctuation)
        the wrapped store does the work on encoded keys: such a sequence can only start at a
        character boundary, so it finds the same delimiters. Otherwise the keys are scanned.
        Either way only prefixes of listed keys are yielded: keys in the wrapped store that the
        decorator could not have written (``a%2F%zz``) leave no prefix (``a/``).
        """
        try:
            inner_delimiter = quote_plus(delimiter, safe="", encoding="utf-8", errors="strict")
            inner_prefix = quote_plus(prefix, safe="", encoding="utf-8", errors="strict")
        except (UnicodeEncodeError, TypeError):
            inner_delimiter = inner_prefix = ""
        if not inner_delimiter or inner_delimiter[0] not in "%+":
            # The base class validates the arguments and scans self.iter_keys.
            return KeyValueStore.iter_prefixes(self, delimiter, prefix)
        # Called now, not in the generator: the wrapped store checks the arguments at once.
        found = self._dstore.iter_prefixes(inner_delimiter, inner_prefix)
        return self._listed_prefixes(found, inner_delimiter)

    def _listed_prefixes(self, found: Iterator[str], inner_delimiter: str) -> Iterator[str]:
        # Only prefixes of listed keys: a whole key when it decodes, a prefix ending in the
        # delimiter when some key under it decodes (keys such as "a%2F%zz" are not listed, so
        # they leave no "a/").
        for item in found:
            decoded = decode_key(item)
            if decoded is None:
                continue
            if not item.endswith(inner_delimiter) or any(
                decode_key(inner) is not None for inner in self._dstore.iter_keys(item)
            ):
                yield decoded

"""PlainStore: the smallest complete store, for tests of decorators and tools."""

from __future__ import annotations

from collections.abc import Iterator

from minimalkv import KeyNotFoundError, KeyValueStore

__all__ = ["PlainStore"]


class PlainStore(KeyValueStore):
    """An in-memory store with no optional capability: no copy, no URLs, no TTL.

    It implements only the hooks every store needs (``_get``, ``_put``, ``_delete``,
    ``iter_keys``); everything else comes from :class:`minimalkv.KeyValueStore`'s defaults. Use
    it where a test needs a store that lacks every capability, e.g. to check that a decorator
    offers no more than the store it wraps. Values are in :attr:`values`.
    """

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}
        """The stored values by key."""

    def _get(self, key: str) -> bytes:
        try:
            return self.values[key]
        except KeyError:
            raise KeyNotFoundError.for_key(key) from None

    def _put(self, key: str, data: bytes) -> str:
        self.values[key] = data
        return key

    def _delete(self, key: str) -> None:
        self.values.pop(key, None)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys that start with ``prefix`` (a snapshot)."""
        return iter([key for key in list(self.values) if key.startswith(prefix)])

"""DictStore: values in a Python dict."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from minimalkv import (
    CopyMixin,
    ExtendedKeyspaceMixin,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
)
from minimalkv.backend import BytesReader, check_prefix

__all__ = ["DictStore", "HDictStore"]


class DictStore(CopyMixin, KeyValueStore):
    """Stores values in a dict, attribute ``d``.

    A dict passed as ``d`` (even an empty one) is used as the store itself, so values put
    through the store appear in it (and values written into it directly are read back, as
    long as their keys are valid). Single calls are atomic under the GIL; there is no
    persistence.
    """

    def __init__(self, d: dict[str, bytes] | None = None) -> None:
        self.d: dict[str, bytes] = {} if d is None else d

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self.d)} keys>)"

    def _delete(self, key: str) -> None:
        self.d.pop(key, None)

    def _get(self, key: str) -> bytes:
        try:
            return self.d[key]
        except KeyError:
            raise KeyNotFoundError.for_key(key) from None

    def _has_key(self, key: str) -> bool:
        return key in self.d

    def _open(self, key: str) -> IO[bytes]:
        return BytesReader(self._get(key))

    def _put(self, key: str, data: bytes) -> str:
        self.d[key] = data
        return key

    def _copy(self, source: str, dest: str) -> str:
        self.d[dest] = self._get(source)
        return dest

    def _move(self, source: str, dest: str) -> str:
        value = self._get(source)
        self.d[dest] = value
        if source != dest:
            del self.d[source]
        return dest

    def _metadata(self, key: str) -> KeyMetadata:
        return KeyMetadata(key=key, size=len(self._get(key)))

    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        d = self.d
        return {key: d[key] for key in keys if key in d}

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        self.d.update(pairs)
        return [key for key, _ in pairs]

    def _delete_many(self, keys: list[str]) -> None:
        pop = self.d.pop
        for key in keys:
            pop(key, None)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys starting with ``prefix`` (a snapshot of the key list)."""
        check_prefix(prefix)
        if not prefix:
            return iter(list(self.d))
        return iter([key for key in list(self.d) if key.startswith(prefix)])


class HDictStore(ExtendedKeyspaceMixin, DictStore):
    """A :class:`DictStore` whose keys may also contain ``/`` and space (``hmemory://``)."""

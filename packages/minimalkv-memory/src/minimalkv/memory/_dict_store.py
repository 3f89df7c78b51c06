"""DictStore: values in a Python dict."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import IO, Any

from minimalkv import (
    BASIC_KEY_CACHE,
    EXTENDED_KEY_CACHE,
    BytesReader,
    CopyMixin,
    ExtendedKeyspaceMixin,
    InvalidValueError,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
    check_prefix,
)

__all__ = ["DictStore", "HDictStore"]


class DictStore(CopyMixin, KeyValueStore):
    """Stores values in a dict, attribute :attr:`d`.

    A dict passed as ``d`` (even an empty one) is used as the store itself, so values put
    through the store appear in it. Keys already in a passed dict are trusted as valid.
    Single calls are atomic under the GIL; there is no persistence.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The public fast paths read and write the dict directly. A subclass that changes a hook
        # they skip gets the base class's public method back, which calls the hook.
        super().__init_subclass__(**kwargs)
        for public, hook in (("get", "_get"), ("put", "_put"), ("__contains__", "_has_key")):
            if getattr(cls, public) in _FAST_PATHS and getattr(cls, hook) is not getattr(
                DictStore, hook
            ):
                setattr(cls, public, getattr(KeyValueStore, public))

    def __init__(self, d: dict[str, bytes] | None = None) -> None:
        self.d: dict[str, bytes] = {} if d is None else d

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self.d)} keys>)"

    # The public hot paths are overridden to save calls: a key found in the dict was validated
    # when it was put, so only a new key pays for validation, and even then the core's cache of
    # known-valid keys usually answers, tested inline through a module global (a second hash
    # probe, so it comes after the dict's own; see docs/benchmarks.md).
    def get(self, key: str) -> bytes:
        """Return the value of ``key``; a missing key raises ``KeyError``."""
        try:
            return self.d[key]
        except (KeyError, TypeError):
            self._check_valid_key(key)
            raise KeyNotFoundError.for_key(key) from None

    def put(self, key: str, data: bytes) -> str:
        """Store ``data`` under ``key``; return ``key``."""
        d = self.d
        # Exact-type checks (callers without a type checker pass anything); the rest goes
        # through _put_checked, which validates and explains.
        if (
            key.__class__ is str
            and data.__class__ is bytes
            and (key in d or key in BASIC_KEY_CACHE)
        ):
            d[key] = data
            return key
        return self._put_checked(key, data)

    def _put_checked(self, key: str, data: bytes) -> str:
        value: object = data
        self._check_valid_key(key)
        if not isinstance(value, bytes):
            raise InvalidValueError(
                f"value for key {key!r} must be bytes, not {type(data).__name__}", key=key
            )
        self.d[key] = data
        return key

    def __contains__(self, key: str) -> bool:
        """Return whether ``key`` exists."""
        try:
            if key in self.d:
                return True
        except TypeError:
            pass
        self._check_valid_key(key)
        return False

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

    def _direct_mapping(self) -> MutableMapping[str, bytes] | None:
        cls = type(self)
        if cls._get is DictStore._get and cls._put is DictStore._put:
            return self.d
        return None  # a subclass that changes reads or writes must be called

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


_FAST_PATHS: set[object] = {DictStore.get, DictStore.put, DictStore.__contains__}


class HDictStore(ExtendedKeyspaceMixin, DictStore):
    """A :class:`DictStore` whose keys may also contain ``/`` and space (``hmemory://``)."""

    def put(self, key: str, data: bytes) -> str:
        """Store ``data`` under ``key``; return ``key``."""
        d = self.d
        # Exact-type checks (callers without a type checker pass anything); the rest goes
        # through _put_checked, which validates and explains.
        if (
            key.__class__ is str
            and data.__class__ is bytes
            and (key in d or key in EXTENDED_KEY_CACHE)
        ):
            d[key] = data
            return key
        return self._put_checked(key, data)


_FAST_PATHS.add(HDictStore.put)

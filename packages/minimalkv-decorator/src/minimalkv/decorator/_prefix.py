"""PrefixDecorator: every key lives under a fixed prefix of the wrapped store."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Final, cast

from minimalkv import (
    InvalidArgumentError,
    InvalidKeyError,
    KeyValueStore,
    TtlArgument,
    capabilities_of,
)

from ._errors import UnsupportedCapabilityError
from ._protocols import TtlWritableStore
from ._store_decorator import StoreDecorator, WrappedStore, key_rules

__all__ = ["PrefixDecorator"]

# Bound on the per-decorator table of bare keys already validated (cleared when full).
_KNOWN_LIMIT: Final = 1 << 14


def _direct_mapping(store: object) -> MutableMapping[str, bytes] | None:
    return store._direct_mapping() if isinstance(store, KeyValueStore) else None


class PrefixDecorator(StoreDecorator[WrappedStore]):
    """Stores every key as ``prefix + key`` in the wrapped store: a namespace in a shared store.

    Every method maps keys, ``copy``, ``move``, ``iter_prefixes``, ``metadata``, ``url_for``
    and the batch calls included; listing shows only keys under the prefix, without it.

    A key is checked twice: the bare key with the wrapped store's rules (so the empty key and,
    in the extended key space, keys like ``/x`` are refused even though ``prefix + key`` might
    be valid), then ``prefix + key`` by the wrapped store itself (length limits). ``prefix``
    must be able to start a valid key of the wrapped store; otherwise the constructor raises
    :class:`minimalkv.InvalidArgumentError`.

    Two decorators share a store safely when neither prefix is a prefix of the other: end each
    with a delimiter that appears nowhere else in them (``tenant-1/`` in an extended-key store,
    ``tenant-1_`` otherwise). ``tenant-1`` and ``tenant-10`` would see each other's keys.

    Keys written into the wrapped store past the decorator whose remainder is not a valid bare
    key (the prefix itself, for example) are not listed by :meth:`iter_keys`.
    """

    def __init__(self, prefix: str, store: WrappedStore) -> None:
        super().__init__(store)
        if not isinstance(prefix, str):
            raise InvalidArgumentError(f"prefix must be a str, not {type(prefix).__name__}")
        rules = key_rules(store)
        try:
            rules(prefix + "x")
        except InvalidKeyError as exc:
            raise InvalidArgumentError(
                f"prefix {prefix!r} cannot start a key of {type(store).__name__}: {exc}"
            ) from exc
        self._prefix = prefix
        self._check_bare_key = rules
        self._install_fast_paths()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._prefix!r}, {self._dstore!r})"

    @property
    def prefix(self) -> str:
        """The prefix put in front of every key."""
        return self._prefix

    def _inner_key(self, key: str) -> str:
        if key == "":
            raise InvalidKeyError("invalid key '': keys must not be empty", key="")
        self._check_bare_key(key)
        return self._prefix + key

    def _bind_fast_paths(self) -> tuple[str, ...]:
        """Install closures for ``get`` and ``put`` that remember the keys they validated.

        A bare key, once valid, maps to the same inner key forever, so each decorator keeps a
        bounded table ``key -> prefix + key`` of exact ``str`` keys it validated: a known key
        costs one dict lookup instead of the validation and a concatenation (and the inner key
        object, hash included, is reused). The wrapped store still validates the inner key, in
        its own (cached) way. Nothing is installed for a subclass that overrides ``get``,
        ``put``, ``_inner_key`` or ``_guard_write``.
        """
        cls = type(self)
        if (
            cls._inner_key is not PrefixDecorator._inner_key
            or cls._guard_write is not StoreDecorator._guard_write
        ):
            return ()
        known: dict[str, str] = {}
        inner_key = self._inner_key
        wrapped = self._dstore

        def remember(key: str) -> str:
            inner = inner_key(key)  # raises InvalidKeyError for an invalid key
            if key.__class__ is str:
                if len(known) >= _KNOWN_LIMIT:
                    known.clear()
                known[key] = inner
            return inner

        names: list[str] = []
        # An in-memory store may hand out its mapping: then a known key is one lookup in
        # ``known`` and one in the store's dict, without a call into the store.
        values = _direct_mapping(wrapped)
        if cls.get is PrefixDecorator.get:
            inner_get = wrapped.get

            if values is not None:
                direct = values

                def get(key: str) -> bytes:
                    try:
                        return direct[known[key]]
                    except (KeyError, TypeError):
                        return inner_get(remember(key))  # validates; a missing key raises

            else:

                def get(key: str) -> bytes:
                    try:
                        inner = known[key]
                    except (KeyError, TypeError):
                        inner = remember(key)
                    return inner_get(inner)

            self.__dict__["get"] = get
            names.append("get")
        if cls.put is PrefixDecorator.put:
            inner_put = wrapped.put
            where = f"{cls.__name__} over {type(wrapped).__name__}"

            def put(key: str, data: bytes, ttl_secs: TtlArgument = None) -> str:
                if values is not None and ttl_secs is None and data.__class__ is bytes:
                    try:
                        values[known[key]] = data
                        return key
                    except (KeyError, TypeError):
                        pass
                try:
                    inner = known[key]
                except (KeyError, TypeError):
                    inner = remember(key)
                if ttl_secs is None:
                    inner_put(inner, data)
                    return key
                if not capabilities_of(wrapped).ttl:
                    raise UnsupportedCapabilityError(
                        f"put({key!r}, ..., ttl_secs={ttl_secs!r}): {where} cannot do this, "
                        "the wrapped store has no 'ttl' capability (see minimalkv.capabilities_of)"
                    )
                cast(TtlWritableStore, wrapped).put(inner, data, ttl_secs=ttl_secs)
                return key

            self.__dict__["put"] = put
            names.append("put")
        return tuple(names)

    def _outer_key(self, inner_key: str) -> str | None:
        if not inner_key.startswith(self._prefix):
            return None
        key = inner_key[len(self._prefix) :]
        try:
            self._check_bare_key(key)
        except ValueError:
            return None
        return key

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys (without the decorator's prefix) that start with ``prefix``."""
        if not isinstance(prefix, str):
            raise InvalidArgumentError(f"prefix must be a str, not {type(prefix).__name__}")
        inner_keys = self._dstore.iter_keys(self._prefix + prefix)
        return (key for key in map(self._outer_key, inner_keys) if key is not None)

    def iter_prefixes(self, delimiter: str, prefix: str = "") -> Iterator[str]:
        """Iterate over the distinct key prefixes up to ``delimiter`` (see KeyValueStore).

        The wrapped store does the work; a ``delimiter`` inside the decorator's prefix is not
        seen, because the search starts after ``prefix``.
        """
        if not isinstance(prefix, str):
            raise InvalidArgumentError(f"prefix must be a str, not {type(prefix).__name__}")
        found = self._dstore.iter_prefixes(delimiter, self._prefix + prefix)
        own, start = self._prefix, len(self._prefix)
        return (item[start:] for item in found if len(item) > start and item.startswith(own))

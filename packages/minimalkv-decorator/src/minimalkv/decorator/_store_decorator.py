"""StoreDecorator: a store that wraps another store and forwards what it does not change."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from minimalkv import (
    NOT_SET,
    BlobStore,
    FileSource,
    FileTarget,
    InvalidArgumentError,
    KeyMetadata,
    KeyValueStore,
    StoreCapabilities,
    SupportsCopy,
    SupportsUrl,
    TtlArgument,
    capabilities_of,
    check_key,
)

from ._errors import UnsupportedCapabilityError
from ._protocols import TtlWritableStore, WrappedStoreCannotCopy, WrappedStoreHasNoUrls

__all__ = ["StoreDecorator", "WrappedStore", "key_rules"]

WrappedStore = TypeVar("WrappedStore", bound=BlobStore, covariant=True)
"""The type of the store a decorator wraps; it decides which capabilities the types allow."""


def key_rules(store: BlobStore) -> Callable[[str], None]:
    """Return the function that validates keys of ``store`` (raising InvalidKeyError).

    A :class:`~minimalkv.KeyValueStore` brings its own rules (a decorator's are those of its
    whole stack); any other store gets the generic rules of its key space.
    """
    if isinstance(store, KeyValueStore):
        return store._check_valid_key
    return partial(check_key, extended=capabilities_of(store).extended_keys)


# Names that must never be forwarded to the wrapped store: pickle, copy and friends probe them
# with getattr and would otherwise pick up the wrapped store's state hooks.
_OWN_ATTRIBUTES = frozenset({"_dstore"})


class StoreDecorator(KeyValueStore, Generic[WrappedStore]):
    """A store that wraps another store, forwarding every call to it.

    Subclasses change what they need (keys, permissions) and inherit the rest. Every core
    method is forwarded, and so is every capability of the wrapped store: ``copy`` and
    ``move``, ``url_for``, ``put``/``put_file`` with ``ttl_secs``, the extended key space.
    :attr:`capabilities` reports exactly what the wrapped store offers (as changed by the
    decorator), and attributes the decorator does not define are read from the wrapped store.

    The class is generic over the wrapped store's type, so type checkers know the capabilities
    too: ``PrefixDecorator("p/", ttl_store).put(key, data, ttl_secs=60)`` type-checks when
    ``ttl_store`` takes ``ttl_secs``, and is an error when it does not. Calling a capability
    the wrapped store lacks raises :class:`UnsupportedCapabilityError` at run time.

    A decorator pickles when the wrapped store does. Subclasses override the key-mapping hooks
    :meth:`_inner_key` and :meth:`_outer_key`, the write guard :meth:`_guard_write`, and the
    listing methods.
    """

    def __init__(self, store: WrappedStore) -> None:
        # ``_dstore`` is the attribute name the original library used; code reaching into it
        # keeps working.
        self._dstore = store

    # ----------------------------------------------------------------- fast paths
    # A class with ``__getattr__`` (the forwarding below) gets no specialised attribute access
    # from CPython, so every ``self.x`` in a method costs a generic lookup. A subclass may
    # therefore install plain callables for its hot methods in the instance ``__dict__``
    # (closures over what they need, no ``self``): :meth:`_bind_fast_paths` installs them and
    # returns their names, which pickling leaves out and unpickling installs again.
    _fast_path_names: tuple[str, ...] = ()

    def _bind_fast_paths(self) -> tuple[str, ...]:
        """Install instance-level fast versions of hot methods; return their names.

        The default installs none. Call it at the end of ``__init__``; an override installs a
        callable only when the subclass at hand does not override the method it stands for.
        """
        return ()

    def _install_fast_paths(self) -> None:
        names = self._bind_fast_paths()
        self.__dict__["_fast_path_names"] = names

    def __getstate__(self) -> dict[str, Any]:
        """Return the state to pickle: the instance attributes without the fast paths."""
        state = dict(self.__dict__)
        for name in (*state.get("_fast_path_names", ()), "_fast_path_names"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled decorator and install its fast paths again."""
        self.__dict__.update(state)
        self._install_fast_paths()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._dstore!r})"

    @property
    def store(self) -> WrappedStore:
        """The wrapped store."""
        return self._dstore

    # ----------------------------------------------------------------- capabilities
    @property
    def capabilities(self) -> StoreCapabilities:
        """What this store offers: by default exactly what the wrapped store offers."""
        return capabilities_of(self._dstore)

    @property
    def extended_keys(self) -> bool:
        """Whether keys may contain ``/`` and space; follows :attr:`capabilities`."""
        return self.capabilities.extended_keys

    @extended_keys.setter
    def extended_keys(self, value: bool) -> None:
        raise AttributeError(
            f"{type(self).__name__}.extended_keys follows the wrapped store and cannot be set"
        )

    @property
    def ttl_support(self) -> bool:
        """Whether ``put`` and ``put_file`` accept ``ttl_secs`` (see :attr:`capabilities`)."""
        return self.capabilities.ttl

    @property
    def default_ttl_secs(self) -> TtlArgument:
        """The wrapped store's ``default_ttl_secs`` (``NOT_SET`` when it has no TTL).

        Setting it sets the wrapped store's, which needs a TTL-capable wrapped store.
        """
        value: TtlArgument = getattr(self._dstore, "default_ttl_secs", NOT_SET)
        return value

    @default_ttl_secs.setter
    def default_ttl_secs(self, value: TtlArgument) -> None:
        self._require("ttl", "set default_ttl_secs")
        setattr(self._dstore, "default_ttl_secs", value)  # noqa: B010 - not declared by S

    def _require(self, capability: str, operation: str) -> None:
        """Raise :class:`UnsupportedCapabilityError` unless :attr:`capabilities` has it."""
        if not getattr(self.capabilities, capability):
            raise UnsupportedCapabilityError(
                f"{operation}: {type(self).__name__} over {type(self._dstore).__name__} "
                f"cannot do this, the wrapped store has no {capability!r} capability "
                "(see minimalkv.capabilities_of)"
            )

    # ----------------------------------------------------------------- hooks for subclasses
    def _inner_key(self, key: str) -> str:
        """Validate an outer ``key`` and return the key used in the wrapped store.

        The default keeps the key; the wrapped store validates it.
        """
        return key

    def _outer_key(self, inner_key: str) -> str | None:
        """Map a key listed by the wrapped store back, or return None to hide it."""
        return inner_key

    def _check_valid_key(self, key: str) -> None:
        """Raise ``InvalidKeyError`` unless ``key`` is valid here: mapped, then the inner rules.

        This is what a decorator stacked on this one validates its keys with.
        """
        key_rules(self._dstore)(self._inner_key(key))

    def _guard_write(self, operation: str, *keys: str) -> None:
        """Check a mutating call before it reaches the wrapped store; raise to refuse it."""

    # ----------------------------------------------------------------- reading
    def __contains__(self, key: str) -> bool:
        """Return whether ``key`` exists. An invalid key raises ``ValueError``."""
        return self._inner_key(key) in self._dstore

    def get(self, key: str) -> bytes:
        """Return the value of ``key``; a missing key raises ``KeyError``."""
        return self._dstore.get(self._inner_key(key))

    def get_file(self, key: str, file: FileTarget) -> str:
        """Write the value of ``key`` to a path or writable binary file; return ``key``."""
        self._dstore.get_file(self._inner_key(key), file)
        return key

    def open(self, key: str) -> IO[bytes]:
        """Open the value of ``key`` for reading (a readable, seekable binary file)."""
        return self._dstore.open(self._inner_key(key))

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Return the values of ``keys`` that exist; missing keys are left out."""
        by_inner = {self._inner_key(key): key for key in keys}
        found = self._dstore.get_many(list(by_inner))
        return {by_inner[inner]: value for inner, value in found.items()}

    def metadata(self, key: str) -> KeyMetadata:
        """Return size, etag and modification time of ``key``'s value (keyed by ``key``)."""
        found = self._dstore.metadata(self._inner_key(key))
        return found if found.key == key else dataclasses.replace(found, key=key)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys that start with ``prefix``."""
        return self._dstore.iter_keys(prefix)

    def iter_prefixes(self, delimiter: str, prefix: str = "") -> Iterator[str]:
        """Iterate over the distinct key prefixes up to ``delimiter`` (see KeyValueStore)."""
        return self._dstore.iter_prefixes(delimiter, prefix)

    def close(self) -> None:
        """Close the wrapped store."""
        self._dstore.close()

    # ----------------------------------------------------------------- writing
    @overload
    def put(self, key: str, data: bytes) -> str: ...
    @overload
    def put(
        self: StoreDecorator[TtlWritableStore],
        key: str,
        data: bytes,
        ttl_secs: TtlArgument = None,
    ) -> str: ...
    def put(self, key: str, data: bytes, ttl_secs: TtlArgument = None) -> str:
        """Store ``data`` under ``key``; return ``key``.

        ``ttl_secs`` is accepted when the wrapped store takes it (``None`` means its default).
        """
        self._guard_write("put", key)
        inner = self._inner_key(key)
        if ttl_secs is None:
            self._dstore.put(inner, data)
        else:
            self._require("ttl", f"put({key!r}, ..., ttl_secs={ttl_secs!r})")
            cast(TtlWritableStore, self._dstore).put(inner, data, ttl_secs=ttl_secs)
        return key

    @overload
    def put_file(self, key: str, file: FileSource) -> str: ...
    @overload
    def put_file(
        self: StoreDecorator[TtlWritableStore],
        key: str,
        file: FileSource,
        ttl_secs: TtlArgument = None,
    ) -> str: ...
    def put_file(self, key: str, file: FileSource, ttl_secs: TtlArgument = None) -> str:
        """Store the content of a path or readable binary file under ``key``; return ``key``.

        ``ttl_secs`` is accepted when the wrapped store takes it (``None`` means its default).
        """
        self._guard_write("put_file", key)
        inner = self._inner_key(key)
        if ttl_secs is None:
            self._dstore.put_file(inner, file)
        else:
            self._require("ttl", f"put_file({key!r}, ..., ttl_secs={ttl_secs!r})")
            cast(TtlWritableStore, self._dstore).put_file(inner, file, ttl_secs=ttl_secs)
        return key

    def delete(self, key: str) -> None:
        """Delete ``key``; a missing key is not an error."""
        self._guard_write("delete", key)
        self._dstore.delete(self._inner_key(key))

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        """Store several values (every key and value is checked first); return their keys."""
        self._guard_write("put_many")
        pairs: list[Any] = list(items.items()) if isinstance(items, Mapping) else list(items)
        inner_pairs: list[tuple[str, bytes]] = []
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise InvalidArgumentError(
                    f"put_many expects a mapping or (key, value) pairs, got {pair!r:.60}"
                )
            inner_pairs.append((self._inner_key(pair[0]), pair[1]))
        self._dstore.put_many(inner_pairs)
        return [key for key, _ in pairs]

    def delete_many(self, keys: Iterable[str]) -> None:
        """Delete ``keys`` (every key is checked first); missing keys are ignored."""
        self._guard_write("delete_many")
        self._dstore.delete_many([self._inner_key(key) for key in keys])

    # ----------------------------------------------------------------- capabilities
    # Each capability method has two overloads: the real one, for a wrapped store that has the
    # capability, and one taking a marker type, which is all that is left when it does not.
    @overload
    def copy(self: StoreDecorator[SupportsCopy], source: str, dest: str) -> str: ...
    @overload
    def copy(self, source: WrappedStoreCannotCopy, dest: WrappedStoreCannotCopy) -> str: ...
    def copy(self, source: str, dest: str) -> str:
        """Copy ``source`` to ``dest`` (overwriting it); return ``dest``.

        Needs a wrapped store that copies; otherwise :class:`UnsupportedCapabilityError`.
        """
        self._guard_write("copy", source, dest)
        self._require("copy", f"copy({source!r}, {dest!r})")
        cast(SupportsCopy, self._dstore).copy(self._inner_key(source), self._inner_key(dest))
        return dest

    @overload
    def move(self: StoreDecorator[SupportsCopy], source: str, dest: str) -> str: ...
    @overload
    def move(self, source: WrappedStoreCannotCopy, dest: WrappedStoreCannotCopy) -> str: ...
    def move(self, source: str, dest: str) -> str:
        """Move ``source`` to ``dest`` (overwriting it); return ``dest``.

        Needs a wrapped store that copies; otherwise :class:`UnsupportedCapabilityError`.
        """
        self._guard_write("move", source, dest)
        self._require("copy", f"move({source!r}, {dest!r})")
        cast(SupportsCopy, self._dstore).move(self._inner_key(source), self._inner_key(dest))
        return dest

    @overload
    def url_for(self: StoreDecorator[SupportsUrl], key: str) -> str: ...
    @overload
    def url_for(self, key: WrappedStoreHasNoUrls) -> str: ...
    def url_for(self, key: str) -> str:
        """Return a URL for ``key`` (its existence is not checked).

        Needs a wrapped store with URLs; otherwise :class:`UnsupportedCapabilityError`.
        """
        self._require("url", f"url_for({key!r})")
        return cast(SupportsUrl, self._dstore).url_for(self._inner_key(key))

    # ----------------------------------------------------------------- forwarding
    if not TYPE_CHECKING:
        # Only at run time: type checkers see the declared API, so a typo is still an error
        # there; reach backend-specific attributes through ``.store`` to keep them typed.
        def __getattr__(self, name: str) -> Any:
            """Read attributes the decorator does not define from the wrapped store."""
            if name.startswith("__") or name in _OWN_ATTRIBUTES:
                # Not set yet (unpickling) or a protocol probe: never forward, never recurse.
                raise AttributeError(name)
            try:
                wrapped = self.__dict__["_dstore"]
            except KeyError:
                raise AttributeError(name) from None
            return getattr(wrapped, name)

"""StoreDecorator: a store that wraps another store and forwards what it does not change."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, ClassVar, Final, Generic, TypeVar, cast, overload

from minimalkv import (
    BlobStore,
    FileSource,
    FileTarget,
    InvalidArgumentError,
    KeyMetadata,
    KeyValueStore,
    StoreCapabilities,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    TtlArgument,
    capabilities_of,
    check_key,
)

from ._errors import MissingCapabilityError, UnsupportedCapabilityError
from ._protocols import WrappedStoreCannotCopy, WrappedStoreHasNoUrls

__all__ = ["StoreDecorator", "WrappedStore", "key_rules"]

WrappedStore = TypeVar("WrappedStore", bound=BlobStore, covariant=True)
"""The type of the store a decorator wraps; it decides which capabilities the types allow."""

_Decorator = TypeVar("_Decorator", bound="StoreDecorator[Any]")


def key_rules(store: BlobStore) -> Callable[[str], None]:
    """Return the function that checks a key against the key space of ``store``.

    A decorator brings the rules of its own key space (what it maps, then the rules of the
    store it wraps, down the stack). Any other store gets the generic rules of its key space:
    :func:`minimalkv.check_key` with ``capabilities_of(store).extended_keys``. Rules a store
    adds on top (a length limit, say) are not known from outside; the store applies them itself
    in each of its public methods, so a key passing here may still be refused there.
    """
    if isinstance(store, StoreDecorator):
        return store.validate_key
    return _check_extended_key if capabilities_of(store).extended_keys else check_key


def _check_extended_key(key: str) -> None:
    # A plain function: this runs on every call of a decorator, and a partial with a keyword
    # argument costs several times the check itself.
    check_key(key, True)


# The attributes each optional capability consists of. A decorator has them exactly when its
# capabilities include that capability (see _specialise), as a plain store has them exactly
# when its class defines them: the protocols and capabilities_of then give the same answer.
_CAPABILITY_OF: Final = {
    "copy": "copy",
    "move": "copy",
    "url_for": "url",
    "ttl_support": "ttl",
    "default_ttl_secs": "ttl",
}

# Never forwarded to the wrapped store: the decorator's own state (pickle and copy probe it
# before it is set).
_OWN_ATTRIBUTES: Final = frozenset({"_dstore", "_capabilities", "_check_inner_key"})


class StoreDecorator(KeyValueStore, Generic[WrappedStore]):
    """A store that wraps another store, forwarding every call to it.

    Subclasses change what they need (keys, permissions) and inherit the rest. Every core
    method is forwarded to the wrapped store's public method, and so is every capability of the
    wrapped store: ``copy`` and ``move``, ``url_for``, ``put``/``put_file`` with ``ttl_secs``
    (``ttl_support``, ``default_ttl_secs``), the extended key space. Attributes the decorator
    does not define are read from the wrapped store.

    The capabilities are decided once, when the decorator is built, from
    ``capabilities_of(store)`` (so a wrapped store's capabilities must not change afterwards):
    :attr:`capabilities` reports them, and the decorator has the methods of exactly those
    capabilities, so ``isinstance(decorator, SupportsCopy)`` (``SupportsUrl``, ``SupportsTtl``)
    agrees with :func:`minimalkv.capabilities_of`. For that, the instance's class is a subclass
    of the decorator's class made for that set of capabilities; it carries the same name, and
    pickling and copying go through the decorator's own class.

    The class is generic over the wrapped store's type, so type checkers know the capabilities
    too: ``PrefixDecorator("p/", ttl_store).put(key, data, ttl_secs=60)`` type-checks when
    ``ttl_store`` takes ``ttl_secs``, and is an error when it does not. A capability the
    decorator lacks raises :class:`UnsupportedCapabilityError` at run time.

    A decorator pickles when the wrapped store does. Subclasses override the key-mapping hooks
    :meth:`_inner_key` and :meth:`_outer_key`, the write guard :meth:`_guard_write`, the
    capability hooks :meth:`_capabilities_over`, :meth:`_copy`, :meth:`_move` and
    :meth:`_url_for`, and the listing methods; they store through :meth:`_put_inner` and
    :meth:`_put_file_inner`.
    """

    _check_inner_key: Callable[[str], None]
    """Check a key of the wrapped store against its key space: ``key_rules(store)``, decided
    when the decorator is built, as the capabilities are."""

    def __init__(self, store: WrappedStore) -> None:
        # ``_dstore`` is the attribute name minimalkv 1.x used; code reaching into it keeps
        # working.
        self._dstore = store
        self._check_inner_key = key_rules(store)
        self._capabilities = self._capabilities_over(capabilities_of(store))
        self.__class__ = _specialise(type(self), self._capabilities)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._dstore!r})"

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickle (and copy) as the decorator's own class, specialised again when restored."""
        getstate = getattr(type(self), "__getstate__", None)  # object has one from 3.11 on
        state = getstate(self) if getstate is not None else self.__dict__
        return (_restore, (_public_class(type(self)), self._capabilities), state)

    @property
    def store(self) -> WrappedStore:
        """The wrapped store."""
        return self._dstore

    # ----------------------------------------------------------------- capabilities
    @property
    def capabilities(self) -> StoreCapabilities:
        """What this store offers, decided when it was built (see :meth:`_capabilities_over`)."""
        return self._capabilities

    @property
    def extended_keys(self) -> bool:
        """Whether keys may contain ``/`` and space; follows :attr:`capabilities`."""
        return self._capabilities.extended_keys

    @extended_keys.setter
    def extended_keys(self, value: bool) -> None:
        raise AttributeError(
            f"{type(self).__name__}.extended_keys follows the wrapped store and cannot be set"
        )

    if TYPE_CHECKING:
        # At run time these exist only on a decorator with the ttl capability (_Expiring).
        @property
        def ttl_support(self: StoreDecorator[SupportsTtl]) -> bool:
            """True: ``put`` and ``put_file`` accept ``ttl_secs``."""

        @property
        def default_ttl_secs(self: StoreDecorator[SupportsTtl]) -> TtlArgument:
            """The wrapped store's ``default_ttl_secs``; setting it sets the wrapped store's."""

        @default_ttl_secs.setter
        def default_ttl_secs(self: StoreDecorator[SupportsTtl], value: TtlArgument) -> None: ...

    def _capabilities_over(self, wrapped: StoreCapabilities) -> StoreCapabilities:
        """Return this decorator's capabilities, given those of the wrapped store.

        Called once, by ``__init__``; the default offers exactly what the wrapped store
        offers. A subclass that adds a capability implements its hook (:meth:`_copy`,
        :meth:`_url_for`); one that removes a capability needs nothing else.
        """
        return wrapped

    def _require(self, capability: str, operation: str) -> None:
        """Raise :class:`UnsupportedCapabilityError` unless :attr:`capabilities` has it."""
        if not getattr(self._capabilities, capability):
            raise UnsupportedCapabilityError(self._lacks(capability, operation))

    def _lacks(self, capability: str, operation: str) -> str:
        return (
            f"{operation}: {type(self).__name__} over {type(self._dstore).__name__} "
            f"cannot do this, it has no {capability!r} capability (see minimalkv.capabilities_of)"
        )

    # ----------------------------------------------------------------- hooks for subclasses
    def _inner_key(self, key: str) -> str:
        """Check an outer ``key`` as far as this decorator must; return the wrapped store's key.

        The default keeps the key: the wrapped store validates it.
        """
        return key

    def _outer_key(self, inner_key: str) -> str | None:
        """Map a key listed by the wrapped store back, or return None to hide it."""
        return inner_key

    def _check_valid_key(self, key: str) -> None:
        """Raise ``InvalidKeyError`` unless ``key`` is valid here: mapped, then the inner rules.

        For a decorator that must refuse a key before doing any work with it; a decorator
        stacked on this one checks its keys with it too. The store at the bottom of the stack
        applies its own further rules when it is called.
        """
        self._check_inner_key(self._inner_key(key))

    def validate_key(self, key: str) -> None:
        """Raise :class:`minimalkv.InvalidKeyError` unless ``key`` is a key of this decorator.

        The decorator's own rules (its key mapping), then those of the key space beneath it;
        a decorator stacked on this one checks its keys with this method (see
        :func:`key_rules`). It calls :meth:`_check_valid_key`, so a subclass's rules apply.
        """
        self._check_valid_key(key)

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
        self: StoreDecorator[SupportsTtl], key: str, data: bytes, ttl_secs: TtlArgument = None
    ) -> str: ...
    def put(self, key: str, data: bytes, ttl_secs: TtlArgument = None) -> str:
        """Store ``data`` under ``key``; return ``key``.

        ``ttl_secs`` is accepted when the wrapped store takes it (``None`` means its default).
        """
        self._guard_write("put", key)
        self._put_inner(self._inner_key(key), data, ttl_secs, key)
        return key

    @overload
    def put_file(self, key: str, file: FileSource) -> str: ...
    @overload
    def put_file(
        self: StoreDecorator[SupportsTtl],
        key: str,
        file: FileSource,
        ttl_secs: TtlArgument = None,
    ) -> str: ...
    def put_file(self, key: str, file: FileSource, ttl_secs: TtlArgument = None) -> str:
        """Store the content of a path or readable binary file under ``key``; return ``key``.

        ``ttl_secs`` is accepted when the wrapped store takes it (``None`` means its default).
        """
        self._guard_write("put_file", key)
        self._put_file_inner(self._inner_key(key), file, ttl_secs, key)
        return key

    def _put_inner(self, inner_key: str, data: bytes, ttl_secs: TtlArgument, key: str) -> None:
        """Store ``data`` under ``inner_key`` in the wrapped store, with ``ttl_secs`` if given.

        How every decorator forwards a time-to-live: ``None`` calls the wrapped store's plain
        ``put`` (which applies its own default); any other value needs the ``ttl`` capability
        (:class:`UnsupportedCapabilityError` naming the outer ``key`` otherwise) and is checked
        by the wrapped store.
        """
        if ttl_secs is None:
            self._dstore.put(inner_key, data)
        else:
            self._require("ttl", f"put({key!r}, ..., ttl_secs={ttl_secs!r})")
            cast(SupportsTtl, self._dstore).put(inner_key, data, ttl_secs=ttl_secs)

    def _put_file_inner(
        self, inner_key: str, file: FileSource, ttl_secs: TtlArgument, key: str
    ) -> None:
        """Store a path's or file's content under ``inner_key``; ``ttl_secs`` as in _put_inner."""
        if ttl_secs is None:
            self._dstore.put_file(inner_key, file)
        else:
            self._require("ttl", f"put_file({key!r}, ..., ttl_secs={ttl_secs!r})")
            cast(SupportsTtl, self._dstore).put_file(inner_key, file, ttl_secs=ttl_secs)

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

    # ----------------------------------------------------------------- capability hooks
    # ``copy``, ``move`` and ``url_for`` are added by _specialise for a decorator that has the
    # capability; they call these hooks, which a subclass overrides to change how it is done.
    def _copy(self, source: str, dest: str) -> str:
        """Copy ``source`` to ``dest`` (outer keys): the wrapped store's ``copy``."""
        cast(SupportsCopy, self._dstore).copy(self._inner_key(source), self._inner_key(dest))
        return dest

    def _move(self, source: str, dest: str) -> str:
        """Move ``source`` to ``dest`` (outer keys): the wrapped store's ``move``."""
        cast(SupportsCopy, self._dstore).move(self._inner_key(source), self._inner_key(dest))
        return dest

    def _url_for(self, key: str) -> str:
        """Return the URL of ``key`` (an outer key): the wrapped store's ``url_for``."""
        return cast(SupportsUrl, self._dstore).url_for(self._inner_key(key))

    if TYPE_CHECKING:
        # Each capability method has two overloads: the real one, for a wrapped store that has
        # the capability, and one taking a marker type, which is all that is left when it does
        # not. At run time they exist only on a decorator with the capability.
        @overload
        def copy(self: StoreDecorator[SupportsCopy], source: str, dest: str) -> str: ...
        @overload
        def copy(self, source: WrappedStoreCannotCopy, dest: WrappedStoreCannotCopy) -> str: ...
        def copy(self, source: str, dest: str) -> str:
            """Copy ``source`` to ``dest`` (overwriting it); return ``dest``."""

        @overload
        def move(self: StoreDecorator[SupportsCopy], source: str, dest: str) -> str: ...
        @overload
        def move(self, source: WrappedStoreCannotCopy, dest: WrappedStoreCannotCopy) -> str: ...
        def move(self, source: str, dest: str) -> str:
            """Move ``source`` to ``dest`` (overwriting it); return ``dest``."""

        @overload
        def url_for(self: StoreDecorator[SupportsUrl], key: str) -> str: ...
        @overload
        def url_for(self, key: WrappedStoreHasNoUrls) -> str: ...
        def url_for(self, key: str) -> str:
            """Return a URL for ``key`` (its existence is not checked)."""

    # ----------------------------------------------------------------- forwarding
    else:
        # Only at run time: type checkers see the declared API, so a typo is still an error
        # there; reach backend-specific attributes through ``.store`` to keep them typed.
        def __getattr__(self, name: str) -> Any:
            """Read attributes the decorator does not define from the wrapped store.

            A capability's attribute is never forwarded: a decorator without the capability
            does not have it (:class:`MissingCapabilityError`, an ``AttributeError``).
            """
            if name.startswith("__") or name in _OWN_ATTRIBUTES:
                # Not set yet (unpickling) or a protocol probe: never forward, never recurse.
                raise AttributeError(name)
            capability = _CAPABILITY_OF.get(name)
            if capability is not None:
                raise MissingCapabilityError(self._lacks(capability, name))
            try:
                wrapped = self.__dict__["_dstore"]
            except KeyError:
                raise AttributeError(name) from None
            return getattr(wrapped, name)

        def __setattr__(self, name: str, value: Any) -> None:
            """Set an attribute; a capability's attribute only when the decorator has it."""
            capability = _CAPABILITY_OF.get(name)
            if capability is not None and not hasattr(type(self), name):
                raise MissingCapabilityError(self._lacks(capability, f"set {name}"))
            super().__setattr__(name, value)


# ----------------------------------------------------------------- capability mixins
# At run time the mixins are plain classes: after every decorator class and KeyValueStore in
# the method resolution order, they only fill in what no class of the decorator defines.
if TYPE_CHECKING:
    _Mixin = StoreDecorator[Any]
else:
    _Mixin = object


class _Copying(_Mixin):
    """The ``copy`` and ``move`` of a decorator whose capabilities include ``copy``."""

    def copy(self, source: str, dest: str) -> str:
        """Copy ``source`` to ``dest`` (overwriting it); return ``dest``."""
        self._guard_write("copy", source, dest)
        return self._copy(source, dest)

    def move(self, source: str, dest: str) -> str:
        """Move ``source`` to ``dest`` (overwriting it); return ``dest``."""
        self._guard_write("move", source, dest)
        return self._move(source, dest)


class _WithUrls(_Mixin):
    """The ``url_for`` of a decorator whose capabilities include ``url``."""

    def url_for(self, key: str) -> str:
        """Return a URL for ``key`` (its existence is not checked)."""
        return self._url_for(key)


class _Expiring(_Mixin):
    """``ttl_support`` and ``default_ttl_secs`` of a decorator with the ``ttl`` capability."""

    ttl_support: ClassVar[bool] = True

    @property
    def default_ttl_secs(self) -> TtlArgument:
        """The wrapped store's ``default_ttl_secs``; setting it sets the wrapped store's."""
        return cast(SupportsTtl, self._dstore).default_ttl_secs

    @default_ttl_secs.setter
    def default_ttl_secs(self, value: TtlArgument) -> None:
        self._guard_write("set default_ttl_secs")
        cast(SupportsTtl, self._dstore).default_ttl_secs = value


# In the order of the flags in _specialise's key: copy, url, ttl.
_MIXINS: Final = (_Copying, _WithUrls, _Expiring)
_SPECIALISED: dict[tuple[type[Any], bool, bool, bool], type[Any]] = {}


def _public_class(cls: type[_Decorator]) -> type[_Decorator]:
    """Return the decorator class a specialised class was made from (or ``cls`` itself)."""
    found: type[_Decorator] = cls.__dict__.get("_specialised_from", cls)
    return found


def _specialise(cls: type[_Decorator], capabilities: StoreCapabilities) -> type[_Decorator]:
    """Return the subclass of ``cls`` that has the methods of exactly ``capabilities``.

    The capability mixins come last in the method resolution order, so a method the decorator
    class defines itself always wins. One class per decorator class and set of capabilities is
    made, on first use.
    """
    public = _public_class(cls)
    key = (public, capabilities.copy, capabilities.url, capabilities.ttl)
    found = _SPECIALISED.get(key)
    if found is None:
        mixins = tuple(mixin for mixin, wanted in zip(_MIXINS, key[1:], strict=True) if wanted)
        if not mixins:
            found = public
        else:
            namespace = {
                "__module__": public.__module__,
                "__qualname__": public.__qualname__,
                "__doc__": public.__doc__,
                "_specialised_from": public,
            }
            metaclass: Callable[..., type[Any]] = type(public)
            found = metaclass(public.__name__, (public, *mixins), namespace)
        found = _SPECIALISED.setdefault(key, found)
    return cast(type[_Decorator], found)


def _restore(cls: type[_Decorator], capabilities: StoreCapabilities) -> _Decorator:
    """Unpickle a decorator: an empty instance of ``cls`` specialised for ``capabilities``."""
    instance: _Decorator = object.__new__(_specialise(cls, capabilities))
    return instance

"""PrefixDecorator: every key lives under a fixed prefix of the wrapped store."""

from __future__ import annotations

from collections.abc import Iterator

from minimalkv import InvalidArgumentError, InvalidKeyError

from ._store_decorator import StoreDecorator, WrappedStore

__all__ = ["PrefixDecorator"]


class PrefixDecorator(StoreDecorator[WrappedStore]):
    """Stores every key as ``prefix + key`` in the wrapped store: a namespace in a shared store.

    Every method maps keys, ``copy``, ``move``, ``iter_prefixes``, ``metadata``, ``url_for``
    and the batch calls included; listing shows only keys under the prefix, without it.

    A key is checked twice: the bare key against the key space of the wrapped store (see
    :func:`key_rules`: the empty key and, in the extended key space, keys like ``/x`` are
    refused even though ``prefix + key`` might be valid), then ``prefix + key`` by the wrapped
    store itself, in its public methods (with any rule of its own, such as a length limit).
    ``prefix`` must be able to start a valid key of the wrapped store; otherwise the
    constructor raises :class:`minimalkv.InvalidArgumentError`.

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
        try:
            self._check_inner_key(prefix + "x")
        except InvalidKeyError as exc:
            raise InvalidArgumentError(
                f"prefix {prefix!r} cannot start a key of {type(store).__name__}: {exc}"
            ) from exc
        self._prefix = prefix

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._prefix!r}, {self._dstore!r})"

    @property
    def prefix(self) -> str:
        """The prefix put in front of every key."""
        return self._prefix

    def _inner_key(self, key: str) -> str:
        # The bare key must be a key of the wrapped store's key space on its own: "" or "/x"
        # would make a valid inner key but are no keys. The wrapped store checks the whole key.
        if key == "":
            raise InvalidKeyError("invalid key '': keys must not be empty", key="")
        self._check_inner_key(key)
        return self._prefix + key

    def _outer_key(self, inner_key: str) -> str | None:
        if not inner_key.startswith(self._prefix):
            return None
        key = inner_key[len(self._prefix) :]
        try:
            self._check_inner_key(key)
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
        seen, because the search starts after ``prefix``. Only prefixes of listed keys are
        yielded: a whole key only when :meth:`iter_keys` lists it, a prefix ending in
        ``delimiter`` only when some listed key starts with it (keys written past the
        decorator that it does not list, such as ``prefix + "/x"``, leave no prefix).
        """
        if not isinstance(prefix, str):
            raise InvalidArgumentError(f"prefix must be a str, not {type(prefix).__name__}")
        # Called now, not in the generator: the wrapped store checks the arguments at once.
        found = self._dstore.iter_prefixes(delimiter, self._prefix + prefix)
        return self._listed_prefixes(found, delimiter)

    def _listed_prefixes(self, found: Iterator[str], delimiter: str) -> Iterator[str]:
        own, start = self._prefix, len(self._prefix)
        for item in found:
            if len(item) <= start or not item.startswith(own):
                continue
            if item.endswith(delimiter):
                # A key ending in the delimiter or a group of keys: is one of them listed?
                inner_keys = self._dstore.iter_keys(item)
                if any(self._outer_key(inner) is not None for inner in inner_keys):
                    yield item[start:]
            elif self._outer_key(item) is not None:
                yield item[start:]

"""ReadOnlyDecorator: reading works, every write is refused."""

from __future__ import annotations

import dataclasses
from typing import IO

from minimalkv import ReadOnlyError, StoreCapabilities

from ._store_decorator import StoreDecorator, WrappedStore

__all__ = ["ReadOnlyDecorator"]


class ReadOnlyDecorator(StoreDecorator[WrappedStore]):
    """A read-only view of a store.

    Every reading call works as on the wrapped store: ``get``, ``open``, ``get_file``, ``in``,
    ``keys``, ``iter_keys``, ``iter_prefixes``, ``get_many``, ``metadata`` and ``url_for``.
    Every mutating call (``put``, ``put_file``, ``delete``, ``copy``, ``move``, ``put_many``,
    ``delete_many``) raises :class:`minimalkv.ReadOnlyError`, a :class:`PermissionError`, before
    anything reaches the wrapped store, even for an invalid key or value. Its
    :attr:`capabilities` therefore report neither ``copy`` nor ``ttl``.
    """

    def __init__(self, store: WrappedStore) -> None:
        super().__init__(store)
        self._install_fast_paths()

    def _bind_fast_paths(self) -> tuple[str, ...]:
        """Use the wrapped store's own bound ``get`` and ``open``: a read costs no extra call.

        Reads pass through unchanged, so the bound methods behave exactly as the class
        methods would. Not installed for a subclass that overrides them.
        """
        cls = type(self)
        names = tuple(
            name
            for name in ("get", "open")
            if getattr(cls, name) is getattr(ReadOnlyDecorator, name)
        )
        for name in names:
            self.__dict__[name] = getattr(self._dstore, name)
        return names

    @property
    def capabilities(self) -> StoreCapabilities:
        """The wrapped store's capabilities without the writing ones (``copy``, ``ttl``)."""
        return dataclasses.replace(super().capabilities, copy=False, ttl=False)

    def _guard_write(self, operation: str, *keys: str) -> None:
        shown = ", ".join(repr(key) for key in keys)
        raise ReadOnlyError(
            f"{operation}({shown}) refused: {type(self).__name__} over "
            f"{type(self._dstore).__name__} is read-only",
            key=keys[0] if keys and isinstance(keys[0], str) else None,
        )

    # The reading hot paths skip the key-mapping hook: a read-only view keeps keys as they are.
    def __contains__(self, key: str) -> bool:
        """Return whether ``key`` exists. An invalid key raises ``ValueError``."""
        return key in self._dstore

    def get(self, key: str) -> bytes:
        """Return the value of ``key``; a missing key raises ``KeyError``."""
        return self._dstore.get(key)

    def open(self, key: str) -> IO[bytes]:
        """Open the value of ``key`` for reading."""
        return self._dstore.open(key)

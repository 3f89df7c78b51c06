"""ReadOnlyDecorator: reading works, every write is refused."""

from __future__ import annotations

from minimalkv import ReadOnlyError

from ._store_decorator import StoreDecorator, WrappedStore

__all__ = ["ReadOnlyDecorator"]


class ReadOnlyDecorator(StoreDecorator[WrappedStore]):
    """A read-only view of a store.

    Every reading call works as on the wrapped store: ``get``, ``open``, ``get_file``, ``in``,
    ``keys``, ``iter_keys``, ``iter_prefixes``, ``get_many``, ``metadata`` and ``url_for``.
    Every mutating call (``put``, ``put_file``, ``delete``, ``copy``, ``move``, ``put_many``,
    ``delete_many``, setting ``default_ttl_secs``) raises :class:`minimalkv.ReadOnlyError`, a
    :class:`PermissionError`, before anything reaches the wrapped store, even for an invalid
    key or value.

    Its :attr:`capabilities` are the wrapped store's: they say which methods the store has
    (``copy`` and ``move`` over a store that copies, ``ttl_secs`` over a TTL store), as the
    types do, and the permission to write is a separate matter, refused for every write alike.
    """

    def _guard_write(self, operation: str, *keys: str) -> None:
        shown = ", ".join(repr(key) for key in keys)
        raise ReadOnlyError(
            f"{operation}({shown}) refused: {type(self).__name__} over "
            f"{type(self._dstore).__name__} is read-only",
            key=keys[0] if keys and isinstance(keys[0], str) else None,
        )

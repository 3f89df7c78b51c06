"""ReadOnlyDecorator: reading works, every write is refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from minimalkv import ReadOnlyError

from ._protocols import ReadOnlyStoreCannotWrite
from ._store_decorator import _CAPABILITY_OF, _OWN_ATTRIBUTES, StoreDecorator, WrappedStore

__all__ = ["ReadOnlyDecorator"]

# Values that cannot be used to change anything: a read-only decorator forwards a public
# attribute of the wrapped store only when its value is one of these (or a tuple or frozenset
# of them). A client, a connection, a dict, a method or a store is never handed out.
_PLAIN_DATA: tuple[type[Any], ...] = (str, bytes, int, float, bool, type(None))


def _is_plain_data(value: object) -> bool:
    if isinstance(value, (tuple, frozenset)):
        return all(_is_plain_data(item) for item in value)
    return isinstance(value, _PLAIN_DATA)


class ReadOnlyDecorator(StoreDecorator[WrappedStore]):
    """A read-only view of a store: nothing reachable from it writes.

    Every reading call works as on the wrapped store: ``get``, ``open``, ``get_file``, ``in``,
    ``keys``, ``iter_keys``, ``iter_prefixes``, ``get_many``, ``metadata`` and ``url_for``.
    Every mutating call (``put``, ``put_file``, ``delete``, ``copy``, ``move``, ``put_many``,
    ``delete_many``, setting ``default_ttl_secs``) raises :class:`minimalkv.ReadOnlyError`, a
    :class:`PermissionError`, before anything reaches the wrapped store, even for an invalid
    key or value. So do the protected write hooks (``_put``, ``_put_file``,
    ``_put_filename``, ``_delete``, ``_put_many``, ``_delete_many``, ``_copy``, ``_move``).

    The wrapped store is not handed out: ``.store`` raises ``AttributeError`` (keep a
    reference to the store you wrapped if you need to write to it), and of the wrapped store's
    other attributes only public ones holding plain data (``str``, ``bytes``, numbers,
    ``bool``, ``None``, tuples and frozensets of them, such as a ``prefix`` or a ``root``) are
    forwarded; a client, connection, dict, method or store (``.redis``, ``.bind``, ``.d``)
    raises ``AttributeError`` saying why. ``_dstore``, the decorator's own state, is an
    implementation detail, not part of the API.

    Its :attr:`capabilities` are the wrapped store's: they say which methods the store has
    (``copy`` and ``move`` over a store that copies, ``ttl_secs`` over a TTL store), and the
    permission to write is a separate matter, refused for every write alike. For type
    checkers ``copy`` and ``move`` take only :data:`ReadOnlyStoreCannotWrite`, so a call, which
    can only fail, is an error before it runs.
    """

    def _guard_write(self, operation: str, *keys: str) -> None:
        raise self._refusal(operation, *keys)

    def _refusal(self, operation: str, *keys: object) -> ReadOnlyError:
        shown = ", ".join(repr(key) for key in keys)
        return ReadOnlyError(
            f"{operation}({shown}) refused: {type(self).__name__} over "
            f"{type(self._dstore).__name__} is read-only",
            key=keys[0] if keys and isinstance(keys[0], str) else None,
        )

    @property
    def store(self) -> NoReturn:
        """Not available: a read-only view does not hand out the store it wraps."""
        raise AttributeError(self._no_store_message())

    def _no_store_message(self) -> str:
        return (
            f"{type(self).__name__} does not hand out the wrapped "
            f"{type(self._dstore).__name__} (it could write); keep a reference to the store "
            "you wrapped if you need to write to it"
        )

    # ----------------------------------------------------------------- write hooks, refused
    # Every hook that writes, whatever its arguments (a TTL store's hooks take ttl_secs too).
    def _put(self, key: str, data: bytes, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_put", key)

    def _put_file(self, key: str, file: Any, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_put_file", key)

    def _put_filename(self, key: str, filename: str, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_put_filename", key)

    def _put_inner(self, inner_key: str, data: bytes, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_put_inner", inner_key)

    def _put_file_inner(self, inner_key: str, file: Any, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_put_file_inner", inner_key)

    def _delete(self, key: str) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_delete", key)

    def _put_many(self, pairs: Any) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_put_many")

    def _delete_many(self, keys: Any) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_delete_many")

    def _copy(self, source: str, dest: str) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_copy", source, dest)

    def _move(self, source: str, dest: str) -> NoReturn:
        """Refused: raise :class:`minimalkv.ReadOnlyError`."""
        raise self._refusal("_move", source, dest)

    if TYPE_CHECKING:
        # At run time copy and move exist exactly when the capabilities say so (over a store
        # that copies), and raise ReadOnlyError like every write; for type checkers they take
        # only the marker type, so a call is reported before it can fail.
        def copy(  # type: ignore[override]  # a read-only view narrows copy to nothing
            self, source: ReadOnlyStoreCannotWrite, dest: ReadOnlyStoreCannotWrite
        ) -> str:
            """Refused: a read-only store cannot copy."""

        def move(  # type: ignore[override]  # a read-only view narrows move to nothing
            self, source: ReadOnlyStoreCannotWrite, dest: ReadOnlyStoreCannotWrite
        ) -> str:
            """Refused: a read-only store cannot move."""

    else:

        def __getattr__(self, name: str) -> Any:
            """Forward a public attribute of the wrapped store only when it holds plain data."""
            if name.startswith("__") or name in _OWN_ATTRIBUTES or name in _CAPABILITY_OF:
                return super().__getattr__(name)
            if name == "store":
                # The property raised AttributeError, which lands here.
                raise AttributeError(self._no_store_message())
            if name.startswith("_"):
                raise AttributeError(
                    f"{type(self).__name__} does not forward private attributes of the "
                    f"wrapped store ({name!r}): a read-only view hands out nothing that writes"
                )
            value = super().__getattr__(name)
            if _is_plain_data(value):
                return value
            raise AttributeError(
                f"{type(self).__name__} does not forward {name!r} of the wrapped "
                f"{type(self._dstore).__name__}: it is a {type(value).__name__}, not plain "
                "data, and a read-only view hands out nothing that could write"
            )

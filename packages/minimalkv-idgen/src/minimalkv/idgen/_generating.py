"""The base of the id-generating decorators: ``put(None, ...)`` makes the key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, overload

from minimalkv import FileSource, InvalidArgumentError, InvalidValueError, SupportsTtl, TtlArgument
from minimalkv.backend import ReadableBinary, file_source, normalize_ttl
from minimalkv.decorator import StoreDecorator, WrappedStore

from ._template import KeyTemplate

__all__ = ["IdGeneratingDecorator"]


class IdGeneratingDecorator(StoreDecorator[WrappedStore]):
    """A decorator whose ``put``, ``put_file`` and ``put_many`` make the key when it is ``None``.

    The key rule, the same in every subclass: a generated id is formatted by ``template``; an
    explicit key is used exactly as given (the template does not apply to it), so with an
    explicit key every call behaves as on the wrapped store. Subclasses say how an id is
    generated (:meth:`_key_for_data`, :meth:`_put_file_generated`) and give two sample ids.
    """

    def __init__(self, store: WrappedStore, template: str = "{}") -> None:
        super().__init__(store)
        self._template = KeyTemplate(template, self._sample_ids(), self._check_inner_key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._dstore!r}, template={self.template!r})"

    @property
    def template(self) -> str:
        """The ``str.format`` template that turns a generated id into a key."""
        return self._template.template

    # ----------------------------------------------------------------- for subclasses
    def _sample_ids(self) -> tuple[str, str]:
        """Return two different ids shaped like the generated ones (to check the template)."""
        raise NotImplementedError

    def _key_for_data(self, data: bytes) -> str:
        """Return the generated key for ``data`` (already checked to be bytes)."""
        raise NotImplementedError

    def _put_file_generated(self, file: str | ReadableBinary, ttl_secs: TtlArgument) -> str:
        """Store a file (a path or a binary file, checked) under a generated key; return it."""
        raise NotImplementedError

    # ----------------------------------------------------------------- writing
    @overload
    def put(self, key: str | None, data: bytes) -> str: ...
    @overload
    def put(
        self: IdGeneratingDecorator[SupportsTtl],
        key: str | None,
        data: bytes,
        ttl_secs: TtlArgument = None,
    ) -> str: ...
    def put(self, key: str | None, data: bytes, ttl_secs: TtlArgument = None) -> str:
        """Store ``data`` under ``key``, or under a generated key when ``key`` is None.

        Return the key used. ``ttl_secs`` is accepted when the wrapped store takes it.
        """
        if key is None:
            self._check_ttl(ttl_secs, "put")
            key = self._key_for_data(_checked_bytes(data))
        self._guard_write("put", key)
        self._put_inner(self._inner_key(key), data, ttl_secs, key)
        return key

    @overload
    def put_file(self, key: str | None, file: FileSource) -> str: ...
    @overload
    def put_file(
        self: IdGeneratingDecorator[SupportsTtl],
        key: str | None,
        file: FileSource,
        ttl_secs: TtlArgument = None,
    ) -> str: ...
    def put_file(self, key: str | None, file: FileSource, ttl_secs: TtlArgument = None) -> str:
        """Store a path's or binary file's content under ``key`` (or a generated key).

        Return the key used. ``ttl_secs`` is accepted when the wrapped store takes it.
        """
        if key is None:
            self._check_ttl(ttl_secs, "put_file")
            self._guard_write("put_file")
            # No key yet: the message names the call as the caller made it, put_file(None, ...).
            source = file_source(None, file)
            return self._put_file_generated(source, ttl_secs)
        self._guard_write("put_file", key)
        self._put_file_inner(self._inner_key(key), file, ttl_secs, key)
        return key

    def put_many(
        self, items: Mapping[str, bytes] | Iterable[tuple[str | None, bytes]]
    ) -> list[str]:
        """Store several values; a ``None`` key is generated. Return the keys used, in order."""
        pairs: list[Any] = list(items.items()) if isinstance(items, Mapping) else list(items)
        resolved: list[tuple[str, bytes]] = []
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise InvalidArgumentError(
                    f"put_many expects a mapping or (key, value) pairs, got {pair!r:.60}"
                )
            key, data = pair
            resolved.append(
                (self._key_for_data(_checked_bytes(data)) if key is None else key, data)
            )
        return super().put_many(resolved)

    # ----------------------------------------------------------------- helpers
    def _check_ttl(self, ttl_secs: TtlArgument, operation: str) -> None:
        # Checked before an id is made (and, for a hash, before a stream is spooled).
        if ttl_secs is not None:
            self._require("ttl", f"{operation}(None, ..., ttl_secs={ttl_secs!r})")
            normalize_ttl(ttl_secs)


def _checked_bytes(data: object) -> bytes:
    if not isinstance(data, bytes):
        raise InvalidValueError(
            f"value must be bytes, not {type(data).__name__}"
            + ("; encode text first, e.g. value.encode('utf-8')" if isinstance(data, str) else "")
        )
    return data

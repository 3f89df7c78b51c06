"""CacheDecorator: a read-through cache in front of a store, invalidated on every write."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import IO, Any, overload

from minimalkv import (
    BlobStore,
    FileSource,
    FileTarget,
    InvalidArgumentError,
    InvalidKeyError,
    StoreError,
    SupportsTtl,
    TtlArgument,
)
from minimalkv.backend import WritableBinary, copy_stream, file_target
from minimalkv.decorator import StoreDecorator, WrappedStore

__all__ = ["CacheDecorator", "CacheInvalidationError"]

_log = logging.getLogger("minimalkv.cache")

# What a cache may raise that means "the cache cannot help with this key": an I/O failure of
# any kind (StoreError included) or a key outside the cache's key space.
_CACHE_FAILURES = (OSError, InvalidKeyError)


class CacheInvalidationError(StoreError):
    """A write was refused because the cache could not drop its entry for the key first.

    Nothing was written to the backing store. A cache that cannot drop an entry could keep
    serving the old value after the write, so the write does not happen (see CacheDecorator).
    """


class CacheDecorator(StoreDecorator[WrappedStore]):
    """A read-through cache: reads try ``cache`` first, writes go to ``store`` and drop the entry.

    - ``get``, ``open``, ``get_file`` and ``get_many`` read the cache; on a miss they read the
      backing ``store`` and put the value into the cache (``open`` and ``get_file`` stream it
      from ``store.open()`` into ``cache.put_file()``, so memory stays bounded when the cache
      streams). ``in``, ``keys``, ``iter_keys``, ``iter_prefixes``, ``metadata`` and
      ``url_for`` ask the backing store only.
    - ``put``, ``put_file``, ``put_many``, ``delete``, ``delete_many``, ``copy`` and ``move``
      drop the cache entry of every key they change (``move``: source and destination), change
      the backing store, then drop the entries again (a read running concurrently may have
      refilled one with the old value).
    - A failing cache never fails a read: any ``OSError`` (every :class:`minimalkv.StoreError`
      included) or ``InvalidKeyError`` raised by the cache makes the read go to the backing
      store. A cache file that fails *after* ``open`` returned it is the caller's to handle,
      and ``get_file`` into a file object that cannot be rewound (seek and truncate) passes on
      a failure in the middle of copying from the cache.
    - A write is refused with :class:`CacheInvalidationError` (a ``StoreError``, an
      ``OSError``), before the backing store is touched, when the cache cannot drop the key's
      entry: writing anyway would leave the old value in the cache, served to every later
      read. If only the second drop (after the write) fails, the write stands and this
      decorator bypasses the cache for that key until a drop succeeds.
    - A value filled into the cache by a read that overlapped a write through this decorator
      is dropped again, so a stale value never stays cached. Writes that bypass this decorator
      (another process writing the backing store) are not seen: such a deployment needs a
      cache with its own expiry. Values stored with ``ttl_secs`` expire in the backing store
      only; give the cache an expiry too (e.g. a TTL store with ``default_ttl_secs``).

    ``max_value_size`` (bytes, default no limit) keeps larger values out of the cache: they
    are read from the backing store every time. With a cache that holds values in memory
    (``DictStore``) it bounds the memory a large value can take; a streaming fill stops as soon
    as the limit is passed.

    Capabilities are the backing store's (copy, URLs, TTL, key space). ``close()`` closes both.
    """

    def __init__(
        self, cache: BlobStore, store: WrappedStore, *, max_value_size: int | None = None
    ) -> None:
        super().__init__(store)
        self._cache = cache
        limit: object = max_value_size
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise InvalidArgumentError(
                f"max_value_size must be None or a size in bytes, got {max_value_size!r}"
            )
        self.max_value_size = max_value_size
        self._init_runtime_state()

    def _init_runtime_state(self) -> None:
        self._lock = threading.Lock()
        self._writes = _WriteCount()
        self._suspect: set[str] = set()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._cache!r}, {self._dstore!r})"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for name in ("_lock", "_writes", "_suspect"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_runtime_state()

    @property
    def cache(self) -> BlobStore:
        """The cache store."""
        return self._cache

    # ----------------------------------------------------------------- reading
    def get(self, key: str) -> bytes:
        """Return the value of ``key``, from the cache when it has it."""
        self._check_valid_key(key)
        if self._cache_usable(key):
            try:
                return self._cache.get(key)
            except KeyError:
                pass
            except _CACHE_FAILURES as exc:
                self._cache_failed("get", key, exc)
                return self._dstore.get(key)
            start = self._writes.value
            value = self._dstore.get(key)
            if self._fits(len(value)):
                self._fill(key, start, lambda: self._cache.put(key, value))
            return value
        return self._dstore.get(key)

    def open(self, key: str) -> IO[bytes]:
        """Open the value of ``key`` for reading, from the cache when it has it."""
        self._check_valid_key(key)
        if self._cache_usable(key):
            try:
                return self._cache.open(key)
            except KeyError:
                pass
            except _CACHE_FAILURES as exc:
                self._cache_failed("open", key, exc)
                return self._dstore.open(key)
            if self._fill_streaming(key):
                try:
                    return self._cache.open(key)
                except KeyError:
                    pass  # dropped since the fill (a write): read the store
                except _CACHE_FAILURES as exc:
                    self._cache_failed("open", key, exc)
        return self._dstore.open(key)

    def get_file(self, key: str, file: FileTarget) -> str:
        """Write the value of ``key`` to a path or writable binary file; return ``key``."""
        self._check_valid_key(key)
        target = file_target(key, file)
        if isinstance(target, str):
            self._get_into_path(key, target)
        else:
            self._get_into_file(key, target)
        return key

    def _get_into_path(self, key: str, path: str) -> None:
        # A path target is replaced atomically by every store, so a failed attempt from the
        # cache leaves nothing behind and the backing store can simply be asked next.
        if self._cache_usable(key):
            for attempt in range(2):
                try:
                    self._cache.get_file(key, path)
                    return
                except KeyError:
                    if attempt or not self._fill_streaming(key):
                        break
                except _CACHE_FAILURES as exc:
                    self._cache_failed("get_file", key, exc)
                    break
        self._dstore.get_file(key, path)

    def _get_into_file(self, key: str, file: WritableBinary) -> None:
        if not self._cache_usable(key):
            self._dstore.get_file(key, file)
            return
        try:
            source = self._cache.open(key)
        except KeyError:
            if not self._fill_streaming(key):
                self._dstore.get_file(key, file)
                return
            try:
                source = self._cache.open(key)
            except (KeyError, *_CACHE_FAILURES):
                self._dstore.get_file(key, file)
                return
        except _CACHE_FAILURES as exc:
            self._cache_failed("get_file", key, exc)
            self._dstore.get_file(key, file)
            return
        rewind = _rewinder(file)
        try:
            with source:
                copy_stream(source, file.write)
        except _CACHE_FAILURES as exc:
            if rewind is None:
                raise
            self._cache_failed("get_file", key, exc)
            rewind()
            self._dstore.get_file(key, file)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Return the values of ``keys`` that exist, cached ones from the cache."""
        wanted = list(keys)
        for key in wanted:
            self._check_valid_key(key)
        usable = [key for key in wanted if self._cache_usable(key)]
        found: dict[str, bytes] = {}
        if usable:
            try:
                found = self._cache.get_many(usable)
            except _CACHE_FAILURES as exc:
                self._cache_failed("get_many", None, exc)
                usable = []
        missing = [key for key in wanted if key not in found]
        if missing:
            start = self._writes.value
            loaded = self._dstore.get_many(missing)
            fill = {
                key: value
                for key, value in loaded.items()
                if key in usable and self._fits(len(value))
            }
            if fill:
                self._fill_many(fill, start)
            found.update(loaded)
        return {key: found[key] for key in wanted if key in found}

    def close(self) -> None:
        """Close the backing store and the cache."""
        try:
            self._dstore.close()
        finally:
            self._cache.close()

    # ----------------------------------------------------------------- writing
    @overload
    def put(self, key: str, data: bytes) -> str: ...
    @overload
    def put(
        self: CacheDecorator[SupportsTtl],
        key: str,
        data: bytes,
        ttl_secs: TtlArgument = None,
    ) -> str: ...
    def put(self, key: str, data: bytes, ttl_secs: TtlArgument = None) -> str:
        """Store ``data`` under ``key`` in the backing store and drop the cached value."""
        self._check_valid_key(key)
        with self._invalidating("put", key):
            self._put_inner(key, data, ttl_secs, key)
        return key

    @overload
    def put_file(self, key: str, file: FileSource) -> str: ...
    @overload
    def put_file(
        self: CacheDecorator[SupportsTtl],
        key: str,
        file: FileSource,
        ttl_secs: TtlArgument = None,
    ) -> str: ...
    def put_file(self, key: str, file: FileSource, ttl_secs: TtlArgument = None) -> str:
        """Store a path's or binary file's content under ``key``; drop the cached value."""
        self._check_valid_key(key)
        with self._invalidating("put_file", key):
            self._put_file_inner(key, file, ttl_secs, key)
        return key

    def delete(self, key: str) -> None:
        """Delete ``key`` from the backing store and the cache."""
        self._check_valid_key(key)
        with self._invalidating("delete", key):
            self._dstore.delete(key)

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        """Store several values in the backing store and drop their cached values."""
        pairs: list[Any] = list(items.items()) if isinstance(items, Mapping) else list(items)
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise InvalidArgumentError(
                    f"put_many expects a mapping or (key, value) pairs, got {pair!r:.60}"
                )
            self._check_valid_key(pair[0])
        keys = [key for key, _ in pairs]
        with self._invalidating("put_many", *keys):
            self._dstore.put_many(pairs)
        return keys

    def delete_many(self, keys: Iterable[str]) -> None:
        """Delete ``keys`` from the backing store and the cache."""
        doomed = list(keys)
        for key in doomed:
            self._check_valid_key(key)
        with self._invalidating("delete_many", *doomed):
            self._dstore.delete_many(doomed)

    # Called by copy and move, which a backing store that copies gives this decorator.
    def _copy(self, source: str, dest: str) -> str:
        """Copy ``source`` to ``dest`` in the backing store; drop the cached ``dest``."""
        self._check_valid_key(source)
        self._check_valid_key(dest)
        with self._invalidating("copy", dest):
            super()._copy(source, dest)
        return dest

    def _move(self, source: str, dest: str) -> str:
        """Move ``source`` to ``dest`` in the backing store; drop both cached values."""
        self._check_valid_key(source)
        self._check_valid_key(dest)
        with self._invalidating("move", source, dest):
            super()._move(source, dest)
        return dest

    # ----------------------------------------------------------------- cache bookkeeping
    def _invalidating(self, operation: str, *keys: str) -> _Invalidation:
        """Return the ``with`` block around a write to the backing store.

        It drops ``keys`` from the cache, runs the write, counts it and drops them again.
        """
        return _Invalidation(self, operation, list(dict.fromkeys(keys)) if len(keys) > 1 else keys)

    def _drop_before_write(self, operation: str, keys: Sequence[str]) -> None:
        failed = self._drop(keys)
        if failed is not None:
            shown = ", ".join(repr(key) for key in keys[:3])
            raise CacheInvalidationError(
                f"{operation}({shown}) refused: the cache {type(self._cache).__name__} could "
                f"not drop its entry ({type(failed).__name__}: {failed}); nothing was written",
                key=keys[0] if keys else None,
            ) from failed

    def _drop_after_write(self, operation: str, keys: Sequence[str]) -> None:
        # Counted even when the write failed: it may have changed the store partly.
        with self._lock:
            self._writes.value += 1
        if self._drop(keys) is not None:
            _log.warning("cache entries of %r could not be dropped after %s", list(keys), operation)
            self._suspect.update(keys)

    def _drop(self, keys: Sequence[str]) -> BaseException | None:
        """Delete ``keys`` from the cache; return the failure, or None when they are gone."""
        try:
            if len(keys) == 1:
                self._cache.delete(keys[0])
            elif keys:
                self._cache.delete_many(keys)
        except InvalidKeyError:
            # A key outside the cache's key space was never cached; drop the others singly.
            if len(keys) > 1:
                for key in keys:
                    failed = self._drop([key])
                    if failed is not None:
                        return failed
            return None
        except OSError as exc:
            return exc
        return None

    def _cache_usable(self, key: str) -> bool:
        """Whether a read may use the cache for ``key`` (not after a failed drop)."""
        if key not in self._suspect:
            return True
        if self._drop([key]) is None:
            self._suspect.discard(key)
            return True
        return False

    def _fill(self, key: str, start: int, put: Callable[[], object]) -> bool:
        """Run ``put`` (filling the cache for ``key``); undo it if a write overlapped.

        Return whether the cache now holds the value read after ``start``.
        """
        try:
            put()
        except _ValueTooLargeError:
            self._undo_fill([key])
            return False
        except _CACHE_FAILURES as exc:
            self._cache_failed("fill", key, exc)
            self._undo_fill([key])
            return False
        if self._writes.value != start:
            self._undo_fill([key])
            return False
        return True

    def _fill_streaming(self, key: str) -> bool:
        """Copy ``key`` from the backing store into the cache, streaming.

        A missing key raises KeyError (from the backing store). Return whether the cache now
        holds the value.
        """
        start = self._writes.value
        with self._dstore.open(key) as opened:
            limit = self.max_value_size
            source = opened if limit is None else _LimitedReader(opened, limit)
            return self._fill(key, start, lambda: self._cache.put_file(key, source))

    def _fits(self, size: int) -> bool:
        return self.max_value_size is None or size <= self.max_value_size

    def _fill_many(self, values: dict[str, bytes], start: int) -> None:
        try:
            self._cache.put_many(values)
        except _CACHE_FAILURES as exc:
            self._cache_failed("fill", None, exc)
            self._undo_fill(list(values))
            return
        if self._writes.value != start:
            self._undo_fill(list(values))

    def _undo_fill(self, keys: list[str]) -> None:
        # A fill that overlapped a write (or failed halfway) may have cached an old value.
        if self._drop(keys) is not None:
            self._suspect.update(keys)

    def _cache_failed(self, operation: str, key: str | None, exc: BaseException) -> None:
        if isinstance(exc, InvalidKeyError):
            return
        _log.warning(
            "cache %s failed for %r, using the backing store: %s: %s",
            operation,
            key,
            type(exc).__name__,
            exc,
        )


class _ValueTooLargeError(Exception):
    """Raised into a streaming fill when the value passes ``max_value_size``."""


class _LimitedReader:
    """A reader that raises :class:`_ValueTooLargeError` after more than ``limit`` bytes."""

    def __init__(self, source: IO[bytes], limit: int) -> None:
        self._source = source
        self._left = limit

    def read(self, size: int = -1, /) -> bytes:
        """Read from the source, counting against the limit."""
        if size < 0 or size > self._left + 1:
            size = self._left + 1
        chunk = self._source.read(size)
        self._left -= len(chunk)
        if self._left < 0:
            raise _ValueTooLargeError
        return chunk


def _rewinder(file: WritableBinary) -> Callable[[], None] | None:
    """Return a function that takes ``file`` back to its current position, or None."""
    target: Any = file  # any writable object: probe what it offers
    try:
        if not (callable(getattr(target, "truncate", None)) and target.seekable()):
            return None
        position = target.tell()
    except (OSError, ValueError, AttributeError):
        return None

    def rewind() -> None:
        target.seek(position)
        target.truncate()

    return rewind


class _WriteCount:
    """The number of writes a decorator has made; a fill that saw it change backs out."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class _Invalidation:
    """The ``with`` block around one write of a :class:`CacheDecorator`.

    Its keys are dropped from the cache before and after the write.
    """

    __slots__ = ("_keys", "_operation", "_owner")

    def __init__(self, owner: CacheDecorator[Any], operation: str, keys: Sequence[str]) -> None:
        self._owner = owner
        self._operation = operation
        self._keys = keys

    def __enter__(self) -> None:
        self._owner._drop_before_write(self._operation, self._keys)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._owner._drop_after_write(self._operation, self._keys)

"""The base class every store subclasses."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import IO, ClassVar

from typing_extensions import Self

from ._atomic import write_atomically
from ._errors import InvalidArgumentError, KeyNotFoundError
from ._keys import check_key, check_prefix
from ._metadata import KeyMetadata
from ._streams import (
    BytesReader,
    FileSource,
    FileTarget,
    ReadableBinary,
    WritableBinary,
    copy_stream,
    file_source,
    file_target,
    read_all,
)
from ._values import check_value

__all__ = ["KeyValueStore"]


class KeyValueStore:
    """A store of binary values (``bytes``) under string keys.

    Public methods validate their arguments, then call a protected hook. A new backend
    overrides at least :meth:`_delete`, :meth:`iter_keys`, :meth:`_open` (or :meth:`_get`) and
    :meth:`_put_file` (or :meth:`_put`); every other hook has a streaming default built on those,
    which a backend overrides only to be faster.

    Every single call is one operation on the backend; nothing is promised across calls (a key
    seen by ``in`` may be gone by the next ``get``: call ``get`` and catch :class:`KeyError`).
    """

    extended_keys: ClassVar[bool] = False
    """Whether keys may also contain ``/`` and space (the extended key space)."""

    # ----------------------------------------------------------------- public API
    def __contains__(self, key: str) -> bool:
        """Return whether ``key`` exists. An invalid key raises ``ValueError``."""
        self._check_valid_key(key)
        return self._has_key(key)

    def __iter__(self) -> Iterator[str]:
        """Iterate over every key (same as :meth:`iter_keys`)."""
        return self.iter_keys()

    def delete(self, key: str) -> None:
        """Delete ``key``; deleting a key that does not exist does nothing."""
        self._check_valid_key(key)
        self._delete(key)

    def get(self, key: str) -> bytes:
        """Return the value stored under ``key``; a missing key raises ``KeyError``."""
        self._check_valid_key(key)
        return self._get(key)

    def get_file(self, key: str, file: FileTarget) -> str:
        """Write the value of ``key`` to ``file`` and return ``key``.

        ``file`` is a path (``str`` or ``os.PathLike``) or a writable binary file. A path is
        replaced atomically: it receives the whole value or, on error, is left as it was.
        """
        self._check_valid_key(key)
        target = file_target(key, file)
        if isinstance(target, str):
            self._get_filename(key, target)
        else:
            self._get_file(key, target)
        return key

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys that start with ``prefix``, streaming where the backend can."""
        raise NotImplementedError(f"{type(self).__name__} must implement iter_keys")

    def iter_prefixes(self, delimiter: str, prefix: str = "") -> Iterator[str]:
        """Iterate over the distinct key prefixes up to ``delimiter``, each once.

        For each key that starts with ``prefix``, the first ``delimiter`` at or after
        ``len(prefix)`` ends the yielded prefix (delimiter included); a key without one is
        yielded whole. With keys ``a1Xb1, a2X, a3`` and delimiter ``X`` this gives
        ``a1X, a2X, a3``.
        """
        if not _is_nonempty_str(delimiter):
            raise InvalidArgumentError(f"delimiter must be a non-empty str, got {delimiter!r}")
        check_prefix(prefix)
        return self._iter_prefixes(delimiter, prefix)

    def keys(self, prefix: str = "") -> list[str]:
        """Return a list of the keys that start with ``prefix``."""
        return list(self.iter_keys(prefix))

    def open(self, key: str) -> IO[bytes]:
        """Open the value of ``key`` for reading.

        The result is a readable, seekable binary file: ``seek`` returns the new position,
        seeking before 0 raises ``OSError``, seeking past the end then ``read()`` gives
        ``b""``, and every call after ``close()`` raises ``ValueError``. Close it (or use
        ``with``).
        """
        self._check_valid_key(key)
        return self._open(key)

    def put(self, key: str, data: bytes) -> str:
        """Store ``data`` under ``key`` (replacing any value) and return ``key``."""
        self._check_valid_key(key)
        check_value(key, data)
        return self._put(key, data)

    def put_file(self, key: str, file: FileSource) -> str:
        """Store the content of ``file`` under ``key`` and return ``key``.

        ``file`` is a path (``str`` or ``os.PathLike``) or a readable binary file, which is read
        in chunks from its current position. The caller's file is never modified; whether a
        path is copied or moved is documented by each backend.
        """
        self._check_valid_key(key)
        source = file_source(key, file)
        if isinstance(source, str):
            return self._put_filename(key, source)
        return self._put_file(key, source)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Return the values of ``keys`` that exist, as a dict; missing keys are left out.

        Every key is validated before the backend is asked anything.
        """
        wanted = list(keys)
        for key in wanted:
            self._check_valid_key(key)
        return self._get_many(wanted)

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        """Store several values; return their keys in order.

        Every key and value is validated before anything is written. Each value is written as
        :meth:`put` would; the batch as a whole is atomic only where the backend says so.
        """
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        for pair in pairs:
            unchecked: object = pair  # callers without a type checker pass anything
            if not (isinstance(unchecked, tuple) and len(unchecked) == 2):
                raise InvalidArgumentError(
                    f"put_many expects a mapping or (key, value) pairs, got {pair!r:.60}"
                )
            self._check_valid_key(pair[0])
            check_value(pair[0], pair[1])
        return self._put_many(pairs)

    def delete_many(self, keys: Iterable[str]) -> None:
        """Delete ``keys``; keys that do not exist are ignored."""
        doomed = list(keys)
        for key in doomed:
            self._check_valid_key(key)
        self._delete_many(doomed)

    def metadata(self, key: str) -> KeyMetadata:
        """Return size (and etag and modification time where known) of ``key``'s value."""
        self._check_valid_key(key)
        return self._metadata(key)

    def close(self) -> None:
        """Release the resources the store holds (connections, handles). Idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- protected hooks
    def _check_valid_key(self, key: str) -> None:
        """Raise ``InvalidKeyError`` (a ``ValueError``) unless ``key`` is valid in this store.

        Every public method that takes a key calls this first. A store with stricter rules
        overrides it (and may call ``super()._check_valid_key`` for the generic ones).
        """
        check_key(key, self.extended_keys)

    def _delete(self, key: str) -> None:
        """Delete ``key`` (already validated); a missing key is not an error."""
        raise NotImplementedError(f"{type(self).__name__} must implement _delete")

    def _get(self, key: str) -> bytes:
        """Return the value of ``key``. Default: read :meth:`_open` to the end."""
        if type(self)._open is KeyValueStore._open:
            raise NotImplementedError(f"{type(self).__name__} must implement _get or _open")
        with self._open(key) as file:
            return file.read()

    def _get_file(self, key: str, file: WritableBinary) -> None:
        """Write the value of ``key`` to an open file. Default: copy :meth:`_open` in chunks."""
        with self._open(key) as source:
            copy_stream(source, file.write)

    def _get_filename(self, key: str, filename: str) -> None:
        """Write the value of ``key`` to the path ``filename``, atomically.

        The value is opened before the target is touched, so a missing key leaves no file.
        """
        with self._open(key) as source:
            write_atomically(filename, lambda out: copy_stream(source, out.write))

    def _has_key(self, key: str) -> bool:
        """Return whether ``key`` exists. Default: look for it among the keys with that prefix."""
        return any(candidate == key for candidate in self.iter_keys(key))

    def _iter_prefixes(self, delimiter: str, prefix: str) -> Iterator[str]:
        """Yield distinct prefixes (see :meth:`iter_prefixes`). Default: scan the keys."""
        seen: set[str] = set()
        start = len(prefix)
        width = len(delimiter)
        for key in self.iter_keys(prefix):
            end = key.find(delimiter, start)
            found = key if end < 0 else key[: end + width]
            if found not in seen:
                seen.add(found)
                yield found

    def _open(self, key: str) -> IO[bytes]:
        """Open the value of ``key``. Default: a :class:`BytesReader` over :meth:`_get`."""
        if type(self)._get is KeyValueStore._get:
            raise NotImplementedError(f"{type(self).__name__} must implement _get or _open")
        return BytesReader(self._get(key))

    def _put(self, key: str, data: bytes) -> str:
        """Store ``data`` under ``key``; return ``key``. Default: :meth:`_put_file`."""
        if type(self)._put_file is KeyValueStore._put_file:
            raise NotImplementedError(f"{type(self).__name__} must implement _put or _put_file")
        return self._put_file(key, BytesReader(data))

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        """Store the content of an open file; return ``key``. Default: read it, :meth:`_put`."""
        if type(self)._put is KeyValueStore._put:
            raise NotImplementedError(f"{type(self).__name__} must implement _put or _put_file")
        return self._put(key, read_all(file))

    def _put_filename(self, key: str, filename: str) -> str:
        """Store the content of the file at ``filename``; return ``key``. The file is kept."""
        with open(filename, "rb") as file:
            return self._put_file(key, file)

    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        """Return the existing values among ``keys``. Default: :meth:`_get` for each."""
        found: dict[str, bytes] = {}
        for key in keys:
            try:
                found[key] = self._get(key)
            except KeyNotFoundError:
                continue
        return found

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        """Store each pair; return the keys. Default: :meth:`_put` for each."""
        return [self._put(key, data) for key, data in pairs]

    def _delete_many(self, keys: list[str]) -> None:
        """Delete each key. Default: :meth:`_delete` for each."""
        for key in keys:
            self._delete(key)

    def _metadata(self, key: str) -> KeyMetadata:
        """Return the metadata of ``key``. Default: the size found by seeking to the end."""
        with self._open(key) as file:
            return KeyMetadata(key=key, size=file.seek(0, os.SEEK_END))


def _is_nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value)

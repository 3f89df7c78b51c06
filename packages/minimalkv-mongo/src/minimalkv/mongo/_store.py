"""MongoStore and HMongoStore: one document per key, binary values, GridFS for large ones."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator
from typing import IO, Any, Final

from bson import ObjectId
from minimalkv import (
    ConfigurationError,
    ExtendedKeyspaceMixin,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
    is_valid_key,
)
from minimalkv.backend import (
    BytesReader,
    ReadableBinary,
    check_prefix,
    pickling_refused,
    read_chunk,
)
from pymongo import ReturnDocument, UpdateOne
from pymongo import errors as mongo_errors

from ._errors import describe_collection, translated
from ._reader import GridFSRangeReader, ValueGoneError
from ._upload import delete_file, upload_file

__all__ = ["DEFAULT_INLINE_LIMIT", "MAX_INLINE_LIMIT", "HMongoStore", "MongoStore"]

DEFAULT_INLINE_LIMIT: Final = 4 * 1024 * 1024
"""Values up to this many bytes (4 MiB) are kept inline, in the key's document."""

MAX_INLINE_LIMIT: Final = 16 * 1024 * 1024 - 64 * 1024
"""The largest ``inline_limit``: MongoDB's document limit (16 MiB) less room for the rest."""

GRIDFS_CHUNK_SIZE: Final = 255 * 1024
"""Bytes per GridFS chunk (GridFS's own default)."""

BATCH_KEYS: Final = 10_000
"""Keys per ``$in`` query of ``get_many`` and ``delete_many`` (a query is one document too)."""

_VALUE: Final = "v"  # the value itself, BSON binary: an inline value
_FILE: Final = "g"  # the id of the GridFS file holding the value: a large value
_SIZE: Final = "n"  # the length of a GridFS value
_CHUNK_SIZE: Final = "c"  # the chunk size of its GridFS file
_INLINE_ONLY: Final = {_FILE: {"$exists": False}}
_LARGE_FIELDS: Final = {_FILE: "", _SIZE: "", _CHUNK_SIZE: ""}
_DUPLICATE_KEY: Final = 11000
_UPSERT_ATTEMPTS: Final = 3
_READ_ATTEMPTS: Final = 3  # reads of a key whose GridFS file was replaced meanwhile


def _upper_bound(prefix: str) -> str:
    """Return the least string above every string that starts with ``prefix`` (ASCII, non-empty)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class MongoStore(KeyValueStore):
    """A store whose values are documents of a MongoDB collection, one per key (``_id``).

    ``db`` is a pymongo ``Database``; ``collection`` the name of the collection. A value of up
    to ``inline_limit`` bytes is kept in its document as BSON binary (``{"_id": key, "v":
    value}``); a larger one goes to GridFS (the bucket ``<collection>_gridfs``) and the document
    holds the file's id and the value's size (``{"_id": key, "g": file_id, "n": size}``). Values
    are never pickled: any bytes read back are exactly the bytes written.

    A write of a large value uploads its GridFS file first and then points the document at it,
    so readers see the old value or the new one; the file an overwrite or a delete replaced
    is deleted right away (no orphan chunks). A writer killed mid-upload leaves an unreferenced
    file behind: :meth:`remove_orphans` deletes such files.

    With ``owns_client=True`` (stores made by :func:`minimalkv.get_store`), :meth:`close`
    closes the client; otherwise the client stays the caller's. A store is used from any
    number of threads (pymongo's client is thread-safe); it does not pickle, and a process
    made by ``fork`` makes its own store (pymongo's client must not cross a fork).
    """

    def __init__(
        self,
        db: Any,
        collection: str,
        *,
        inline_limit: int = DEFAULT_INLINE_LIMIT,
        owns_client: bool = False,
    ) -> None:
        if not hasattr(db, "get_collection") or not hasattr(db, "client"):
            raise ConfigurationError(
                f"MongoStore needs a pymongo Database as db, got {type(db).__name__}"
            )
        name: object = collection  # callers without types pass anything
        if not isinstance(name, str) or not name:
            raise ConfigurationError(
                f"MongoStore needs the name of a collection, got {collection!r}"
            )
        if isinstance(inline_limit, bool) or not isinstance(inline_limit, int):
            raise ConfigurationError(f"inline_limit must be an int, got {inline_limit!r}")
        if not 0 <= inline_limit <= MAX_INLINE_LIMIT:
            raise ConfigurationError(
                f"inline_limit must be between 0 and {MAX_INLINE_LIMIT} bytes (MongoDB's "
                f"document limit), got {inline_limit}"
            )
        self.db: Any = db
        """The pymongo ``Database`` (attribute name as in minimalkv 1.x)."""
        self.collection: str = collection
        """The name of the collection of the keys' documents."""
        self.inline_limit = inline_limit
        """Values up to this many bytes are kept in their documents; larger ones in GridFS."""
        self._documents: Any = db.get_collection(collection)
        self._bucket_name = f"{collection}_gridfs"
        self._files: Any = db.get_collection(f"{self._bucket_name}.files")
        self._chunks: Any = db.get_collection(f"{self._bucket_name}.chunks")
        self._uploads: Any = db.get_collection(f"{collection}_uploads")
        self._owns_client = owns_client
        self._where = describe_collection(self._documents)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._where})"

    def __reduce__(self) -> Any:
        raise pickling_refused(self, "its pymongo client")

    def close(self) -> None:
        """Close the client if this store owns it (see the class docstring). Idempotent."""
        if self._owns_client:
            with contextlib.suppress(mongo_errors.PyMongoError):
                self.db.client.close()

    def _missing(self, key: str) -> KeyNotFoundError:
        return KeyNotFoundError.for_key(key, self._where)

    # ---------------------------------------------------------------- reading
    def _find(self, key: str) -> dict[str, Any]:
        with translated(self._where, key):
            document: dict[str, Any] | None = self._documents.find_one({"_id": key})
        if document is None:
            raise self._missing(key)
        return document

    def _get(self, key: str) -> bytes:
        for attempt in range(_READ_ATTEMPTS):
            document = self._find(key)
            value = document.get(_VALUE)
            if value is not None:
                return bytes(value)
            try:
                with self._reader(key, document) as reader:
                    return reader.readall()
            except ValueGoneError:
                # Overwritten or deleted since the document was read: read the key again.
                if attempt + 1 == _READ_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _reader(self, key: str, document: dict[str, Any]) -> GridFSRangeReader:
        return GridFSRangeReader(
            self._chunks,
            document[_FILE],
            int(document[_SIZE]),
            int(document.get(_CHUNK_SIZE, GRIDFS_CHUNK_SIZE)),
            key=key,
            where=self._where,
        )

    def _open(self, key: str) -> IO[bytes]:
        for attempt in range(_READ_ATTEMPTS):
            document = self._find(key)
            value = document.get(_VALUE)
            if value is not None:
                return BytesReader(bytes(value))
            raw = self._reader(key, document)
            try:
                raw.prime()
            except ValueGoneError:
                # Overwritten or deleted since the document was read: read the key again.
                if attempt + 1 == _READ_ATTEMPTS:
                    raise
                continue
            # BufferedReader gives read(n) its full-length promise; big reads bypass its buffer.
            return io.BufferedReader(raw, buffer_size=GRIDFS_CHUNK_SIZE)
        raise AssertionError("unreachable")  # pragma: no cover

    def _has_key(self, key: str) -> bool:
        with translated(self._where, key):
            return self._documents.find_one({"_id": key}, {"_id": 1}) is not None

    def _metadata(self, key: str) -> KeyMetadata:
        document = self._find(key)
        value = document.get(_VALUE)
        size = len(value) if value is not None else int(document[_SIZE])
        return KeyMetadata(key=key, size=size)

    # ---------------------------------------------------------------- writing
    def _put(self, key: str, data: bytes) -> str:
        if len(data) > self.inline_limit:
            return self._put_large(key, [data])
        with translated(self._where, key):
            try:
                # One round trip when the key has no GridFS file: the filter matches an inline
                # document or none (then the upsert inserts one).
                self._documents.update_one(
                    {"_id": key, **_INLINE_ONLY}, {"$set": {_VALUE: data}}, upsert=True
                )
            except mongo_errors.DuplicateKeyError:
                # The key's value is in GridFS: replace the document, then delete its file.
                self._replace(
                    key, {"$set": {_VALUE: data}, "$unset": {_FILE: "", _SIZE: "", _CHUNK_SIZE: ""}}
                )
        return key

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        parts: list[bytes] = []
        size = 0
        while size <= self.inline_limit:
            part = read_chunk(file)
            if not part:
                return self._put(key, b"".join(parts))
            parts.append(part)
            size += len(part)
        return self._put_large(key, parts, file)

    def _put_large(self, key: str, parts: list[bytes], rest: ReadableBinary | None = None) -> str:
        """Upload the value to a new GridFS file, then point the key's document at it."""

        def pieces() -> Iterator[bytes]:
            while parts:
                yield parts.pop(0)  # what is uploaded needs no memory
            while rest is not None:
                part = read_chunk(rest)
                if not part:
                    return
                yield part

        with translated(self._where, key):
            file_id, size = upload_file(
                self._uploads, self._files, self._chunks, key, pieces(), GRIDFS_CHUNK_SIZE
            )
            # Should this fail, the write may still have landed (a lost answer): the file is
            # kept, and its upload record lets remove_orphans delete it if it is unused.
            self._replace(
                key,
                {
                    "$set": {_FILE: file_id, _SIZE: size, _CHUNK_SIZE: GRIDFS_CHUNK_SIZE},
                    "$unset": {_VALUE: ""},
                },
            )
            with contextlib.suppress(mongo_errors.PyMongoError):  # else remove_orphans does
                self._uploads.delete_one({"_id": file_id})
        return key

    def _replace(self, key: str, update: dict[str, Any]) -> None:
        """Apply ``update`` to the key's document (upsert); delete the GridFS file it replaced."""
        before: dict[str, Any] | None = None
        for attempt in range(_UPSERT_ATTEMPTS):
            try:
                before = self._documents.find_one_and_update(
                    {"_id": key},
                    update,
                    upsert=True,
                    projection={_FILE: 1},
                    return_document=ReturnDocument.BEFORE,
                )
                break
            except mongo_errors.DuplicateKeyError:
                # Another writer inserted the key's document between our look and our insert
                # (servers that do not retry such an upsert themselves): now it exists.
                if attempt + 1 == _UPSERT_ATTEMPTS:
                    raise
        if before is not None and before.get(_FILE) is not None:
            self._delete_file(before[_FILE])

    def _delete_file(self, file_id: Any) -> None:
        """Delete a GridFS file and its chunks; one already gone is no error."""
        delete_file(self._files, self._chunks, file_id)

    def _delete(self, key: str) -> None:
        with translated(self._where, key):
            before = self._documents.find_one_and_delete({"_id": key}, projection={_FILE: 1})
            if before is not None and before.get(_FILE) is not None:
                self._delete_file(before[_FILE])

    # ---------------------------------------------------------------- batches
    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        large: list[str] = []  # keys whose values are in GridFS
        with translated(self._where):
            for start in range(0, len(keys), BATCH_KEYS):
                batch = keys[start : start + BATCH_KEYS]
                # One query; its first answer holds every document (up to 16 MiB of them).
                for document in self._documents.find(
                    {"_id": {"$in": batch}}, batch_size=len(batch)
                ):
                    key = document["_id"]
                    value = document.get(_VALUE)
                    if value is not None:
                        found[key] = bytes(value)
                    else:
                        large.append(key)
        for key in large:
            with contextlib.suppress(KeyNotFoundError):
                found[key] = self._get(key)
        return found

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        latest = dict(pairs)  # the last value of a key given twice wins, as with put
        small = [(k, v) for k, v in latest.items() if len(v) <= self.inline_limit]
        requests = [
            UpdateOne({"_id": key, **_INLINE_ONLY}, {"$set": {_VALUE: data}}, upsert=True)
            for key, data in small
        ]
        redo: list[tuple[str, bytes]] = []
        if requests:
            with translated(self._where):
                try:
                    self._documents.bulk_write(requests, ordered=False)
                except mongo_errors.BulkWriteError as exc:
                    errors = exc.details.get("writeErrors", [])
                    if any(error.get("code") != _DUPLICATE_KEY for error in errors):
                        raise
                    # Keys whose values are in GridFS: replaced one by one.
                    redo = [small[error["index"]] for error in errors]
        for key, data in redo:
            self._put(key, data)
        for key, data in latest.items():
            if len(data) > self.inline_limit:
                self._put_large(key, [data])
        return [key for key, _ in pairs]

    def _delete_many(self, keys: list[str]) -> None:
        with translated(self._where):
            for start in range(0, len(keys), BATCH_KEYS):
                batch = keys[start : start + BATCH_KEYS]
                deleted = self._documents.delete_many(
                    {"_id": {"$in": batch}, **_INLINE_ONLY}
                ).deleted_count
                if deleted < len(set(batch)):
                    # Missing keys, or values in GridFS: delete those documents one by one,
                    # each with the file it pointed to.
                    for document in self._documents.find({"_id": {"$in": batch}}, {"_id": 1}):
                        self._delete(document["_id"])

    # ---------------------------------------------------------------- listing
    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys starting with ``prefix`` (a range query on ``_id``).

        Documents whose ``_id`` is not a key of the store's key space (written by other
        programs) are left out.
        """
        check_prefix(prefix)
        return self._list(prefix)

    def _list(self, prefix: str) -> Iterator[str]:
        if any(not " " <= c <= "~" for c in prefix):
            return  # keys are printable ASCII: no key starts with this prefix
        query: dict[str, Any] = {}
        if prefix:
            query = {"_id": {"$gte": prefix, "$lt": _upper_bound(prefix)}}
        extended = self.extended_keys
        with translated(self._where):
            for document in self._documents.find(query, {"_id": 1}, batch_size=1000):
                key = document["_id"]
                if isinstance(key, str) and key.startswith(prefix) and is_valid_key(key, extended):
                    yield key

    # ---------------------------------------------------------------- maintenance
    def remove_orphans(self, older_than: float = 3600.0) -> int:
        """Delete the GridFS files no document points to, begun over ``older_than`` seconds ago.

        Writers killed during the upload of a large value leave such files (and the records
        of their uploads). Younger files may belong to an upload that is still running and are
        kept (pass 0 when no writer runs). Returns how many files were deleted.
        """
        cutoff = time.time() - older_than
        removed = 0
        with translated(self._where):
            referenced = {
                document[_FILE]
                for document in self._documents.find({_FILE: {"$exists": True}}, {_FILE: 1})
            }
            recorded = {document["_id"] for document in self._uploads.find({}, {"_id": 1})}
            stored = {document["_id"] for document in self._files.find({}, {"_id": 1})}
            for file_id in recorded | stored:
                if isinstance(file_id, ObjectId) and file_id.generation_time.timestamp() > cutoff:
                    continue
                if file_id not in referenced:
                    delete_file(self._files, self._chunks, file_id)
                    removed += 1
                if file_id in recorded:
                    self._uploads.delete_one({"_id": file_id})
        return removed

    def orphans(self) -> list[str]:
        """Name the GridFS files and upload records no document points to (see remove_orphans)."""
        with translated(self._where):
            referenced = {
                document[_FILE]
                for document in self._documents.find({_FILE: {"$exists": True}}, {_FILE: 1})
            }
            found = [
                f"upload {document['_id']} of key {document.get('key')!r}"
                for document in self._uploads.find({})
            ]
            found += [
                f"GridFS file {document['_id']} of key {document.get('filename')!r}"
                for document in self._files.find({}, {"_id": 1, "filename": 1})
                if document["_id"] not in referenced
            ]
        return found


class HMongoStore(ExtendedKeyspaceMixin, MongoStore):
    """A :class:`MongoStore` whose keys may also contain ``/`` and space (``hmongodb://``)."""

"""The upload of a large value into a GridFS bucket, a few chunks at a time.

pymongo's own ``GridIn`` keeps up to 48 MB of chunks in memory before it sends them; this
upload sends every :data:`BATCH_CHUNKS` chunks, so a value of any size costs about 4 MiB of
memory. An upload is first recorded in the store's ``uploads`` collection; the file's GridFS
document is written last, as GridFS does. The store removes the record once a document points
at the file, so an upload that never completed (a killed writer) leaves a record through which
:meth:`MongoStore.remove_orphans` finds its chunks.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from typing import Any, Final

from bson import Binary, ObjectId
from pymongo.errors import OperationFailure

__all__ = ["BATCH_CHUNKS", "delete_file", "upload_file"]

BATCH_CHUNKS: Final = 16
"""Chunks per ``insert_many`` of an upload."""


def upload_file(
    uploads: Any, files: Any, chunks: Any, key: str, parts: Iterable[bytes], chunk_size: int
) -> tuple[ObjectId, int]:
    """Store ``parts``, joined, as a new GridFS file; return its id and length.

    ``files`` and ``chunks`` are the bucket's two collections, ``uploads`` the record of
    uploads in progress (the caller removes the record once the file is in use). On any
    failure what was stored is deleted (as far as the server still answers) and the error
    raised.
    """
    file_id = ObjectId()
    uploads.insert_one({"_id": file_id, "key": key})
    try:
        length = 0
        number = 0
        batch: list[dict[str, Any]] = []
        pending = bytearray()
        for part in parts:
            pending += part
            while len(pending) >= chunk_size:
                data = Binary(bytes(pending[:chunk_size]))
                batch.append({"files_id": file_id, "n": number, "data": data})
                del pending[:chunk_size]
                number += 1
                length += chunk_size
                if len(batch) >= BATCH_CHUNKS:
                    chunks.insert_many(batch)
                    batch = []
        if pending:
            batch.append({"files_id": file_id, "n": number, "data": Binary(bytes(pending))})
            length += len(pending)
        if batch:
            chunks.insert_many(batch)
        files.insert_one(
            {
                "_id": file_id,
                "length": length,
                "chunkSize": chunk_size,
                "uploadDate": datetime.datetime.now(datetime.timezone.utc),
                "filename": key,
                "metadata": {"key": key},
            }
        )
    except BaseException:
        delete_file(files, chunks, file_id, quiet=True)
        with contextlib.suppress(Exception):  # else the record stays for remove_orphans
            uploads.delete_one({"_id": file_id})
        raise
    return file_id, length


def delete_file(files: Any, chunks: Any, file_id: Any, *, quiet: bool = False) -> None:
    """Delete a GridFS file: its document and its chunks (a missing one is no error).

    With ``quiet``, a failure is swallowed (the clean-up of a failed upload).
    """
    try:
        try:
            files.delete_one({"_id": file_id})
        except OperationFailure as exc:
            # nx-27017 refuses to delete a file document that does not exist, where MongoDB
            # deletes nothing: an abandoned upload has chunks but no file document.
            if "not found" not in str(exc):
                raise
        chunks.delete_many({"files_id": file_id})
    except Exception:
        if not quiet:
            raise
        # else: the upload's record stays, and remove_orphans deletes the file

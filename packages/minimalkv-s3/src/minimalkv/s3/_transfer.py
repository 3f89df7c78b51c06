"""Large transfers: multipart upload and copy, and parallel ranged download, in bounded memory.

At most ``concurrency`` parts are in memory (or in flight) at once, whatever the object's size.
A multipart upload or copy that fails for any reason (an error, a signal, an interrupted
thread) is aborted before the error propagates, so no unfinished upload is left behind and the
previous value of the key stays readable: S3 makes a multipart object visible only when it is
completed.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any, Final

from minimalkv.backend import ReadableBinary, read_chunk

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

__all__ = [
    "MAX_PARTS",
    "MIN_PART_SIZE",
    "FileRange",
    "copy_multipart",
    "download_ranges",
    "download_to_fd",
    "pwrite_all",
    "read_part",
    "upload_file_parts",
    "upload_multipart",
]

MIN_PART_SIZE: Final = 5 * 1024 * 1024
"""The smallest part S3 accepts (all but the last part of a multipart upload)."""
MAX_PARTS: Final = 10_000
"""The most parts one multipart upload may have."""


def read_part(source: ReadableBinary, size: int) -> bytes:
    """Read ``size`` bytes from ``source`` (fewer only at its end)."""
    first = read_chunk(source, size)
    if len(first) == size or not first:
        return first
    pieces = [first]
    missing = size - len(first)
    while missing:
        piece = read_chunk(source, missing)
        if not piece:
            break
        pieces.append(piece)
        missing -= len(piece)
    return b"".join(pieces)


class _Window:
    """Runs tasks on ``executor`` with at most ``limit`` of them unfinished at once."""

    def __init__(self, executor: Executor, limit: int) -> None:
        self._executor = executor
        self._slots = threading.Semaphore(limit)
        self._futures: list[Future[Any]] = []

    def submit(self, task: Callable[[], Any]) -> Future[Any]:
        self._slots.acquire()
        self.raise_first_error()
        future = self._executor.submit(task)
        future.add_done_callback(lambda _: self._slots.release())
        self._futures.append(future)
        return future

    def raise_first_error(self) -> None:
        for future in self._futures:
            if future.done() and future.exception() is not None:
                future.result()

    def wait(self) -> None:
        """Wait for every task; raise the first error among them."""
        for future in self._futures:
            future.result()

    def cancel_and_wait(self) -> None:
        for future in self._futures:
            future.cancel()
        for future in self._futures:
            with contextlib.suppress(BaseException):
                future.exception()


class _Multipart:
    """One multipart upload of ``name``: parts sent in parallel, then completed or aborted."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        name: str,
        *,
        extra: dict[str, Any],
        executor: Executor,
        concurrency: int,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.name = name
        self.upload_id = client.create_multipart_upload(Bucket=bucket, Key=name, **extra)[
            "UploadId"
        ]
        self._window = _Window(executor, concurrency)
        self._etags: dict[int, str] = {}

    def submit(self, number: int, send: Callable[[str], str]) -> None:
        """Send part ``number`` in the background; ``send(upload_id)`` returns its entity tag.

        Blocks while ``concurrency`` parts are unfinished; raises the error of a failed one.
        """
        if number > MAX_PARTS:
            raise ValueError(f"the value needs more than {MAX_PARTS} parts: raise part_size")
        self._window.submit(functools.partial(self._send, number, send))

    def _send(self, number: int, send: Callable[[str], str]) -> None:
        self._etags[number] = send(self.upload_id)

    def complete(self) -> None:
        """Wait for every part, then make the object visible."""
        self._window.wait()
        parts: list[CompletedPartTypeDef] = [
            {"PartNumber": n, "ETag": self._etags[n]} for n in sorted(self._etags)
        ]
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.name,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": parts},
        )

    def abort(self) -> None:
        """Stop sending parts and abort the upload on the server (its parts are dropped)."""
        self._window.cancel_and_wait()
        with contextlib.suppress(Exception):
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.name, UploadId=self.upload_id
            )


@contextlib.contextmanager
def _multipart(
    client: S3Client,
    bucket: str,
    name: str,
    *,
    extra: dict[str, Any],
    executor: Executor,
    concurrency: int,
) -> Iterator[_Multipart]:
    """Start a multipart upload; complete it when the block ends, abort it on any failure."""
    upload = _Multipart(
        client, bucket, name, extra=extra, executor=executor, concurrency=concurrency
    )
    try:
        yield upload
        upload.complete()
    except BaseException:
        upload.abort()
        raise


def _put_part(
    client: S3Client, bucket: str, name: str, number: int, body: Any, upload_id: str
) -> str:
    answer = client.upload_part(
        Bucket=bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=body
    )
    return answer["ETag"]


def upload_multipart(
    client: S3Client,
    bucket: str,
    name: str,
    source: ReadableBinary,
    first: bytes,
    *,
    part_size: int,
    concurrency: int,
    executor: Executor,
    extra: dict[str, Any],
) -> None:
    """Upload ``first`` then the rest of ``source`` as a multipart upload of ``name``.

    Parts are ``part_size`` bytes; ``concurrency`` of them are sent in parallel. The object
    appears only when the upload completes; on any failure the upload is aborted.
    """
    with _multipart(
        client, bucket, name, extra=extra, executor=executor, concurrency=concurrency
    ) as upload:
        number, data = 1, first
        while data:
            upload.submit(number, functools.partial(_put_part, client, bucket, name, number, data))
            data = read_part(source, part_size)
            number += 1


def copy_multipart(
    client: S3Client,
    bucket: str,
    source_name: str,
    name: str,
    *,
    size: int,
    etag: str,
    part_size: int,
    concurrency: int,
    executor: Executor,
    extra: dict[str, Any],
) -> None:
    """Copy the object ``source_name`` (``size`` bytes, version ``etag``) to ``name`` on the server.

    Each part is an ``UploadPartCopy`` of a byte range, all conditional on ``etag``: a source
    replaced during the copy fails the copy instead of mixing two versions.
    """
    part_size = max(part_size, -(-size // MAX_PARTS), MIN_PART_SIZE)

    def copy_part(number: int, start: int, stop: int, upload_id: str) -> str:
        answer = client.upload_part_copy(
            Bucket=bucket,
            Key=name,
            UploadId=upload_id,
            PartNumber=number,
            CopySource={"Bucket": bucket, "Key": source_name},
            CopySourceRange=f"bytes={start}-{stop - 1}",
            CopySourceIfMatch=etag,
        )
        return answer["CopyPartResult"]["ETag"]

    with _multipart(
        client, bucket, name, extra=extra, executor=executor, concurrency=concurrency
    ) as upload:
        for number, start in enumerate(range(0, size, part_size), start=1):
            stop = min(size, start + part_size)
            upload.submit(number, functools.partial(copy_part, number, start, stop))


def download_ranges(
    fetch: Callable[[int, int], bytes],
    start: int,
    size: int,
    *,
    part_size: int,
    concurrency: int,
    executor: Executor,
) -> Iterator[bytes]:
    """Yield the bytes from ``start`` to ``size`` in order, fetched in parallel ranges.

    ``fetch(first, stop)`` returns bytes ``first`` to ``stop - 1``. At most ``concurrency``
    ranges are requested or held at once; pending ones are cancelled when the caller stops.
    """
    ranges = deque((a, min(size, a + part_size)) for a in range(start, size, part_size))
    pending: deque[Future[bytes]] = deque()
    try:
        while ranges or pending:
            while ranges and len(pending) < concurrency:
                first, stop = ranges.popleft()
                pending.append(executor.submit(fetch, first, stop))
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        for future in pending:
            with contextlib.suppress(BaseException):
                future.exception()


class FileRange(io.RawIOBase):
    """``size`` bytes of an open file from ``start``, read with ``os.pread`` (thread-safe).

    The body of one part of an upload from a path: botocore reads it to checksum and sign it,
    seeks back and reads it again to send it, so nothing of the part stays in memory.
    """

    def __init__(self, fd: int, start: int, size: int) -> None:
        super().__init__()
        self._fd = fd
        self._start = start
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        """Return True."""
        return True

    def seekable(self) -> bool:
        """Return True."""
        return True

    def tell(self) -> int:
        """Return the position within the range."""
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        """Move within the range (positions are clamped at 0)."""
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def __len__(self) -> int:
        return self._size

    def readinto(self, buffer: Any) -> int:
        """Read the next bytes of the range into ``buffer``."""
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self._size - self._position)
        if wanted <= 0:
            return 0
        data = os.pread(self._fd, wanted, self._start + self._position)
        view[: len(data)] = data
        self._position += len(data)
        return len(data)


def upload_file_parts(
    client: S3Client,
    bucket: str,
    name: str,
    fd: int,
    size: int,
    *,
    part_size: int,
    concurrency: int,
    executor: Executor,
    extra: dict[str, Any],
) -> None:
    """Upload the ``size`` bytes of the open file ``fd`` as a multipart upload of ``name``.

    Each part is a :class:`FileRange` read by the thread that sends it, so ``concurrency``
    parts go out in parallel without holding any of them in memory. The object appears only
    when the upload completes; on any failure the upload is aborted.
    """
    part_size = max(part_size, -(-size // MAX_PARTS))
    with _multipart(
        client, bucket, name, extra=extra, executor=executor, concurrency=concurrency
    ) as upload:
        for number, start in enumerate(range(0, size, part_size), start=1):
            body = FileRange(fd, start, min(size, start + part_size) - start)
            upload.submit(number, functools.partial(_put_part, client, bucket, name, number, body))


def pwrite_all(fd: int, data: bytes, offset: int) -> None:
    """Write all of ``data`` at ``offset`` of ``fd`` (``os.pwrite`` may write less at once)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def download_to_fd(
    fetch: Callable[[int, int, Callable[[bytes, int], None]], None],
    fd: int,
    start: int,
    size: int,
    *,
    part_size: int,
    concurrency: int,
    executor: Executor,
) -> None:
    """Fetch bytes ``start`` to ``size`` in parallel ranges, each written where it belongs.

    ``fetch(first, stop, put)`` streams bytes ``first`` to ``stop - 1`` and calls
    ``put(chunk, offset)`` for each piece; pieces are written with ``os.pwrite`` as they
    arrive, so memory holds one piece per range in flight, not whole ranges.
    """

    def put(chunk: bytes, offset: int) -> None:
        pwrite_all(fd, chunk, offset)

    window = _Window(executor, concurrency)
    try:
        for first in range(start, size, part_size):
            window.submit(functools.partial(fetch, first, min(size, first + part_size), put))
        window.wait()
    except BaseException:
        window.cancel_and_wait()
        raise

"""S3Store and HS3Store: each value is one S3 object, named by an optional prefix and its key."""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import stat
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, Any, ClassVar, Final

from botocore import exceptions as boto_errors
from minimalkv import (
    ConfigurationError,
    CopyMixin,
    ExtendedKeyspaceMixin,
    InvalidKeyError,
    KeyMetadata,
    KeyValueStore,
    StoreError,
    UrlMixin,
    is_valid_key,
)
from minimalkv.backend import (
    CHUNK_SIZE,
    BytesReader,
    ReadableBinary,
    WritableBinary,
    check_prefix,
    delete_in_batches,
    get_each,
    put_each,
    write_atomically,
)

from ._connection import S3Connection
from ._errors import error_code, is_missing, translated
from ._reader import S3Reader
from ._transfer import (
    MIN_PART_SIZE,
    copy_multipart,
    download_ranges,
    download_to_fd,
    pwrite_all,
    read_part,
    upload_file_parts,
    upload_multipart,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_PART_SIZE",
    "DEFAULT_URL_VALID_TIME",
    "MAX_OBJECT_NAME_BYTES",
    "TRANSFER_BUFFER",
    "HS3Store",
    "S3Store",
]

DEFAULT_PART_SIZE: Final = 8 * 1024 * 1024
"""Bytes per part of a multipart upload, and per range of a parallel download."""
DEFAULT_MAX_CONCURRENCY: Final = 10
"""Requests a store runs in parallel for one batch call or one large transfer."""
DEFAULT_URL_VALID_TIME: Final = 3600
"""Seconds a presigned URL from :meth:`S3Store.url_for` stays valid."""
MAX_URL_VALID_TIME: Final = 7 * 24 * 3600
"""The longest lifetime SigV4 allows a presigned URL (seven days)."""
TRANSFER_BUFFER: Final = 32 * 1024 * 1024
"""Bytes of parts one large transfer holds in memory at most (plus the part being read)."""
MAX_OBJECT_NAME_BYTES: Final = 1024
"""The longest object name S3 accepts, in UTF-8 bytes (prefix and key together)."""
DELETE_BATCH: Final = 1000
"""Keys per DeleteObjects request (the most S3 accepts)."""

_MAX_PART_SIZE: Final = 5 * 1024**3


def _positive_int(name: str, value: object, *, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigurationError(f"{name} must be a whole number, at least {low}, got {value!r}")
    if high is not None and value > high:
        raise ConfigurationError(f"{name} must be at most {high}, got {value!r}")
    return value


def _strip_etag(etag: str) -> str:
    return etag.strip('"')


class S3Store(CopyMixin, UrlMixin, KeyValueStore):
    """A store whose values are objects in one S3 bucket, under an optional name prefix.

    ``bucket`` is a bucket name, or a boto3 ``Bucket`` resource (its client is then used).
    The client is ``client`` when given (the caller's: :meth:`close` leaves it open), else one
    the store builds from ``connection`` (an :class:`S3Connection`; by default boto3's own
    configuration and credential chain) and closes in :meth:`close`.

    Each key's object is ``prefix + key``; every call, listing and URL applies the prefix, and
    listings leave out objects whose names are not keys of this store's key space.

    - ``put`` is one ``PutObject``; ``put_file`` of more than ``part_size`` bytes is a
      multipart upload of ``part_size`` parts, sent in parallel. Either way the object appears
      whole or not at all, and a failed upload is aborted, leaving the previous value.
    - ``open`` streams the object and reopens a ranged GET after a seek; ``get_file`` fetches
      ranges in parallel. Every request after the first is conditional on the entity tag, so a
      value replaced meanwhile raises :class:`~minimalkv.StoreError`, never mixed bytes.
    - ``copy`` and ``move`` run on the server (``CopyObject``; a multipart copy above 5 GiB).
    - ``get_many``, ``put_many`` run up to ``max_concurrency`` requests in parallel on the one
      thread-safe client; ``delete_many`` sends ``DeleteObjects`` of 1,000 keys each and
      raises :class:`BatchError` naming every key that could not be deleted.
    - ``url_for`` returns a presigned GET URL valid ``url_valid_time`` seconds (default one
      hour; ``0`` means the default), or a plain URL when ``public`` is true.
    - ``reduced_redundancy``, ``public`` (ACL ``public-read``) and ``metadata`` (user
      metadata) apply to every object the store writes.

    One large transfer holds at most :data:`TRANSFER_BUFFER` bytes of parts plus the part
    being read, whatever the object's size. The store is thread-safe and picklable when it
    made its client (it is rebuilt after unpickling); a forked child process builds a client
    and threads of its own at its first call.
    """

    max_single_copy_size: ClassVar[int] = 5 * 1024**3
    """The largest object ``CopyObject`` copies; larger ones are copied in parts."""
    copy_part_size: ClassVar[int] = 256 * 1024 * 1024
    """Bytes per part of a multipart copy (parts are copied on the server, in parallel)."""

    def __init__(
        self,
        bucket: str | Any,
        prefix: str = "",
        url_valid_time: int = DEFAULT_URL_VALID_TIME,
        reduced_redundancy: bool = False,
        public: bool = False,
        metadata: Mapping[str, str] | None = None,
        *,
        client: S3Client | None = None,
        connection: S3Connection | None = None,
        part_size: int = DEFAULT_PART_SIZE,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        create_if_missing: bool = False,
    ) -> None:
        if not isinstance(bucket, str):
            resource_client = getattr(getattr(bucket, "meta", None), "client", None)
            name = getattr(bucket, "name", None)
            if not isinstance(name, str) or resource_client is None:
                raise ConfigurationError(
                    f"bucket must be a bucket name or a boto3 Bucket resource, got {bucket!r:.80}"
                )
            if client is None:
                client = resource_client
            bucket = name
        if not bucket:
            raise ConfigurationError("bucket must be a non-empty bucket name")
        if client is not None and connection is not None:
            raise ConfigurationError("give a client or a connection, not both")
        if not isinstance(prefix, str):
            raise ConfigurationError(f"prefix must be a str, got {prefix!r}")
        unchecked: Any = metadata or {}  # callers without a type checker pass anything
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in unchecked.items()):
            raise ConfigurationError("metadata must map str to str")
        valid_time = _positive_int("url_valid_time", url_valid_time, low=0)
        self.bucket_name: str = bucket
        """The bucket's name."""
        self.prefix: str = prefix
        """Prepended to every key to make its object name."""
        self.url_valid_time: int = min(valid_time or DEFAULT_URL_VALID_TIME, MAX_URL_VALID_TIME)
        """Seconds a presigned URL stays valid."""
        self.reduced_redundancy: bool = bool(reduced_redundancy)
        """Whether objects are written with storage class ``REDUCED_REDUNDANCY``."""
        self.public: bool = bool(public)
        """Whether objects are written world-readable and ``url_for`` gives plain URLs."""
        self.object_metadata: dict[str, str] = dict(metadata or {})
        """User metadata written with every object (the ``metadata`` argument)."""
        self.part_size: int = _positive_int(
            "part_size", part_size, low=MIN_PART_SIZE, high=_MAX_PART_SIZE
        )
        """Bytes per part of a multipart upload or ranged download."""
        self.max_concurrency: int = _positive_int("max_concurrency", max_concurrency, high=256)
        """Requests run in parallel by one batch call or one large transfer."""
        self.connection: S3Connection | None = (
            None if client is not None else (connection or S3Connection())
        )
        """The settings the client is built from; None when the caller gave the client."""
        self._client: S3Client | None = client
        self._owns_client = client is None
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._plain_client: S3Client | None = None
        endpoint = self.connection.where if self.connection else _client_endpoint(client)
        self._where = f"bucket {bucket!r} at {endpoint}"
        self._extra = self._write_arguments()
        _FORK_WATCH.add(self)
        if create_if_missing:
            self.create_bucket()

    def _after_fork_in_child(self) -> None:
        """Forget the parent's threads and connections: a forked child builds its own.

        Worker threads do not survive a fork (tasks sent to them would wait forever) and the
        parent's sockets must not be shared. A client the caller gave is left as it is.
        """
        self._drop_runtime()

    def _drop_runtime(self) -> None:
        """Forget the lock, threads and clients of this process; the next call builds them."""
        self._lock = threading.Lock()
        self._executor = None
        self._plain_client = None
        if self._owns_client:
            self._client = None

    # ----------------------------------------------------------------- plumbing
    def __repr__(self) -> str:
        prefix = f", prefix={self.prefix!r}" if self.prefix else ""
        return f"{type(self).__name__}({self._where}{prefix})"

    @property
    def client(self) -> S3Client:
        """The boto3 client (built on first use when the store made it)."""
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    assert self.connection is not None  # no client means settings were given
                    self._client = self.connection.client()
                client = self._client
        return client

    def _pool(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        self.max_concurrency, thread_name_prefix="minimalkv-s3"
                    )
                executor = self._executor
        return executor

    @property
    def _part_concurrency(self) -> int:
        return max(1, min(self.max_concurrency, TRANSFER_BUFFER // self.part_size))

    def _write_arguments(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.object_metadata:
            extra["Metadata"] = dict(self.object_metadata)
        if self.public:
            extra["ACL"] = "public-read"
        if self.reduced_redundancy:
            extra["StorageClass"] = "REDUCED_REDUNDANCY"
        return extra

    def _translated(self, key: str | None = None) -> contextlib.AbstractContextManager[None]:
        """Raise every botocore error of the block as its minimalkv error (see ``_errors``)."""
        return translated(self._where, key)

    def _name(self, key: str) -> str:
        return self.prefix + key

    def _check_valid_key(self, key: str) -> None:
        super()._check_valid_key(key)
        if len(key) + len(self.prefix) > MAX_OBJECT_NAME_BYTES // 4 and (
            len((self.prefix + key).encode()) > MAX_OBJECT_NAME_BYTES
        ):
            raise InvalidKeyError(
                f"key {key[:40]!r}... makes an object name longer than S3's "
                f"{MAX_OBJECT_NAME_BYTES} bytes (prefix included)",
                key=key,
            )

    def create_bucket(self) -> None:
        """Create the bucket unless it exists (in the client's region). Idempotent."""
        client = self.client
        with self._translated():
            try:
                client.head_bucket(Bucket=self.bucket_name)
                return
            except boto_errors.ClientError as exc:
                if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                    raise
            region = client.meta.region_name
            options: dict[str, Any] = {}
            if region and region != "us-east-1":
                options["CreateBucketConfiguration"] = {"LocationConstraint": region}
            try:
                client.create_bucket(Bucket=self.bucket_name, **options)
            except boto_errors.ClientError as exc:
                if error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def unfinished_uploads(self) -> list[tuple[str, str, datetime.datetime]]:
        """List the multipart uploads under the store's prefix that were never finished.

        Each is ``(object name, upload id, initiated)``. A process killed during a large
        ``put_file`` leaves one behind (S3 bills its parts until it is aborted); any other
        failure aborts its own upload.
        """
        found: list[tuple[str, str, datetime.datetime]] = []
        paginator = self.client.get_paginator("list_multipart_uploads")
        with self._translated():
            for page in paginator.paginate(Bucket=self.bucket_name, Prefix=self.prefix):
                for upload in page.get("Uploads", ()):
                    found.append((upload["Key"], upload["UploadId"], upload["Initiated"]))
        return found

    def abort_unfinished_uploads(self, older_than: float = 24 * 3600) -> int:
        """Abort the unfinished multipart uploads begun over ``older_than`` seconds ago.

        Returns how many were aborted. Uploads still in progress are younger than any
        sensible ``older_than``; ``0`` aborts all (only when no writer is running). A bucket
        lifecycle rule (``AbortIncompleteMultipartUpload``) does the same on the server.
        """
        cutoff = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(
            seconds=older_than
        )
        aborted = 0
        for name, upload_id, initiated in self.unfinished_uploads():
            if initiated > cutoff:
                continue
            with self._translated():
                try:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket_name, Key=name, UploadId=upload_id
                    )
                except boto_errors.ClientError as exc:
                    if error_code(exc) != "NoSuchUpload":  # finished or aborted meanwhile
                        raise
            aborted += 1
        return aborted

    def close(self) -> None:
        """Stop the worker threads and close a client the store made. Idempotent.

        The store stays usable: a later call starts what it needs again.
        """
        with self._lock:
            executor, self._executor = self._executor, None
            client = self._client if self._owns_client else None
            if self._owns_client:
                self._client = None
            plain, self._plain_client = self._plain_client, None
        if executor is not None:
            executor.shutdown(wait=True)
        for made in (client, plain):
            if made is not None:
                made.close()

    def __getstate__(self) -> dict[str, Any]:
        if self.connection is None:
            raise TypeError(
                f"{type(self).__name__} made from a boto3 client cannot be pickled (the client "
                "holds credentials and connections): build it with connection=S3Connection(...) "
                "or from a URL, and the client is rebuilt after unpickling"
            )
        state = dict(self.__dict__)
        for name in ("_client", "_lock", "_executor", "_plain_client"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._drop_runtime()  # only stores that made their client pickle: _owns_client holds
        _FORK_WATCH.add(self)

    # ----------------------------------------------------------------- reads
    def _get(self, key: str) -> bytes:
        with self._translated(key):
            answer = self.client.get_object(Bucket=self.bucket_name, Key=self._name(key))
            data: bytes = answer["Body"].read()
        return data

    def _open(self, key: str) -> IO[bytes]:
        """Open the value: read whole when it fits in one part, else stream it.

        A value of up to ``part_size`` bytes is read by the one GET, so the reader is a
        snapshot that later writes never affect. A larger one is streamed; a seek reopens it
        with a ranged GET conditional on its entity tag, and if the value was replaced in the
        meantime the read raises :class:`~minimalkv.StoreError` instead of mixing versions.
        """
        with self._translated(key):
            answer = self.client.get_object(Bucket=self.bucket_name, Key=self._name(key))
            if answer["ContentLength"] <= self.part_size:
                return BytesReader(answer["Body"].read())
        reader = S3Reader(
            self.client,
            self.bucket_name,
            self._name(key),
            key=key,
            size=answer["ContentLength"],
            etag=answer["ETag"],
            where=self._where,
            body=answer["Body"],
        )
        return io.BufferedReader(reader, CHUNK_SIZE)

    def _ranged_get(self, key: str, start: int, stop: int, etag: str) -> Any:
        """GET bytes ``start`` to ``stop - 1`` of the version ``etag`` of ``key``'s object."""
        try:
            return self.client.get_object(
                Bucket=self.bucket_name,
                Key=self._name(key),
                Range=f"bytes={start}-{stop - 1}",
                IfMatch=etag,
            )
        except boto_errors.ClientError as exc:
            if error_code(exc) in ("PreconditionFailed", "412"):
                raise StoreError(
                    f"the value of key {key!r} in S3 {self._where} was replaced while it "
                    "was being read: read it again",
                    key=key,
                ) from exc
            raise

    def _short_range(self, key: str, got: int, wanted: int) -> StoreError:
        return StoreError(
            f"S3 {self._where} returned {got} bytes of key {key!r} for a range of {wanted}",
            key=key,
        )

    def _fetch_range(self, key: str, start: int, stop: int, etag: str) -> bytes:
        with self._translated(key):
            data: bytes = self._ranged_get(key, start, stop, etag)["Body"].read()
        if len(data) != stop - start:
            raise self._short_range(key, len(data), stop - start)
        return data

    def _stream_range(
        self, key: str, start: int, stop: int, etag: str, put: Callable[[bytes, int], None]
    ) -> None:
        """Stream bytes ``start`` to ``stop - 1`` through ``put(chunk, offset)``."""
        offset = start
        with self._translated(key):
            body = self._ranged_get(key, start, stop, etag)["Body"]
            try:
                for chunk in body.iter_chunks(CHUNK_SIZE):
                    put(chunk, offset)
                    offset += len(chunk)
            finally:
                body.close()
        if offset != stop:
            raise self._short_range(key, offset - start, stop - start)

    def _first_range(self, key: str) -> tuple[Any, int, str]:
        """GET the first part of ``key``'s value: the answer, the total size, the entity tag."""
        part = self.part_size
        with self._translated(key):
            try:
                answer = self.client.get_object(
                    Bucket=self.bucket_name, Key=self._name(key), Range=f"bytes=0-{part - 1}"
                )
            except boto_errors.ClientError as exc:
                if error_code(exc) != "InvalidRange":  # an empty object has no byte 0
                    raise
                answer = self.client.get_object(Bucket=self.bucket_name, Key=self._name(key))
        return answer, _total_size(answer), answer["ETag"]

    def _get_file(self, key: str, file: WritableBinary) -> None:
        """Write the value to ``file`` in order: one GET, then ranges fetched in parallel.

        At most :data:`TRANSFER_BUFFER` bytes of ranges wait in memory for their turn.
        """
        answer, total, etag = self._first_range(key)
        with self._translated(key):
            file.write(answer["Body"].read())
        if total <= self.part_size:
            return
        for chunk in download_ranges(
            lambda start, stop: self._fetch_range(key, start, stop, etag),
            self.part_size,
            total,
            part_size=self.part_size,
            concurrency=self._part_concurrency,
            executor=self._pool(),
        ):
            file.write(chunk)

    def _get_filename(self, key: str, filename: str) -> None:
        """Write the value to a new file renamed over ``filename``: ranges land in parallel.

        Each range is streamed into its place in the file (``os.pwrite``) as it arrives, so
        ``max_concurrency`` ranges are fetched at once while memory holds one piece of each.
        """
        answer, total, etag = self._first_range(key)

        def fill(out: IO[bytes]) -> None:
            fd = out.fileno()
            with self._translated(key):
                first = answer["Body"].read()
            pwrite_all(fd, first, 0)
            if total > self.part_size:
                download_to_fd(
                    lambda start, stop, put: self._stream_range(key, start, stop, etag, put),
                    fd,
                    self.part_size,
                    total,
                    part_size=self.part_size,
                    concurrency=self.max_concurrency,
                    executor=self._pool(),
                )

        write_atomically(filename, fill)

    def _has_key(self, key: str) -> bool:
        with self._translated(key):
            try:
                self.client.head_object(Bucket=self.bucket_name, Key=self._name(key))
            except boto_errors.ClientError as exc:
                if is_missing(exc):
                    return False
                raise
        return True

    def _metadata(self, key: str) -> KeyMetadata:
        with self._translated(key):
            answer = self.client.head_object(Bucket=self.bucket_name, Key=self._name(key))
        return KeyMetadata(
            key=key,
            size=answer["ContentLength"],
            etag=_strip_etag(answer["ETag"]),
            last_modified=answer.get("LastModified"),
        )

    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        return get_each(self._pool(), keys, self._get)

    # ----------------------------------------------------------------- listings
    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys starting with ``prefix``, a page (1,000 keys) at a time.

        Objects under the store's prefix whose names are not keys of its key space are left
        out. Keys come in the order of their UTF-8 bytes.
        """
        check_prefix(prefix)
        if not prefix.isascii():  # no key of either key space holds such a character
            return iter(())
        return self._list(prefix)

    def _list(self, prefix: str) -> Iterator[str]:
        strip = len(self.prefix)
        extended = self.extended_keys
        paginator = self.client.get_paginator("list_objects_v2")
        with self._translated():
            for page in paginator.paginate(Bucket=self.bucket_name, Prefix=self.prefix + prefix):
                for entry in page.get("Contents", ()):
                    key = entry["Key"][strip:]
                    if is_valid_key(key, extended):
                        yield key

    def _iter_prefixes(self, delimiter: str, prefix: str) -> Iterator[str]:
        """Yield the distinct prefixes from S3's delimiter listing, a page at a time.

        Each common prefix of a page is then confirmed by a listing under it (run in parallel,
        up to ``max_concurrency``) that finds a key of this store's key space: that makes the
        answer exact on servers that keep emptied folders as common prefixes (SeaweedFS) and
        in buckets shared with objects outside the key space, at one request per prefix.
        No key holds a character outside ASCII: such a prefix gives nothing, and with such a
        delimiter every key is yielded whole.
        """
        if not prefix.isascii():
            return
        if not delimiter.isascii():
            yield from self._list(prefix)
            return
        strip = len(self.prefix)
        extended = self.extended_keys
        paginator = self.client.get_paginator("list_objects_v2")
        with self._translated():
            for page in paginator.paginate(
                Bucket=self.bucket_name, Prefix=self.prefix + prefix, Delimiter=delimiter
            ):
                found = [common["Prefix"][strip:] for common in page.get("CommonPrefixes", ())]
                found = [c for c in found if is_valid_key(c + "x", extended)]
                confirmed = (
                    list(self._pool().map(self._holds_a_key, found))
                    if len(found) > 1
                    else [self._holds_a_key(c) for c in found]
                )
                for common, holds in zip(found, confirmed, strict=True):
                    if holds:
                        yield common
                for entry in page.get("Contents", ()):
                    key = entry["Key"][strip:]
                    if is_valid_key(key, extended):
                        yield key

    def _holds_a_key(self, prefix: str) -> bool:
        """Return whether some key of the store's key space starts with ``prefix``."""
        return next(self._list(prefix), None) is not None

    # ----------------------------------------------------------------- writes
    def _put(self, key: str, data: bytes) -> str:
        with self._translated(key):
            self.client.put_object(
                Bucket=self.bucket_name, Key=self._name(key), Body=data, **self._extra
            )
        return key

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        first = read_part(file, self.part_size)
        if len(first) < self.part_size:
            return self._put(key, first)
        with self._translated(key):
            upload_multipart(
                self.client,
                self.bucket_name,
                self._name(key),
                file,
                first,
                part_size=self.part_size,
                concurrency=self._part_concurrency,
                executor=self._pool(),
                extra=self._extra,
            )
        return key

    def _put_filename(self, key: str, filename: str) -> str:
        """Store a file: one PUT up to ``part_size``, else parts read in parallel from it.

        The parts of a regular file are read by the threads that send them (``os.pread``),
        so ``max_concurrency`` parts go out at once without being held in memory. Other
        files (pipes, devices) are streamed like an open file.
        """
        with open(filename, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                return self._put_file(key, file)
            if info.st_size <= self.part_size:
                return self._put(key, file.read())
            with self._translated(key):
                upload_file_parts(
                    self.client,
                    self.bucket_name,
                    self._name(key),
                    file.fileno(),
                    info.st_size,
                    part_size=self.part_size,
                    concurrency=self.max_concurrency,
                    executor=self._pool(),
                    extra=self._extra,
                )
        return key

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        return put_each(self._pool(), pairs, self._put)

    def _delete(self, key: str) -> None:
        with self._translated(key):
            self.client.delete_object(Bucket=self.bucket_name, Key=self._name(key))

    def _delete_many(self, keys: list[str]) -> None:
        delete_in_batches(
            self._pool(),
            keys,
            delete_one=self._delete,
            delete_batch=self._delete_batch,
            batch_size=DELETE_BATCH,
            where=f"S3 {self._where}",
        )

    def _delete_batch(self, keys: list[str]) -> dict[str, str]:
        strip = len(self.prefix)
        with self._translated():
            answer = self.client.delete_objects(
                Bucket=self.bucket_name,
                Delete={"Objects": [{"Key": self._name(key)} for key in keys], "Quiet": True},
            )
        return {
            error["Key"][strip:]: f"{error.get('Code', '')}: {error.get('Message', '')}"
            for error in answer.get("Errors", ())
        }

    def _copy(self, source: str, dest: str) -> str:
        for _ in range(3):
            info = self._metadata(source)
            if source == dest:
                return dest
            assert info.etag is not None  # S3 always answers with an entity tag
            try:
                self._copy_version(source, dest, info.size, f'"{info.etag}"')
            except _SourceChangedError:
                continue  # replaced between the HEAD and the copy: copy the new version
            return dest
        raise StoreError(
            f"key {source!r} in S3 {self._where} kept changing during the copy to {dest!r}",
            key=source,
        )

    def _copy_version(self, source: str, dest: str, size: int, etag: str) -> None:
        extra = dict(self._extra)
        extra["MetadataDirective"] = "REPLACE" if self.object_metadata else "COPY"
        with self._translated(source):
            try:
                if size <= self.max_single_copy_size:
                    self.client.copy_object(
                        Bucket=self.bucket_name,
                        Key=self._name(dest),
                        CopySource={"Bucket": self.bucket_name, "Key": self._name(source)},
                        CopySourceIfMatch=etag,
                        **extra,
                    )
                else:
                    copy_multipart(
                        self.client,
                        self.bucket_name,
                        self._name(source),
                        self._name(dest),
                        size=size,
                        etag=etag,
                        part_size=self.copy_part_size,
                        concurrency=self.max_concurrency,
                        executor=self._pool(),
                        extra=self._extra,
                    )
            except boto_errors.ClientError as exc:
                if error_code(exc) in ("PreconditionFailed", "412"):
                    raise _SourceChangedError from exc
                raise

    # ----------------------------------------------------------------- URLs
    def _url_for(self, key: str) -> str:
        params = {"Bucket": self.bucket_name, "Key": self._name(key)}
        with self._translated(key):
            if self.public:
                url: str = self._unsigned_client().generate_presigned_url(
                    "get_object", Params=params, ExpiresIn=self.url_valid_time
                )
            else:
                url = self.client.generate_presigned_url(
                    "get_object", Params=params, ExpiresIn=self.url_valid_time
                )
        return url

    def _unsigned_client(self) -> S3Client:
        plain = self._plain_client
        if plain is None:
            from botocore import UNSIGNED
            from botocore.config import Config

            client = self.client
            config = client.meta.config.merge(Config(signature_version=UNSIGNED))
            plain = _copy_client(client, config)
            with self._lock:
                self._plain_client = plain
        return plain


_FORK_WATCH: Final[weakref.WeakSet[S3Store]] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for store in list(_FORK_WATCH):
        store._after_fork_in_child()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_reset_after_fork)


class _SourceChangedError(Exception):
    """The copy's source was replaced after its entity tag was read."""


def _copy_client(client: S3Client, config: Any) -> S3Client:
    import boto3

    made: S3Client = boto3.session.Session().client(
        "s3",
        endpoint_url=client.meta.endpoint_url,
        region_name=client.meta.region_name,
        config=config,
    )
    return made


def _client_endpoint(client: Any) -> str:
    endpoint = getattr(getattr(client, "meta", None), "endpoint_url", None)
    return str(endpoint) if endpoint else "S3"


def _total_size(answer: Mapping[str, Any]) -> int:
    content_range = answer.get("ContentRange")
    if content_range:
        return int(str(content_range).rpartition("/")[2])
    return int(answer["ContentLength"])


class HS3Store(ExtendedKeyspaceMixin, S3Store):
    """:class:`S3Store` with the extended key space: keys may contain ``/`` and space.

    A key ``a/b`` is the object ``prefix + "a/b"``, so the bucket reads as folders in S3 tools.
    """

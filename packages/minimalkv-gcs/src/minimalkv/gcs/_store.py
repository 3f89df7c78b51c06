"""GoogleCloudStore and HGoogleCloudStore: each value is one object in a GCS bucket."""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import stat
import threading
import urllib.parse
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, Final

from google.api_core import exceptions as api_errors
from minimalkv import (
    ConfigurationError,
    CopyMixin,
    ExtendedKeyspaceMixin,
    InvalidKeyError,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
    StoreError,
    UrlMixin,
    is_valid_key,
)
from minimalkv.backend import (
    BytesReader,
    ReadableBinary,
    WritableBinary,
    check_prefix,
    delete_in_batches,
    get_each,
    put_each,
    write_atomically,
)

from ._connection import Credentials, GcsConnection
from ._errors import ReplacedError, translated
from ._reader import READ_AHEAD, GcsReader
from ._transfer import MIN_CHUNK_SIZE, ChunkStream, StreamedUpload, read_part, rewrite_all

__all__ = [
    "DEFAULT_BUCKET_LOCATION",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_URL_VALID_TIME",
    "MAX_OBJECT_NAME_BYTES",
    "SNAPSHOT_SIZE",
    "GoogleCloudStore",
    "HGoogleCloudStore",
]

DEFAULT_BUCKET_LOCATION: Final = "EUROPE-WEST3"
"""Where a missing bucket is created (minimalkv 1.x's default)."""
DEFAULT_CHUNK_SIZE: Final = 24 * 1024 * 1024
"""put_file of up to this many bytes is one request; larger values are resumable uploads.

A file or seekable stream larger than this is streamed in one request of a resumable upload
(memory holds 1 MiB of it). A stream of unknown size is sent in requests of this size: the SDK
keeps the request just sent while it reads the next chunk, so it holds two chunks (48 MiB).
Fewer, larger requests are faster; fake-gcs-server copies the whole upload received so far at
every chunk, which makes small chunks slow there.
"""
SNAPSHOT_SIZE: Final = 8 * 1024 * 1024
"""Values up to this size are read whole by :meth:`GoogleCloudStore.open` (a snapshot)."""
DEFAULT_MAX_CONCURRENCY: Final = 10
"""Requests one batch call (get_many, put_many, delete_many) runs in parallel."""
DEFAULT_URL_VALID_TIME: Final = 3600
"""Seconds a signed URL from :meth:`GoogleCloudStore.url_for` stays valid."""
MAX_URL_VALID_TIME: Final = 7 * 24 * 3600
"""The longest lifetime a V4 signed URL may have (seven days)."""
MAX_OBJECT_NAME_BYTES: Final = 1024
"""The longest object name GCS accepts, in UTF-8 bytes."""

_CONTENT_TYPE: Final = "application/octet-stream"
_LIST_FIELDS: Final = "items(name),prefixes,nextPageToken"


def _positive_int(name: str, value: object, *, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigurationError(f"{name} must be a whole number, at least {low}, got {value!r}")
    if high is not None and value > high:
        raise ConfigurationError(f"{name} must be at most {high}, got {value!r}")
    return value


class GoogleCloudStore(CopyMixin, UrlMixin, KeyValueStore):
    """A store whose values are the objects of one Google Cloud Storage bucket.

    The constructor is minimalkv 1.x's: ``credentials`` (a service-account JSON as a dict, the
    path of a credentials file, a ``google.auth`` Credentials object, or None for application
    default credentials), the bucket's name, ``create_if_missing`` (create the bucket in
    ``bucket_creation_location`` at the first call when it does not exist) and ``project``
    (default: the credentials'). Keyword options: ``endpoint`` (an emulator such as
    fake-gcs-server; ``STORAGE_EMULATOR_HOST`` works too), ``connection`` (a
    :class:`GcsConnection` with timeouts and retries, instead of the four settings),
    ``client`` (a ``google.cloud.storage.Client`` of the caller's: :meth:`close` leaves it
    open), ``chunk_size``, ``max_concurrency`` and ``url_valid_time``.

    - ``put`` is one upload; ``put_file`` of more than ``chunk_size`` bytes is a resumable
      upload: from a path or a seekable file (from its position to its end) the body is
      streamed in one request, resumed after a dropped connection and checked against the
      object's CRC32C; from a stream of unknown size it is sent in ``chunk_size`` requests.
      The object appears whole when the last byte is accepted, or not at all: a failed
      upload leaves the previous value.
    - ``open`` reads ranges of one generation of the object (each GET conditional on it): a
      value replaced meanwhile raises :class:`~minimalkv.StoreError`, never mixed bytes.
      ``get_file`` streams the object into the file; the download's checksum is verified.
    - ``copy`` and ``move`` run on the server (``rewrite``, repeated until done), conditional
      on the source's generation.
    - ``get_many``, ``put_many`` and ``delete_many`` run ``max_concurrency`` requests in
      parallel; ``delete_many`` raises :class:`BatchError` naming each key it could not delete.
    - ``url_for`` returns a V4 signed GET URL valid ``url_valid_time`` seconds; it needs
      credentials that can sign (a service account).

    Memory holds 1 MiB of a streamed upload and at most two chunks of a chunked one, whatever
    the value's size. The store is
    thread-safe, picklable when it made its client (credentials given as a dict or a path;
    the client is rebuilt after unpickling) and usable again after :meth:`close`.
    """

    def __init__(
        self,
        credentials: dict[str, Any] | str | Credentials | None,
        bucket_name: str,
        create_if_missing: bool = True,
        bucket_creation_location: str = DEFAULT_BUCKET_LOCATION,
        project: str | None = None,
        *,
        client: Any = None,
        endpoint: str | None = None,
        connection: GcsConnection | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        url_valid_time: int = DEFAULT_URL_VALID_TIME,
    ) -> None:
        unchecked: object = bucket_name  # callers without a type checker pass anything
        if not isinstance(unchecked, str) or not unchecked:
            raise ConfigurationError(f"bucket_name must be a non-empty str, got {bucket_name!r}")
        location: object = bucket_creation_location
        if not isinstance(location, str) or not location:
            raise ConfigurationError("bucket_creation_location must be a non-empty str")
        if connection is not None and (credentials is not None or endpoint or project):
            raise ConfigurationError(
                "give credentials, project and endpoint, or a connection holding them, not both"
            )
        if client is not None and (connection is not None or endpoint):
            raise ConfigurationError("give a client, or the settings to build one, not both")
        chunk = _positive_int("chunk_size", chunk_size, low=MIN_CHUNK_SIZE)
        if chunk % MIN_CHUNK_SIZE:
            raise ConfigurationError(
                f"chunk_size must be a multiple of {MIN_CHUNK_SIZE} bytes (256 KiB), got {chunk}"
            )
        self.bucket_name: str = bucket_name
        """The bucket's name."""
        self.create_if_missing: bool = bool(create_if_missing)
        """Whether a missing bucket is created at the first call."""
        self.bucket_creation_location: str = bucket_creation_location
        """Where a missing bucket is created."""
        self.chunk_size: int = chunk
        """Bytes per request of a resumable upload."""
        self.max_concurrency: int = _positive_int("max_concurrency", max_concurrency, high=256)
        """Requests a batch call runs in parallel."""
        valid_time = _positive_int("url_valid_time", url_valid_time, low=0)
        self.url_valid_time: int = min(valid_time or DEFAULT_URL_VALID_TIME, MAX_URL_VALID_TIME)
        """Seconds a signed URL stays valid."""
        self.connection: GcsConnection | None = None
        """The settings the client is built from; None when the caller gave the client."""
        if client is None:
            self.connection = connection or GcsConnection(
                credentials=credentials, project=project, endpoint=endpoint
            )
        self._given_client = client
        self._given_signer: Credentials | None = credentials if client is not None else None
        self._project = project
        self._lock = threading.Lock()
        self._runtime: _Runtime | None = None
        self._executor: ThreadPoolExecutor | None = None
        where = self.connection.where if self.connection else _client_endpoint(client)
        self._where = f"bucket {bucket_name!r} at {where}"
        self._emulated = self.connection.emulator is not None if self.connection else False
        connection_settings = self.connection or GcsConnection()
        self._timeout = connection_settings.timeout
        self._retry = connection_settings.retry()
        self._retry_deadline = connection_settings.retry_deadline
        _FORK_WATCH.add(self)

    # ----------------------------------------------------------------- plumbing
    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._where})"

    def _drop_runtime(self) -> None:
        """Forget the lock, threads and client of this process; the next call builds them."""
        self._lock = threading.Lock()
        self._runtime = None
        self._executor = None

    def _runtime_now(self) -> _Runtime:
        """Return the client of this process, built on first use (no request is sent)."""
        runtime = self._runtime
        if runtime is None:
            with self._lock:
                if self._runtime is None:
                    self._runtime = self._start()
                runtime = self._runtime
        return runtime

    def _ready(self) -> _Runtime:
        """Return the client once the bucket is known to exist (made if create_if_missing)."""
        runtime = self._runtime_now()
        if not runtime.checked:
            with runtime.lock:
                if not runtime.checked:
                    self._check_bucket(runtime)
                    runtime.checked = True
        return runtime

    def _start(self) -> _Runtime:
        """Build the client (unless given); no request is sent."""
        if self._given_client is not None:
            client = self._given_client
            signer = self._given_signer
            if isinstance(signer, (dict, str)):
                signer = GcsConnection(credentials=signer).load_credentials()[0]
            signer = signer or getattr(client, "_credentials", None)
        else:
            assert self.connection is not None  # no client means settings were given
            client, signer = self.connection.client()
        return _Runtime(client, signer, client.bucket(self.bucket_name))

    def _check_bucket(self, runtime: _Runtime) -> None:
        with self._translated():
            try:
                runtime.bucket.reload(timeout=self._timeout, retry=self._retry)
                return
            except api_errors.NotFound:
                if not self.create_if_missing:
                    raise
            with contextlib.suppress(api_errors.Conflict):  # made meanwhile by another process
                runtime.client.create_bucket(
                    self.bucket_name,
                    location=self.bucket_creation_location,
                    timeout=self._timeout,
                    retry=self._retry,
                )

    @property
    def client(self) -> Any:
        """The ``google.cloud.storage.Client`` (built at the first use when the store made it)."""
        return self._runtime_now().client

    @property
    def bucket(self) -> Any:
        """The ``google.cloud.storage.Bucket`` (made at the first call when missing)."""
        return self._ready().bucket

    def _blob(self, key: str) -> Any:
        return self._ready().bucket.blob(key, chunk_size=None)

    def _pool(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        self.max_concurrency, thread_name_prefix="minimalkv-gcs"
                    )
                executor = self._executor
        return executor

    def _translated(self, key: str | None = None) -> contextlib.AbstractContextManager[None]:
        """Raise every SDK error of the block as its minimalkv error (see ``_errors``)."""
        return translated(self._where, key)

    def _check_valid_key(self, key: str) -> None:
        super()._check_valid_key(key)
        if len(key) > MAX_OBJECT_NAME_BYTES // 4 and len(key.encode()) > MAX_OBJECT_NAME_BYTES:
            raise InvalidKeyError(
                f"key {key[:40]!r}... is longer than GCS's {MAX_OBJECT_NAME_BYTES} bytes",
                key=key,
            )

    def close(self) -> None:
        """Stop the worker threads and close a client the store made. Idempotent.

        The store stays usable: a later call builds what it needs again.
        """
        with self._lock:
            executor, self._executor = self._executor, None
            runtime, self._runtime = self._runtime, None
        if executor is not None:
            executor.shutdown(wait=True)
        if runtime is not None and self._given_client is None:
            runtime.client.close()

    def __getstate__(self) -> dict[str, Any]:
        if self.connection is None:
            raise TypeError(
                f"{type(self).__name__} made from a google.cloud.storage Client cannot be "
                "pickled (the client holds credentials and connections): give credentials "
                "(a dict or a file path) or a GcsConnection, and the client is rebuilt after "
                "unpickling"
            )
        state = dict(self.__dict__)
        for name in ("_lock", "_runtime", "_executor"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._drop_runtime()
        _FORK_WATCH.add(self)

    # ----------------------------------------------------------------- reads
    def _get(self, key: str) -> bytes:
        with self._translated(key):
            data: bytes = self._blob(key).download_as_bytes(
                raw_download=True, timeout=self._timeout, retry=self._retry
            )
        return data

    def _stat(self, key: str) -> Any:
        """Return the object's metadata (a Blob: size, generation); KeyNotFoundError if none."""
        with self._translated(key):
            blob = self._ready().bucket.get_blob(key, timeout=self._timeout, retry=self._retry)
        if blob is None:
            raise KeyNotFoundError.for_key(key, f"GCS {self._where}")
        return blob

    def _fetch(self, key: str, start: int, stop: int, generation: int) -> bytes:
        """Bytes ``start`` to ``stop - 1`` of generation ``generation`` of ``key``'s object."""
        blob = self._blob(key)
        with self._translated(key):
            data: bytes = blob.download_as_bytes(
                start=start,
                end=stop - 1,
                raw_download=True,
                checksum=None,  # a range has no checksum of its own; the generation is fixed
                if_generation_match=generation,
                timeout=self._timeout,
                retry=self._retry,
            )
        # GCS answers 412 to a GET of another generation; fake-gcs-server ignores the
        # condition, so the generation the answer names is checked as well.
        if blob.generation is not None and int(blob.generation) != generation:
            raise ReplacedError(
                f"the value of key {key!r} in GCS {self._where} was replaced while it was "
                "being read: open it again to read the new value",
                key=key,
            )
        return data

    def _open(self, key: str) -> IO[bytes]:
        """Open the value: read whole when it is small, else in ranges of its generation.

        A value of up to :data:`~minimalkv.gcs.SNAPSHOT_SIZE` bytes is read whole by one GET, so
        the reader is a snapshot. A larger one is read in ranged GETs conditional on its
        generation: if the value is replaced meanwhile, the read raises
        :class:`~minimalkv.StoreError`.
        """
        blob = self._stat(key)
        size, generation = int(blob.size or 0), int(blob.generation)
        if size <= SNAPSHOT_SIZE:
            # One unconditional GET of the whole object is a snapshot by itself, whichever
            # generation it finds (a newer one than the metadata named is as good).
            return BytesReader(self._get(key))
        reader = GcsReader(
            lambda start, stop: self._fetch(key, start, stop, generation),
            size,
            key=key,
            generation=generation,
        )
        return io.BufferedReader(reader, READ_AHEAD)

    def _get_file(self, key: str, file: WritableBinary) -> None:
        """Stream the value into ``file`` as it arrives (the SDK verifies its checksum)."""
        with self._translated(key):
            self._blob(key).download_to_file(
                file, raw_download=True, timeout=self._timeout, retry=self._retry
            )

    def _get_filename(self, key: str, filename: str) -> None:
        """Stream the value into a new file renamed over ``filename`` once it is complete."""
        write_atomically(filename, lambda out: self._get_file(key, out))

    def _has_key(self, key: str) -> bool:
        try:
            self._stat(key)
        except KeyNotFoundError:
            return False
        return True

    def _metadata(self, key: str) -> KeyMetadata:
        blob = self._stat(key)
        return KeyMetadata(
            key=key,
            size=int(blob.size or 0),
            etag=str(blob.etag) if blob.etag else None,
            last_modified=blob.updated,
        )

    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        return get_each(self._pool(), keys, self._get)

    # ----------------------------------------------------------------- listings
    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys starting with ``prefix``, a page (1,000 names) at a time.

        Objects whose names are not keys of this store's key space are left out. Keys come in
        the order of their UTF-8 bytes.
        """
        check_prefix(prefix)
        if not prefix.isascii():  # no key of either key space holds such a character
            return iter(())
        return self._list(prefix)

    def _pages(self, prefix: str, delimiter: str | None = None) -> Iterator[Any]:
        runtime = self._ready()
        with self._translated():
            listing = runtime.client.list_blobs(
                runtime.bucket,
                prefix=prefix or None,
                delimiter=delimiter,
                fields=_LIST_FIELDS,
                timeout=self._timeout,
                retry=self._retry,
            )
            yield from listing.pages

    def _list(self, prefix: str) -> Iterator[str]:
        extended = self.extended_keys
        for page in self._pages(prefix):
            for blob in page:
                if is_valid_key(blob.name, extended):
                    yield blob.name

    def _iter_prefixes(self, delimiter: str, prefix: str) -> Iterator[str]:
        """Yield the distinct prefixes from GCS's delimiter listing, a page at a time.

        Each prefix GCS reports is confirmed by a listing under it (in parallel, up to
        ``max_concurrency``) that finds a key of this store's key space, so objects outside
        the key space (a bucket shared with other programs) never show up as prefixes. A
        delimiter of several characters is applied here on an emulator (fake-gcs-server cuts
        at its first character).
        """
        if not prefix.isascii():
            return
        if not delimiter.isascii():  # no key holds it: every key is yielded whole
            yield from self._list(prefix)
            return
        if len(delimiter) > 1 and self._emulated:
            # GCS takes delimiters of any length; fake-gcs-server cuts at the first character.
            yield from super()._iter_prefixes(delimiter, prefix)
            return
        extended = self.extended_keys
        for page in self._pages(prefix, delimiter):
            names = [blob.name for blob in page]
            found = [p for p in page.prefixes if is_valid_key(p + "x", extended)]
            confirmed = (
                list(self._pool().map(self._holds_a_key, found))
                if len(found) > 1
                else [self._holds_a_key(p) for p in found]
            )
            page_items = [c for c, holds in zip(found, confirmed, strict=True) if holds]
            page_items += [name for name in names if is_valid_key(name, extended)]
            yield from sorted(page_items)  # in name order, as GCS lists each page

    def _holds_a_key(self, prefix: str) -> bool:
        return next(self._list(prefix), None) is not None

    # ----------------------------------------------------------------- writes
    def _put(self, key: str, data: bytes) -> str:
        with self._translated(key):
            self._blob(key).upload_from_string(
                data, content_type=_CONTENT_TYPE, timeout=self._timeout, retry=self._retry
            )
        return key

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        span = _seekable_span(file)
        if span is not None and span[1] > self.chunk_size:
            return self._stream(key, file, *span)
        first = read_part(file, self.chunk_size)
        if len(first) < self.chunk_size:
            return self._put(key, first)
        stream = ChunkStream(first, file)
        del first  # the stream owns it now: it keeps only the chunk being sent
        return self._upload(key, stream, None)

    def _stream(self, key: str, source: Any, start: int, size: int) -> str:
        """Send ``size`` bytes of ``source`` from byte ``start`` as one streamed resumable upload.

        The object appears when the last byte is accepted; a failure cancels the session and
        leaves the previous value. The CRC32C of the bytes read is compared with the object's:
        on a mismatch (bytes damaged on the way) the damaged object is deleted, if it is still
        the current one, and :class:`~minimalkv.StoreError` says the key holds no value.
        """
        runtime = self._ready()
        blob = runtime.bucket.blob(key)

        def open_session() -> str:
            url: str = blob.create_resumable_upload_session(
                size=size,
                content_type=_CONTENT_TYPE,
                checksum=None,  # verified here, against the object's crc32c
                client=runtime.client,
                timeout=self._timeout,
                retry=self._retry,
            )
            return self._reachable(url)

        upload = StreamedUpload(
            runtime.client._http,
            open_session,
            source,
            start,
            size,
            timeout=self._timeout,
            deadline=self._retry_deadline,
            query_status=not self._emulated,
        )
        with self._translated(key):
            try:
                resource = upload.run()
            except BaseException:
                upload.cancel()
                raise
        expected = upload.checksum.encoded()
        told = resource.get("crc32c")  # GCS always says; a server that does not is trusted
        if (told is not None and told != expected) or int(resource.get("size", size)) != size:
            with self._translated(key), contextlib.suppress(api_errors.GoogleAPICallError):
                blob.delete(
                    if_generation_match=int(resource.get("generation") or 0) or None,
                    timeout=self._timeout,
                    retry=self._retry,
                )
            raise StoreError(
                f"the upload of key {key!r} to GCS {self._where} arrived damaged (CRC32C "
                f"{resource.get('crc32c')!r}, sent {expected!r}; {resource.get('size')} of "
                f"{size} bytes): the damaged object is deleted, so the key holds no value; "
                "put it again",
                key=key,
            )
        return key

    def _reachable(self, url: str) -> str:
        """Return the session URL, on the emulator's address the store talks to.

        An emulator names itself by its configured external URL, which may not be reachable
        from here (a container's port mapping, a proxy); GCS's URLs are used as given.
        """
        emulator = self.connection.emulator if self.connection else None
        if not emulator:
            return url
        parts = urllib.parse.urlsplit(url)
        return emulator.rstrip("/") + urllib.parse.urlunsplit(("", "", *parts[2:]))

    def _upload(self, key: str, stream: Any, size: int | None) -> str:
        """Send ``stream`` as a resumable upload of ``chunk_size`` requests (atomic at the end)."""
        blob = self._ready().bucket.blob(key, chunk_size=self.chunk_size)
        with self._translated(key):
            blob.upload_from_file(
                stream,
                size=size,
                content_type=_CONTENT_TYPE,
                timeout=self._timeout,
                retry=self._retry,
            )
        return key

    def _put_filename(self, key: str, filename: str) -> str:
        """Store a file: one request up to ``chunk_size``, else a streamed resumable upload."""
        with open(filename, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                return self._put_file(key, file)
            if info.st_size <= self.chunk_size:
                return self._put(key, file.read())
            return self._stream(key, file, 0, info.st_size)

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        return put_each(self._pool(), pairs, self._put)

    def _delete(self, key: str) -> None:
        with self._translated(key):
            try:
                self._blob(key).delete(timeout=self._timeout, retry=self._retry)
            except api_errors.NotFound:
                return

    def _delete_many(self, keys: list[str]) -> None:
        """Delete the keys with parallel single requests; report every failure at once.

        GCS's JSON batch API would send up to 100 deletes per request, but emulators
        (fake-gcs-server) do not implement it, and parallel requests on kept-alive connections
        cost about the same on a local network.
        """
        delete_in_batches(self._pool(), keys, delete_one=self._delete, where=f"GCS {self._where}")

    def _copy(self, source: str, dest: str) -> str:
        for _ in range(3):
            blob = self._stat(source)
            if source == dest:
                return dest
            try:
                self._rewrite(source, dest, int(blob.generation))
            except ReplacedError:
                continue  # replaced between the metadata and the copy: copy the new version
            return dest
        raise StoreError(
            f"key {source!r} in GCS {self._where} kept changing during the copy to {dest!r}",
            key=source,
        )

    def _rewrite(self, source: str, dest: str, generation: int) -> None:
        """Copy generation ``generation`` of ``source`` to ``dest`` on the server."""
        source_blob = self._blob(source)
        target = self._blob(dest)

        def step(token: str | None) -> tuple[str | None, int, int]:
            answer: tuple[str | None, int, int] = target.rewrite(
                source_blob,
                token=token,
                if_source_generation_match=generation,
                timeout=self._timeout,
                retry=self._retry,
            )
            return answer

        with self._translated(source):
            rewrite_all(step)

    # ----------------------------------------------------------------- URLs
    def _url_for(self, key: str) -> str:
        runtime = self._runtime_now()
        signer = runtime.signer
        if signer is None or not hasattr(signer, "sign_bytes"):
            raise ConfigurationError(
                f"GCS {self._where} cannot sign URLs with these credentials "
                f"({type(signer).__name__}): give service-account credentials (a JSON key)"
            )
        emulator = self.connection.emulator if self.connection else None
        with self._translated(key):
            url: str = runtime.bucket.blob(key).generate_signed_url(
                version="v4",
                expiration=datetime.timedelta(seconds=self.url_valid_time),
                method="GET",
                credentials=signer,
                api_access_endpoint=emulator,
            )
        return url


class _Runtime:
    """What a store builds in each process: the client, the signing credentials, the bucket."""

    __slots__ = ("bucket", "checked", "client", "lock", "signer")

    def __init__(self, client: Any, signer: Credentials | None, bucket: Any) -> None:
        self.client = client
        self.signer = signer
        self.bucket = bucket
        self.checked = False
        """Whether the bucket is known to exist (checked, or made, once per client)."""
        self.lock = threading.Lock()


_FORK_WATCH: Final[weakref.WeakSet[GoogleCloudStore]] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for store in list(_FORK_WATCH):
        store._drop_runtime()


if hasattr(os, "register_at_fork"):  # POSIX: a forked child builds its own client and threads
    os.register_at_fork(after_in_child=_reset_after_fork)


def _seekable_span(file: ReadableBinary) -> tuple[int, int] | None:
    """``(position, bytes from there to the end)`` of a seekable file, else None."""
    seekable = getattr(file, "seekable", None)
    seek = getattr(file, "seek", None)
    tell = getattr(file, "tell", None)
    if not (callable(seekable) and callable(seek) and callable(tell)):
        return None
    try:
        if not seekable():
            return None
        start = int(tell())
        end = int(seek(0, io.SEEK_END))
    except (OSError, ValueError):
        return None
    seek(start)
    return start, max(0, end - start)


def _client_endpoint(client: Any) -> str:
    endpoint = getattr(getattr(client, "_connection", None), "API_BASE_URL", None)
    return str(endpoint) if endpoint else "GCS"


class HGoogleCloudStore(ExtendedKeyspaceMixin, GoogleCloudStore):
    """:class:`GoogleCloudStore` with the extended key space: keys may contain ``/`` and space.

    A key ``a/b`` is the object ``a/b``, so the bucket reads as folders in GCS tools.
    """

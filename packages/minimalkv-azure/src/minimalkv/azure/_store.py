"""AzureBlockBlobStore and HAzureBlockBlobStore: each value is one block blob in a container."""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import io
import os
import re
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, Any, Final

from minimalkv import (
    ConfigurationError,
    CopyMixin,
    ExtendedKeyspaceMixin,
    KeyMetadata,
    KeyNotFoundError,
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

from azure.core import exceptions as azure_errors

from ._connection import AzureConnection
from ._errors import error_code, translated
from ._reader import AzureReader
from ._transfer import read_block, upload_blocks

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient, BlobProperties, ContainerClient, ContentSettings

__all__ = [
    "DEFAULT_MAX_BLOCK_SIZE",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_SINGLE_PUT_SIZE",
    "DEFAULT_URL_VALID_TIME",
    "DELETE_BATCH",
    "AzureBlockBlobStore",
    "HAzureBlockBlobStore",
]

DEFAULT_MAX_CONNECTIONS: Final = 2
"""Parallel requests of one large transfer (minimalkv 1.x's default)."""
DEFAULT_MAX_BLOCK_SIZE: Final = 4 * 1024 * 1024
"""Bytes per staged block of a streamed upload, and per range of a ranged read."""
DEFAULT_MAX_SINGLE_PUT_SIZE: Final = 64 * 1024 * 1024
"""The largest ``put`` value sent in one request; larger ones are staged in blocks."""
DEFAULT_MAX_CONCURRENCY: Final = 8
"""Requests run in parallel by one batch call (``get_many``, ``put_many``, ``delete_many``)."""
DEFAULT_URL_VALID_TIME: Final = 3600
"""Seconds a SAS URL from :meth:`AzureBlockBlobStore.url_for` stays valid."""
DELETE_BATCH: Final = 256
"""Blobs per batch delete request (the most the service accepts)."""
_MAX_BLOCK_SIZE: Final = 4000 * 1024 * 1024
_COPY_POLL: Final = 0.05
_CONTAINER_NAME: Final = re.compile(r"(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")


def _positive_int(name: str, value: object, *, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigurationError(f"{name} must be a whole number, at least {low}, got {value!r}")
    if high is not None and value > high:
        raise ConfigurationError(f"{name} must be at most {high}, got {value!r}")
    return value


def _timeouts(socket_timeout: object) -> tuple[float, float] | None:
    """Minimalkv 1.x's ``socket_timeout``: seconds for both, or ``(connect, read)``."""
    if socket_timeout is None:
        return None
    if isinstance(socket_timeout, (tuple, list)) and len(socket_timeout) == 2:
        connect, read = socket_timeout
    else:
        connect = read = socket_timeout
    for value in (connect, read):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ConfigurationError(
                "socket_timeout must be seconds above 0, or a (connect, read) pair of them, "
                f"got {socket_timeout!r}"
            )
    return float(connect), float(read)


class AzureBlockBlobStore(CopyMixin, UrlMixin, KeyValueStore):
    """A store whose values are block blobs in one Azure Blob Storage container.

    The constructor is minimalkv 1.x's: ``conn_string`` (an Azure connection string) and
    ``container``, then ``public``, ``create_if_missing``, ``max_connections``,
    ``max_block_size``, ``max_single_put_size``, ``checksum`` and ``socket_timeout`` (seconds,
    or a ``(connect, read)`` pair). Instead of a connection string, give ``connection`` (an
    :class:`AzureConnection`: account and key, a SAS token, an endpoint, timeouts, retries) or
    ``container_client`` (an ``azure.storage.blob.ContainerClient`` of the caller's: it is used
    as it is and never closed by the store).

    - ``put`` of up to ``max_single_put_size`` bytes is one request, larger values are staged
      in blocks; ``put_file`` streams blocks of ``max_block_size`` bytes, ``max_connections``
      at a time, and commits the block list last: the blob appears whole or not at all, and a
      failed upload leaves the previous value.
    - ``open`` reads in ranges conditional on the blob's entity tag, so a value replaced while
      it is read raises :class:`~minimalkv.StoreError` instead of mixing versions;
      ``get_file`` fetches ranges in parallel with the same condition.
    - ``checksum=True`` stores the MD5 of each value (``Content-MD5``, from the file's
      position on for ``put_file``), checks every block and range in transit, and compares
      whole values read by ``get`` and ``open`` with the stored MD5.
    - ``copy`` runs on the service; ``delete_many`` sends batch requests of 256 blobs and
      raises :class:`BatchError` naming each key it could not delete; ``get_many`` and
      ``put_many`` run up to ``max_concurrency`` requests in parallel on the one client.
    - ``url_for`` returns a read-only SAS URL valid ``url_valid_time`` seconds (the store
      needs the account key to sign it), or the plain URL when ``public``.
    - ``create_if_missing`` creates the container at the first call that needs it (publicly
      readable blobs when ``public``).

    One transfer holds at most about ``(max_connections + 1) * max_block_size`` bytes,
    whatever the value's size. The store is thread-safe, closable (a closed store reopens at
    its next call) and picklable unless built on a caller's ``container_client``.
    """

    def __init__(
        self,
        conn_string: str | None = None,
        container: str | None = None,
        public: bool = False,
        create_if_missing: bool = True,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_block_size: int | None = None,
        max_single_put_size: int | None = None,
        checksum: bool = False,
        socket_timeout: float | tuple[float, float] | None = None,
        *,
        connection: AzureConnection | None = None,
        container_client: ContainerClient | None = None,
        url_valid_time: int = DEFAULT_URL_VALID_TIME,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    ) -> None:
        given = [x for x in (conn_string, connection, container_client) if x is not None]
        if len(given) != 1:
            raise ConfigurationError(
                "give exactly one of conn_string, connection= or container_client="
            )
        if container_client is not None:
            name = container or container_client.container_name
            if name != container_client.container_name:
                raise ConfigurationError(
                    f"container {container!r} differs from the client's "
                    f"{container_client.container_name!r}"
                )
            container = name
        if not isinstance(container, str) or not container:
            raise ConfigurationError(f"container must be a non-empty str, got {container!r}")
        timeouts = _timeouts(socket_timeout)
        if conn_string is not None:
            if not isinstance(conn_string, str):
                raise ConfigurationError("conn_string must be an Azure connection string (str)")
            connection = AzureConnection(connection_string=conn_string)
        if connection is not None and timeouts is not None:
            connection = connection.replace(connect_timeout=timeouts[0], read_timeout=timeouts[1])
        self.container: str = container
        """The container's name."""
        self.public: bool = bool(public)
        """Whether the container is created publicly readable and ``url_for`` gives plain URLs."""
        self.create_if_missing: bool = bool(create_if_missing)
        """Whether a missing container is created at the first call."""
        self.max_connections: int = _positive_int("max_connections", max_connections, high=64)
        """Parallel requests of one large transfer."""
        self.max_block_size: int = _positive_int(
            "max_block_size", max_block_size or DEFAULT_MAX_BLOCK_SIZE, high=_MAX_BLOCK_SIZE
        )
        """Bytes per staged block and per range read."""
        self.max_single_put_size: int = _positive_int(
            "max_single_put_size",
            max_single_put_size or DEFAULT_MAX_SINGLE_PUT_SIZE,
            high=5000 * 1024 * 1024,
        )
        """The largest ``put`` value sent in one request."""
        self.checksum: bool = bool(checksum)
        """Whether values carry an MD5 that is sent, checked in transit and verified on read."""
        self.url_valid_time: int = _positive_int("url_valid_time", url_valid_time)
        """Seconds a SAS URL stays valid."""
        self.max_concurrency: int = _positive_int("max_concurrency", max_concurrency, high=256)
        """Requests run in parallel by one batch call."""
        self.connection: AzureConnection | None = connection
        """The settings the client is built from; None when the caller gave the client."""
        self._client: ContainerClient | None = container_client
        self._owns_client = container_client is None
        self._ensured = not self.create_if_missing
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        endpoint = connection.where if connection else _client_endpoint(container_client)
        self._where = f"container {container!r} at {endpoint}"
        _FORK_WATCH.add(self)

    # ----------------------------------------------------------------- plumbing
    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._where})"

    @property
    def container_client(self) -> ContainerClient:
        """The ``ContainerClient`` (built on first use when the store made it).

        The container is created first when ``create_if_missing`` and it is missing.
        """
        client = self._client
        if client is None or not self._ensured:
            with self._lock:
                if self._client is None:
                    assert self.connection is not None  # no client means settings were given
                    _check_container_name(self.container)
                    self._client = self.connection.container_client(
                        self.container,
                        max_block_size=self.max_block_size,
                        max_single_put_size=self.max_single_put_size,
                    )
                client = self._client
                if not self._ensured:
                    self._create_container(client)
                    self._ensured = True
        return client

    def _create_container(self, client: ContainerClient) -> None:
        with translated(self._where):
            try:
                client.create_container(public_access="blob" if self.public else None)
            except azure_errors.ResourceExistsError:
                return
            except azure_errors.HttpResponseError as exc:
                if exc.status_code == 403 and self.connection is not None and self.connection.sas:
                    return  # a SAS may not create containers: the first call says if it is missing
                raise

    def create_container(self) -> None:
        """Create the container unless it exists (publicly readable blobs when ``public``)."""
        self._create_container(self.container_client)

    def _blob(self, key: str) -> BlobClient:
        return self.container_client.get_blob_client(key)

    def _pool(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        max(self.max_concurrency, self.max_connections),
                        thread_name_prefix="minimalkv-azure",
                    )
                executor = self._executor
        return executor

    def _translated(self, key: str | None = None) -> contextlib.AbstractContextManager[None]:
        """Raise every Azure SDK error of the block as its minimalkv error (see ``_errors``)."""
        return translated(self._where, key)

    def _content_settings(self, md5: bytes | None) -> ContentSettings | None:
        if md5 is None:
            return None
        from azure.storage.blob import ContentSettings

        return ContentSettings(content_md5=bytearray(md5))

    def _verify(self, key: str, data: bytes, properties: BlobProperties) -> None:
        """Compare a whole value read with its stored MD5 (when checksums are on and it has one)."""
        if not self.checksum:
            return
        stored = properties.content_settings.content_md5
        if stored and hashlib.md5(data, usedforsecurity=False).digest() != bytes(stored):
            raise StoreError(
                f"the value of key {key!r} in Azure {self._where} does not match its stored "
                "MD5: it was corrupted in storage or in transit; read it again",
                key=key,
            )

    def _after_fork_in_child(self) -> None:
        """Forget the parent's threads and connections: a forked child builds its own."""
        self._drop_runtime()

    def _drop_runtime(self) -> None:
        self._lock = threading.Lock()
        self._executor = None
        if self._owns_client:
            self._client = None

    def close(self) -> None:
        """Stop the worker threads and close a client the store made. Idempotent.

        The store stays usable: a later call builds what it needs again.
        """
        with self._lock:
            executor, self._executor = self._executor, None
            client = self._client if self._owns_client else None
            if self._owns_client:
                self._client = None
        if executor is not None:
            executor.shutdown(wait=True)
        if client is not None:
            with contextlib.suppress(Exception):  # closing a transport never fails the caller
                client.close()

    def __getstate__(self) -> dict[str, Any]:
        if not self._owns_client:
            raise TypeError(
                f"{type(self).__name__} made from a ContainerClient cannot be pickled (the "
                "client holds credentials and connections): build it with a connection string "
                "or connection=AzureConnection(...), and the client is rebuilt after unpickling"
            )
        state = dict(self.__dict__)
        for name in ("_client", "_lock", "_executor"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._drop_runtime()
        _FORK_WATCH.add(self)

    # ----------------------------------------------------------------- reads
    def _get(self, key: str) -> bytes:
        blob = self._blob(key)
        with self._translated(key):
            downloader = blob.download_blob(
                max_concurrency=self.max_connections, validate_content=self.checksum
            )
            data = downloader.readall()
        self._verify(key, data, downloader.properties)
        return data

    def _open(self, key: str) -> IO[bytes]:
        """Open the value: whole when it fits in one block, else a ranged reader.

        A value of up to ``max_block_size`` bytes is read by the one request, so the reader
        is a snapshot that later writes never affect. A larger one is read in ranges
        conditional on its entity tag.
        """
        blob = self._blob(key)
        window = self.max_block_size
        with self._translated(key):
            try:
                downloader = blob.download_blob(
                    offset=0, length=window, validate_content=self.checksum
                )
            except azure_errors.HttpResponseError as exc:
                if exc.status_code != 416:  # an empty blob has no byte 0
                    raise
                downloader = blob.download_blob()
            first = downloader.readall()
        properties = downloader.properties
        size = _total_size(properties, len(first))
        if size <= len(first):
            self._verify(key, first, properties)
            return BytesReader(first)
        reader = AzureReader(
            functools.partial(self._blob, key),
            key=key,
            size=size,
            etag=str(properties.etag),
            where=self._where,
            window=window,
            first=first,
        )
        return io.BufferedReader(reader, CHUNK_SIZE)

    def _get_file(self, key: str, file: WritableBinary) -> None:
        """Write the value to ``file``: ranges in parallel into a seekable file, else in order.

        The SDK asks for every range after the first on the first one's entity tag.
        """
        blob = self._blob(key)
        with self._translated(key):
            downloader = blob.download_blob(
                max_concurrency=self.max_connections if _seekable(file) else 1,
                validate_content=self.checksum,
            )
            downloader.readinto(file)  # type: ignore[arg-type]  # any binary file works

    def _get_filename(self, key: str, filename: str) -> None:
        """Write the value to a new file renamed over ``filename``; ranges land in parallel."""
        blob = self._blob(key)
        with self._translated(key):
            downloader = blob.download_blob(
                max_concurrency=self.max_connections, validate_content=self.checksum
            )

        def fill(out: IO[bytes]) -> None:
            with self._translated(key):
                downloader.readinto(out)

        write_atomically(filename, fill)

    def _properties(self, key: str) -> BlobProperties:
        with self._translated(key):
            return self._blob(key).get_blob_properties()

    def _has_key(self, key: str) -> bool:
        try:
            self._properties(key)
        except KeyNotFoundError:
            return False
        return True

    def _metadata(self, key: str) -> KeyMetadata:
        properties = self._properties(key)
        return KeyMetadata(
            key=key,
            size=properties.size,
            etag=str(properties.etag).strip('"'),
            last_modified=properties.last_modified,
        )

    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        return get_each(self._pool(), keys, self._get)

    # ----------------------------------------------------------------- listings
    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys starting with ``prefix``, a page (5,000 names) at a time.

        Blobs whose names are not keys of the store's key space are left out. Keys come in
        the order of their UTF-8 bytes.
        """
        check_prefix(prefix)
        if not prefix.isascii():  # no key of either key space holds such a character
            return iter(())
        return self._list(prefix)

    def _list(self, prefix: str) -> Iterator[str]:
        extended = self.extended_keys
        client = self.container_client
        with self._translated():
            for name in client.list_blob_names(name_starts_with=prefix or None):
                if is_valid_key(name, extended):
                    yield name

    def _iter_prefixes(self, delimiter: str, prefix: str) -> Iterator[str]:
        """Yield the distinct prefixes from the service's delimiter listing, a page at a time.

        A delimiter of several characters is applied here to a plain listing instead: Azurite
        cuts such a delimiter's common prefixes short (``a-`` for ``a--``).
        """
        if not prefix.isascii():
            return
        if not delimiter.isascii():
            yield from self._list(prefix)
            return
        if len(delimiter) > 1:
            yield from super()._iter_prefixes(delimiter, prefix)
            return
        from azure.storage.blob import BlobPrefix

        extended = self.extended_keys
        client = self.container_client
        with self._translated():
            for item in client.walk_blobs(name_starts_with=prefix or None, delimiter=delimiter):
                name = item.name
                if isinstance(item, BlobPrefix):
                    if is_valid_key(name + "x", extended):
                        yield name
                elif is_valid_key(name, extended):
                    yield name

    # ----------------------------------------------------------------- writes
    def _put(self, key: str, data: bytes) -> str:
        md5 = hashlib.md5(data, usedforsecurity=False).digest() if self.checksum else None
        blob = self._blob(key)
        with self._translated(key):
            blob.upload_blob(
                data,
                length=len(data),
                overwrite=True,
                max_concurrency=self.max_connections,
                content_settings=self._content_settings(md5),
                validate_content=self.checksum,
            )
        return key

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        first = read_block(file, self.max_block_size)
        if len(first) < self.max_block_size:
            return self._put(key, first)
        blob = self._blob(key)
        with self._translated(key):
            upload_blocks(
                blob,
                file,
                first,
                block_size=self.max_block_size,
                concurrency=self.max_connections,
                executor=self._pool(),
                checksum=self.checksum,
                content_settings=self._content_settings,
            )
        return key

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        return put_each(self._pool(), pairs, self._put)

    def _delete(self, key: str) -> None:
        with self._translated(key):
            try:
                self._blob(key).delete_blob()
            except azure_errors.ResourceNotFoundError as exc:
                if error_code(exc) == "ContainerNotFound":
                    raise

    def _delete_many(self, keys: list[str]) -> None:
        # A batch of one key goes to _delete: it costs more than the plain request.
        delete_in_batches(
            self._pool(),
            keys,
            delete_one=self._delete,
            delete_batch=self._delete_batch,
            batch_size=DELETE_BATCH,
            where=f"Azure {self._where}",
        )

    def _delete_batch(self, keys: list[str]) -> dict[str, str]:
        """Delete ``keys`` in one batch request; return the failed keys and why."""
        client = self.container_client
        with self._translated():
            answers = list(client.delete_blobs(*keys, raise_on_any_failure=False))
        failures: dict[str, str] = {}
        for key, answer in zip(keys, answers, strict=True):
            status = answer.status_code
            if status in (200, 202, 404):
                if status == 404 and answer.headers.get("x-ms-error-code") == "ContainerNotFound":
                    failures[key] = "ContainerNotFound: the container does not exist"
                continue
            code = answer.headers.get("x-ms-error-code", "")
            failures[key] = f"HTTP {status} {code}".strip()
        return failures

    def _copy(self, source: str, dest: str) -> str:
        properties = self._properties(source)
        if source == dest:
            return dest
        from azure.core import MatchConditions

        target = self._blob(dest)
        with self._translated(source):
            try:
                answer = target.start_copy_from_url(
                    self._blob(source).url,
                    source_etag=properties.etag,
                    source_match_condition=MatchConditions.IfNotModified,
                )
            except azure_errors.ResourceNotFoundError as exc:
                if error_code(exc) == "ContainerNotFound":
                    raise
                raise KeyNotFoundError.for_key(source, f"Azure {self._where}") from exc
            status = answer.get("copy_status")
            while status == "pending":
                time.sleep(_COPY_POLL)
                status = target.get_blob_properties().copy.status
        if status not in ("success", None):
            raise StoreError(
                f"Azure {self._where} ended the copy of key {source!r} to {dest!r} with "
                f"status {status!r}; the destination keeps its old value",
                key=source,
            )
        return dest

    # ----------------------------------------------------------------- URLs
    def _url_for(self, key: str) -> str:
        blob = self._blob(key)
        plain = blob.url.split("?", 1)[0]
        if self.public:
            return plain
        account_key = self._account_key()
        if account_key is None:
            raise ConfigurationError(
                f"url_for needs the account key to sign a SAS URL for Azure {self._where}; "
                "this store has a SAS token or no credential: give the account key, or use a "
                "public container (public=True)"
            )
        from azure.storage.blob import BlobSasPermissions, generate_blob_sas

        expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
            seconds=self.url_valid_time
        )
        token = generate_blob_sas(
            account_name=blob.account_name or "",
            container_name=self.container,
            blob_name=key,
            account_key=account_key,
            permission=BlobSasPermissions(read=True),
            expiry=expiry,
        )
        return f"{plain}?{token}"

    def _account_key(self) -> str | None:
        if self.connection is not None:
            return self.connection.key
        credential = getattr(self.container_client, "credential", None)
        key = getattr(credential, "account_key", None)
        return key if isinstance(key, str) else None


_FORK_WATCH: Final[weakref.WeakSet[AzureBlockBlobStore]] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for store in list(_FORK_WATCH):
        store._after_fork_in_child()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_reset_after_fork)


def _check_container_name(name: str) -> None:
    """Refuse a name Azure refuses, before the first request and without sending one.

    Checked at first use, not when the store is made: minimalkv 1.x built a store from any
    name (its documentation's ``bucket_66`` included) and failed at the first call.
    """
    if not (_CONTAINER_NAME.fullmatch(name) or name in ("$root", "$web")):
        raise ConfigurationError(
            f"container must be an Azure container name (3 to 63 lower-case letters, digits "
            f"and single hyphens, starting with a letter or digit), got {name!r}"
        )


def _client_endpoint(client: Any) -> str:
    scheme = getattr(client, "scheme", None) or "https"
    host = getattr(client, "primary_hostname", None)
    return f"{scheme}://{host}" if host else "Azure"


def _total_size(properties: BlobProperties, fetched: int) -> int:
    content_range = getattr(properties, "content_range", None)
    if content_range:
        return int(str(content_range).rpartition("/")[2])
    return int(properties.size) if properties.size else fetched


def _seekable(file: object) -> bool:
    try:
        return bool(getattr(file, "seekable", lambda: False)())
    except (OSError, ValueError):
        return False


class HAzureBlockBlobStore(ExtendedKeyspaceMixin, AzureBlockBlobStore):
    """:class:`AzureBlockBlobStore` with the extended key space: keys may contain ``/`` and space.

    A key ``a/b`` is the blob ``a/b``, so the container reads as folders in Azure tools.
    """

"""AzureBlockBlobStore against Azurite: checksums, SAS URLs, batches, failures, lifecycle."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import logging
import pickle
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import (
    ContainerSasPermissions,
    ContentSettings,
    generate_container_sas,
)
from minimalkv import (
    BatchError,
    ConfigurationError,
    KeyNotFoundError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StorePermissionError,
)
from minimalkv.azure import (
    AzureBlockBlobStore,
    AzureConnection,
    HAzureBlockBlobStore,
)
from minimalkv.contract import closed_port

sys.path.insert(0, str(Path(__file__).parent))  # azure_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_azure

pytest_plugins = ["azure_servers"]  # the Azure fixtures (azure_target, azure_container, ...)

MD5_OF_1234 = "CNbAWiFRKnmh3+udKo8mLw=="
"""minimalkv 1.x's expected Content-MD5 of b"\\1\\2\\3\\4"."""


@pytest.fixture
def store(azure_target: Any, azure_container: str) -> Iterator[AzureBlockBlobStore]:
    with AzureBlockBlobStore(container=azure_container, connection=azure_target.connection) as s:
        yield s


def _stored_md5(store: AzureBlockBlobStore, key: str) -> str | None:
    props = store.container_client.get_blob_client(key).get_blob_properties()
    md5 = props.content_settings.content_md5
    return base64.b64encode(bytes(md5)).decode() if md5 else None


def _sas_connection(azure_target: Any, container: str, **permissions: bool) -> AzureConnection:
    account = azure_target.account
    token = generate_container_sas(
        account.account_name,
        container,
        account_key=account.account_key,
        permission=ContainerSasPermissions(**permissions),
        expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1),
    )
    return AzureConnection(
        account_name=account.account_name,
        sas_token=token,
        blob_endpoint=account.blob_endpoint,
        connect_timeout=2,
        read_timeout=10,
        max_attempts=1,
    )


# ----------------------------------------------------------------------- checksums
def test_checksum_is_the_md5_of_minimalkv_1(azure_target: Any, azure_container: str) -> None:
    store = AzureBlockBlobStore(
        container=azure_container, connection=azure_target.connection, checksum=True
    )
    store.put("k", b"\1\2\3\4")
    assert _stored_md5(store, "k") == MD5_OF_1234
    store.put_file("f", io.BytesIO(b"\1\2\3\4"))
    assert _stored_md5(store, "f") == MD5_OF_1234
    assert store.get("k") == store.get("f") == b"\1\2\3\4"
    plain = AzureBlockBlobStore(container=azure_container, connection=azure_target.connection)
    plain.put("p", b"\1\2\3\4")
    assert _stored_md5(plain, "p") in (None, MD5_OF_1234)  # the service may add its own


@pytest.mark.parametrize("size", [4, 10_000])  # one request, and staged blocks of 1 KiB
def test_checksum_of_a_stream_not_at_its_start(
    azure_target: Any, azure_container: str, size: int
) -> None:
    store = AzureBlockBlobStore(
        container=azure_container,
        connection=azure_target.connection,
        checksum=True,
        max_block_size=1024,
    )
    value = (b"\1\2\3\4" * size)[:size]
    stream = io.BytesIO(b"skipped header" + value)
    stream.seek(len(b"skipped header"))
    store.put_file("k", stream)
    expected = base64.b64encode(hashlib.md5(value, usedforsecurity=False).digest()).decode()
    assert _stored_md5(store, "k") == expected
    assert store.get("k") == value
    with store.open("k") as reader:
        assert reader.read() == value


def test_checksum_mismatch_on_read_is_an_error(azure_target: Any, azure_container: str) -> None:
    store = AzureBlockBlobStore(
        container=azure_container, connection=azure_target.connection, checksum=True
    )
    store.put("k", b"the value")
    wrong = hashlib.md5(b"another value", usedforsecurity=False).digest()
    store.container_client.get_blob_client("k").set_http_headers(
        ContentSettings(content_md5=bytearray(wrong))
    )
    with pytest.raises(StoreError, match="MD5"):
        store.get("k")
    with pytest.raises(StoreError, match="MD5"):
        store.open("k")


# ----------------------------------------------------------------------- URLs
def test_sas_url_is_fetched_with_plain_http(store: AzureBlockBlobStore) -> None:
    store.put("a#key?%!", b"fetched by urllib")
    url = store.url_for("a#key?%!")
    assert "sig=" in url
    assert "sp=r" in url  # read only
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
        assert answer.read() == b"fetched by urllib"


def test_sas_url_with_a_tampered_signature_is_refused(store: AzureBlockBlobStore) -> None:
    store.put("k", b"v")
    url = store.url_for("k")
    head, _, tail = url.partition("sig=")
    tampered = head + "sig=" + ("B" if tail[0] != "B" else "C") + tail[1:]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(tampered, timeout=10)  # noqa: S310 - loopback
    assert refused.value.code == 403
    refused.value.close()


def test_sas_url_lifetime_is_configurable(azure_target: Any, azure_container: str) -> None:
    store = AzureBlockBlobStore(
        container=azure_container, connection=azure_target.connection, url_valid_time=120
    )
    store.put("k", b"v")
    query = dict(p.split("=", 1) for p in store.url_for("k").split("?", 1)[1].split("&"))
    expiry = datetime.datetime.strptime(
        urllib.parse.unquote(query["se"]), "%Y-%m-%dT%H:%M:%SZ"
    ).replace(tzinfo=datetime.timezone.utc)
    left = (expiry - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 60 < left <= 121


def test_public_container_gives_plain_urls(azure_target: Any) -> None:
    name = f"minimalkv-public-{time.monotonic_ns() % 10**9}"
    store = AzureBlockBlobStore(container=name, connection=azure_target.connection, public=True)
    try:
        store.put("k", b"for everyone")
        url = store.url_for("k")
        assert "?" not in url
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
            assert answer.read() == b"for everyone"
    finally:
        azure_target.service.delete_container(name)


def test_sas_store_works_but_cannot_sign_urls(azure_target: Any, azure_container: str) -> None:
    connection = _sas_connection(
        azure_target, azure_container, read=True, write=True, delete=True, list=True
    )
    store = AzureBlockBlobStore(
        container=azure_container, connection=connection, create_if_missing=False
    )
    store.put("k", b"through a SAS")
    assert store.get("k") == b"through a SAS"
    assert store.keys() == ["k"]
    with pytest.raises(ConfigurationError, match="account key"):
        store.url_for("k")
    assert connection.sas_token is not None
    assert connection.sas_token not in repr(store)
    assert connection.sas_token not in repr(connection)


def test_read_only_sas_is_refused_writes(azure_target: Any, azure_container: str) -> None:
    connection = _sas_connection(azure_target, azure_container, read=True)
    store = AzureBlockBlobStore(
        container=azure_container, connection=connection, create_if_missing=False
    )
    with pytest.raises(StorePermissionError) as refused:
        store.put("k", b"v")
    token = connection.sas
    assert token is not None
    signature = token.split("sig=", 1)[1].split("&", 1)[0]
    texts = [str(refused.value), repr(refused.value)]
    cause: BaseException | None = refused.value
    while cause is not None:
        texts += [str(cause), repr(cause), *(repr(a) for a in cause.args)]
        cause = cause.__cause__ or cause.__context__
    assert not any(signature in text for text in texts)


# ----------------------------------------------------------------------- containers
def test_missing_container_is_named_and_never_created(azure_target: Any) -> None:
    name = f"minimalkv-missing-{time.monotonic_ns() % 10**9}"
    store = AzureBlockBlobStore(
        container=name, connection=azure_target.connection, create_if_missing=False
    )
    with pytest.raises(StoreNotFoundError, match=name):
        store.get("k")
    with pytest.raises(StoreNotFoundError, match=name):
        store.put("k", b"v")
    with pytest.raises(StoreNotFoundError, match=name):
        store.keys()
    assert not azure_target.service.get_container_client(name).exists()


def test_create_if_missing_creates_the_container(azure_target: Any) -> None:
    name = f"minimalkv-created-{time.monotonic_ns() % 10**9}"
    try:
        store = AzureBlockBlobStore(container=name, connection=azure_target.connection)
        assert not azure_target.service.get_container_client(name).exists()  # not before use
        store.put("k", b"v")
        assert azure_target.service.get_container_client(name).exists()
        again = AzureBlockBlobStore(container=name, connection=azure_target.connection)
        assert again.get("k") == b"v"  # an existing container is fine
    finally:
        azure_target.service.delete_container(name)


@pytest.mark.parametrize("name", ["ab", "Upper", "a--b", "-ab", "a_b", "x" * 64])
def test_invalid_container_names_are_refused_at_the_first_call(
    azure_target: Any, name: str
) -> None:
    store = AzureBlockBlobStore(container=name, connection=azure_target.connection)
    with pytest.raises(ConfigurationError, match="container must be an Azure container name"):
        store.put("k", b"v")
    assert name not in {container.name for container in azure_target.service.list_containers()}


def test_wrong_account_key_is_a_permission_error_without_the_key(
    azure_target: Any, azure_container: str, caplog: pytest.LogCaptureFixture
) -> None:
    wrong_key = base64.b64encode(b"not the key of this account, 64 bytes long......").decode()
    connection = azure_target.connection.replace(account_key=wrong_key, max_attempts=1)
    store = AzureBlockBlobStore(
        container=azure_container, connection=connection, create_if_missing=False
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StorePermissionError) as refused:
        store.get("k")
    assert "account key" in str(refused.value)
    texts = [str(refused.value), repr(refused.value), repr(store), caplog.text]
    cause: BaseException | None = refused.value.__cause__
    while cause is not None:
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__ or cause.__context__
    assert not any(wrong_key[:12] in text for text in texts)


def test_unreachable_endpoint_fails_fast_with_a_connection_error() -> None:
    connection = AzureConnection(
        account_name="devstoreaccount1",
        account_key=base64.b64encode(b"k" * 64).decode(),
        blob_endpoint=f"http://127.0.0.1:{closed_port()}/devstoreaccount1",
    )
    store = AzureBlockBlobStore(container="data", connection=connection, create_if_missing=False)
    started = time.monotonic()
    with pytest.raises(StoreConnectionError, match="cannot talk to Azure"):
        store.get("k")
    assert time.monotonic() - started < 10  # default attempts and backoff, refused at once


# ----------------------------------------------------------------------- transfers
def test_put_file_of_many_blocks_round_trips(azure_target: Any, azure_container: str) -> None:
    store = AzureBlockBlobStore(
        container=azure_container,
        connection=azure_target.connection,
        max_block_size=64 * 1024,
        max_connections=4,
    )
    value = bytes(range(256)) * 4096 + b"tail"  # 16 blocks and a bit
    store.put_file("k", io.BytesIO(value))
    blocks = store.container_client.get_blob_client("k").get_block_list("committed")[0]
    assert len(blocks) == 17
    assert store.get("k") == value


def test_failed_staged_upload_keeps_the_old_value(azure_target: Any, azure_container: str) -> None:
    store = AzureBlockBlobStore(
        container=azure_container, connection=azure_target.connection, max_block_size=1024
    )
    store.put("k", b"old value")

    class Failing(io.RawIOBase):
        sent = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            if self.sent > 5000:
                raise OSError("the source failed")
            view = memoryview(buffer)
            view[:] = b"n" * len(view)
            self.sent += len(view)
            return len(view)

    with pytest.raises(OSError, match="the source failed"):
        store.put_file("k", Failing())
    assert store.get("k") == b"old value"
    assert store.keys() == ["k"]


def test_open_reads_in_ranges_and_reports_a_replaced_value(
    azure_target: Any, azure_container: str
) -> None:
    store = AzureBlockBlobStore(
        container=azure_container, connection=azure_target.connection, max_block_size=1024
    )
    value = bytes(range(256)) * 40
    store.put("k", value)
    with store.open("k") as reader:
        assert reader.read(10) == value[:10]
        assert reader.seek(5000) == 5000
        assert reader.read(100) == value[5000:5100]
        assert reader.seek(-10, io.SEEK_END) == len(value) - 10
        assert reader.read() == value[-10:]
        store.put("k", b"x" * len(value))
        reader.seek(2000)
        with pytest.raises(StoreError, match="replaced"):
            reader.read(10)


def test_open_reader_outlives_a_close_of_its_store(azure_target: Any, azure_container: str) -> None:
    store = AzureBlockBlobStore(
        container=azure_container, connection=azure_target.connection, max_block_size=1024
    )
    value = bytes(range(256)) * 20
    store.put("k", value)
    with store.open("k") as reader:
        assert reader.read(10) == value[:10]
        store.close()
        reader.seek(3000)
        assert reader.read(100) == value[3000:3100]


def test_small_value_is_read_whole_when_opened(store: AzureBlockBlobStore) -> None:
    store.put("k", b"small")
    with store.open("k") as reader:
        store.put("k", b"other")
        assert reader.read() == b"small"  # a snapshot


def test_get_file_of_a_missing_key_leaves_no_file(
    store: AzureBlockBlobStore, tmp_path: Path
) -> None:
    with pytest.raises(KeyNotFoundError):
        store.get_file("missing", str(tmp_path / "out"))
    assert list(tmp_path.iterdir()) == []


def test_metadata_gives_size_etag_and_time(store: AzureBlockBlobStore) -> None:
    store.put("k", b"12345")
    info = store.metadata("k")
    assert info.size == 5
    assert info.etag
    assert info.last_modified is not None
    store.put("k", b"changed")
    assert store.metadata("k").etag != info.etag


# ----------------------------------------------------------------------- copy and batches
def test_copy_runs_on_the_service(store: AzureBlockBlobStore) -> None:
    store.put("src", b"copied")
    assert store.copy("src", "dst") == "dst"
    assert store.get("dst") == b"copied"
    assert store.copy("src", "src") == "src"
    with pytest.raises(KeyNotFoundError, match="missing"):
        store.copy("missing", "dst")
    assert store.get("dst") == b"copied"


def test_copy_with_a_sas_store(azure_target: Any, azure_container: str) -> None:
    connection = _sas_connection(
        azure_target, azure_container, read=True, write=True, delete=True, list=True
    )
    store = AzureBlockBlobStore(
        container=azure_container, connection=connection, create_if_missing=False
    )
    store.put("a", b"value")
    store.move("a", "b")
    assert store.keys() == ["b"]
    assert store.get("b") == b"value"


def test_delete_many_in_batches(store: AzureBlockBlobStore) -> None:
    keys = [f"k{i:04d}" for i in range(300)]  # two batch requests
    store.put_many(dict.fromkeys(keys, b"v"))
    store.delete_many([*keys, "never-there", keys[0]])
    assert store.keys() == []


def test_delete_many_reports_each_key_it_could_not_delete(store: AzureBlockBlobStore) -> None:
    store.put_many({"a": b"1", "leased": b"2", "c": b"3"})
    lease = store.container_client.get_blob_client("leased").acquire_lease(lease_duration=-1)
    try:
        with pytest.raises(BatchError) as failed:
            store.delete_many(["a", "leased", "c", "missing"])
        assert set(failed.value.failures) == {"leased"}
        assert "412" in failed.value.failures["leased"]
        assert store.keys() == ["leased"]
    finally:
        lease.release()


def test_get_many_and_put_many(store: AzureBlockBlobStore) -> None:
    pairs = {f"k{i}": bytes([i]) * i for i in range(40)}
    assert store.put_many(pairs) == list(pairs)
    assert store.get_many([*pairs, "missing"]) == pairs


# ----------------------------------------------------------------------- lifecycle
def test_store_is_usable_after_close(store: AzureBlockBlobStore) -> None:
    store.put("k", b"v")
    store.close()
    store.close()
    assert store.get("k") == b"v"
    with store:
        store.put_many({"a": b"1", "b": b"2"})
    assert store.get_many(["a", "b"]) == {"a": b"1", "b": b"2"}


def test_store_pickles_and_rebuilds_its_client(store: AzureBlockBlobStore) -> None:
    store.put("k", b"v")
    copy = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own data
    assert copy.get("k") == b"v"
    assert copy.connection == store.connection
    copy.close()


def test_store_from_a_container_client(azure_target: Any, azure_container: str) -> None:
    client = azure_target.service.get_container_client(azure_container)
    store = HAzureBlockBlobStore(container_client=client)
    store.put("a/b", b"v")
    assert store.keys() == ["a/b"]
    assert "sig=" in store.url_for("a/b")  # the client's shared key signs it
    store.close()
    assert store.get("a/b") == b"v"  # the caller's client stays open
    with pytest.raises(TypeError, match="ContainerClient"):
        pickle.dumps(store)


def test_connection_string_with_blob_endpoint(azure_target: Any, azure_container: str) -> None:
    # minimalkv 1.x's positional constructor: conn_string, container, public,
    # create_if_missing, max_connections, max_block_size, max_single_put_size, checksum,
    # socket_timeout.
    from minimalkv.net.azurestore import AzureBlockBlobStore as Legacy

    store = Legacy(
        azure_target.account.connection_string,
        azure_container,
        False,
        True,
        4,
        1024,
        2048,
        True,
        (5, 30),
    )
    assert store.connection is not None
    assert (store.connection.connect_timeout, store.connection.read_timeout) == (5.0, 30.0)
    assert (store.max_connections, store.max_block_size, store.max_single_put_size) == (
        4,
        1024,
        2048,
    )
    store.put("k", b"x" * 5000)
    assert store.get("k") == b"x" * 5000
    assert azure_target.account.account_key not in repr(store)
    assert "sig=" in store.url_for("k")


def test_repr_names_container_and_endpoint(store: AzureBlockBlobStore) -> None:
    assert store.container in repr(store)
    assert "127.0.0.1" in repr(store)

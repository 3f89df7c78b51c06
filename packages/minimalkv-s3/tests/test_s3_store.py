"""S3Store against a real S3 server: what the contract suite does not cover.

Buckets and prefixes, presigned URLs fetched without boto3, multipart uploads and their abort,
ranged reads and a value replaced while it is read, server-side copy (multipart too),
batch deletes, metadata, errors with their messages, pickling and closing.
"""

from __future__ import annotations

import io
import os
import pickle
import select
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from botocore.exceptions import ClientError
from minimalkv import (
    BatchError,
    InvalidKeyError,
    KeyNotFoundError,
    StoreBusyError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StorePermissionError,
)
from minimalkv.contract import closed_port
from minimalkv.s3 import MIN_PART_SIZE, HS3Store, S3Connection, S3Store
from minimalkv.s3._errors import translate_error

sys.path.insert(0, str(Path(__file__).parent))  # s3_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools.services, at the repository root
from tools.services import S3Server, SeaweedFS

pytest_plugins = ["s3_servers"]  # the S3 fixtures (s3_target, fresh_bucket, ...)

MiB = 1024 * 1024
PART = MIN_PART_SIZE


def _pattern(size: int, seed: int = 0) -> bytes:
    block = bytes((i * 7 + seed) % 251 for i in range(4096))
    return (block * (size // len(block) + 1))[:size]


@pytest.fixture
def store(s3_target: Any, s3_bucket: str) -> Iterator[S3Store]:
    made = S3Store(s3_bucket, connection=s3_target.connection, part_size=PART)
    yield made
    made.close()


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - loopback server
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# ----------------------------------------------------------------------- buckets and prefixes
def test_missing_bucket_is_a_clear_error_and_never_created(s3_target: Any) -> None:
    store = S3Store("minimalkv-test-never-made", connection=s3_target.connection)
    with pytest.raises(StoreNotFoundError, match="minimalkv-test-never-made") as caught:
        store.put("k", b"v")
    assert isinstance(caught.value, FileNotFoundError)
    assert "create_if_missing" in str(caught.value)
    with pytest.raises(StoreNotFoundError):
        store.keys()
    with pytest.raises(StoreNotFoundError):
        store.get("k")
    names = [b["Name"] for b in s3_target.client.list_buckets()["Buckets"]]
    assert "minimalkv-test-never-made" not in names


def test_create_if_missing_creates_the_bucket_once(s3_target: Any) -> None:
    name = f"minimalkv-test-made-{time.monotonic_ns() % 10**9}"
    try:
        store = S3Store(name, connection=s3_target.connection, create_if_missing=True)
        store.put("k", b"v")
        again = S3Store(name, connection=s3_target.connection, create_if_missing=True)
        assert again.get("k") == b"v"
    finally:
        s3_target.empty(name)
        s3_target.client.delete_bucket(Bucket=name)


def test_prefix_applies_to_every_call(s3_target: Any, s3_bucket: str) -> None:
    store = HS3Store(s3_bucket, prefix="apps/one/", connection=s3_target.connection)
    other = HS3Store(s3_bucket, prefix="apps/two/", connection=s3_target.connection)
    store.put("a/b", b"1")
    store.put_file("c", io.BytesIO(b"2"))
    other.put("a/b", b"other")
    objects = sorted(
        entry["Key"]
        for entry in s3_target.client.list_objects_v2(Bucket=s3_bucket).get("Contents", ())
    )
    assert objects == ["apps/one/a/b", "apps/one/c", "apps/two/a/b"]
    assert store.keys() == ["a/b", "c"]
    assert list(store.iter_prefixes("/")) == ["a/", "c"]
    assert "/apps/one/a/b?" in store.url_for("a/b")
    store.copy("a/b", "d")
    store.move("c", "e")
    assert store.keys() == ["a/b", "d", "e"]
    store.delete_many(["a/b", "d"])
    assert store.keys() == ["e"]
    assert other.keys() == ["a/b"]
    assert store.metadata("e").size == 1


def test_emptied_folders_are_not_prefixes(s3_target: Any, s3_bucket: str) -> None:
    store = HS3Store(s3_bucket, connection=s3_target.connection)
    for key in ("x/e", "c..d/e", "p/q/r", "keep/k"):
        store.put(key, b"1")
    store.delete_many(["x/e", "c..d/e", "p/q/r"])
    s3_target.client.put_object(Bucket=s3_bucket, Key="foreign/ü", Body=b"not a key")
    assert list(store.iter_prefixes("/")) == ["keep/"]


def test_objects_outside_the_key_space_are_not_listed(s3_target: Any, s3_bucket: str) -> None:
    for name in ("ok", "has space", "dir/x", "ü", "tab\there", "x:y"):
        s3_target.client.put_object(Bucket=s3_bucket, Key=name, Body=b"x")
    assert S3Store(s3_bucket, connection=s3_target.connection).keys() == ["ok"]
    assert HS3Store(s3_bucket, connection=s3_target.connection).keys() == [
        "dir/x",
        "has space",
        "ok",
    ]


def test_object_names_longer_than_s3_allows_are_refused(store: S3Store) -> None:
    store.prefix = "p" * 1000
    with pytest.raises(ValueError, match="1024 bytes"):
        store.put("k" * 100, b"v")


def test_listing_pages_through_more_than_a_thousand_keys(store: S3Store) -> None:
    keys = [f"key{i:05d}" for i in range(2345)]
    store.put_many(dict.fromkeys(keys, b""))
    listed = store.iter_keys()
    assert next(listed) == "key00000"
    assert ["key00000", *listed] == keys
    assert store.keys("key012") == keys[1200:1300]
    expected: dict[str, None] = {}
    for key in keys:  # the documented rule of iter_prefixes, delimiter "5" after "key"
        end = key.find("5", 3)
        expected[key if end < 0 else key[: end + 1]] = None
    assert sorted(store.iter_prefixes("5", "key")) == sorted(expected)
    assert len(expected) > 1000


# ----------------------------------------------------------------------- presigned URLs
def test_presigned_url_is_fetched_without_boto3(store: S3Store) -> None:
    store.put("report", b"the value")
    url = store.url_for("report")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["3600"]
    assert _fetch(url) == (200, b"the value")


def test_presigned_url_with_a_tampered_signature_is_refused(store: S3Store) -> None:
    store.put("report", b"the value")
    url = store.url_for("report")
    signature = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["X-Amz-Signature"][0]
    forged = "0" * len(signature) if signature[0] != "0" else "1" * len(signature)
    status, body = _fetch(url.replace(signature, forged))
    assert status == 403
    assert b"the value" not in body
    other_key = url.replace("/report?", "/other?")
    store.put("other", b"secret value")
    assert _fetch(other_key)[0] == 403


def test_expired_presigned_url_is_refused(s3_target: Any, s3_bucket: str) -> None:
    store = S3Store(s3_bucket, url_valid_time=1, connection=s3_target.connection)
    store.put("brief", b"soon gone")
    url = store.url_for("brief")
    assert _fetch(url) == (200, b"soon gone")
    time.sleep(2.2)
    assert _fetch(url)[0] == 403


def test_public_and_reduced_redundancy_reach_the_server(
    moto_target: Any, s3_target: Any, s3_bucket: str
) -> None:
    # SeaweedFS records the storage class but keeps no ACL grants; moto keeps both.
    bucket = moto_target.fresh_bucket()
    store = S3Store(bucket, public=True, reduced_redundancy=True, connection=moto_target.connection)
    store.put("k", b"for everyone")
    store.put_file("f", io.BytesIO(b"x" * (PART + 1)))  # a multipart upload gets them too
    for key in ("k", "f"):
        grants = moto_target.client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
        assert {(grant["Grantee"].get("URI", ""), grant["Permission"]) for grant in grants} >= {
            ("http://acs.amazonaws.com/groups/global/AllUsers", "READ")
        }
    url = store.url_for("k")
    assert "X-Amz-" not in url
    assert url.endswith(f"/{bucket}/k")
    assert _fetch(url) == (200, b"for everyone")
    seaweed = S3Store(s3_bucket, reduced_redundancy=True, connection=s3_target.connection)
    seaweed.put("k", b"v")
    head = s3_target.client.head_object(Bucket=s3_bucket, Key="k")
    assert head["StorageClass"] == "REDUCED_REDUNDANCY"


def test_url_valid_time_zero_means_the_default(s3_target: Any, s3_bucket: str) -> None:
    store = S3Store(s3_bucket, url_valid_time=0, connection=s3_target.connection)
    assert "X-Amz-Expires=3600" in store.url_for("k")


# ----------------------------------------------------------------------- multipart uploads
class _FailingReader(io.RawIOBase):
    """Gives ``size`` bytes, then raises: a source that breaks in the middle of an upload."""

    def __init__(self, size: int) -> None:
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            raise OSError("the disk went away")
        view = memoryview(buffer)
        count = min(len(view), self._left)
        view[:count] = b"x" * count
        self._left -= count
        return count


def test_put_file_of_many_parts_round_trips(s3_target: Any, store: S3Store) -> None:
    value = _pattern(3 * PART + 12345)
    store.put_file("big", io.BytesIO(value))
    assert store.get("big") == value
    assert store.metadata("big").etag.endswith("-4")  # type: ignore[union-attr]
    assert s3_target.uploads(store.bucket_name) == []


def test_put_file_from_a_path_sends_parts_read_in_place(
    s3_target: Any, store: S3Store, tmp_path: Any
) -> None:
    value = _pattern(3 * PART + 7)
    source = tmp_path / "source"
    source.write_bytes(value)
    assert store.put_file("big", str(source)) == "big"
    assert store.get("big") == value
    assert store.metadata("big").etag.endswith("-4")  # type: ignore[union-attr]
    small = tmp_path / "small"
    small.write_bytes(b"tiny")
    store.put_file("small", small)
    assert store.get("small") == b"tiny"
    assert s3_target.uploads(store.bucket_name) == []


def test_failed_multipart_upload_keeps_the_old_value_and_leaves_no_upload(
    s3_target: Any, store: S3Store
) -> None:
    store.put("big", b"old value")
    with pytest.raises(OSError, match="the disk went away"):
        store.put_file("big", io.BufferedReader(_FailingReader(2 * PART + 100)))
    assert store.get("big") == b"old value"
    assert s3_target.uploads(store.bucket_name) == []
    assert store.unfinished_uploads() == []


def test_unfinished_uploads_are_listed_and_aborted(s3_target: Any, store: S3Store) -> None:
    upload = store.client.create_multipart_upload(Bucket=store.bucket_name, Key="left")
    listed = store.unfinished_uploads()
    assert [(name, upload_id) for name, upload_id, _ in listed] == [("left", upload["UploadId"])]
    assert store.abort_unfinished_uploads(older_than=3600) == 0
    assert store.abort_unfinished_uploads(older_than=0) == 1
    assert store.unfinished_uploads() == []
    assert "left" not in store


# ----------------------------------------------------------------------- reads
def test_open_seeks_with_ranged_reads(store: S3Store) -> None:
    value = _pattern(2 * PART + 17)
    store.put("v", value)
    with store.open("v") as file:
        assert file.read(10) == value[:10]
        assert file.seek(PART + 3) == PART + 3
        assert file.read(5) == value[PART + 3 : PART + 8]
        assert file.tell() == PART + 8
        assert file.seek(-7, io.SEEK_END) == len(value) - 7
        assert file.read() == value[-7:]
        assert file.read() == b""
        assert file.seek(5) == 5
        assert file.read(3) == value[5:8]
        with pytest.raises(OSError, match=r"."):
            file.seek(-1)
    with pytest.raises(ValueError, match="closed"):
        file.read()


def test_small_value_is_read_whole_when_opened(store: S3Store) -> None:
    store.put("v", b"first")
    with store.open("v") as file:
        store.put("v", b"second value")
        assert file.read() == b"first"


def test_value_replaced_while_read_is_reported(store: S3Store) -> None:
    store.put("v", _pattern(3 * PART))
    with store.open("v") as file:
        file.read(10)
        store.put("v", _pattern(3 * PART, seed=1))
        file.seek(2 * PART)
        with pytest.raises(StoreError, match=r"replaced while it was being read"):
            file.read(10)


def test_get_file_fetches_ranges_in_parallel_and_in_order(store: S3Store, tmp_path: Any) -> None:
    value = _pattern(4 * PART + 99)
    store.put_file("big", io.BytesIO(value))
    target = tmp_path / "out"
    store.get_file("big", str(target))
    assert target.read_bytes() == value
    sink = io.BytesIO()
    store.get_file("big", sink)
    assert sink.getvalue() == value
    store.put("empty", b"")
    store.get_file("empty", str(target))
    assert target.read_bytes() == b""


def test_get_file_of_a_missing_key_leaves_no_file(store: S3Store, tmp_path: Any) -> None:
    target = tmp_path / "out"
    with pytest.raises(KeyError):
        store.get_file("missing", str(target))
    assert list(tmp_path.iterdir()) == []


def test_metadata_gives_size_etag_and_time(store: S3Store) -> None:
    store.put("k", b"12345")
    meta = store.metadata("k")
    assert meta.size == 5
    assert meta.etag == "827ccb0eea8a706c4c34a16891f84e7b"  # MD5 of a single-part object
    assert meta.last_modified is not None
    assert meta.last_modified.tzinfo is not None
    assert abs(time.time() - meta.last_modified.timestamp()) < 120
    with pytest.raises(KeyNotFoundError):
        store.metadata("missing")


# ----------------------------------------------------------------------- copy and delete
class _SmallCopyLimitStore(S3Store):
    max_single_copy_size: ClassVar[int] = PART
    copy_part_size: ClassVar[int] = PART


def test_copy_above_the_single_copy_limit_is_a_multipart_copy(
    s3_target: Any, s3_bucket: str
) -> None:
    store = _SmallCopyLimitStore(s3_bucket, connection=s3_target.connection, part_size=PART)
    value = _pattern(2 * PART + 5)
    store.put_file("src", io.BytesIO(value))
    assert store.copy("src", "dst") == "dst"
    assert store.get("dst") == value
    assert store.metadata("dst").etag.endswith("-3")  # type: ignore[union-attr]
    store.move("dst", "moved")
    assert store.get("moved") == value
    assert "dst" not in store
    assert s3_target.uploads(s3_bucket) == []


def test_copy_of_a_missing_key_names_it(store: S3Store) -> None:
    with pytest.raises(KeyNotFoundError, match="'nothing'"):
        store.copy("nothing", "x")
    assert "x" not in store


def test_delete_many_in_batches(store: S3Store) -> None:
    keys = [f"k{i}" for i in range(2500)]
    store.put_many(dict.fromkeys(keys[:2400], b"v"))
    store.delete_many(keys)  # 100 of them never existed
    assert store.keys() == []
    store.delete_many([])


@pytest.fixture(scope="module")
def restricted_server() -> Iterator[S3Server]:
    """A SeaweedFS with a user who may write only under ``allowed/`` of bucket ``bkt``."""
    limited: dict[str, object] = {
        "name": "limited",
        "credentials": [{"accessKey": "limited", "secretKey": "limited-secret"}],
        "actions": ["Read:bkt", "List:bkt", "Write:bkt/allowed/*"],
    }
    with tempfile.TemporaryDirectory(prefix="minimalkv-seaweedfs-iam-") as directory:
        weed = SeaweedFS(directory, "admin-key", "admin-secret", identities=[limited])
        try:
            weed.start()
        except RuntimeError as exc:
            pytest.fail(f"cannot start SeaweedFS with an IAM configuration: {exc}")
        try:
            yield weed.server
        finally:
            weed.stop()


def test_delete_many_reports_each_key_it_could_not_delete(restricted_server: S3Server) -> None:
    endpoint = restricted_server.endpoint_url
    admin = HS3Store(
        "bkt",
        connection=S3Connection(
            endpoint_url=endpoint,
            access_key_id="admin-key",
            secret_access_key="admin-secret",  # noqa: S106 - a test server's key
        ),
        create_if_missing=True,
    )
    keys = ["allowed/a", "denied/b", "allowed/c", "denied/d"]
    admin.put_many(dict.fromkeys(keys, b"v"))
    limited = HS3Store(
        "bkt",
        connection=S3Connection(
            endpoint_url=endpoint,
            access_key_id="limited",
            secret_access_key="limited-secret",  # noqa: S106 - a test server's key
        ),
    )
    with pytest.raises(BatchError) as caught:
        limited.delete_many(keys)
    assert sorted(caught.value.failures) == ["denied/b", "denied/d"]
    assert all("AccessDenied" in why for why in caught.value.failures.values())
    assert "could not delete 2 of 4 keys" in str(caught.value)
    assert isinstance(caught.value, OSError)
    assert admin.keys() == ["denied/b", "denied/d"]
    with pytest.raises(StorePermissionError, match="denied/e"):
        limited.put("denied/e", b"v")


def test_put_many_and_get_many_run_in_parallel(store: S3Store) -> None:
    seen: set[str] = set()
    original = store._put

    def spy(key: str, data: bytes) -> str:
        seen.add(threading.current_thread().name)
        return original(key, data)

    store._put = spy  # type: ignore[method-assign]
    items = {f"k{i}": _pattern(1000, i) for i in range(40)}
    assert store.put_many(items) == list(items)
    assert len(seen) > 1
    assert store.get_many([*items, "missing"]) == items


def test_put_many_reports_the_first_failure_after_the_others(s3_target: Any) -> None:
    store = S3Store("minimalkv-test-absent", connection=s3_target.connection)
    with pytest.raises(StoreNotFoundError):
        store.put_many({"a": b"1", "b": b"2", "c": b"3"})


# ----------------------------------------------------------------------- errors
def test_wrong_secret_is_a_permission_error_without_the_secret(
    s3_target: Any, s3_bucket: str
) -> None:
    secret = "Wr0ng/Secret+Key=="  # noqa: S105 - a wrong key, on purpose
    connection = s3_target.connection.replace(secret_access_key=secret)
    store = S3Store(s3_bucket, connection=connection)
    for call in (lambda: store.put("k", b"v"), lambda: store.get("k"), store.keys):
        with pytest.raises(StorePermissionError) as caught:
            call()
        assert isinstance(caught.value, PermissionError)
        assert s3_bucket in str(caught.value)
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)
    assert secret not in repr(store)
    assert secret not in repr(connection)


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("InternalError", 500, StoreConnectionError),
        ("BadGateway", 502, StoreConnectionError),
        ("SlowDown", 503, StoreBusyError),
        ("AccessDenied", 403, StorePermissionError),
        ("NoSuchBucket", 404, StoreNotFoundError),
        ("NoSuchKey", 404, KeyNotFoundError),
        ("KeyTooLongError", 400, InvalidKeyError),
        ("InvalidArgument", 400, StoreError),
    ],
)
def test_each_s3_error_code_has_its_error(code: str, status: int, expected: type) -> None:
    # Answers a test server cannot be made to give on demand (a server failing on its side).
    answer: Any = {
        "Error": {"Code": code, "Message": f"the server says {code}"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    error = translate_error(ClientError(answer, "GetObject"), "bucket 'b' at http://h", "k")
    assert type(error) is expected
    assert "bucket 'b' at http://h" in str(error) or expected is KeyNotFoundError


def test_unreachable_endpoint_fails_fast_with_a_connection_error() -> None:
    port = closed_port()
    connection = S3Connection(
        endpoint_url=f"http://127.0.0.1:{port}",
        access_key_id="k",
        secret_access_key="s",  # noqa: S106 - a fake secret
        max_attempts=2,
    )
    store = S3Store("bucket", connection=connection)
    started = time.monotonic()
    with pytest.raises(StoreConnectionError, match=f"127.0.0.1:{port}"):
        store.get("k")
    assert time.monotonic() - started < 10


# ----------------------------------------------------------------------- lifecycle
def test_store_pickles_and_rebuilds_its_client(s3_target: Any, store: S3Store) -> None:
    store.put("k", b"v")
    clone = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own data
    assert clone.get("k") == b"v"
    assert clone.client is not store.client
    assert clone.part_size == store.part_size
    assert s3_target.server.secret_key not in repr(clone)


def test_store_from_a_client_refuses_to_pickle(s3_target: Any, s3_bucket: str) -> None:
    store = S3Store(s3_bucket, client=s3_target.client)
    with pytest.raises(TypeError, match="connection=S3Connection"):
        pickle.dumps(store)
    store.close()  # the caller's client stays open
    store.put("k", b"v")
    assert s3_target.client.get_object(Bucket=s3_bucket, Key="k")["Body"].read() == b"v"


# Python 3.12+ warns that forking a process with threads may deadlock: what this test checks.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_forked_child_builds_its_own_client_and_threads(store: S3Store) -> None:
    store.put_many({f"k{i}": b"v" for i in range(4)})  # the parent's threads and client exist
    parent_client = store.client
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a batch call must not wait for the parent's (absent) threads
        status = 1
        try:
            found = store.get_many([f"k{i}" for i in range(4)])
            fresh = store.client is not parent_client
            status = 0 if fresh and len(found) == 4 else 2
        finally:
            os.write(writer, bytes([status]))
            os._exit(0)
    os.close(writer)
    try:
        answer = _read_with_deadline(reader, 60)
    finally:
        os.close(reader)
        os.waitpid(pid, 0)
    assert answer == b"\x00"
    assert store.client is parent_client


def _read_with_deadline(fd: int, seconds: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], seconds)
    assert ready, "the forked child hung"
    return os.read(fd, 1)


def test_store_is_usable_after_close(store: S3Store) -> None:
    store.put_many({"a": b"1", "b": b"2"})
    store.close()
    store.close()
    assert store.get_many(["a", "b"]) == {"a": b"1", "b": b"2"}
    with store:
        store.put("c", b"3")
    assert store.get("c") == b"3"


def test_bucket_resource_and_object_metadata(s3_target: Any, s3_bucket: str) -> None:
    import boto3

    resource = boto3.resource(
        "s3",
        endpoint_url=s3_target.server.endpoint_url,
        aws_access_key_id=s3_target.server.access_key,
        aws_secret_access_key=s3_target.server.secret_key,
        region_name="us-east-1",
    )
    store = S3Store(resource.Bucket(s3_bucket), metadata={"owner": "tests"})
    store.put("k", b"v")
    head = s3_target.client.head_object(Bucket=s3_bucket, Key="k")
    assert head["Metadata"] == {"owner": "tests"}
    store.copy("k", "k2")
    assert s3_target.client.head_object(Bucket=s3_bucket, Key="k2")["Metadata"] == {
        "owner": "tests"
    }


@pytest.mark.parametrize("make", [S3Store, HS3Store])
def test_repr_names_bucket_and_endpoint(
    s3_target: Any, s3_bucket: str, make: Callable[..., S3Store]
) -> None:
    store = make(s3_bucket, prefix="p/", connection=s3_target.connection)
    assert repr(store) == (
        f"{make.__name__}(bucket {s3_bucket!r} at {s3_target.server.endpoint_url}, prefix='p/')"
    )

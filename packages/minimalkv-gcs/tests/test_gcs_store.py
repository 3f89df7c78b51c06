"""GoogleCloudStore beyond the contract, on fake-gcs-server: URLs, buckets, uploads, reads, copies,
batch failures, timeouts, pickling and closing."""

from __future__ import annotations

import io
import pickle
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from minimalkv import (
    ConfigurationError,
    KeyNotFoundError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
)
from minimalkv.contract import closed_port
from minimalkv.gcs import (
    READ_AHEAD,
    SNAPSHOT_SIZE,
    GcsConnection,
    GoogleCloudStore,
    HGoogleCloudStore,
)
from minimalkv.gcs._transfer import ChunkStream, rewrite_all

sys.path.insert(0, str(Path(__file__).parent))  # gcs_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_gcs, at the root

pytest_plugins = ["gcs_servers"]  # the GCS fixtures (gcs_target, fresh_bucket, ...)

KiB = 1024
CHUNK = 256 * KiB


def _store(target: Any, bucket: str, **options: Any) -> GoogleCloudStore:
    return GoogleCloudStore(None, bucket, connection=target.signing, **options)


# ----------------------------------------------------------------------- signed URLs
def test_url_for_is_a_v4_signed_url_the_server_serves(gcs_target: Any, gcs_bucket: str) -> None:
    """fake-gcs-server serves signed URLs without checking the signature: the shape is checked.

    On GCS a wrong or expired signature is refused; the emulator cannot show that.
    """
    store = _store(gcs_target, gcs_bucket, url_valid_time=120)
    store.put("k", b"fetched by a plain HTTP client")
    url = store.url_for("k")
    parts = urllib.parse.urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == gcs_target.endpoint
    assert parts.path == f"/{gcs_bucket}/k"
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert query["X-Goog-Algorithm"] == "GOOG4-RSA-SHA256"
    assert query["X-Goog-Expires"] == "120"
    assert query["X-Goog-Credential"].startswith("tester@minimalkv-test.iam.gserviceaccount.com/")
    assert query["X-Goog-SignedHeaders"] == "host"
    signature = query["X-Goog-Signature"]
    assert len(signature) == 512  # hex of a 2048-bit RSA signature
    int(signature, 16)
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the loopback emulator
        assert answer.read() == b"fetched by a plain HTTP client"
    # Keys needing escapes are quoted in the path.
    hierarchical = HGoogleCloudStore(None, gcs_bucket, connection=gcs_target.signing)
    hierarchical.put("a b/c+d", b"spaced")
    spaced = hierarchical.url_for("a b/c+d")
    assert "/a%20b/c%2Bd?" in spaced
    with urllib.request.urlopen(spaced, timeout=10) as answer:  # noqa: S310 - loopback
        assert answer.read() == b"spaced"


def test_url_valid_time_defaults_to_an_hour_and_is_capped(gcs_target: Any) -> None:
    assert _store(gcs_target, "b").url_valid_time == 3600
    assert _store(gcs_target, "b", url_valid_time=0).url_valid_time == 3600
    assert _store(gcs_target, "b", url_valid_time=10**9).url_valid_time == 7 * 24 * 3600


def test_url_for_without_signing_credentials_says_what_to_give(
    gcs_target: Any, gcs_bucket: str
) -> None:
    store = GoogleCloudStore(None, gcs_bucket, connection=gcs_target.connection)
    with pytest.raises(ConfigurationError, match="service-account credentials"):
        store.url_for("k")


# ----------------------------------------------------------------------- buckets
def test_missing_bucket_is_store_not_found_naming_it(gcs_target: Any) -> None:
    store = GoogleCloudStore(None, "minimalkv-nowhere", False, endpoint=gcs_target.endpoint)
    for call in (lambda: store.get("k"), lambda: store.put("k", b"v"), store.keys):
        with pytest.raises(StoreNotFoundError, match="minimalkv-nowhere") as caught:
            call()
        assert "create_if_missing" in str(caught.value)
    assert gcs_target.client.lookup_bucket("minimalkv-nowhere") is None


def test_create_if_missing_makes_the_bucket_once(gcs_target: Any) -> None:
    name = "minimalkv-test-made-by-store"
    store = GoogleCloudStore(None, name, True, "US-EAST1", endpoint=gcs_target.endpoint)
    try:
        assert gcs_target.client.lookup_bucket(name) is None  # nothing happens before a call
        store.put("k", b"v")
        assert gcs_target.client.lookup_bucket(name) is not None
        # Another store finds it (a second creation would be a conflict, which is accepted).
        again = GoogleCloudStore(None, name, True, endpoint=gcs_target.endpoint)
        assert again.get("k") == b"v"
    finally:
        gcs_target.empty(name)
        gcs_target.client.bucket(name).delete()


# ----------------------------------------------------------------------- uploads
class _FailingSource(io.RawIOBase):
    """A stream that gives ``good`` bytes and then fails, like a dropped network source."""

    def __init__(self, good: int) -> None:
        super().__init__()
        self._left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            raise OSError("the source went away")
        count = min(len(buffer), self._left)
        buffer[:count] = b"x" * count
        self._left -= count
        return count


def test_resumable_upload_is_atomic(gcs_target: Any, gcs_bucket: str) -> None:
    store = _store(gcs_target, gcs_bucket, chunk_size=CHUNK)
    value = bytes(range(256)) * (5 * CHUNK // 256) + b"tail"
    assert store.put_file("k", io.BytesIO(value)) == "k"
    assert store.get("k") == value
    with pytest.raises(OSError, match="went away"):
        store.put_file("k", io.BufferedReader(_FailingSource(3 * CHUNK + 100)))
    assert store.get("k") == value  # the old value stays whole
    assert store.keys() == ["k"]


def test_put_file_from_a_path_in_chunks(gcs_target: Any, gcs_bucket: str, tmp_path: Path) -> None:
    store = _store(gcs_target, gcs_bucket, chunk_size=CHUNK)
    value = bytes(range(256)) * (3 * CHUNK // 256 + 7)
    path = tmp_path / "source"
    path.write_bytes(value)
    assert store.put_file("k", str(path)) == "k"
    assert store.get("k") == value
    assert path.read_bytes() == value  # the caller's file is kept


def test_chunk_stream_keeps_only_the_last_chunk() -> None:
    stream = ChunkStream(b"0123", io.BytesIO(b"456789"))
    assert stream.read(3) == b"012"
    assert stream.read(3) == b"345"
    assert stream.seek(4) == 4  # back into the last chunk: the SDK resends from there
    assert stream.read(4) == b"4567"
    assert stream.tell() == 8
    with pytest.raises(OSError, match="only the last"):
        stream.seek(1)  # an earlier chunk is gone
    assert stream.read(10) == b"89"
    assert stream.read(10) == b""


def test_chunk_size_must_suit_gcs(gcs_target: Any) -> None:
    with pytest.raises(ConfigurationError, match="multiple of"):
        _store(gcs_target, "b", chunk_size=CHUNK + 1)
    with pytest.raises(ConfigurationError, match="chunk_size"):
        _store(gcs_target, "b", chunk_size=1024)


# ----------------------------------------------------------------------- reads
def test_open_reads_ranges_and_reports_a_replaced_value(gcs_target: Any, gcs_bucket: str) -> None:
    store = _store(gcs_target, gcs_bucket)
    size = SNAPSHOT_SIZE + 3 * READ_AHEAD
    value = bytes(range(256)) * (size // 256)
    store.put("k", value)
    with store.open("k") as reader:
        assert reader.read(10) == value[:10]
        reader.seek(2 * READ_AHEAD + 5)
        assert reader.read(7) == value[2 * READ_AHEAD + 5 : 2 * READ_AHEAD + 12]
        assert reader.seek(-3, io.SEEK_END) == size - 3
        assert reader.read() == value[-3:]
        store.put("k", b"new" * size)
        reader.seek(READ_AHEAD + 1)  # outside what the buffer holds: a new ranged GET
        with pytest.raises(StoreError, match="replaced"):
            reader.read(10)
    with store.open("k") as reader:
        assert reader.read(6) == b"newnew"


def test_small_values_open_as_snapshots(gcs_target: Any, gcs_bucket: str) -> None:
    store = _store(gcs_target, gcs_bucket)
    store.put("k", b"small")
    with store.open("k") as reader:
        store.put("k", b"changed")
        assert reader.read() == b"small"
    with pytest.raises(KeyNotFoundError):
        store.open("missing")


# ----------------------------------------------------------------------- copies
def test_copy_runs_on_the_server(gcs_target: Any, gcs_bucket: str) -> None:
    store = _store(gcs_target, gcs_bucket)
    value = b"c" * (2 * READ_AHEAD + 3)
    store.put("src", value)
    assert store.copy("src", "dst") == "dst"
    assert store.get("dst") == value
    assert store.copy("src", "src") == "src"
    with pytest.raises(KeyNotFoundError):
        store.copy("missing", "dst")
    assert store.get("dst") == value


def test_rewrite_loop_follows_the_token() -> None:
    """GCS may answer a rewrite in many calls; fake-gcs-server always finishes in one."""
    calls: list[str | None] = []

    def step(token: str | None) -> tuple[str | None, int, int]:
        calls.append(token)
        done = len(calls) * 10
        return (None if done >= 30 else f"token-{len(calls)}", min(done, 30), 30)

    assert rewrite_all(step) == 30
    assert calls == [None, "token-1", "token-2"]


# ----------------------------------------------------------------------- batch calls
def test_delete_many_raises_a_dead_service_as_a_single_delete_does(
    gcs_target: Any, tmp_path: Path
) -> None:
    dead = GcsConnection(endpoint=f"http://127.0.0.1:{closed_port()}", retry_deadline=0)
    store = GoogleCloudStore(None, "b", connection=dead)
    with pytest.raises(StoreConnectionError, match="cannot talk to GCS bucket 'b'"):
        store.delete_many(["a", "b", "c", "a"])


def test_batch_calls_run_in_parallel(gcs_target: Any, gcs_bucket: str) -> None:
    store = _store(gcs_target, gcs_bucket, max_concurrency=4)
    pairs = [(f"k{i:03d}", bytes([i]) * 100) for i in range(40)]
    assert store.put_many(pairs) == [k for k, _ in pairs]
    assert store.get_many([k for k, _ in pairs] + ["missing"]) == dict(pairs)
    store.delete_many([k for k, _ in pairs[:30]] + ["missing"])
    assert store.keys() == [k for k, _ in pairs[30:]]


# ----------------------------------------------------------------------- listings
def test_listing_skips_objects_outside_the_key_space(gcs_target: Any, gcs_bucket: str) -> None:
    handle = gcs_target.client.bucket(gcs_bucket)
    for name in ("ünicode", "a/ü", "with space", "b/c"):
        handle.blob(name).upload_from_string(b"foreign")
    store = _store(gcs_target, gcs_bucket)
    store.put("a-1", b"1")
    assert store.keys() == ["a-1"]
    hierarchical = HGoogleCloudStore(None, gcs_bucket, connection=gcs_target.signing)
    assert hierarchical.keys() == ["a-1", "b/c", "with space"]
    # "a/" holds only an object outside the key space: it is not a prefix of any key.
    assert list(hierarchical.iter_prefixes("/")) == ["a-1", "b/", "with space"]


# ----------------------------------------------------------------------- timeouts
def test_retry_deadline_bounds_an_unreachable_endpoint() -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    for deadline in (0.0, 1.5):
        store = GoogleCloudStore(
            None, "b", connection=GcsConnection(endpoint=endpoint, retry_deadline=deadline)
        )
        began = time.monotonic()
        with pytest.raises(StoreConnectionError, match="cannot talk to GCS bucket 'b'"):
            store.get("k")
        assert time.monotonic() - began < deadline + 2


# ----------------------------------------------------------------------- lifecycle
def test_pickled_store_rebuilds_its_client(gcs_target: Any, gcs_bucket: str) -> None:
    store = _store(gcs_target, gcs_bucket)
    store.put("k", b"v")
    client = store.client
    copy = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own data
    assert copy.get("k") == b"v"
    assert copy.client is not client


def test_store_with_a_callers_client_does_not_pickle_nor_close_it(
    gcs_target: Any, gcs_bucket: str
) -> None:
    client = gcs_target.connection.client()[0]
    store = GoogleCloudStore(None, gcs_bucket, client=client)
    store.put("k", b"v")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(store)
    store.close()
    assert store.client is client
    assert store.get("k") == b"v"  # the caller's client is still open


def test_credentials_objects_that_cannot_pickle_say_so(gcs_target: Any) -> None:
    from gcs_servers import service_account as info
    from google.oauth2 import service_account

    class Unpicklable:
        def __reduce__(self) -> Any:
            raise TypeError("no")

    loader: Any = service_account.Credentials.from_service_account_info
    credentials = loader(info())
    credentials._unpicklable = Unpicklable()
    store = GoogleCloudStore(credentials, "b", endpoint=gcs_target.endpoint)
    with pytest.raises(TypeError, match="cannot be pickled: give the service-account JSON"):
        pickle.dumps(store)


def test_closed_store_reopens_on_use(gcs_target: Any, gcs_bucket: str) -> None:
    with _store(gcs_target, gcs_bucket) as store:
        store.put("k", b"v")
        first = store.client
    store.close()  # idempotent
    assert store.get("k") == b"v"
    assert store.client is not first
    session: Any = first._http
    assert not session.adapters or all(
        not adapter.poolmanager.pools for adapter in session.adapters.values()
    )

"""Streamed resumable uploads on fake-gcs-server: sources, dropped connections, damaged bytes.

Connections are dropped and bytes damaged by a small TCP proxy on 127.0.0.1 between the store
and the server (:class:`CuttingProxy`): the store talks to the proxy as its endpoint, and the
proxy counts the bytes the store sends. Nothing of the SDK is replaced. The resume from the
bytes GCS kept (its status query, which fake-gcs-server answers by completing the object) runs
against a small local HTTP server speaking that part of GCS's protocol.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import io
import json
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import google_crc32c
import pytest
import requests
from minimalkv import StoreConnectionError, StoreError
from minimalkv.gcs import GcsConnection, GoogleCloudStore
from minimalkv.gcs._transfer import StreamedUpload

sys.path.insert(0, str(Path(__file__).parent))  # gcs_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_gcs, at the root

pytest_plugins = ["gcs_servers"]  # the GCS fixtures (gcs_target, fresh_bucket, ...)

KiB = 1024
MiB = 1024 * KiB
CHUNK = 256 * KiB


def _value(size: int) -> bytes:
    return bytes(range(251)) * (size // 251) + bytes(size % 251)


class CuttingProxy:
    """A TCP proxy to ``upstream_port`` that drops or damages what the client sends.

    ``cut_after``: once the clients have sent this many bytes in all (across connections),
    the proxy closes the connection carrying them, ``cuts`` times (then it passes everything).
    ``flip_at``: the byte the clients send at this count (in all) arrives with its bits
    flipped, once.
    """

    def __init__(self, upstream_port: int) -> None:
        self._upstream = ("127.0.0.1", upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.sent = 0
        self.cut_after: int | None = None
        self.cuts = 0
        self.cut_count = 0
        self.flip_at: int | None = None
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        """The proxy's ``http://127.0.0.1:port``, a store's endpoint."""
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self._upstream)
            with self._lock:
                self._sockets += [client, server]
            threading.Thread(target=self._pump_up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(server, client), daemon=True).start()

    def _pump_up(self, client: socket.socket, server: socket.socket) -> None:
        """Client to server: count, damage and cut."""
        with contextlib.suppress(OSError):
            while data := client.recv(64 * KiB):
                with self._lock:
                    start = self.sent
                    self.sent += len(data)
                    flip = self.flip_at
                    cut = self.cut_after is not None and self.sent >= self.cut_after
                    if cut and self.cut_count < self.cuts:
                        self.cut_count += 1
                    else:
                        cut = False
                    if flip is not None and start <= flip < self.sent:
                        self.flip_at = None
                        damaged = bytearray(data)
                        damaged[flip - start] ^= 0xFF
                        data = bytes(damaged)
                if cut:
                    self.cut_after = (self.cut_after or 0) + self.sent  # the next cut, later
                    break
                server.sendall(data)
        _close(client, server)

    def _pump_down(self, server: socket.socket, client: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := server.recv(64 * KiB):
                client.sendall(data)
        _close(client, server)

    def close(self) -> None:
        """Stop listening and close every connection."""
        self._closing = True
        self._listener.close()
        with self._lock:
            _close(*self._sockets)


def _close(*sockets: socket.socket) -> None:
    for each in sockets:
        with contextlib.suppress(OSError):
            each.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            each.close()


@pytest.fixture
def proxy(gcs_target: Any) -> Iterator[CuttingProxy]:
    port = int(gcs_target.endpoint.rsplit(":", 1)[1].rstrip("/"))
    running = CuttingProxy(port)
    yield running
    running.close()


def _store(target: Any, bucket: str, **options: Any) -> GoogleCloudStore:
    return GoogleCloudStore(None, bucket, connection=target.connection, **options)


def _proxied(proxy: CuttingProxy, bucket: str, retry_deadline: float) -> GoogleCloudStore:
    connection = GcsConnection(
        endpoint=proxy.endpoint, retry_deadline=retry_deadline, read_timeout=10
    )
    return GoogleCloudStore(None, bucket, connection=connection, chunk_size=CHUNK)


# ----------------------------------------------------------------------- sources
def test_seekable_file_is_sent_from_its_position(gcs_target: Any, gcs_bucket: str) -> None:
    store = _store(gcs_target, gcs_bucket, chunk_size=CHUNK)
    value = _value(3 * MiB + 17)
    source = io.BytesIO(b"not this" * 1000 + value)
    source.seek(8000)
    assert store.put_file("k", source) == "k"
    assert store.get("k") == value


def test_open_file_not_at_its_start(gcs_target: Any, gcs_bucket: str, tmp_path: Path) -> None:
    store = _store(gcs_target, gcs_bucket, chunk_size=CHUNK)
    value = _value(2 * MiB + 5)
    path = tmp_path / "source"
    path.write_bytes(b"header" + value)
    with open(path, "rb") as source:
        source.seek(6)
        store.put_file("k", source)
    assert store.get("k") == value


def test_path_is_streamed_whole(gcs_target: Any, gcs_bucket: str, tmp_path: Path) -> None:
    store = _store(gcs_target, gcs_bucket, chunk_size=CHUNK)
    value = _value(5 * MiB + 3)
    path = tmp_path / "source"
    path.write_bytes(value)
    assert store.put_file("k", str(path)) == "k"
    assert store.get("k") == value
    assert path.read_bytes() == value


def test_small_remainder_of_a_seekable_file_is_one_request(
    gcs_target: Any, gcs_bucket: str
) -> None:
    store = _store(gcs_target, gcs_bucket, chunk_size=CHUNK)
    source = io.BytesIO(_value(4 * CHUNK))
    source.seek(4 * CHUNK - 10)
    store.put_file("k", source)
    assert store.get("k") == _value(4 * CHUNK)[-10:]


class _BreakingFile(io.BytesIO):
    """A seekable file whose reads fail past ``good`` bytes."""

    def __init__(self, data: bytes, good: int) -> None:
        super().__init__(data)
        self._good = good

    def read(self, size: int | None = -1, /) -> bytes:
        if self.tell() >= self._good:
            raise OSError("the disk went away")
        return super().read(size)


def test_failing_source_leaves_the_old_value(gcs_target: Any, gcs_bucket: str) -> None:
    store = _store(gcs_target, gcs_bucket, chunk_size=CHUNK)
    store.put("k", b"old")
    with pytest.raises(OSError, match="disk went away"):
        store.put_file("k", _BreakingFile(_value(4 * MiB), 2 * MiB))
    assert store.get("k") == b"old"


# ----------------------------------------------------------------------- faults
def test_upload_resumes_after_a_dropped_connection(proxy: CuttingProxy, gcs_bucket: str) -> None:
    store = _proxied(proxy, gcs_bucket, retry_deadline=20)
    store.put("k", b"old")
    value = _value(6 * MiB + 11)
    proxy.cut_after, proxy.cuts = proxy.sent + 3 * MiB, 2
    assert store.put_file("k", io.BytesIO(value)) == "k"
    assert proxy.cut_count == 2  # dropped twice, resumed twice
    assert store.get("k") == value


def test_dropped_upload_without_retries_leaves_the_old_value(
    proxy: CuttingProxy, gcs_bucket: str
) -> None:
    store = _proxied(proxy, gcs_bucket, retry_deadline=0)
    store.put("k", b"old")
    proxy.cut_after, proxy.cuts = proxy.sent + 2 * MiB, 1
    with pytest.raises(StoreConnectionError, match="key 'k'"):
        store.put_file("k", io.BytesIO(_value(4 * MiB)))
    assert proxy.cut_count == 1
    assert store.get("k") == b"old"  # the session was cancelled; nothing replaced the value
    assert store.keys() == ["k"]


def test_damaged_upload_is_detected_and_removed(proxy: CuttingProxy, gcs_bucket: str) -> None:
    store = _proxied(proxy, gcs_bucket, retry_deadline=0)
    store.put("k", b"old")
    proxy.flip_at = proxy.sent + 2 * MiB  # inside the body of the upload
    with pytest.raises(StoreError, match="arrived damaged") as caught:
        store.put_file("k", io.BytesIO(_value(4 * MiB)))
    assert caught.value.key == "k"
    assert "k" not in store  # a damaged value is never left to be read
    store.put_file("k", io.BytesIO(_value(4 * MiB)))  # the next upload is whole
    assert store.get("k") == _value(4 * MiB)


# ----------------------------------------------------------------------- GCS's status query
class _ResumableHandler(http.server.BaseHTTPRequestHandler):
    """GCS's resumable-upload protocol for one session, as GCS answers it.

    fake-gcs-server completes an object when asked for a session's status, so the resume from
    the persisted offset (GCS's way) is tested against this server: the first body PUT is cut
    after half its bytes, of which whole 256 KiB units are kept, as GCS keeps them.
    """

    server: _ResumableServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test's output quiet."""

    def do_PUT(self) -> None:
        state = self.server
        content_range = self.headers["Content-Range"]
        total = int(content_range.rsplit("/", 1)[1])
        if content_range.startswith("bytes */"):
            state.queries += 1
            if len(state.kept) == total:
                return self._finish(total)
            self.send_response(308)
            if state.kept:
                self.send_header("Range", f"bytes=0-{len(state.kept) - 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        start = int(content_range.split(" ", 1)[1].split("-", 1)[0])
        state.starts.append(start)
        length = int(self.headers["Content-Length"])
        if not state.cut:
            state.cut = True
            received = self.rfile.read(length // 2)
            keep = (start + len(received)) // CHUNK * CHUNK
            state.kept = (bytes(state.kept) + received)[:keep]
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return None
        body = self.rfile.read(length)
        state.kept = bytes(state.kept)[:start] + body
        return self._finish(total)

    def _finish(self, total: int) -> None:
        crc32c: Any = google_crc32c  # untyped
        crc = crc32c.Checksum(self.server.kept)
        answer = json.dumps(
            {
                "size": str(len(self.server.kept)),
                "crc32c": base64.b64encode(crc.digest()).decode(),
                "generation": "1",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class _ResumableServer(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ResumableHandler)
        self.kept = b""
        self.cut = False
        self.queries = 0
        self.starts: list[int] = []


def test_upload_resumes_from_the_bytes_gcs_kept() -> None:
    server = _ResumableServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    value = _value(3 * MiB + 99)
    try:
        with requests.Session() as session:
            upload = StreamedUpload(
                session,
                lambda: f"http://127.0.0.1:{server.server_address[1]}/upload?upload_id=1",
                io.BytesIO(b"skip" + value),
                4,
                len(value),
                timeout=(5, 10),
                deadline=20,
                query_status=True,
            )
            resource = upload.run()
    finally:
        server.shutdown()
        server.server_close()
    assert server.kept == value
    assert upload.resumes == 1
    assert server.queries == 1
    first, second = server.starts
    assert first == 0
    assert 0 < second < len(value)  # only the bytes GCS had not kept are sent again
    assert second % CHUNK == 0
    assert resource["crc32c"] == upload.checksum.encoded()

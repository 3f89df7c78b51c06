"""The S3 servers of the tests and their fixtures (import the fixtures a module uses).

The tests share one server per session: a private SeaweedFS (``weed mini``) on 127.0.0.1.

- ``MINIMALKV_S3_URL`` set (``http://access_key:secret_key@host:port``): that server is used;
  the tests make buckets named ``minimalkv-test-*`` there and delete them at the end.
- otherwise: a private SeaweedFS started on free loopback ports (``tools.services``), which
  checks signatures and never creates buckets by itself, stopped at the end of the session.

SeaweedFS stores a ``\\`` in an object name as ``/``; the suites on it declare that gap
(``unstorable_characters``), and the keys it concerns are tested on moto's S3 server
(``moto_target``, in this process, on a free loopback port) as a second opinion.

When no server can be had the S3 tests skip with the reason; with ``CI=true`` they fail.
The fixtures live here rather than in a ``conftest.py`` (one module of that name per
repository: mypy checks every test module under its own name); each server is started once
per session however many modules import its fixture, and stopped when the session ends.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import sys
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest
from minimalkv.contract import service_unavailable, session_service
from minimalkv.s3 import S3Connection

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # tools.services
    sys.path.insert(0, str(ROOT))

from tools.services import S3Server, seaweedfs_server  # noqa: E402

__all__ = [
    "S3Target",
    "fresh_bucket",
    "fresh_moto_bucket",
    "moto_target",
    "s3_bucket",
    "s3_target",
]

URL_VARIABLE = "MINIMALKV_S3_URL"


class S3Target:
    """The server of this test run, and the buckets the tests made on it."""

    def __init__(self, server: S3Server) -> None:
        self.server = server
        self.connection = S3Connection(
            endpoint_url=server.endpoint_url,
            region_name=server.region,
            access_key_id=server.access_key,
            secret_access_key=server.secret_key,
            read_timeout=60,
        )
        self.client: Any = self.connection.client()
        self._buckets: list[str] = []
        self._counter = itertools.count()
        self._spare: list[str] = []

    def url(self, bucket: str, scheme: str = "s3", options: str = "") -> str:
        """The ``s3://`` URL of ``bucket`` on this server (no bucket suffix, plain HTTP)."""
        user = urllib.parse.quote(self.server.access_key, safe="")
        secret = urllib.parse.quote(self.server.secret_key, safe="")
        query = "is_secure=false&force_bucket_suffix=false" + (f"&{options}" if options else "")
        return f"{scheme}://{user}:{secret}@{self.server.host_port}/{bucket}?{query}"

    def new_bucket(self) -> str:
        """Create a bucket with a unique name and return the name."""
        name = f"minimalkv-test-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)
        self._buckets.append(name)
        return name

    def empty(self, bucket: str) -> None:
        """Delete every object and abort every unfinished upload in ``bucket``."""
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            objects = [{"Key": entry["Key"]} for entry in page.get("Contents", ())]
            if objects:
                self.client.delete_objects(
                    Bucket=bucket, Delete={"Objects": objects, "Quiet": True}
                )
        for upload in self.uploads(bucket):
            self.client.abort_multipart_upload(
                Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )

    def uploads(self, bucket: str) -> list[dict[str, Any]]:
        """The unfinished multipart uploads in ``bucket``."""
        found: list[dict[str, Any]] = []
        for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            found.extend(page.get("Uploads", ()))
        return found

    def fresh_bucket(self) -> str:
        """An empty bucket: a new one, or one of the run's emptied again (buckets are few)."""
        if len(self._buckets) < 4:
            return self.new_bucket()
        bucket = self._buckets[next(self._counter) % len(self._buckets)]
        self.empty(bucket)
        return bucket

    def remove_all(self) -> None:
        """Empty and delete every bucket the run made."""
        for bucket in self._buckets:
            with contextlib.suppress(Exception):
                self.empty(bucket)
                self.client.delete_bucket(Bucket=bucket)
        self._buckets.clear()


def _unavailable(reason: str) -> NoReturn:
    service_unavailable("An S3 server", reason)


def _given_server(url: str) -> S3Server:
    parts = urllib.parse.urlsplit(url)
    if not (parts.username and parts.password and parts.hostname):
        _unavailable(f"{URL_VARIABLE} must be http://access_key:secret_key@host:port")
    netloc = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return S3Server(
        f"{parts.scheme}://{netloc}",
        urllib.parse.unquote(parts.username or ""),
        urllib.parse.unquote(parts.password or ""),
    )


def _start_seaweedfs(stack: contextlib.ExitStack) -> S3Target:
    given = os.environ.get(URL_VARIABLE)
    if given:
        server = _given_server(given)
    else:
        try:
            server = stack.enter_context(seaweedfs_server())
        except RuntimeError as exc:
            _unavailable(str(exc))
    target = S3Target(server)
    stack.callback(target.remove_all)
    return target


@pytest.fixture(scope="session")
def s3_target(pytestconfig: pytest.Config) -> S3Target:
    """The S3 server of this test run (see the module docstring)."""
    return session_service(pytestconfig, "seaweedfs", _start_seaweedfs)


@pytest.fixture
def s3_bucket(s3_target: S3Target) -> str:
    """An empty bucket for one test."""
    return s3_target.fresh_bucket()


@pytest.fixture
def fresh_bucket(s3_target: S3Target) -> Callable[[], str]:
    """A callable returning an empty bucket each time."""
    return s3_target.fresh_bucket


def _start_moto(stack: contextlib.ExitStack) -> S3Target:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        _unavailable(f"moto's server cannot be imported: {exc}")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    stack.callback(server.stop)
    host, port = server.get_host_and_port()
    return S3Target(S3Server(f"http://{host}:{port}", "moto-key", "moto-secret"))


@pytest.fixture(scope="session")
def moto_target(pytestconfig: pytest.Config) -> S3Target:
    """moto's S3 server in this process on a free loopback port (no signature checks)."""
    return session_service(pytestconfig, "moto", _start_moto)


@pytest.fixture
def fresh_moto_bucket(moto_target: S3Target) -> Callable[[], str]:
    """A callable returning an empty bucket of moto's server each time."""
    return moto_target.fresh_bucket

"""A real S3 server for the tests: a private SeaweedFS (``weed mini``) on 127.0.0.1.

- ``MINIMALKV_S3_URL`` set (``http://access_key:secret_key@host:port``): that server is used;
  the tests make buckets named ``minimalkv-test-*`` there and delete them at the end.
- otherwise: a private SeaweedFS started on free loopback ports (``tools.services``), which
  checks signatures and never creates buckets by itself, stopped at the end of the session.

SeaweedFS stores a ``\\`` in an object name as ``/``; the suites on it declare that gap
(``unstorable_characters``), and the keys it concerns are tested on moto's S3 server
(``moto_target``, in this process, on a free loopback port) as a second opinion.

When no server can be had the S3 tests skip with the reason; with ``CI=true`` they fail.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[3]
for entry in (ROOT, Path(__file__).parent):  # tools.services, and this folder's s3_servers
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from s3_servers import S3Target  # noqa: E402

from tools.services import S3Server, seaweedfs_server  # noqa: E402

URL_VARIABLE = "MINIMALKV_S3_URL"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"an S3 server is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"no S3 server: {reason}")


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


@pytest.fixture(scope="session")
def s3_target() -> Iterator[S3Target]:
    """The S3 server of this test run (see the module docstring)."""
    given = os.environ.get(URL_VARIABLE)
    with contextlib.ExitStack() as stack:
        if given:
            server = _given_server(given)
        else:
            try:
                server = stack.enter_context(seaweedfs_server())
            except RuntimeError as exc:
                _unavailable(str(exc))
        target = S3Target(server)
        stack.callback(target.remove_all)
        yield target


@pytest.fixture
def s3_bucket(s3_target: S3Target) -> str:
    """An empty bucket for one test."""
    return s3_target.fresh_bucket()


@pytest.fixture
def fresh_bucket(s3_target: S3Target) -> Callable[[], str]:
    """A callable returning an empty bucket each time."""
    return s3_target.fresh_bucket


@pytest.fixture(scope="session")
def moto_target() -> Iterator[S3Target]:
    """moto's S3 server in this process on a free loopback port (no signature checks)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        _unavailable(f"moto's server cannot be imported: {exc}")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Target(S3Server(f"http://{host}:{port}", "moto-key", "moto-secret"))
    finally:
        server.stop()


@pytest.fixture
def fresh_moto_bucket(moto_target: S3Target) -> Callable[[], str]:
    """A callable returning an empty bucket of moto's server each time."""
    return moto_target.fresh_bucket

"""A Redis server for the tests, isolated per test run.

- ``MINIMALKV_REDIS_URL`` set (``redis://[password@]host[:port][/db]``): that server is used,
  with the database of the URL and the next one (default 14 and 15). Both must be empty when
  the run starts; the tests then flush only those two, which hold nothing but their own keys.
- otherwise, with ``redis-server`` on the PATH: a private server on a free loopback port,
  without persistence, stopped at the end of the session.
- otherwise: ``redis://127.0.0.1:6379/14`` as if it had been given.

Without a reachable server the Redis tests skip with the reason; with ``CI=true`` they fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

import pytest
import redis
from minimalkv.backend import parse_store_url
from minimalkv.contract import service_unavailable

URL_VARIABLE = "MINIMALKV_REDIS_URL"
DEFAULT_URL = "redis://127.0.0.1:6379/14"


@dataclass
class RedisTarget:
    """Where the tests put their data: a server and two databases of it."""

    host: str
    port: int
    password: str | None
    databases: tuple[int, int]
    owned: bool
    _clients: dict[int, Any] = field(default_factory=dict)
    _turn: int = 0

    @property
    def url(self) -> str:
        """The URL of the first database (without the password)."""
        return f"redis://{self.host}:{self.port}/{self.databases[0]}"

    def client(self, db: int | None = None) -> Any:
        """Return the shared client of database ``db`` (default: the first one)."""
        db = self.databases[0] if db is None else db
        if db not in self._clients:
            self._clients[db] = redis.Redis(
                host=self.host, port=self.port, db=db, password=self.password, socket_timeout=30
            )
        return self._clients[db]

    def fresh_client(self) -> Any:
        """Return the client of the next database in turn, emptied first."""
        self._turn += 1
        client = self.client(self.databases[self._turn % 2])
        client.flushdb()
        return client

    def clean(self) -> None:
        """Empty both databases (they held nothing before the run)."""
        for db in self.databases:
            self.client(db).flushdb()

    def close(self) -> None:
        """Close every client."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def _unavailable(reason: str) -> NoReturn:
    service_unavailable("A Redis server", reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(client: Any, process: subprocess.Popen[bytes] | None) -> str | None:
    deadline = time.monotonic() + 10
    last = "no answer"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return f"redis-server exited with status {process.returncode}"
        try:
            client.ping()
            return None
        except redis.RedisError as exc:
            last = str(exc)
        time.sleep(0.02)
    return last


@contextlib.contextmanager
def _private_server(binary: str) -> Iterator[RedisTarget]:
    port = _free_port()
    directory = tempfile.mkdtemp(prefix="minimalkv-redis-")
    process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            directory,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    target = RedisTarget("127.0.0.1", port, None, (0, 1), owned=True)
    try:
        problem = _wait_ready(target.client(), process)
        if problem is not None:
            _unavailable(f"started {binary} on port {port}, but: {problem}")
        yield target
    finally:
        target.close()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def _given_server(url: str) -> Iterator[RedisTarget]:
    parsed = parse_store_url(url)
    database = parsed.path.strip("/")
    first = int(database) if database.isdigit() else 14
    target = RedisTarget(
        parsed.host or "127.0.0.1",
        parsed.port or 6379,
        parsed.password if parsed.password is not None else parsed.userinfo,
        (first, first + 1),
        owned=False,
    )
    try:
        problem = _wait_ready(target.client(), None)
        if problem is not None:
            _unavailable(f"{target.url} (from {URL_VARIABLE} or the default): {problem}")
        for db in target.databases:
            if target.client(db).dbsize():
                _unavailable(
                    f"database {db} of {target.url} is not empty; the tests need two unused "
                    f"databases: set {URL_VARIABLE}=redis://host:port/N with N and N+1 empty"
                )
        yield target
        target.clean()
    finally:
        target.close()


@pytest.fixture(scope="session")
def redis_target() -> Iterator[RedisTarget]:
    """The Redis server and databases of this test run (see the module docstring)."""
    url = os.environ.get(URL_VARIABLE)
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None
    )
    if url:
        context = _given_server(url)
    elif binary is not None:
        context = _private_server(binary)
    else:
        context = _given_server(DEFAULT_URL)
    with context as target:
        yield target


@pytest.fixture
def redis_client(redis_target: RedisTarget) -> Iterator[Any]:
    """A client of an emptied database, emptied again afterwards."""
    client = redis_target.fresh_client()
    yield client
    client.flushdb()


@pytest.fixture
def fresh_client(redis_target: RedisTarget) -> Callable[[], Any]:
    """A callable returning a client of an emptied database, alternating between two."""
    return redis_target.fresh_client

"""Faults on Redis: a private redis-server is stopped and paused while a store uses it.

The server of the other Redis tests is never touched: this module starts its own, once per
session, on a free loopback port, with an append-only file so that what it acknowledged before
a shutdown is there again after the restart.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import redis
from minimalkv import StoreCapabilities, get_store_from_url
from minimalkv.contract import (
    RELIABILITY_MARK,
    ControllableServer,
    ServerFaultContract,
    StoreFactory,
)

pytestmark = RELIABILITY_MARK

TIMEOUT = 1.0
"""The stores' socket_timeout and socket_connect_timeout in these tests (seconds)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ControllableRedis:
    """A redis-server of this test session that can be stopped, started, paused and resumed."""

    def __init__(self, binary: str, directory: str) -> None:
        self.port = _free_port()
        self.command = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "no",
            "--dir",
            directory,
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False
        self.start_seconds = 0.0
        """How long the last :meth:`start` took until the server answered PING."""

    @property
    def url(self) -> str:
        """The store URL of database 0 with the short timeouts of these tests."""
        return (
            f"redis://127.0.0.1:{self.port}/0"
            f"?socket_timeout={TIMEOUT}&socket_connect_timeout={TIMEOUT}"
        )

    def client(self) -> Any:
        """Return a new client of database 0 (the caller closes it)."""
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        assert self.process is None, "redis-server is already running"
        began = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = self.client()
        try:
            while time.monotonic() < began + 10:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self.process.returncode}")
                with contextlib.suppress(redis.RedisError):
                    client.ping()
                    self.start_seconds = time.monotonic() - began
                    return
                time.sleep(0.01)
        finally:
            client.close()
        self.stop()
        raise RuntimeError("redis-server did not answer within 10 s")

    def stop(self) -> None:
        """Shut the server down (SIGTERM: it writes its append-only file and exits)."""
        if self.process is None:
            return
        if self.paused:
            self.resume()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def pause(self) -> None:
        """Stop the server with SIGSTOP."""
        assert self.process is not None, "redis-server is not running"
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        """Continue the paused server."""
        assert self.process is not None, "redis-server is not running"
        self.process.send_signal(signal.SIGCONT)
        self.paused = False


def _redis_binary() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None
    )


@pytest.fixture(scope="session")
def controllable_redis() -> Iterator[ControllableRedis]:
    """A private redis-server for the fault tests, stopped and removed at the end."""
    binary = _redis_binary()
    if binary is None:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail("redis-server is required under CI=true", pytrace=False)
        pytest.skip("redis-server is not installed")
    directory = tempfile.mkdtemp(prefix="minimalkv-redis-faults-")
    server = ControllableRedis(binary, directory)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


class TestRedisServerFaults(ServerFaultContract):
    capabilities = StoreCapabilities(copy=True, ttl=True)
    fault_timeout: ClassVar[float] = TIMEOUT

    @pytest.fixture
    def fault_server(self, controllable_redis: ControllableRedis) -> ControllableServer:
        return controllable_redis

    @pytest.fixture
    def store_factory(self, controllable_redis: ControllableRedis) -> StoreFactory:
        def make() -> Any:
            client = controllable_redis.client()
            try:
                client.flushdb()
            finally:
                client.close()
            return get_store_from_url(controllable_redis.url)

        return make

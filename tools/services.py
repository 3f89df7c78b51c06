"""Start and stop the servers that backends are tested and benchmarked against (one per service).

Each helper is a context manager that yields a URL: the server named by an environment variable
when it is set, otherwise a private server on a free loopback port, stopped on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

__all__ = ["free_port", "redis_server"]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"the server did not listen on port {port} within {timeout} s")


@contextlib.contextmanager
def redis_server(db: int = 15) -> Iterator[str]:
    """Yield ``MINIMALKV_REDIS_URL`` if set, else the URL of a private ``redis-server``.

    The private server binds 127.0.0.1 on a free port, keeps nothing on disk and is stopped on
    exit; its URL names database ``db``.
    """
    given = os.environ.get("MINIMALKV_REDIS_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(binary, os.X_OK):
        raise RuntimeError("redis-server is not installed and MINIMALKV_REDIS_URL is not set")
    port = free_port()
    directory = tempfile.mkdtemp(prefix="minimalkv-redis-")
    arguments = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    arguments += ["--appendonly", "no", "--dir", directory]
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}/{db}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)

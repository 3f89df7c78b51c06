"""nx-27017 for the MongoDB store's tests, benchmarks and examples: run, stop, pause.

nx-27017 (PyPI ``nx-27017``, a dev dependency) is a MongoDB wire-protocol server that keeps
its databases in SQLite files. :class:`Nx27017Server` runs it on a free loopback port with one
file per database in its temporary directory, so the data survives :meth:`stop` and
:meth:`start`. It is an emulator: the gaps the tests found are listed in docs/mongo.md.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tools.services import ServerProcess, free_port

__all__ = ["Nx27017Server", "nx27017_binary", "nx27017_server"]


def nx27017_binary() -> str | None:
    """Return the ``nx-27017`` program: ``MINIMALKV_NX27017_BINARY``, beside Python, or on PATH."""
    given = os.environ.get("MINIMALKV_NX27017_BINARY")
    if given:
        return given if os.access(given, os.X_OK) else None
    beside = Path(sys.executable).with_name("nx-27017")
    if os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("nx-27017")


class Nx27017Server(ServerProcess):
    """A private nx-27017 on 127.0.0.1 that can be stopped, started again and paused.

    Its databases are SQLite files under ``directory/data``; its port is chosen once, so
    :meth:`start` after :meth:`stop` serves the same data at the same address.
    """

    name = "nx-27017"
    log_name = "nx-27017.out"

    def __init__(self, directory: str, *, port: int | None = None) -> None:
        binary = nx27017_binary()
        if binary is None:
            raise RuntimeError("the nx-27017 program is missing: pip install nx-27017")
        self.port = port or free_port()
        self.host_port = f"127.0.0.1:{self.port}"
        """Where the server answers (``127.0.0.1:P``), the host part of a ``mongodb://`` URL."""
        data = os.path.join(directory, "data")
        os.makedirs(data, exist_ok=True)
        arguments = [
            binary,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            data,
            "--log-file",
            os.path.join(directory, "nx-27017.log"),
            "--pid-file",
            os.path.join(directory, "nx-27017.pid"),
        ]
        super().__init__(directory, arguments)

    def url(self, database: str, collection: str, options: str = "") -> str:
        """The ``mongodb://`` store URL of ``collection`` in ``database`` on this server."""
        extra = f"&{options}" if options else ""
        return f"mongodb://{self.host_port}/{database}?collection={collection}{extra}"

    def _wait_ready(self, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
        """Wait until the server answers a ``ping`` (at most 20 s)."""
        import pymongo

        deadline = time.monotonic() + timeout
        last = "no answer"
        client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
            host="127.0.0.1", port=self.port, serverSelectionTimeoutMS=500, connect=False
        )
        try:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"nx-27017 exited with status {process.returncode}:\n{self.log_tail()}"
                    )
                try:
                    client.admin.command("ping")
                    return
                except pymongo.errors.PyMongoError as exc:
                    last = str(exc)
                time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError(
            f"nx-27017 did not answer at {self.host_port} within {timeout} s: {last}"
        )


@contextlib.contextmanager
def nx27017_server() -> Iterator[Nx27017Server]:
    """Run a private :class:`Nx27017Server` in a temporary directory; stop and remove it on exit.

    Raises RuntimeError when the program is missing or the server does not come up.
    """
    directory = tempfile.mkdtemp(prefix="minimalkv-nx27017-")
    try:
        with Nx27017Server(directory) as server:
            yield server
    finally:
        shutil.rmtree(directory, ignore_errors=True)

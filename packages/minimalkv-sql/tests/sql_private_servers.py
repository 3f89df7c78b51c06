"""Private PostgreSQL and MariaDB servers the fault tests may stop, start, pause and resume.

Each server is a cluster of its own in a temporary directory, listening on a free loopback
port; it runs as the database's system user (``postgres``, ``mysql``) when the tests run as
root, since neither server runs as root. The shared servers of the other tests are never
touched. :func:`private_postgres` and :func:`private_mariadb` are context managers that stop
the server and remove its directory on exit, also after a failure.

``pause()`` stops every process of the server with SIGSTOP: the kernel still accepts
connections and acknowledges data, but nothing answers, as with a hung or overloaded host.
``stop()`` shuts the server down (fast shutdown: connections are closed, committed data stays);
``start()`` brings it back on the same port with the same data.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

__all__ = ["PrivateServer", "private_mariadb", "private_postgres"]

_READY_SECONDS: Final = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _find(name: str, *more: str) -> str | None:
    found = shutil.which(name)
    if found is not None:
        return found
    for directory in more:
        candidate = Path(directory) / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _demote(user: str | None) -> tuple[int | None, int | None, list[int] | None]:
    """Return the user, group and extra groups to run a child as ``user`` when we are root."""
    if user is None or os.geteuid() != 0:
        return None, None, None
    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid, []


def _own(path: Path, user: str | None) -> None:
    if user is None or os.geteuid() != 0:
        return
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _children(pid: int) -> list[int]:
    """Return ``pid`` and every descendant of it (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(parent, []).append(int(entry))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += parents.get(current, [])
    return found


class PrivateServer:
    """A database server process this test run owns: it can be stopped, started, paused."""

    def __init__(
        self,
        name: str,
        command: list[str],
        port: int,
        user: str | None,
        url: str,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        self.name = name
        self.stop_signal = stop_signal
        """The signal of a fast shutdown (PostgreSQL's SIGTERM would wait for every client)."""
        self.command = command
        self.port = port
        self.user = user
        self.url = url
        """A SQLAlchemy URL of the server's test database (no password)."""
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False
        self.start_seconds = 0.0
        """How long the last :meth:`start` took until the server accepted connections."""

    def start(self) -> None:
        """Start the server and wait until it accepts connections on its port."""
        assert self.process is None, f"{self.name} is already running"
        began = time.monotonic()
        uid, gid, groups = _demote(self.user)
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
            self.command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            user=uid,
            group=gid,
            extra_groups=groups,
        )
        deadline = began + _READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise RuntimeError(f"{self.name} exited with status {code} while starting")
            if self._answers():
                self.start_seconds = time.monotonic() - began
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.name} did not accept connections within {_READY_SECONDS} s")

    def _answers(self) -> bool:
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import DBAPIError

        engine = create_engine(self.url, connect_args={"connect_timeout": 2})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except DBAPIError:
            return False
        finally:
            engine.dispose()

    def stop(self) -> None:
        """Shut the server down (fast shutdown: committed data stays) and wait until it exits."""
        if self.process is None:
            return
        if self.paused:
            self.resume()
        self.process.send_signal(self.stop_signal)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            for pid in _children(self.process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def pause(self) -> None:
        """Stop every process of the server with SIGSTOP (connections stay open, unanswered)."""
        assert self.process is not None, f"{self.name} is not running"
        for pid in _children(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        """Let every process of a paused server run again (SIGCONT)."""
        assert self.process is not None, f"{self.name} is not running"
        for pid in _children(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.paused = False


def _run(command: list[str], user: str | None) -> None:
    uid, gid, groups = _demote(user)
    result = subprocess.run(  # noqa: S603 - a fixed binary with fixed arguments
        command, capture_output=True, check=False, user=uid, group=gid, extra_groups=groups
    )
    if result.returncode:
        output = (result.stdout + result.stderr).decode(errors="replace")[-2000:]
        raise RuntimeError(f"{command[0]} failed ({result.returncode}): {output}")


def _create_database(url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()


def _workspace(prefix: str, user: str | None) -> Path:
    # Outside root's home: the server's user must be able to reach it.
    directory = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    _own(directory, user)
    return directory


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivateServer]:
    """Run a PostgreSQL cluster of its own (trust auth, database ``test``) for the block."""
    initdb = _find("initdb", "/usr/lib/postgresql/15/bin")
    postgres = _find("postgres", "/usr/lib/postgresql/15/bin")
    if initdb is None or postgres is None:
        raise RuntimeError("PostgreSQL's initdb and postgres are not installed")
    user = "postgres" if os.geteuid() == 0 else None
    directory = _workspace("minimalkv-pg-", user)
    server: PrivateServer | None = None
    try:
        data, sockets = directory / "data", directory / "sockets"
        sockets.mkdir()
        _own(sockets, user)
        _run([initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-N", "-E", "UTF8"], user)
        port = _free_port()
        command = [
            postgres,
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(sockets),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ]
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        server = PrivateServer("postgres", command, port, user, url, signal.SIGINT)
        server.start()
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def private_mariadb() -> Iterator[PrivateServer]:
    """Run a MariaDB server of its own (root without password, database ``test``)."""
    install = _find("mariadb-install-db", "/usr/bin")
    mariadbd = _find("mariadbd", "/usr/sbin")
    if install is None or mariadbd is None:
        raise RuntimeError("MariaDB's mariadb-install-db and mariadbd are not installed")
    user = "mysql" if os.geteuid() == 0 else None
    directory = _workspace("minimalkv-mariadb-", user)
    server: PrivateServer | None = None
    try:
        data = directory / "data"
        _run(
            [
                install,
                "--no-defaults",
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *([f"--user={user}"] if user else []),
            ],
            user,
        )
        port = _free_port()
        command = [
            mariadbd,
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={directory / 'mariadb.sock'}",
            f"--pid-file={directory / 'mariadb.pid'}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            "--innodb-flush-log-at-trx-commit=2",
            "--innodb-buffer-pool-size=32M",
            "--innodb-log-file-size=16M",
            "--max-allowed-packet=64M",
        ]
        url = f"mariadb+pymysql://root@127.0.0.1:{port}/mysql"
        server = PrivateServer("mariadbd", command, port, user, url)
        server.start()
        _create_database(server.url, "test")
        server.url = f"mariadb+pymysql://root@127.0.0.1:{port}/test"
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)

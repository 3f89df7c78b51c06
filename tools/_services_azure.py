"""Azurite, Microsoft's Azure Storage emulator, for the Azure tests and benchmarks.

:func:`azurite_binary` installs the pinned ``azurite`` release from npm into the user's cache
once (``$XDG_CACHE_HOME/minimalkv/azurite-<version>``, else ``~/.cache/...``), under a file
lock so parallel test runs do not install at the same time, and returns its ``azurite-blob``
program. :class:`Azurite` runs the blob service on a free loopback port in a temporary
directory, keeping everything in memory; it can be stopped, restarted and paused (SIGSTOP) for
the fault tests. :func:`azurite_server` yields the account of ``MINIMALKV_AZURE_CONNECTION_STRING``
when that is set, otherwise of a private Azurite stopped and removed on exit.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tools.services import ServerProcess, free_port

__all__ = [
    "AZURITE_ACCOUNT",
    "AZURITE_KEY",
    "AZURITE_VERSION",
    "AzureAccount",
    "Azurite",
    "azurite_binary",
    "azurite_server",
]

AZURITE_VERSION = "3.35.0"
"""The azurite release the tests run (exact: an emulator's behaviour changes between releases)."""

AZURITE_ACCOUNT = "devstoreaccount1"
"""Azurite's well-known development account."""

AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
"""The development account's key: published in Microsoft's documentation, not a secret."""

CONNECTION_STRING_VARIABLE = "MINIMALKV_AZURE_CONNECTION_STRING"


@dataclass(frozen=True)
class AzureAccount:
    """A reachable blob service: its endpoint and an account key it accepts."""

    blob_endpoint: str
    """``http://127.0.0.1:PORT/devstoreaccount1`` for Azurite (path-style account)."""
    account_name: str
    account_key: str = field(repr=False)

    @property
    def connection_string(self) -> str:
        """A connection string with the account key and the explicit blob endpoint."""
        return (
            f"DefaultEndpointsProtocol={self.blob_endpoint.split('://', 1)[0]};"
            f"AccountName={self.account_name};AccountKey={self.account_key};"
            f"BlobEndpoint={self.blob_endpoint};"
        )


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "minimalkv")


def azurite_binary(version: str = AZURITE_VERSION) -> str | None:
    """Return ``azurite-blob`` of ``version``, installing it from npm into the cache if needed.

    None when npm is missing or the install fails (the caller reports why the server is
    unavailable). The install runs no package scripts and writes no lock file or manifest.
    """
    directory = _cache_root() / f"azurite-{version}"
    program = directory / "node_modules" / ".bin" / "azurite-blob"
    if os.access(program, os.X_OK):
        return str(program)
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory.parent / f"azurite-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be installing it right now
        if not os.access(program, os.X_OK):
            result = subprocess.run(
                [
                    npm,
                    "install",
                    "--no-save",
                    "--no-package-lock",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                    "--prefix",
                    str(directory),
                    f"azurite@{version}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=600,
                check=False,
            )
            if result.returncode != 0:
                return None
    return str(program) if os.access(program, os.X_OK) else None


class Azurite(ServerProcess):
    """A private Azurite blob service on 127.0.0.1 that can be stopped, restarted and paused.

    With ``in_memory`` (the default) data lives in memory only (``--inMemoryPersistence``): a
    restart after :meth:`stop` serves an empty account at the same address. Otherwise it is
    kept in ``directory`` (``--location``) and survives restarts, as the fault tests need. The
    working directory ``directory`` also receives Azurite's output log.
    """

    name = "Azurite"
    log_name = "azurite.log"

    def __init__(self, directory: str, *, port: int | None = None, in_memory: bool = True) -> None:
        binary = azurite_binary()
        if binary is None:
            raise RuntimeError(
                f"azurite {AZURITE_VERSION} is not installed and npm could not install it"
            )
        self.port = port or free_port()
        self.account = AzureAccount(
            f"http://127.0.0.1:{self.port}/{AZURITE_ACCOUNT}", AZURITE_ACCOUNT, AZURITE_KEY
        )
        arguments = [
            binary,
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(self.port),
            *(("--inMemoryPersistence",) if in_memory else ("--location", directory)),
            "--silent",
            "--skipApiVersionCheck",
        ]
        super().__init__(directory, arguments)

    def _wait_ready(self, process: subprocess.Popen[bytes]) -> None:
        """Wait until the blob service answers HTTP (at most 30 s)."""
        _wait_for_blob_service(self.account.blob_endpoint, process, self.directory)


def _wait_for_blob_service(
    endpoint: str, process: subprocess.Popen[bytes], directory: str, timeout: float = 30
) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = Path(directory, "azurite.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"azurite exited with status {process.returncode}:\n{tail}")
        try:
            # An unauthenticated listing is refused (403) or answered once the service is up.
            urllib.request.urlopen(endpoint + "?comp=list", timeout=1)  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return
        except OSError as exc:
            last = str(exc)
        time.sleep(0.05)
    raise RuntimeError(f"Azurite did not answer at {endpoint} within {timeout} s: {last}")


def _given_account(connection_string: str) -> AzureAccount:
    parts = dict(item.split("=", 1) for item in connection_string.split(";") if "=" in item)
    name = parts.get("AccountName", "")
    key = parts.get("AccountKey", "")
    endpoint = parts.get("BlobEndpoint") or (
        f"{parts.get('DefaultEndpointsProtocol', 'https')}://{name}.blob."
        f"{parts.get('EndpointSuffix', 'core.windows.net')}"
    )
    if not (name and key):
        raise RuntimeError(f"{CONNECTION_STRING_VARIABLE} needs AccountName and AccountKey")
    return AzureAccount(endpoint.rstrip("/"), name, key)


@contextlib.contextmanager
def azurite_server() -> Iterator[AzureAccount]:
    """Yield the account of ``MINIMALKV_AZURE_CONNECTION_STRING``, else of a private Azurite.

    The private Azurite runs in a temporary directory that is removed on exit. Raises
    RuntimeError when it cannot be installed or does not come up.
    """
    given = os.environ.get(CONNECTION_STRING_VARIABLE)
    if given:
        yield _given_account(given)
        return
    directory = tempfile.mkdtemp(prefix="minimalkv-azurite-")
    try:
        azurite = Azurite(directory)
        azurite.start()
        try:
            yield azurite.account
        finally:
            azurite.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)

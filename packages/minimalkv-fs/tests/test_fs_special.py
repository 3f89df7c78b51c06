"""Special files under the root (FIFO, socket, device, links to them) are never values.

Every reading operation refuses them at once with ``KeyNotFoundError`` (nothing blocks, nothing
is read), ``in`` is False, and listings skip them.
"""

from __future__ import annotations

import io
import os
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest
from minimalkv import KeyNotFoundError
from minimalkv.fs import FilesystemStore, HFilesystemStore


class _BlockedError(Exception):
    """Raised by the alarm when an operation blocks."""


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail (instead of hanging) if the test blocks for more than five seconds."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _BlockedError("the operation blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, 5.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _make_fifo(path: Path) -> None:
    os.mkfifo(path)


def _make_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()  # the socket file stays


def _make_zero_link(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _make_null_link(path: Path) -> None:
    path.symlink_to("/dev/null")


def _make_fifo_link(path: Path) -> None:
    os.mkfifo(path.parent / "a-fifo-target")
    path.symlink_to(path.parent / "a-fifo-target")


_MAKERS: dict[str, Callable[[Path], None]] = {
    "fifo": _make_fifo,
    "socket": _make_socket,
    "zero-link": _make_zero_link,
    "fifo-link": _make_fifo_link,
    "null-link": _make_null_link,
}

_READS: dict[str, Callable[[FilesystemStore, str, Path], object]] = {
    "get": lambda store, key, tmp: store.get(key),
    "open": lambda store, key, tmp: store.open(key),
    "get_file-path": lambda store, key, tmp: store.get_file(key, str(tmp / "out")),
    "get_file-stream": lambda store, key, tmp: store.get_file(key, io.BytesIO()),
    "copy": lambda store, key, tmp: store.copy(key, "copied"),
    "move": lambda store, key, tmp: store.move(key, "moved"),
    "metadata": lambda store, key, tmp: store.metadata(key),
}


@pytest.mark.usefixtures("deadline")
@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
@pytest.mark.parametrize("kind", sorted(_MAKERS))
@pytest.mark.parametrize("operation", sorted(_READS))
def test_special_files_are_refused_at_once(
    store_class: type[FilesystemStore], kind: str, operation: str, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    store = store_class(str(root))
    store.put("real", b"value")
    _MAKERS[kind](root / "special")
    with pytest.raises(KeyNotFoundError, match="only regular files are values") as info:
        _READS[operation](store, "special", tmp_path)
    assert "'special'" in str(info.value)
    assert "special" not in store
    assert not (tmp_path / "out").exists()
    assert "copied" not in store
    assert "moved" not in store
    assert (root / "special").exists() or (root / "special").is_symlink()


@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
@pytest.mark.parametrize("kind", sorted(_MAKERS))
def test_special_files_are_never_listed(
    store_class: type[FilesystemStore], kind: str, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    store = store_class(str(root))
    store.put("real", b"value")
    _MAKERS[kind](root / "special")
    _MAKERS[kind](root / "sub" / "special")
    assert store.keys() == ["real"]
    assert list(store.iter_prefixes("/")) == ["real"]
    store.delete_many(store.keys())
    assert store.keys() == []


@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
def test_a_write_replaces_a_special_file(
    store_class: type[FilesystemStore], tmp_path: Path
) -> None:
    """A write of the key puts a regular file in the place of the FIFO; nothing blocks."""
    root = tmp_path / "root"
    root.mkdir()
    store = store_class(str(root))
    os.mkfifo(root / "special")
    store.put("special", b"now a value")
    assert store.get("special") == b"now a value"


def test_an_opened_value_is_blocking(tmp_path: Path) -> None:
    """The file object ``open`` returns behaves like one from ``open()``."""
    store = FilesystemStore(str(tmp_path))
    store.put("key", b"value")
    with store.open("key") as file:
        assert os.get_blocking(file.fileno())
        assert file.read() == b"value"
        assert getattr(file, "name", None) == os.path.join(store.root, "key")

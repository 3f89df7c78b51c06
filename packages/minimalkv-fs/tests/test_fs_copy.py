"""get_file, put_file, copy and move: the kernel's copy, its fallbacks, the caller's files."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from minimalkv import KeyNotFoundError
from minimalkv.fs import FilesystemStore, HFilesystemStore
from minimalkv.fs import _copy as copy_module
from minimalkv.fs._copy import copy_fd

VALUE = os.urandom(3 * 1024 * 1024 + 123)


def _no_copy_file_range(source: int, dest: int, count: int, offset: int) -> int:
    raise OSError(errno.EXDEV, "Invalid cross-device link")


def _sendfile(source: int, dest: int, count: int, offset: int) -> int:
    return os.sendfile(dest, source, offset, count)


def _unsupported(source: int, dest: int, count: int, offset: int) -> int:
    raise OSError(errno.ENOSYS, "Function not implemented")


# Each way the copy can go: the kernel's first choice, sendfile after copy_file_range refuses
# a cross-device copy, user-space chunks when neither kernel call works.
MECHANISMS = {
    "kernel": None,
    "sendfile": (_no_copy_file_range, _sendfile),
    "chunks": (_unsupported,),
}


@pytest.fixture(params=list(MECHANISMS))
def mechanism(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    transfers = MECHANISMS[request.param]
    if transfers is not None:
        monkeypatch.setattr(copy_module, "_KERNEL_TRANSFERS", transfers)
    name: str = request.param
    return name


@pytest.fixture
def store(tmp_path: Path) -> HFilesystemStore:
    return HFilesystemStore(tmp_path / "root")


def test_get_file_to_a_path(store: HFilesystemStore, tmp_path: Path, mechanism: str) -> None:
    store.put("d/k", VALUE)
    target = tmp_path / "out.bin"
    target.write_bytes(b"previous content, replaced whole")
    assert store.get_file("d/k", str(target)) == "d/k"
    assert target.read_bytes() == VALUE
    assert store.get_file("d/k", target) == "d/k"  # os.PathLike too
    assert sorted(os.listdir(tmp_path)) == ["out.bin", "root"]  # no temporary left


def test_get_file_of_a_missing_key_leaves_no_file(store: HFilesystemStore, tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with pytest.raises(KeyNotFoundError):
        store.get_file("missing", str(target))
    assert not target.exists()
    target.write_bytes(b"keep")
    with pytest.raises(KeyNotFoundError):
        store.get_file("missing", str(target))
    assert target.read_bytes() == b"keep"


def test_get_file_into_a_missing_directory_is_the_callers_error(
    store: HFilesystemStore, tmp_path: Path
) -> None:
    store.put("k", b"v")
    with pytest.raises(FileNotFoundError) as info:
        store.get_file("k", str(tmp_path / "no" / "such" / "dir" / "out"))
    assert not isinstance(info.value, KeyError)  # not confused with a missing key


def test_get_file_to_file_objects(store: HFilesystemStore, tmp_path: Path, mechanism: str) -> None:
    store.put("k", VALUE)
    path = tmp_path / "out.bin"
    with open(path, "wb") as file:
        file.write(b"head")  # buffered, not yet on disk: must come first
        assert store.get_file("k", file) == "k"
        assert file.tell() == 4 + len(VALUE)
        file.write(b"tail")
    assert path.read_bytes() == b"head" + VALUE + b"tail"
    with open(path, "r+b") as random_access:
        random_access.seek(4)
        store.get_file("k", random_access)
        random_access.write(b"!")
    assert path.read_bytes() == b"head" + VALUE + b"!ail"  # r+b overwrites in place
    with open(path, "wb", buffering=0) as raw:
        store.get_file("k", raw)
    assert path.read_bytes() == VALUE
    memory = io.BytesIO()
    store.get_file("k", memory)
    assert memory.getvalue() == VALUE


def test_get_file_to_a_pipe(store: HFilesystemStore) -> None:
    store.put("k", b"through a pipe")
    read_end, write_end = os.pipe()
    with open(write_end, "wb") as writer:
        store.get_file("k", writer)
    with open(read_end, "rb") as reader:
        assert reader.read() == b"through a pipe"


def test_put_file_from_a_path_copies_and_keeps_the_callers_file(
    store: HFilesystemStore, tmp_path: Path, mechanism: str
) -> None:
    source = tmp_path / "upload.bin"
    source.write_bytes(VALUE)
    os.chmod(source, 0o600)
    before = source.stat()
    assert store.put_file("a/k", str(source)) == "a/k"
    assert store.put_file("b", source) == "b"
    after = source.stat()
    assert source.read_bytes() == VALUE
    assert (after.st_ino, after.st_size, after.st_mtime_ns, after.st_mode) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
        before.st_mode,
    )
    assert store.get("a/k") == VALUE
    assert store.get("b") == VALUE
    stored = os.stat(os.path.join(store.root, "b"))
    assert stored.st_ino != after.st_ino  # a copy, not a hard link or a move
    source.write_bytes(b"changed later")
    assert store.get("b") == VALUE


def test_put_file_from_file_objects(
    store: HFilesystemStore, tmp_path: Path, mechanism: str
) -> None:
    source = tmp_path / "upload.bin"
    source.write_bytes(VALUE)
    with open(source, "rb") as file:
        assert file.read(10) == VALUE[:10]  # the buffer now holds more than 10 bytes
        store.put_file("rest", file)
        assert file.tell() == len(VALUE)  # consumed, as a read would leave it
        assert file.read() == b""
    assert store.get("rest") == VALUE[10:]
    with open(source, "rb", buffering=0) as raw:
        raw.seek(100)
        store.put_file("raw", raw)
    assert store.get("raw") == VALUE[100:]
    with open(source, "r+b") as random_access:
        random_access.seek(len(VALUE) + 50)  # past the end: an empty value
        store.put_file("empty", random_access)
    assert store.get("empty") == b""
    store.put_file("memory", io.BytesIO(VALUE))
    assert store.get("memory") == VALUE
    assert source.read_bytes() == VALUE


def test_put_file_from_a_pipe(store: HFilesystemStore) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"streamed")
    os.close(write_end)
    with open(read_end, "rb") as reader:
        store.put_file("k", reader)
    assert store.get("k") == b"streamed"


def test_put_file_of_a_directory_is_the_callers_error(
    store: HFilesystemStore, tmp_path: Path
) -> None:
    with pytest.raises(IsADirectoryError):
        store.put_file("k", str(tmp_path))
    with pytest.raises(FileNotFoundError):
        store.put_file("k", str(tmp_path / "missing"))
    assert store.keys() == []


def test_copy_and_move(store: HFilesystemStore, mechanism: str) -> None:
    store.put("src", VALUE)
    assert store.copy("src", "x/dest") == "x/dest"
    assert store.get("x/dest") == VALUE
    assert store.copy("src", "src") == "src"
    assert store.get("src") == VALUE
    with pytest.raises(KeyNotFoundError):
        store.copy("missing", "y")
    assert store.move("x/dest", "moved") == "moved"
    assert sorted(store.keys()) == ["moved", "src"]
    assert sorted(os.listdir(store.root)) == ["moved", "src"]  # x/ was pruned


def test_move_across_filesystems_falls_back_to_copy(
    store: HFilesystemStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put("a/src", b"value")
    real_replace = os.replace

    def cross_device(source: str, dest: str) -> None:
        if source.endswith("a/src"):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(source, dest)

    monkeypatch.setattr(os, "replace", cross_device)
    assert store.move("a/src", "b/dest") == "b/dest"
    assert store.keys() == ["b/dest"]
    assert store.get("b/dest") == b"value"


def test_copy_fd_from_an_offset_to_the_real_end(tmp_path: Path, mechanism: str) -> None:
    source, dest = tmp_path / "s", tmp_path / "d"
    source.write_bytes(b"0123456789")
    with open(source, "rb") as src, open(dest, "wb") as dst:
        # A size hint smaller than the file (it grew since): the copy still goes to its end.
        assert copy_fd(src.fileno(), dst.fileno(), 3, 2) == 7
        assert os.lseek(src.fileno(), 0, os.SEEK_CUR) == 0  # the source position is untouched
    assert dest.read_bytes() == b"3456789"


def test_store_roundtrip_through_file_paths_with_filesystem_store(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "root")
    source = tmp_path / "in"
    source.write_bytes(b"")
    store.put_file("empty", str(source))
    target = tmp_path / "out"
    store.get_file("empty", str(target))
    assert target.read_bytes() == b""


def test_get_file_to_a_file_with_read_ahead_and_to_an_append_file(
    store: HFilesystemStore, tmp_path: Path, mechanism: str
) -> None:
    store.put("k", b"VALUE")
    path = tmp_path / "target"
    path.write_bytes(b"0123456789" * 2000)
    with open(path, "r+b") as file:
        assert file.read(2) == b"01"  # the buffer has read far ahead of position 2
        store.get_file("k", file)
        assert file.tell() == 7
        assert file.read(3) == b"789"
    assert path.read_bytes()[:10] == b"01VALUE789"
    path.write_bytes(b"head:")
    with open(path, "ab") as appending:
        store.get_file("k", appending)
        appending.write(b":tail")
    assert path.read_bytes() == b"head:VALUE:tail"

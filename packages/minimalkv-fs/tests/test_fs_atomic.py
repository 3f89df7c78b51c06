"""Atomic writes: readers never see part of a value; failures leave nothing behind."""

from __future__ import annotations

import errno
import io
import itertools
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from minimalkv import InvalidValueError, StoreError
from minimalkv.fs import FilesystemStore, HFilesystemStore, KeyConflictError
from minimalkv.fs import _store as store_module
from minimalkv.fs._temp import temp_names

MB = 1024 * 1024


def test_reader_never_sees_a_partial_value(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "root")
    old, new = b"a" * (4 * MB), b"b" * (4 * MB)
    store.put("big", old)
    stop = threading.Event()
    bad: list[int] = []
    reads = 0

    def reader() -> None:
        nonlocal reads
        while not stop.is_set():
            value = store.get("big")
            with store.open("big") as file:
                streamed = file.read()
            for seen in (value, streamed):
                if seen not in (old, new):
                    bad.append(len(seen))
            reads += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        deadline = time.monotonic() + 1.5
        writes = 0
        while time.monotonic() < deadline or writes < 20:
            store.put("big", new if writes % 2 else old)
            writes += 1
    finally:
        stop.set()
        thread.join()
    assert bad == []
    assert reads > 0
    assert store.keys() == ["big"]


def test_concurrent_writers_leave_one_whole_value(tmp_path: Path) -> None:
    store = HFilesystemStore(tmp_path / "root")
    keys = ["same", "dir/same"]
    written = {
        (writer, round_): bytes([writer * 16 + round_]) * (256 * 1024)
        for writer in range(4)
        for round_ in range(8)
    }

    def write(writer: int) -> None:
        for round_ in range(8):
            for key in keys:
                store.put(key, written[writer, round_])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for key in keys:
        assert store.get(key) in written.values()
    assert sorted(store.keys()) == sorted(keys)
    assert sorted(p.name for p in Path(store.root).rglob("*")) == ["dir", "same", "same"]


def test_puts_racing_deletes_of_emptied_directories(tmp_path: Path) -> None:
    store = HFilesystemStore(tmp_path / "root")
    errors: list[BaseException] = []

    def churn(key: str) -> None:
        try:
            for _ in range(150):
                store.put(key, b"v")
                store.delete(key)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=churn, args=(f"d/e/k{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.keys() == []


class FailingReader(io.RawIOBase):
    """A readable stream that fails after some data (a dropped upload)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 2:
            raise self.error
        return b"x" * 1000


@pytest.mark.parametrize(
    "error", [OSError(errno.ECONNRESET, "reset"), KeyboardInterrupt(), RuntimeError("boom")]
)
def test_failing_put_file_keeps_the_old_value_and_no_temporary(
    tmp_path: Path, error: BaseException
) -> None:
    store = FilesystemStore(tmp_path / "root")
    store.put("k", b"old")
    expected = StoreError if isinstance(error, OSError) else type(error)
    with pytest.raises(expected) as info:
        store.put_file("k", FailingReader(error))
    if isinstance(error, OSError):
        assert isinstance(info.value, StoreError)
        assert info.value.errno == errno.ECONNRESET
        assert info.value.__cause__ is error
    else:
        assert info.value is error
    assert store.get("k") == b"old"
    assert os.listdir(store.root) == ["k"]


def test_failing_put_of_a_new_key_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = HFilesystemStore(tmp_path / "root")
    store.put("keep", b"v")

    def full_disk(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(StoreError, match="No space left") as info:
        store.put("new", b"value")
    assert info.value.errno == errno.ENOSPC
    assert store.root in str(info.value)
    assert "'new'" in str(info.value)
    monkeypatch.undo()
    assert os.listdir(store.root) == ["keep"]


def test_failing_rename_leaves_the_old_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FilesystemStore(tmp_path / "root")
    store.put("k", b"old")

    def broken_replace(source: str, dest: str) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", broken_replace)
    writes: list[Callable[[], object]] = [
        lambda: store.put("k", b"new"),
        lambda: store.put_file("k", io.BytesIO(b"n")),
    ]
    for write in writes:
        with pytest.raises(StoreError, match="Input/output error"):
            write()
    monkeypatch.undo()
    assert store.get("k") == b"old"
    assert os.listdir(store.root) == ["k"]


def test_text_file_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "root")
    store.put("k", b"old")
    text = tmp_path / "text.txt"
    text.write_text("hello")
    with open(text, encoding="utf-8") as file, pytest.raises(InvalidValueError):
        store.put_file("k", file)  # type: ignore[arg-type]
    assert store.get("k") == b"old"
    assert os.listdir(store.root) == ["k"]


def test_stale_temporary_names_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FilesystemStore(tmp_path / "root")
    store.put("warm", b"v")
    monkeypatch.setattr(temp_names, "counter", itertools.count())
    stale = [os.path.join(store.root, f"{temp_names.prefix}{n:x}") for n in range(3)]
    for path in stale:
        Path(path).write_bytes(b"left by a crashed writer")
    store.put("k", b"new")
    assert store.get("k") == b"new"
    assert sorted(store.keys()) == ["k", "warm"]
    for path in stale:  # never touched: they belong to someone else
        assert Path(path).read_bytes() == b"left by a crashed writer"


def test_every_temporary_name_taken_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FilesystemStore(tmp_path / "root")
    store.put("k", b"old")
    taken = ".mkv;0-000000-0"
    Path(store.root, taken).write_bytes(b"left by a crashed writer")
    monkeypatch.setattr(store_module, "next_temp_name", lambda: taken)
    with pytest.raises(StoreError, match=r"cannot write key 'k'.*'\.mkv;\.\.\.'") as info:
        store.put("k", b"new")
    assert not isinstance(info.value, KeyConflictError)  # EEXIST here is not about the key
    monkeypatch.undo()
    assert store.get("k") == b"old"
    assert Path(store.root, taken).read_bytes() == b"left by a crashed writer"


def test_get_file_to_a_path_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "root")
    store.put("k", b"value")
    out = tmp_path / "out"
    out.mkdir()
    (out / "target").write_bytes(b"old")
    store.get_file("k", str(out / "target"))
    assert (out / "target").read_bytes() == b"value"
    assert os.listdir(out) == ["target"]
    with pytest.raises(FileNotFoundError):  # the caller's own error, unchanged
        store.get_file("k", str(out / "missing" / "target"))
    assert os.listdir(out) == ["target"]


def test_fsync_option_writes_durably(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    store = HFilesystemStore(tmp_path / "root", fsync=True)
    assert store.fsync
    store.put("a/b", b"v")
    store.copy("a/b", "c")
    assert len(synced) == 4  # each file and its directory
    assert store.get("c") == b"v"
    assert "fsync=True" in repr(store)

"""BytesReader (the open contract), copy_stream and write_atomically."""

from __future__ import annotations

import io
import os
import pathlib
import stat
from typing import IO

import pytest
from hypothesis import given
from hypothesis import strategies as st
from minimalkv import InvalidValueError
from minimalkv.backend import (
    CHUNK_SIZE,
    BytesReader,
    ReadableBinary,
    WritableBinary,
    copy_stream,
    write_atomically,
)


# ----------------------------------------------------------------- BytesReader
def test_reader_reads_consecutive_slices() -> None:
    reader = BytesReader(b"0123456789")
    assert reader.readable()
    assert reader.seekable()
    assert not reader.writable()
    assert reader.read(3) == b"012"
    assert reader.read(3) == b"345"
    assert reader.read() == b"6789"
    assert reader.read() == b""


@pytest.mark.parametrize(
    ("offset", "whence", "expected"),
    [(4, io.SEEK_SET, 4), (2, io.SEEK_CUR, 5), (-2, io.SEEK_END, 8), (0, io.SEEK_END, 10)],
)
def test_seek_returns_the_new_position(offset: int, whence: int, expected: int) -> None:
    reader = BytesReader(b"0123456789")
    reader.read(3)
    assert reader.seek(offset, whence) == expected
    assert reader.tell() == expected
    assert reader.read(1) == b"0123456789"[expected : expected + 1]


@pytest.mark.parametrize(("offset", "whence"), [(-1, io.SEEK_SET), (-4, io.SEEK_CUR), (-11, 2)])
def test_seek_before_zero_raises_os_error_and_keeps_the_position(offset: int, whence: int) -> None:
    reader = BytesReader(b"0123456789")
    reader.read(3)
    with pytest.raises(OSError):  # noqa: PT011 - the contract names only OSError
        reader.seek(offset, whence)
    assert reader.tell() == 3
    assert reader.read(1) == b"3"


def test_seek_past_the_end_then_read_gives_empty() -> None:
    reader = BytesReader(b"abc")
    assert reader.seek(100) == 100
    assert reader.read() == b""
    assert reader.read(5) == b""
    assert reader.seek(10, io.SEEK_END) == 13
    assert reader.read() == b""


def test_invalid_whence_raises_value_error() -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        BytesReader(b"abc").seek(0, 7)


@pytest.mark.parametrize(
    "call",
    [
        lambda r: r.read(),
        lambda r: r.read(1),
        lambda r: r.seek(0),
        lambda r: r.tell(),
        lambda r: r.readline(),
        lambda r: r.readable(),
        lambda r: r.seekable(),
    ],
)
def test_every_call_after_close_raises_value_error(call: object) -> None:
    reader = BytesReader(b"abc")
    reader.close()
    assert reader.closed
    with pytest.raises(ValueError):  # noqa: PT011 - the contract names only ValueError
        call(reader)  # type: ignore[operator]


def test_close_twice_and_context_manager() -> None:
    with BytesReader(b"abc") as reader:
        assert reader.read() == b"abc"
    assert reader.closed
    reader.close()


@pytest.mark.parametrize(
    "write",
    [
        lambda r: r.write(b"x"),
        lambda r: r.writelines([b"x"]),
        lambda r: r.truncate(0),
        lambda r: r.truncate(),
    ],
)
def test_writing_is_refused_and_leaves_the_value(write: object) -> None:
    reader = BytesReader(b"abc")
    with pytest.raises(io.UnsupportedOperation):
        write(reader)  # type: ignore[operator]
    reader.seek(0)
    assert reader.read() == b"abc"


def test_reader_is_a_binary_io() -> None:
    reader: IO[bytes] = BytesReader(b"abc")
    assert isinstance(reader, io.BufferedIOBase)
    assert isinstance(reader, ReadableBinary)


# ----------------------------------------------------------------- copy_stream
class _Trickle(io.RawIOBase):
    """Returns at most 3 bytes per read, like a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk, self._data = self._data[:3], self._data[3:]
        buffer[: len(chunk)] = chunk
        return len(chunk)


@given(st.binary(max_size=300), st.integers(min_value=1, max_value=64))
def test_copy_stream_copies_everything(data: bytes, chunk_size: int) -> None:
    out = bytearray()
    assert copy_stream(io.BytesIO(data), out.extend, chunk_size) == len(data)
    assert bytes(out) == data


def test_copy_stream_handles_short_reads_and_passes_bytes() -> None:
    chunks: list[object] = []
    raw = _Trickle(b"abcdefghij")
    assert copy_stream(raw, chunks.append, chunk_size=8) == 10
    assert b"".join(chunks) == b"abcdefghij"  # type: ignore[arg-type]
    assert all(type(chunk) is bytes for chunk in chunks)


def test_copy_stream_from_the_current_position() -> None:
    source = io.BytesIO(b"0123456789")
    source.seek(6)
    out = bytearray()
    assert copy_stream(source, out.extend) == 4
    assert out == b"6789"


def test_copy_stream_reads_in_chunks_of_chunk_size() -> None:
    sizes: list[int] = []

    class Recorder(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            sizes.append(-1 if size is None else size)
            return super().read(size)

    copy_stream(Recorder(b"x" * 10), lambda chunk: None)
    assert sizes
    assert all(size == CHUNK_SIZE for size in sizes)
    assert CHUNK_SIZE == 1024 * 1024


@pytest.mark.parametrize("text", ["some text", ""])
def test_copy_stream_refuses_text(text: str) -> None:
    written: list[bytes] = []
    with pytest.raises(InvalidValueError, match="binary"):
        copy_stream(io.StringIO(text), written.append)  # type: ignore[arg-type]
    assert written == []


# ----------------------------------------------------------------- write_atomically
def test_write_atomically_creates_and_replaces(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "file.bin"
    write_atomically(str(target), lambda out: out.write(b"first"))
    assert target.read_bytes() == b"first"
    write_atomically(str(target), lambda out: out.write(b"second"))
    assert target.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_write_atomically_cleans_up_on_error(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "file.bin"
    target.write_bytes(b"original")

    def fail(out: IO[bytes]) -> None:
        out.write(b"partial")
        raise RuntimeError("fill failed")

    with pytest.raises(RuntimeError, match="fill failed"):
        write_atomically(str(target), fail)
    assert target.read_bytes() == b"original"
    assert os.listdir(tmp_path) == ["file.bin"]
    with pytest.raises(RuntimeError):
        write_atomically(str(tmp_path / "new.bin"), fail)
    assert os.listdir(tmp_path) == ["file.bin"]


def test_write_atomically_cleans_up_on_keyboard_interrupt(tmp_path: pathlib.Path) -> None:
    def interrupted(out: IO[bytes]) -> None:
        out.write(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(str(tmp_path / "x"), interrupted)
    assert os.listdir(tmp_path) == []


def test_write_atomically_sets_the_mode(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "file.bin"
    write_atomically(str(target), lambda out: out.write(b"x"), mode=0o640)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_atomically_with_a_relative_path(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomically("relative.bin", lambda out: out.write(b"rel"))
    assert (tmp_path / "relative.bin").read_bytes() == b"rel"


def test_write_atomically_into_a_missing_directory_fails_cleanly(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomically(str(tmp_path / "no" / "such" / "file"), lambda out: out.write(b"x"))
    assert os.listdir(tmp_path) == []


def test_writable_binary_protocol() -> None:
    assert isinstance(io.BytesIO(), WritableBinary)
    assert not isinstance(42, WritableBinary)

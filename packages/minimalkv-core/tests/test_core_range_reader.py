"""RangeReader: the base of remote readers keeps the open contract whatever the fetch size."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from minimalkv import StoreError
from minimalkv.backend import RangeReader


class _Ranges(RangeReader):
    """Serves ``data`` at most ``step`` bytes per fetch, recording every fetch."""

    def __init__(self, data: bytes, step: int, key: str | None = "k") -> None:
        super().__init__(len(data), key=key)
        self.data = data
        self.step = step
        self.fetches: list[tuple[int, int]] = []
        self.released = 0

    def _read_range(self, start: int, wanted: int) -> bytes:
        assert 0 <= start < self.size
        assert 1 <= wanted <= self.size - start
        self.fetches.append((start, wanted))
        return self.data[start : start + min(wanted, self.step)]

    def _release(self) -> None:
        self.released += 1


_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(-1, 40)),
        st.tuples(st.just("readinto"), st.integers(0, 40)),
        st.tuples(st.just("seek"), st.integers(0, 50), st.sampled_from([0, 1, 2])),
        st.tuples(st.just("readall")),
    ),
    max_size=25,
)


@given(data=st.binary(max_size=64), step=st.integers(1, 70), ops=_OPS)
def test_range_reader_reads_like_bytesio(
    data: bytes, step: int, ops: list[tuple[object, ...]]
) -> None:
    reader = _Ranges(data, step)
    model = io.BytesIO(data)
    for op in ops:
        if op[0] == "read":
            size = op[1]
            assert isinstance(size, int)
            got = reader.read(size)
            expected = model.read(size)
            if size < 0:
                assert got == expected
            else:  # a raw read may return fewer bytes; the model then catches up
                assert expected.startswith(got)
                assert bool(got) == bool(expected)
                model.seek(len(got) - len(expected), io.SEEK_CUR)
        elif op[0] == "readinto":
            size = op[1]
            assert isinstance(size, int)
            buffer = bytearray(size)
            at_end = model.tell() >= len(data)
            count = reader.readinto(buffer)
            assert bytes(buffer[:count]) == model.read(count)
            assert (count == 0) == (size == 0 or at_end)
        elif op[0] == "seek":
            offset, whence = op[1], op[2]
            assert isinstance(offset, int)
            assert isinstance(whence, int)
            if whence == io.SEEK_END:
                offset = -min(offset, len(data))
            assert reader.seek(offset, whence) == model.seek(offset, whence)
        else:
            assert reader.readall() == model.read()
        assert reader.tell() == model.tell()
    reader.close()
    assert reader.released == 1


def test_range_reader_in_a_buffered_reader_serves_lines_and_peeks() -> None:
    data = b"first line\nsecond line\n" + bytes(range(256)) * 40
    with io.BufferedReader(_Ranges(data, 100), buffer_size=64) as buffered:
        assert buffered.readline() == b"first line\n"
        assert buffered.read(7) == b"second "
        buffered.seek(-256, io.SEEK_END)
        assert buffered.read() == bytes(range(256))


def test_range_reader_fetches_only_what_is_left_and_nothing_past_the_end() -> None:
    reader = _Ranges(b"0123456789", 100)
    reader.seek(8)
    assert reader.read(50) == b"89"
    assert reader.fetches == [(8, 2)]
    reader.seek(30)  # past the end is allowed and reads nothing
    assert reader.read(5) == b""
    assert reader.readall() == b""
    assert reader.readinto(bytearray(4)) == 0
    assert reader.fetches == [(8, 2)]


def test_range_reader_refuses_a_negative_seek_as_os_error_and_a_bad_whence() -> None:
    reader = _Ranges(b"abc", 2)
    with pytest.raises(OSError, match="negative position"):
        reader.seek(-1)
    with pytest.raises(ValueError, match="whence"):
        reader.seek(0, 7)
    assert reader.tell() == 0


def test_range_reader_is_read_only() -> None:
    reader = _Ranges(b"abc", 2)
    assert reader.readable()
    assert reader.seekable()
    assert not reader.writable()
    with pytest.raises(io.UnsupportedOperation):
        reader.write(b"x")
    with pytest.raises(io.UnsupportedOperation):
        reader.truncate(0)


def test_range_reader_reports_a_backend_that_returns_nothing_before_the_end() -> None:
    class Truncated(_Ranges):
        def _read_range(self, start: int, wanted: int) -> bytes:
            return self.data[:2] if start == 0 else b""

    reader = Truncated(b"abcdef", 10, key="users/42")
    assert reader.read(2) == b"ab"
    with pytest.raises(StoreError, match=r"'users/42' at byte 2 of 6") as caught:
        reader.read(2)
    assert caught.value.key == "users/42"


def test_range_reader_close_releases_once_and_later_calls_fail() -> None:
    reader = _Ranges(b"abc", 2)
    reader.close()
    reader.close()
    assert reader.released == 1
    for call in (reader.read, reader.readall, reader.tell, lambda: reader.seek(0)):
        with pytest.raises(ValueError, match="closed file"):
            call()


def test_range_reader_closes_even_when_release_fails() -> None:
    class Failing(_Ranges):
        def _release(self) -> None:
            raise StoreError("cannot release")

    reader = Failing(b"abc", 2)
    with pytest.raises(StoreError):
        reader.close()
    assert reader.closed


def test_range_reader_refuses_a_negative_size() -> None:
    assert RangeReader(0).read() == b""
    with pytest.raises(ValueError, match="size"):
        RangeReader(-1)

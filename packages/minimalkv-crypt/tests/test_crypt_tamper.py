"""Tampering is caught on every read path: get, get_many, open, get_file, copy, move, metadata.

Each case changes the raw value in the wrapped store (a flipped data byte, a flipped MAC byte,
a truncated value, a value swapped with another key's, a value shorter than a MAC, the empty
value, an appended byte) and checks that the read path raises VerificationException and hands
out nothing it should not.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from minimalkv import KeyValueStore, MinimalKVError
from minimalkv.backend import CHUNK_SIZE
from minimalkv.crypt import HMACDecorator, VerificationException
from minimalkv.crypt import _hmac_decorator as hmac_module
from minimalkv.fs import FilesystemStore
from minimalkv.memory import DictStore

SECRET = b"tamper-test-secret"
DATA = bytes(range(256)) * 3  # 768 bytes: several pieces for piecewise reads
OTHER = b"another value of the same length".ljust(len(DATA), b".")

Tamper = Callable[[KeyValueStore], object]


def _flip(value: bytes, index: int) -> bytes:
    changed = bytearray(value)
    changed[index] ^= 0x01
    return bytes(changed)


def _swap(inner: KeyValueStore) -> None:
    mine, theirs = inner.get("k"), inner.get("other")
    inner.put("k", theirs)
    inner.put("other", mine)


TAMPERINGS: dict[str, Tamper] = {
    "flip-first-data-byte": lambda inner: inner.put("k", _flip(inner.get("k"), 0)),
    "flip-last-data-byte": lambda inner: inner.put("k", _flip(inner.get("k"), len(DATA) - 1)),
    "flip-mac-byte": lambda inner: inner.put("k", _flip(inner.get("k"), -1)),
    "truncate-one-byte": lambda inner: inner.put("k", inner.get("k")[:-1]),
    "append-one-byte": lambda inner: inner.put("k", inner.get("k") + b"\x00"),
    "swap-with-other-key": _swap,
    "shorter-than-mac": lambda inner: inner.put("k", b"tiny"),
    "empty": lambda inner: inner.put("k", b""),
    "mac-only": lambda inner: inner.put("k", inner.get("k")[-32:]),
}


@pytest.fixture(params=["dict", "fs"])
def inner(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KeyValueStore]:
    store: KeyValueStore = (
        DictStore() if request.param == "dict" else FilesystemStore(tmp_path / "store")
    )
    yield store
    store.close()


@pytest.fixture(params=list(TAMPERINGS))
def tampered(request: pytest.FixtureRequest, inner: KeyValueStore) -> HMACDecorator[KeyValueStore]:
    """A decorator whose key ``k`` was written with DATA, then tampered with in the inner store."""
    store = HMACDecorator(SECRET, inner)
    store.put("k", DATA)
    store.put("other", OTHER)
    TAMPERINGS[request.param](inner)
    return store


def _opened(read: Callable[[IO[bytes]], object]) -> Callable[[KeyValueStore], object]:
    def run(store: KeyValueStore) -> object:
        with store.open("k") as file:
            return read(file)

    return run


def _read_pieces(size: int) -> Callable[[IO[bytes]], bytes]:
    def run(file: IO[bytes]) -> bytes:
        parts = []
        while part := file.read(size):
            parts.append(part)
        return b"".join(parts)

    return run


def _readinto(file: IO[bytes]) -> int:
    buffer = bytearray(4096)
    count: int = file.readinto(buffer)  # type: ignore[attr-defined]
    return count


READS: dict[str, Callable[[KeyValueStore], object]] = {
    "get": lambda store: store.get("k"),
    "get_many": lambda store: store.get_many(["other", "k"]),
    "open-read-all": _opened(lambda file: file.read()),
    "open-read-pieces": _opened(_read_pieces(100)),
    "open-read-odd-pieces": _opened(_read_pieces(7)),
    "open-readinto": _opened(_readinto),
    "open-seek-middle-read": lambda store: _seek_read(store, 500, os.SEEK_SET),
    "open-seek-end-read": lambda store: _seek_read(store, 0, os.SEEK_END),
    "open-seek-past-end-read": lambda store: _seek_read(store, 10_000, os.SEEK_SET),
    "open-seek-back-and-forth": lambda store: _seek_back_and_forth(store),
    "open-iterate-lines": _opened(list),
}


def _seek_read(store: KeyValueStore, offset: int, whence: int) -> bytes:
    with store.open("k") as file:
        file.seek(offset, whence)
        return file.read()


def _seek_back_and_forth(store: KeyValueStore) -> bytes:
    with store.open("k") as file:
        file.read(10)
        file.seek(600)
        file.read(10)
        file.seek(5)
        file.read(100)
        file.seek(-1, os.SEEK_END)
        return file.read(1)


@pytest.mark.parametrize("read", list(READS))
def test_every_read_path_raises(tampered: HMACDecorator[KeyValueStore], read: str) -> None:
    with pytest.raises(VerificationException) as info:
        READS[read](tampered)
    assert info.value.key in {"k", "other"}  # a swap breaks both keys
    assert isinstance(info.value, MinimalKVError)
    assert isinstance(info.value, ValueError)
    assert SECRET.decode() not in str(info.value)


def test_get_file_to_new_path_creates_nothing(
    tampered: HMACDecorator[KeyValueStore], tmp_path: Path
) -> None:
    target = tmp_path / "out" / "target.bin"
    target.parent.mkdir()
    with pytest.raises(VerificationException):
        tampered.get_file("k", target)
    assert list(target.parent.iterdir()) == []  # no target, no temporary file left


def test_get_file_to_existing_path_leaves_it_untouched(
    tampered: HMACDecorator[KeyValueStore], tmp_path: Path
) -> None:
    target = tmp_path / "target.bin"
    target.write_bytes(b"previous content")
    before = target.stat()
    with pytest.raises(VerificationException):
        tampered.get_file("k", str(target))
    assert target.read_bytes() == b"previous content"
    assert target.stat().st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_get_file_to_file_object_receives_nothing(tampered: HMACDecorator[KeyValueStore]) -> None:
    target = io.BytesIO()
    with pytest.raises(VerificationException):
        tampered.get_file("k", target)
    assert target.getvalue() == b""


def test_get_file_spooled_to_file_object_receives_nothing(
    tampered: HMACDecorator[KeyValueStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Values above the in-memory limit are spooled to a temporary file before being written.
    monkeypatch.setattr(hmac_module, "SPOOL_IN_MEMORY", 16)
    target = io.BytesIO()
    with pytest.raises(VerificationException):
        tampered.get_file("k", target)
    assert target.getvalue() == b""


def test_get_file_spooled_untampered_value_arrives(
    inner: KeyValueStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hmac_module, "SPOOL_IN_MEMORY", 16)
    store = HMACDecorator(SECRET, inner)
    store.put("k", DATA)
    target = io.BytesIO()
    assert store.get_file("k", target) == "k"
    assert target.getvalue() == DATA


def test_copy_of_tampered_value_raises_and_writes_no_valid_dest(
    tampered: HMACDecorator[KeyValueStore],
) -> None:
    with pytest.raises(VerificationException):
        tampered.copy("k", "dest")
    assert "dest" not in tampered
    with pytest.raises(VerificationException):
        tampered.copy("k", "k")  # onto itself: verified, nothing written


def test_move_of_tampered_value_raises_and_keeps_source(
    tampered: HMACDecorator[KeyValueStore], inner: KeyValueStore
) -> None:
    raw = inner.get("k")
    with pytest.raises(VerificationException):
        tampered.move("k", "dest")
    assert inner.get("k") == raw
    assert "dest" not in tampered


@pytest.mark.parametrize("how", ["shorter-than-mac", "empty"])
def test_metadata_of_value_shorter_than_mac_raises(inner: KeyValueStore, how: str) -> None:
    store = HMACDecorator(SECRET, inner)
    store.put("k", DATA)
    TAMPERINGS[how](inner)
    with pytest.raises(VerificationException):
        store.metadata("k")


def test_metadata_reports_data_size(inner: KeyValueStore) -> None:
    store = HMACDecorator(SECRET, inner)
    store.put("k", DATA)
    assert store.metadata("k").size == len(DATA)
    assert inner.metadata("k").size == len(DATA) + 32


# ---------------------------------------------------------------------------- open, in detail
def test_open_hands_out_earlier_pieces_but_not_the_last(inner: KeyValueStore) -> None:
    store = HMACDecorator(SECRET, inner)
    store.put("k", DATA)
    TAMPERINGS["flip-mac-byte"](inner)
    with store.open("k") as file:
        assert file.read(len(DATA) - 1) == DATA[:-1]
        with pytest.raises(VerificationException):
            file.read(1)
        # Once failed, the file keeps failing, wherever it is.
        file.seek(0)
        with pytest.raises(VerificationException):
            file.read(1)


def test_open_value_shorter_than_mac_raises_at_open(inner: KeyValueStore) -> None:
    store = HMACDecorator(SECRET, inner)
    store.put("k", DATA)
    TAMPERINGS["shorter-than-mac"](inner)
    with pytest.raises(VerificationException, match="shorter than the 32-byte MAC"):
        store.open("k")


@pytest.mark.parametrize("flipped", [0, CHUNK_SIZE + 5, 3 * CHUNK_SIZE - 1])
def test_open_large_value_skipped_part_is_verified(inner: KeyValueStore, flipped: int) -> None:
    # The reader seeks past the flipped byte: the check at the end reads what it skipped.
    store = HMACDecorator(SECRET, inner)
    data = os.urandom(3 * CHUNK_SIZE)
    store.put("k", data)
    with store.open("k") as file:
        file.seek(3 * CHUNK_SIZE - 10)
        assert file.read() == data[-10:]  # untampered: verifies
    inner.put("k", _flip(inner.get("k"), flipped))
    with store.open("k") as file:
        file.seek(3 * CHUNK_SIZE - 10)
        with pytest.raises(VerificationException):
            file.read()


def test_open_detects_a_value_cut_short_while_reading(tmp_path: Path) -> None:
    inner = FilesystemStore(tmp_path)
    store = HMACDecorator(SECRET, inner)
    data = DATA * 200  # larger than the file object's read-ahead buffer
    store.put("k", data)
    with store.open("k") as file:
        assert file.read(10) == data[:10]
        os.truncate(tmp_path / "k", len(data) // 2)  # in place: the open descriptor sees it
        with pytest.raises(VerificationException, match="changed while it was read"):
            file.read()


def test_open_untampered_every_access_pattern_agrees(inner: KeyValueStore) -> None:
    store = HMACDecorator(SECRET, inner)
    store.put("k", DATA)
    for name, read in READS.items():
        if name == "get_many":
            assert read(store) == {"k": DATA}
        elif name == "open-readinto":
            assert read(store) == len(DATA)
        elif name == "open-iterate-lines":
            assert b"".join(read(store)) == DATA  # type: ignore[arg-type]
        elif name in {"open-seek-end-read", "open-seek-past-end-read"}:
            assert read(store) == b""
        elif name == "open-seek-middle-read":
            assert read(store) == DATA[500:]
        elif name == "open-seek-back-and-forth":
            assert read(store) == DATA[-1:]
        else:
            assert read(store) == DATA, name

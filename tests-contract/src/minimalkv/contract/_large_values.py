"""Empty and large values through every path, and the memory bound of streaming."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
from minimalkv import BlobStore

from ._base import ContractBase, MiB
from ._rss import measure_peak_rss
from ._support import file_equals_pattern, stream_equals_pattern, write_pattern

__all__ = ["LargeValueContract", "MemoryBoundContract"]

SIZES = [pytest.param("empty", id="empty"), pytest.param("large", id="large")]
SOURCES = ["path", "fileobj"]


class LargeValueContract(ContractBase):
    """The empty value and a :attr:`large_value_size` value round-trip through every path."""

    @pytest.fixture
    def block(self) -> bytes:
        """Return 1 MiB of random bytes; large values repeat it, so a shifted byte shows."""
        return os.urandom(MiB)

    def _size(self, which: str) -> int:
        return 0 if which == "empty" else self.large_value_size

    @pytest.mark.parametrize("which", SIZES)
    def test_value_round_trip_put_get(self, store: BlobStore, block: bytes, which: str) -> None:
        size = self._size(which)
        value = (block * (size // len(block) + 1))[:size]
        assert store.put("value", value) == "value"
        assert store.get("value") == value
        assert store.metadata("value").size == size
        del value

    @pytest.mark.parametrize("source", SOURCES)
    @pytest.mark.parametrize("which", SIZES)
    def test_value_round_trip_put_file_get_file(
        self, store: BlobStore, tmp_path: Path, block: bytes, which: str, source: str
    ) -> None:
        size = self._size(which)
        origin = tmp_path / "origin"
        target = tmp_path / "target"
        try:
            write_pattern(origin, size, block)
            if source == "path":
                assert store.put_file("value", str(origin)) == "value"
                assert store.get_file("value", str(target)) == "value"
            else:
                with open(origin, "rb") as file:
                    assert store.put_file("value", file) == "value"
                with open(target, "wb") as out:
                    assert store.get_file("value", out) == "value"
            assert file_equals_pattern(target, size, block)
            assert store.metadata("value").size == size
        finally:
            for path in (origin, target):
                path.unlink(missing_ok=True)

    @pytest.mark.parametrize("which", SIZES)
    def test_value_round_trip_open(
        self, store: BlobStore, tmp_path: Path, block: bytes, which: str
    ) -> None:
        size = self._size(which)
        origin = tmp_path / "origin"
        try:
            write_pattern(origin, size, block)
            store.put_file("value", str(origin))
        finally:
            origin.unlink(missing_ok=True)
        with store.open("value") as file:
            assert stream_equals_pattern(file.read, size, block)
            middle = size // 2
            assert file.seek(middle) == middle
            assert (
                file.read(10)
                == (block + block)[middle % MiB : middle % MiB + 10][: max(0, size - middle)]
            )
            assert file.seek(0, os.SEEK_END) == size


class MemoryBoundContract(ContractBase):
    """``put_file`` and ``get_file`` of :attr:`memory_test_size` bytes stream in bounded memory.

    Peak RSS (the kernel's high-water mark, see :mod:`minimalkv.contract._rss`) may grow by at
    most :attr:`memory_bound_bytes`. A store that keeps values in this process
    (:attr:`values_in_memory`) may additionally hold the stored value itself after ``put_file``,
    one copy and no more; its ``get_file`` is bounded like any other store's.
    """

    @pytest.fixture
    def big_file(self, tmp_path: Path) -> Path:
        """Write a file of :attr:`memory_test_size` bytes (a 1 MiB pattern) and return its path."""
        path = tmp_path / "big"
        write_pattern(path, self.memory_test_size, _pattern())
        return path

    def _check(self, what: str, growth: int, limit: int, method: str) -> None:
        assert growth < limit, (
            f"{what} of {self.memory_test_size / MiB:.0f} MiB raised peak RSS by "
            f"{growth / MiB:.1f} MiB (limit {limit / MiB:.1f} MiB, measured by {method})"
        )

    @pytest.mark.parametrize("source", SOURCES)
    def test_memory_bound_put_file(self, store: BlobStore, big_file: Path, source: str) -> None:
        limit = self.memory_bound_bytes + (self.memory_test_size if self.values_in_memory else 0)
        try:
            if source == "path":
                with measure_peak_rss() as peak:
                    store.put_file("big", str(big_file))
            else:
                with open(big_file, "rb") as file, measure_peak_rss() as peak:
                    store.put_file("big", file)
            self._check(f"put_file({source})", peak.growth, limit, peak.method)
            assert store.metadata("big").size == self.memory_test_size
        finally:
            big_file.unlink(missing_ok=True)
            store.delete("big")

    @pytest.mark.parametrize("target_kind", SOURCES)
    def test_memory_bound_get_file(
        self, store: BlobStore, big_file: Path, target_kind: str
    ) -> None:
        target = big_file.with_name("target")
        try:
            store.put_file("big", str(big_file))
            big_file.unlink(missing_ok=True)
            if target_kind == "path":
                with measure_peak_rss() as peak:
                    store.get_file("big", str(target))
            else:
                with open(target, "wb") as out, measure_peak_rss() as peak:
                    store.get_file("big", out)
            self._check(
                f"get_file({target_kind})", peak.growth, self.memory_bound_bytes, peak.method
            )
            assert file_equals_pattern(target, self.memory_test_size, _pattern())
        finally:
            big_file.unlink(missing_ok=True)
            target.unlink(missing_ok=True)
            store.delete("big")


@functools.cache
def _pattern() -> bytes:
    # Deterministic and not compressible by a repeating short period: each 8-byte word differs.
    return b"".join(index.to_bytes(8, "little") for index in range(MiB // 8))

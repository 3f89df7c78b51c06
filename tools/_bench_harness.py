"""Measurement core of tools/bench.py: paired, interleaved timing of a library and a raw baseline.

A case gives two sides (the raw baseline and minimalkv) that each run one *chunk* of operations
when called with a chunk index. For every round the harness walks the chunks in order and, for
each chunk, runs both sides back to back in a random order (a fresh order per chunk and per
round), so drift of the machine (other processes, frequency scaling, page cache) hits both sides
alike. A side's time for a round is its median chunk time times the number of chunks (a sum
that a pre-empted chunk cannot dominate); the case's figure is the median over the rounds of the
per-round ratio (minimalkv throughput / raw throughput), which equals raw time / minimalkv time.

The garbage collector is off while a chunk is timed (as :mod:`timeit` does) and runs between
rounds, so a collection triggered by one side is never billed to the other.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Measurement",
    "Paired",
    "paired_calls",
    "paired_pair_calls",
    "peak_rss_reset",
    "peak_rss_since_reset",
    "run_paired",
]

ChunkRunner = Callable[[int], None]
"""Runs the operations of chunk ``i`` (all of its ops, timed as one)."""


@dataclass(frozen=True)
class Paired:
    """What the harness needs to time one case: both sides, and how the work is cut.

    ``raw`` and ``lib`` run chunk ``i`` of ``chunks``; each chunk is ``ops_per_chunk``
    operations. ``before_chunk`` (untimed) runs before every timed chunk of either side, for
    clean-up such as deleting a 1 GiB output file. With ``track_rss`` the peak resident set
    growth of every timed chunk is recorded (Linux only, see :func:`peak_rss_reset`).
    """

    raw: ChunkRunner
    lib: ChunkRunner
    chunks: int
    ops_per_chunk: int
    before_chunk: Callable[[], None] | None = None
    track_rss: bool = False


def paired_calls(
    raw: Callable[[Any], object],
    lib: Callable[[Any], object],
    chunks: Sequence[Sequence[Any]],
    ops_per_chunk: int,
) -> Paired:
    """Pair two one-argument calls (``get(key)``), each made once per item of a chunk.

    Both loops are the same code, so the ratio is the difference between the two callables.
    """

    def run_raw(i: int) -> None:
        call = raw
        for item in chunks[i]:
            call(item)

    def run_lib(i: int) -> None:
        call = lib
        for item in chunks[i]:
            call(item)

    return Paired(run_raw, run_lib, len(chunks), ops_per_chunk)


def paired_pair_calls(
    raw: Callable[[Any, Any], object],
    lib: Callable[[Any, Any], object],
    chunks: Sequence[Sequence[tuple[Any, Any]]],
    ops_per_chunk: int,
) -> Paired:
    """Pair two two-argument calls (``put(key, value)``), each made once per pair of a chunk."""

    def run_raw(i: int) -> None:
        call = raw
        for first, second in chunks[i]:
            call(first, second)

    def run_lib(i: int) -> None:
        call = lib
        for first, second in chunks[i]:
            call(first, second)

    return Paired(run_raw, run_lib, len(chunks), ops_per_chunk)


@dataclass
class Measurement:
    """Per-round seconds of both sides, and peak RSS growth per side when tracked."""

    ops_per_round: int
    raw_seconds: list[float] = field(default_factory=list)
    lib_seconds: list[float] = field(default_factory=list)
    raw_rss_growth: list[int] = field(default_factory=list)
    lib_rss_growth: list[int] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        """Per-round throughput ratio, minimalkv / raw (= raw time / minimalkv time)."""
        return [raw / lib for raw, lib in zip(self.raw_seconds, self.lib_seconds, strict=True)]

    @property
    def ratio(self) -> float:
        """Median of the per-round ratios."""
        return statistics.median(self.ratios)

    @property
    def time_ratio(self) -> float:
        """Median of the per-round time ratios, minimalkv time / raw time."""
        return statistics.median(1.0 / r for r in self.ratios)

    @property
    def raw_rate(self) -> float:
        """Median raw throughput, operations per second."""
        return statistics.median(self.ops_per_round / s for s in self.raw_seconds)

    @property
    def lib_rate(self) -> float:
        """Median minimalkv throughput, operations per second."""
        return statistics.median(self.ops_per_round / s for s in self.lib_seconds)

    @property
    def spread(self) -> tuple[float, float]:
        """Lowest and highest per-round ratio."""
        return min(self.ratios), max(self.ratios)


def run_paired(paired: Paired, rounds: int, rng: random.Random) -> Measurement:
    """Time ``paired`` over ``rounds`` rounds after one untimed warm-up chunk per side."""
    measurement = Measurement(ops_per_round=paired.chunks * paired.ops_per_chunk)
    for side in (paired.raw, paired.lib):
        if paired.before_chunk is not None:
            paired.before_chunk()
        side(0)
    was_enabled = gc.isenabled()
    try:
        for _ in range(rounds):
            gc.collect()
            gc.disable()
            raw_times: list[int] = []
            lib_times: list[int] = []
            raw_peak = lib_peak = 0
            for chunk in range(paired.chunks):
                raw_first = rng.random() < 0.5
                for is_raw in (raw_first, not raw_first):
                    runner = paired.raw if is_raw else paired.lib
                    if paired.before_chunk is not None:
                        paired.before_chunk()
                    baseline = peak_rss_reset() if paired.track_rss else 0
                    start = time.perf_counter_ns()
                    runner(chunk)
                    elapsed = time.perf_counter_ns() - start
                    growth = peak_rss_since_reset() - baseline if paired.track_rss else 0
                    if is_raw:
                        raw_times.append(elapsed)
                        raw_peak = max(raw_peak, growth)
                    else:
                        lib_times.append(elapsed)
                        lib_peak = max(lib_peak, growth)
            gc.enable()
            measurement.raw_seconds.append(_round_seconds(raw_times))
            measurement.lib_seconds.append(_round_seconds(lib_times))
            if paired.track_rss:
                measurement.raw_rss_growth.append(raw_peak)
                measurement.lib_rss_growth.append(lib_peak)
    finally:
        if was_enabled:
            gc.enable()
    return measurement


def _round_seconds(chunk_ns: list[int]) -> float:
    """A side's time for a round: its median chunk time times the number of chunks.

    A robust sum: on a shared machine the scheduler may pre-empt a chunk for milliseconds,
    many times the chunk itself; such a chunk must not decide the round.
    """
    return statistics.median(chunk_ns) * len(chunk_ns) / 1e9


_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(field_name: str) -> int:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field_name} not found in {_STATUS}")


def peak_rss_reset() -> int:
    """Reset the peak resident set size to the current one; return the current RSS in bytes.

    Writing ``5`` to ``/proc/self/clear_refs`` resets ``VmHWM`` (Linux 4.0+).
    """
    _CLEAR_REFS.write_text("5")
    return _status_kib("VmRSS") * 1024


def peak_rss_since_reset() -> int:
    """Return the peak resident set size (``VmHWM``) since the last reset, in bytes."""
    return _status_kib("VmHWM") * 1024


def rss_tracking_available() -> bool:
    """Return whether this system lets a process reset and read its peak RSS."""
    try:
        peak_rss_reset()
        peak_rss_since_reset()
    except (OSError, RuntimeError, ValueError):
        return False
    return True

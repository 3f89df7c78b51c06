"""Peak resident-memory measurement for the memory-bound tests (Linux).

The kernel keeps the high-water mark of a process's resident set (``VmHWM`` in
``/proc/self/status``); writing ``5`` to ``/proc/self/clear_refs`` resets it to the current
resident size (Linux 4.0+). Resetting, running the operation and reading ``VmHWM`` again gives
the exact peak growth caused by the operation, including short-lived buffers that a sampling
approach would miss. Where ``clear_refs`` cannot be written, a thread samples ``VmRSS`` every
millisecond instead (an approximation that can only under-report short spikes).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["PeakRss", "can_measure_peak_rss", "measure_peak_rss"]

_STATUS = "/proc/self/status"
_CLEAR_REFS = "/proc/self/clear_refs"


def _status_kib(field: str) -> int:
    with open(_STATUS, encoding="ascii") as status:
        match = re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.MULTILINE)
    if match is None:
        raise OSError(f"{_STATUS} has no {field} line")
    return int(match.group(1)) * 1024


def _reset_high_water_mark() -> bool:
    try:
        with open(_CLEAR_REFS, "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def can_measure_peak_rss() -> bool:
    """Return whether this platform exposes the resident size (Linux ``/proc``)."""
    return sys.platform.startswith("linux") and os.path.exists(_STATUS)


@dataclass
class PeakRss:
    """The result of :func:`measure_peak_rss`: bytes by which peak RSS exceeded the start."""

    growth: int = 0
    method: str = ""


@contextlib.contextmanager
def measure_peak_rss() -> Iterator[PeakRss]:
    """Measure how far peak RSS rises above its starting value inside the ``with`` block."""
    result = PeakRss()
    if _reset_high_water_mark():
        result.method = "VmHWM after clear_refs"
        start = _status_kib("VmRSS")
        yield result
        result.growth = max(0, _status_kib("VmHWM") - start)
        return
    result.method = "VmRSS sampled every 1 ms"
    start = _status_kib("VmRSS")
    peak = start
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.001):
            peak = max(peak, _status_kib("VmRSS"))

    sampler = threading.Thread(target=sample, name="minimalkv-rss-sampler", daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        done.set()
        sampler.join()
    result.growth = max(0, max(peak, _status_kib("VmRSS")) - start)

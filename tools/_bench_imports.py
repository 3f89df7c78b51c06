"""Import time of tools/bench.py: what ``import minimalkv...`` costs a fresh interpreter.

Each run starts fresh interpreters, in a random order per run: one that imports nothing
(``python -c pass``) and one per module (``python -c "import minimalkv.fs"``). A module's
figure for the run is its wall time minus the bare interpreter's of the same run, so the
interpreter's own start-up and the machine's drift cancel; the report gives the median over the
runs. One untimed run first fills the bytecode caches.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Final

__all__ = ["MODULES", "ImportTime", "measure_import_times"]

MODULES: Final = ("minimalkv", "minimalkv.fs", "minimalkv.redis")
"""The modules whose import time the report gives."""

_BARE: Final = "pass"


@dataclass(frozen=True)
class ImportTime:
    """The import time of one module over a bare interpreter start, in seconds."""

    module: str
    extra_seconds: list[float]
    bare_seconds: list[float]
    imports_metadata: bool
    """Whether importing the module imports ``importlib.metadata``."""

    @property
    def median(self) -> float:
        """Median over the runs of the module's time over the bare interpreter's."""
        return statistics.median(self.extra_seconds)

    @property
    def spread(self) -> tuple[float, float]:
        """Lowest and highest run."""
        return min(self.extra_seconds), max(self.extra_seconds)

    @property
    def bare_median(self) -> float:
        """Median start-up time of the bare interpreter."""
        return statistics.median(self.bare_seconds)


def _wall_time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def _imports_metadata(module: str) -> bool:
    code = f"import sys, {module}; print('importlib.metadata' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return done.stdout.strip() == "True"


def measure_import_times(runs: int, rng: random.Random) -> list[ImportTime]:
    """Measure every module of :data:`MODULES` over ``runs`` interleaved runs."""
    programs = {_BARE: _BARE, **{module: f"import {module}" for module in MODULES}}
    for code in programs.values():
        _wall_time(code)
    extra: dict[str, list[float]] = {module: [] for module in MODULES}
    bare: list[float] = []
    for _ in range(runs):
        order = list(programs)
        rng.shuffle(order)
        times = {name: _wall_time(programs[name]) for name in order}
        bare.append(times[_BARE])
        for module in MODULES:
            extra[module].append(times[module] - times[_BARE])
    return [
        ImportTime(module, extra[module], bare, _imports_metadata(module)) for module in MODULES
    ]

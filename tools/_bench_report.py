"""Markdown and console output of tools/bench.py."""

from __future__ import annotations

import datetime
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools._bench_cases import MB, Case, MiB, Settings, fs_type
from tools._bench_harness import Measurement
from tools._bench_imports import ImportTime

__all__ = [
    "RESULTS_FORMAT",
    "Outcome",
    "PlotLink",
    "machine_info",
    "render_console",
    "render_markdown",
    "render_results",
]

RESULTS_FORMAT = 1
"""Version of the layout of the results file (docs/benchmarks.json)."""


@dataclass(frozen=True)
class Outcome:
    """A measured case and whether it met its target."""

    case: Case
    measurement: Measurement

    @property
    def lib_rss(self) -> int:
        """Highest peak RSS growth of the minimalkv side over the rounds, bytes."""
        return max(self.measurement.lib_rss_growth, default=0)

    @property
    def raw_rss(self) -> int:
        """Highest peak RSS growth of the raw side over the rounds, bytes."""
        return max(self.measurement.raw_rss_growth, default=0)

    @property
    def passed(self) -> bool:
        """Whether every part of the target holds."""
        target, m = self.case.target, self.measurement
        if target.min_ratio is not None and m.ratio < target.min_ratio:
            return False
        if target.max_time_ratio is not None and m.time_ratio > target.max_time_ratio:
            return False
        return not (target.max_rss_growth is not None and self.lib_rss >= target.max_rss_growth)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def machine_info(settings: Settings) -> list[tuple[str, str]]:
    """Return (label, value) pairs describing the machine and the run."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    impl = platform.python_implementation()
    return [
        ("Date", now),
        ("CPU", f"{_cpu_model()}, {os.cpu_count()} logical CPUs"),
        ("Python", f"{impl} {platform.python_version()} ({sys.platform})"),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Load average (1, 5, 15 min) at the end", _load_average()),
        ("Small-value cases", f"`{settings.fast_dir}` ({fs_type(settings.fast_dir)})"),
        ("Large-file cases", f"`{settings.disk_dir}` ({fs_type(settings.disk_dir)})"),
    ]


def _rate(value: float, unit: str) -> str:
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:.2f} {prefix}{unit}"
    return f"{value:.1f} {unit}"


def _per_call(rate: float, unit: str) -> str:
    """A reference case's side: nanoseconds per call, then the throughput."""
    if unit != "ops/s":
        return _rate(rate, unit)
    return f"{1e9 / rate:.0f} ns/call ({_rate(rate, unit)})"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def _mb(n: int) -> str:
    return f"{n / MB:.2f} MB"


def _result(outcome: Outcome) -> str:
    if outcome.case.target.is_reference:
        return "reference"
    return "pass" if outcome.passed else "FAIL"


def _verdict(outcome: Outcome) -> str:
    return f"**{_result(outcome)}**"


@dataclass(frozen=True)
class PlotLink:
    """A plot to show in the report: its title and its path relative to the markdown file."""

    title: str
    path: str


def _plots_section(plots: Sequence[PlotLink], results_name: str | None) -> list[str]:
    out = [
        "## Plots",
        "",
        "One plot per backend or family of cases. A bar is a case's speed relative to its raw "
        "baseline (raw time / minimalkv time, the median of the per-round ratios; higher is "
        "faster), the error bar the lowest and highest round; the black tick is the target "
        "(for a large-file case the time target turned over), the dashed line parity with the "
        "baseline. Green: target met, red: missed, grey: a case without a target.",
    ]
    if results_name is not None:
        out[-1] += f" Every figure is also in the machine-readable `{results_name}`."
    out.append("")
    for plot in plots:
        out += [f"![{plot.title}]({plot.path})", ""]
    return out


def render_markdown(
    outcomes: list[Outcome],
    skipped: list[tuple[Case, str]],
    settings: Settings,
    command: str,
    quick: bool,
    imports: list[ImportTime],
    plots: Sequence[PlotLink] = (),
    results_name: str | None = None,
) -> str:
    """Return the whole of docs/benchmarks.md.

    ``plots`` are shown in a section of their own; ``results_name`` names the results file
    written beside the markdown.
    """
    out: list[str] = ["# Benchmarks", ""]
    out += [
        "Generated by `tools/bench.py`; do not edit by hand, run the command below again.",
        "",
        f"Command: `{command}`",
        "",
    ]
    if quick:
        out += [
            "> **Quick smoke run**: few rounds and small sizes; these figures are not the "
            "reference results.",
            "",
        ]
    if plots:
        out += _plots_section(plots, results_name)
    small = [o for o in outcomes if not o.case.large]
    large = [o for o in outcomes if o.case.large]
    if small:
        out += [
            "## Per-call overhead",
            "",
            f"{settings.values:,} values of {settings.value_size:,} bytes per round "
            f"(`keys()`: {settings.listings_per_round} listings of a flat store of "
            f"{settings.listed_keys:,} keys per round), {settings.rounds} rounds, chunks of "
            f"{settings.chunk} operations. Ratio = throughput of minimalkv / throughput of the "
            "raw baseline, median of the per-round ratios (lowest-highest round in brackets).",
            "",
            "| Case | Raw baseline | minimalkv | raw | Ratio | Target | Result |",
            "|---|---|---:|---:|---:|---|---|",
        ]
        for o in small:
            m, unit = o.measurement, o.case.unit
            low, high = m.spread
            show = _per_call if o.case.target.is_reference else _rate
            out.append(
                f"| {o.case.title} | {o.case.baseline} | {show(m.lib_rate, unit)} | "
                f"{show(m.raw_rate, unit)} | **{m.ratio:.2f}x** ({low:.2f}-{high:.2f}) | "
                f"{o.case.target.describe()} | {_verdict(o)} |"
            )
        out.append("")
    if large:
        out += [
            "## Large files",
            "",
            f"One file of {settings.large_size / (1 << 30):g} GiB"
            if settings.large_size >= 1 << 30
            else f"One file of {settings.large_size // MiB} MiB",
        ]
        out[-1] += (
            f" per side and round (unless a case names another size), {settings.large_rounds} "
            "rounds. Time ratio = minimalkv time / "
            "raw time, median of the per-round ratios. Peak RSS growth = highest `VmHWM` "
            "over the resident size before the call, after resetting the peak with "
            '`/proc/self/clear_refs` ("5"), over all rounds.'
        )
        out += [
            "",
            "| Case | Raw baseline | minimalkv | raw | Time ratio | Peak RSS growth "
            "(minimalkv / raw) | Target | Result |",
            "|---|---|---:|---:|---:|---:|---|---|",
        ]
        for o in large:
            m = o.measurement
            size = o.case.size or settings.large_size
            lib_s, raw_s = 1 / m.lib_rate, 1 / m.raw_rate
            out.append(
                f"| {o.case.title} | {o.case.baseline} | {lib_s:.2f} s "
                f"({_rate(size * m.lib_rate, 'B/s')}) | {raw_s:.2f} s "
                f"({_rate(size * m.raw_rate, 'B/s')}) | **{m.time_ratio:.2f}x** | "
                f"{_mb(o.lib_rss)} / {_mb(o.raw_rss)} | {o.case.target.describe()} | "
                f"{_verdict(o)} |"
            )
        out.append("")
    if imports:
        runs = len(imports[0].extra_seconds)
        out += [
            "## Import time",
            "",
            f'Wall time of `python -c "import <module>"` minus that of `python -c pass`, '
            f"fresh interpreters, median of {runs} runs (lowest-highest run in brackets); a "
            f"bare interpreter starts in {_ms(imports[0].bare_median)}.",
            "",
            "| Module | Import time | Imports `importlib.metadata` |",
            "|---|---:|---|",
        ]
        for item in imports:
            low, high = item.spread
            out.append(
                f"| `{item.module}` | **{_ms(item.median)}** ({_ms(low)}-{_ms(high)}) | "
                f"{'yes' if item.imports_metadata else 'no'} |"
            )
        out.append("")
    if skipped:
        out += ["## Not run", ""]
        out += [f"- {case.title}: {reason}" for case, reason in skipped]
        out.append("")
    out += ["## Machine", ""]
    out += [f"- {label}: {value}" for label, value in machine_info(settings)]
    out += ["", *_METHOD]
    return "\n".join(out) + "\n"


_METHOD = """\
## Method

- Each case runs its raw baseline and minimalkv **in the same process, interleaved**: the work of
  a round is cut into chunks, and for every chunk both sides run back to back in a random order
  (drawn afresh per chunk and per round). Drift of the machine (other processes, CPU frequency,
  page cache) therefore hits both sides alike. One untimed warm-up chunk per side comes first.
- The garbage collector is off while a chunk is timed and collects between rounds, so a
  collection caused by one side is never billed to the other.
- The figure of a case is the **median over the rounds of the per-round ratio**, each round
  pairing the two sides' total times of that round. Throughput columns are the medians of the
  per-round throughputs.
- Every round uses the same keys, as a store in steady state does: puts overwrite existing
  values (existing files, on the file system), gets find them. Key checking caches the keys it
  has accepted, so here a key's validation is mostly a set lookup; a key never seen before pays
  a regular-expression match once.
- Cases without a target (`DictStore`, and decorators over a `DictStore`) give nanoseconds per
  call next to their floor (a one-line dict wrapper, a bare `DictStore`): on an in-memory dict
  the layers are most of a call, and they are not traded for speed. Decorators are held to
  their targets over stores doing real work: a `FilesystemStore` on tmpfs and a `RedisStore`,
  each against the bare store of the same kind with the same keys and 1 KiB values. The
  `CacheDecorator` case reads through a `DictStore` cache, so its gets are served by the cache
  once a key was read.
- The machine may be shared (see the load average above): absolute throughputs then drop, and
  the ratios move less since both sides share the drift, though code running more instructions
  can lose a little more under contention for a core.
- Cases about the library's own overhead run on tmpfs (`/dev/shm`), so the disk does not hide
  it. The large-file cases run on disk; before every timed call the previous outputs are deleted
  (which drops their unwritten pages) and `os.sync()` runs, outside the clock.
- The baselines are the leanest honest code giving the library's guarantees: the atomic put
  creates a uniquely named temporary file in the same directory with `O_EXCL` (like
  `tempfile.mkstemp`), writes all of the data, closes it, renames it over the target with
  `os.replace`, and removes the temporary file on error. The read opens the file, reads it with one
  `os.read` asking 64 KiB (a short read of a regular file is its end; larger files loop) and
  closes it. The dict baseline is a class whose methods only index a dict.
  Both sides of a `get` case read the very same files.
- Import time: each run starts a bare interpreter (`python -c pass`) and one per module
  (`python -c "import minimalkv.fs"`), in a random order; a module's figure for the run is its
  wall time minus the bare one's, and the table gives the median over the runs. One untimed
  run first writes the bytecode caches.
- Targets are the library's performance requirements: per-call ratios for the file system,
  Redis, SQL and decorators over them, time and memory bounds for large files.
  `hatch run bench --check` exits non-zero when a target is missed; `--quick` gives a smoke
  run; `--case NAME` picks cases (a partial run prints its table and writes a file only when
  `--output` names one); `--case import-time` measures the import times alone.
""".splitlines()


def _case_results(outcome: Outcome) -> dict[str, Any]:
    case, m = outcome.case, outcome.measurement
    low, high = m.spread
    return {
        "name": case.name,
        "title": case.title,
        "baseline": case.baseline,
        "unit": case.unit,
        "large": case.large,
        "size": case.size,
        "target": {
            "min_ratio": case.target.min_ratio,
            "max_time_ratio": case.target.max_time_ratio,
            "max_rss_growth": case.target.max_rss_growth,
            "text": case.target.describe(),
        },
        "result": _result(outcome),
        "ratio": m.ratio,
        "ratio_low": low,
        "ratio_high": high,
        "time_ratio": m.time_ratio,
        "raw_rate": m.raw_rate,
        "lib_rate": m.lib_rate,
        "ops_per_round": m.ops_per_round,
        "raw_seconds": list(m.raw_seconds),
        "lib_seconds": list(m.lib_seconds),
        "raw_rss_growth": list(m.raw_rss_growth),
        "lib_rss_growth": list(m.lib_rss_growth),
    }


def render_results(
    outcomes: list[Outcome],
    skipped: list[tuple[Case, str]],
    settings: Settings,
    command: str,
    quick: bool,
    imports: list[ImportTime],
) -> dict[str, Any]:
    """Return the machine-readable results (JSON-serialisable) of a run.

    Ratios are minimalkv throughput / raw throughput (raw time / minimalkv time), medians of
    the per-round ratios; ``time_ratio`` is the median of the per-round minimalkv / raw times.
    Rates are per second in the case's ``unit`` (operations, keys; for large files, files),
    seconds are per round and side.
    """
    return {
        "format": RESULTS_FORMAT,
        "command": command,
        "quick": quick,
        "machine": dict(machine_info(settings)),
        "settings": {
            "rounds": settings.rounds,
            "values": settings.values,
            "value_size": settings.value_size,
            "chunk": settings.chunk,
            "listed_keys": settings.listed_keys,
            "listings_per_round": settings.listings_per_round,
            "large_size": settings.large_size,
            "large_rounds": settings.large_rounds,
        },
        "cases": [_case_results(o) for o in outcomes],
        "skipped": [{"name": case.name, "reason": reason} for case, reason in skipped],
        "imports": [
            {
                "module": item.module,
                "median_seconds": item.median,
                "extra_seconds": list(item.extra_seconds),
                "bare_seconds": list(item.bare_seconds),
                "imports_metadata": item.imports_metadata,
            }
            for item in imports
        ],
    }


def render_console(
    outcomes: list[Outcome], settings: Settings, imports: list[ImportTime] | None = None
) -> str:
    """Return a short plain-text table for the terminal."""
    width = max([len("case"), *(len(o.case.name) for o in outcomes)])
    lines = [f"{'case':<{width}} {'ratio':>7} {'time':>7} {'rss MB':>7}  target  result"]
    for o in outcomes:
        m = o.measurement
        rss = f"{o.lib_rss / MB:7.2f}" if o.case.large else " " * 7
        lines.append(
            f"{o.case.name:<{width}} {m.ratio:7.3f} {m.time_ratio:7.3f} {rss}  "
            f"{o.case.target.describe()}  {_result(o)}"
        )
    for item in imports or []:
        low, high = item.spread
        metadata = "imports importlib.metadata" if item.imports_metadata else ""
        lines.append(
            f"import {item.module}: {_ms(item.median)} ({_ms(low)}-{_ms(high)}) over a bare "
            f"start of {_ms(item.bare_median)} {metadata}".rstrip()
        )
    return "\n".join(lines)

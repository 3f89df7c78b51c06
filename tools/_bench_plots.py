"""Plots of tools/bench.py: one PNG per backend or family of cases, drawn from the results file.

The plots read only the machine-readable results (the dictionary that
:func:`tools._bench_report.render_results` returns and ``docs/benchmarks.json`` holds), so they
can be drawn again without running the benchmark::

    python tools/_bench_plots.py docs/benchmarks.json docs/_static/bench

Every bar is one case: its speed relative to the raw baseline (raw time / minimalkv time, the
median of the per-round ratios; higher is faster), with the lowest and highest round as an error
bar. A black tick on the bar marks the case's target (for a large-file case the target on the
time ratio, turned over); the dashed line is parity with the baseline.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = [
    "FAMILIES",
    "Bar",
    "PlotFile",
    "bars_by_family",
    "family_of",
    "write_plots",
]

FAMILIES: Final = (
    ("memory", "In memory: DictStore and decorators over a DictStore (no targets)"),
    ("filesystem", "FilesystemStore (tmpfs; large files on disk)"),
    ("decorators-fs", "Decorators over a FilesystemStore (tmpfs)"),
    ("decorators-redis", "Decorators over a RedisStore"),
    ("crypt", "HMACDecorator over a DictStore (1 MiB values)"),
    ("redis", "RedisStore"),
    ("sql", "SQLAlchemyStore (SQLite, PostgreSQL, MariaDB)"),
    ("s3", "S3Store (SeaweedFS)"),
    ("azure", "AzureBlockBlobStore (Azurite)"),
    ("gcs", "GoogleCloudStore (fake-gcs-server)"),
    ("git", "GitCommitStore (tmpfs)"),
    ("mongo", "MongoStore (nx-27017)"),
    ("other", "Other cases"),
)
"""(file stem, plot title) of every family, in the order of the report."""

_BY_PREFIX: Final = {
    "dict": "memory",
    "prefix": "memory",
    "readonly": "memory",
    "fs": "filesystem",
    "hmac": "crypt",
    "redis": "redis",
    "sql": "sql",
    "pg": "sql",
    "mariadb": "sql",
    "s3": "s3",
    "azure": "azure",
    "gcs": "gcs",
    "git": "git",
    "mongo": "mongo",
}
_DECORATORS: Final = frozenset({"prefix", "urlencode", "readonly", "cache"})
_COLOURS: Final = {"pass": "#3b8a3e", "FAIL": "#c0392b", "reference": "#8c8c8c"}
_LEGEND: Final = {"pass": "target met", "FAIL": "target missed", "reference": "no target"}


def family_of(name: str) -> str:
    """Return the family (a file stem of :data:`FAMILIES`) of the case called ``name``."""
    parts = name.split("-")
    if len(parts) > 1 and parts[0] in ("fs", "redis") and parts[1] in _DECORATORS:
        return f"decorators-{parts[0]}"
    return _BY_PREFIX.get(parts[0], "other")


@dataclass(frozen=True)
class Bar:
    """One case as drawn: its speed ratio, the spread over the rounds and its target."""

    name: str
    ratio: float
    """Median per-round ratio, raw time / minimalkv time (higher is faster)."""
    low: float
    high: float
    target: float | None
    """The lowest ratio the target allows, or ``None`` for a case without a target."""
    result: str
    """``pass``, ``FAIL`` or ``reference``."""


def _bar(case: Mapping[str, Any]) -> Bar:
    target: Mapping[str, Any] = case["target"]
    bound: float | None = None
    if target.get("min_ratio") is not None:
        bound = float(target["min_ratio"])
    elif target.get("max_time_ratio") is not None:
        bound = 1.0 / float(target["max_time_ratio"])
    return Bar(
        name=str(case["name"]),
        ratio=float(case["ratio"]),
        low=float(case["ratio_low"]),
        high=float(case["ratio_high"]),
        target=bound,
        result=str(case["result"]),
    )


def bars_by_family(results: Mapping[str, Any]) -> dict[str, list[Bar]]:
    """Group the cases of ``results`` by family, in the order of :data:`FAMILIES`."""
    grouped: dict[str, list[Bar]] = {stem: [] for stem, _ in FAMILIES}
    for case in results["cases"]:
        grouped[family_of(str(case["name"]))].append(_bar(case))
    return {stem: bars for stem, bars in grouped.items() if bars}


@dataclass(frozen=True)
class PlotFile:
    """A written plot: its family, title and path."""

    family: str
    title: str
    path: Path


def _draw(bars: Sequence[Bar], title: str, path: Path, quick: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    rows = list(reversed(bars))  # the first case at the top
    height = 1.7 + 0.42 * len(rows)
    fig, ax = plt.subplots(figsize=(8.0, height), dpi=100)
    ys = list(range(len(rows)))
    ax.barh(
        ys,
        [b.ratio for b in rows],
        color=[_COLOURS.get(b.result, "#4a6fa5") for b in rows],
        height=0.6,
        xerr=[[b.ratio - b.low for b in rows], [b.high - b.ratio for b in rows]],
        error_kw={"ecolor": "#333333", "capsize": 3, "linewidth": 1},
    )
    ax.axvline(1.0, color="#555555", linestyle="--", linewidth=1)
    for y, b in zip(ys, rows, strict=True):
        if b.target is not None:
            ax.plot([b.target, b.target], [y - 0.4, y + 0.4], color="black", linewidth=2.5)
        ax.annotate(
            f"{b.ratio:.2f}x",
            (max(b.ratio, b.high, b.target or 0.0), y),  # right of the bar, its spread, its target
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(ys, [b.name for b in rows], fontsize=9)
    values = [v for b in rows for v in (b.low, b.high, b.target or b.ratio)]
    low, high = min([*values, 1.0]), max([*values, 1.0])
    if high / low > 6:
        ax.set_xscale("log", base=2)
        ax.set_xlim(low / 1.3, high * 1.8)
    else:
        ax.set_xlim(0, high * 1.18)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
    ax.set_xlabel(
        "speed relative to the raw baseline: raw time / minimalkv time (higher is faster)"
    )
    ax.set_title(title + (" — quick smoke run" if quick else ""), fontsize=11)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    present = [r for r in ("pass", "FAIL", "reference") if any(b.result == r for b in rows)]
    handles: list[Any] = [Patch(color=_COLOURS[r], label=_LEGEND[r]) for r in present]
    if any(b.target is not None for b in rows):
        handles.append(Line2D([], [], color="black", linewidth=2.5, label="target"))
    handles.append(
        Line2D([], [], color="#555555", linestyle="--", linewidth=1, label="same as baseline")
    )
    fig.legend(handles=handles, loc="lower center", ncols=len(handles), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.3 / height, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def write_plots(results: Mapping[str, Any], out_dir: Path) -> list[PlotFile]:
    """Draw one PNG per family of ``results`` into ``out_dir``; return them in report order.

    PNG files of ``out_dir`` that this run does not draw are removed (a family whose cases were
    not run must not keep an old plot).
    """
    titles = dict(FAMILIES)
    quick = bool(results.get("quick", False))
    written: list[PlotFile] = []
    for stem, bars in bars_by_family(results).items():
        path = out_dir / f"{stem}.png"
        _draw(bars, titles[stem], path, quick)
        written.append(PlotFile(stem, titles[stem], path))
    keep = {plot.path.name for plot in written}
    if out_dir.is_dir():
        for old in out_dir.glob("*.png"):
            if old.name not in keep:
                old.unlink()
    return written


def main(argv: list[str]) -> int:
    """Draw the plots of a results file: ``RESULTS.json OUT_DIR``."""
    if len(argv) != 2:
        print("usage: python tools/_bench_plots.py RESULTS.json OUT_DIR", file=sys.stderr)
        return 2
    results = json.loads(Path(argv[0]).read_text())
    for plot in write_plots(results, Path(argv[1])):
        print(plot.path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

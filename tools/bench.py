"""Benchmark minimalkv against raw baselines, side by side in one process; write docs/benchmarks.md.

Usage (from the repository root)::

    hatch run bench                      # full run, writes docs/benchmarks.md, .json and plots
    hatch run bench --quick              # smoke run, prints only (unless --output is given)
    hatch run bench --case fs-put --case fs-get --check   # prints only
    hatch run bench --case import-time                    # import times only, prints only

``--check`` makes a missed target exit with status 1. See docs/benchmarks.md for the method.
Beside the markdown file a run that writes one also writes the machine-readable results (the
same name ending in ``.json``) and one PNG plot per backend or family of cases under
``_static/bench/`` of the markdown file's directory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the tools namespace importable
    sys.path.insert(0, str(ROOT))

from tools._bench_cases import CASES as CORE_CASES  # noqa: E402
from tools._bench_cases import (  # noqa: E402
    Case,
    MiB,
    Settings,
    filesystem_store_class,
    fs_type,
)
from tools._bench_cases_azure import AZURE_CASES  # noqa: E402
from tools._bench_cases_crypt import CRYPT_CASES  # noqa: E402
from tools._bench_cases_decorator import DECORATOR_CASES  # noqa: E402
from tools._bench_cases_gcs import GCS_CASES  # noqa: E402
from tools._bench_cases_git import GIT_CASES  # noqa: E402
from tools._bench_cases_mongo import MONGO_CASES  # noqa: E402
from tools._bench_cases_redis import REDIS_CASES  # noqa: E402
from tools._bench_cases_s3 import S3_CASES  # noqa: E402
from tools._bench_cases_sql import SQL_CASES  # noqa: E402
from tools._bench_cases_stack import STACK_CASES  # noqa: E402
from tools._bench_harness import rss_tracking_available, run_paired  # noqa: E402
from tools._bench_imports import ImportTime, measure_import_times  # noqa: E402
from tools._bench_plots import write_plots  # noqa: E402
from tools._bench_report import (  # noqa: E402
    Outcome,
    PlotLink,
    render_console,
    render_markdown,
    render_results,
)

CASES = (
    *CORE_CASES,
    *DECORATOR_CASES,
    *STACK_CASES,
    *CRYPT_CASES,
    *REDIS_CASES,
    *SQL_CASES,
    *S3_CASES,
    *AZURE_CASES,
    *GCS_CASES,
    *GIT_CASES,
    *MONGO_CASES,
)
IMPORT_TIME = "import-time"
"""The --case name of the import-time measurement (not a paired case)."""
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.md"
MEMORY_FS = {"tmpfs", "ramfs"}
PLOTS_DIR = Path("_static") / "bench"
"""Where the plots go, relative to the directory of the markdown file."""


def _default_fast_dir() -> Path:
    shm = Path("/dev/shm")  # noqa: S108 - only a parent for mkdtemp
    if shm.is_dir() and fs_type(shm) in MEMORY_FS:
        return shm
    return Path(tempfile.gettempdir())


def _default_disk_dir() -> Path:
    for candidate in (Path(tempfile.gettempdir()), ROOT.parent, ROOT):
        if candidate.is_dir() and fs_type(candidate) not in MEMORY_FS:
            return candidate
    return ROOT


def _settings(args: argparse.Namespace) -> Settings:
    quick: bool = args.quick
    rounds: int = args.rounds if args.rounds is not None else (3 if quick else 7)
    large_mib: int = args.large_mib if args.large_mib is not None else (64 if quick else 1024)
    return Settings(
        rounds=rounds,
        values=1_000 if quick else 10_000,
        value_size=1024,
        chunk=100 if quick else 500,
        listed_keys=2_000 if quick else 10_000,
        listings_per_round=4 if quick else 20,
        large_size=large_mib * MiB,
        large_rounds=min(rounds, 2) if quick else max(5, rounds),
        fast_dir=args.fast_dir or _default_fast_dir(),
        disk_dir=args.disk_dir or _default_disk_dir(),
    )


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="hatch run bench", description=__doc__.split("\n", 1)[0] if __doc__ else None
    )
    names = [case.name for case in CASES] + [IMPORT_TIME]
    parser.add_argument("--quick", action="store_true", help="few rounds and small sizes")
    parser.add_argument(
        "--case",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"run only this case (repeatable): {', '.join(names)}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"markdown file to write (default {DEFAULT_OUTPUT.relative_to(ROOT)}; "
        "a --quick run or a run of selected --case names writes only when this is given, "
        "so a partial run never replaces the full report)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--rounds", type=int, help="rounds per case (at least 5 for results)")
    parser.add_argument("--large-mib", type=int, help="size of the large-file cases in MiB")
    parser.add_argument("--fast-dir", type=Path, help="tmpfs directory for per-call cases")
    parser.add_argument("--disk-dir", type=Path, help="on-disk directory for large-file cases")
    parser.add_argument("--seed", type=int, default=2, help="seed of the interleaving order")
    parser.add_argument(
        "--import-runs", type=int, help="fresh interpreters per module for the import time"
    )
    return parser.parse_args(argv)


def _skip_reason(case: Case, settings: Settings) -> str | None:
    if case.needs_fs and filesystem_store_class() is None:
        return "`minimalkv.fs.FilesystemStore` is not available"
    if case.large:
        free = shutil.disk_usage(settings.disk_dir).free
        if free < 3 * settings.large_size + 512 * MiB:
            return f"not enough free space in {settings.disk_dir} ({free // MiB} MiB)"
        if not rss_tracking_available():
            return "peak RSS cannot be reset and read here (/proc/self/clear_refs)"
    return None


def _write_report(
    output: Path,
    outcomes: list[Outcome],
    skipped: list[tuple[Case, str]],
    settings: Settings,
    command: str,
    quick: bool,
    imports: list[ImportTime],
) -> None:
    """Write the markdown report, the results file beside it and the plots it shows."""
    results = render_results(outcomes, skipped, settings, command, quick, imports)
    results_path = output.with_suffix(".json")
    results_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {results_path}", file=sys.stderr)
    plots = write_plots(results, output.parent / PLOTS_DIR)
    links = [
        PlotLink(p.title, Path(os.path.relpath(p.path, output.parent)).as_posix()) for p in plots
    ]
    for plot in plots:
        print(f"wrote {plot.path}", file=sys.stderr)
    text = render_markdown(
        outcomes, skipped, settings, command, quick, imports, links, results_path.name
    )
    output.write_text(text)
    print(f"wrote {output}", file=sys.stderr)


def main(argv: list[str]) -> int:
    """Run the selected cases; return the exit status."""
    args = _parse(argv)
    settings = _settings(args)
    selected = [case for case in CASES if args.case is None or case.name in args.case]
    rng = random.Random(args.seed)
    outcomes: list[Outcome] = []
    skipped: list[tuple[Case, str]] = []
    imports: list[ImportTime] = []
    if args.case is None or IMPORT_TIME in args.case:
        print(f"{IMPORT_TIME}: running", file=sys.stderr, flush=True)
        runs: int = args.import_runs if args.import_runs is not None else (5 if args.quick else 21)
        imports = measure_import_times(runs, rng)
    for case in selected:
        reason = _skip_reason(case, settings)
        if reason is not None:
            print(f"{case.name}: skipped, {reason}", file=sys.stderr)
            skipped.append((case, reason))
            continue
        print(f"{case.name}: running", file=sys.stderr, flush=True)
        rounds = settings.large_rounds if case.large else settings.rounds
        with contextlib.ExitStack() as stack:
            paired = case.build(settings, stack)
            measurement = run_paired(paired, rounds, rng)
        outcomes.append(Outcome(case, measurement))
    print(render_console(outcomes, settings, imports))
    output: Path | None = args.output
    if output is None and not args.quick and args.case is None:
        output = DEFAULT_OUTPUT
    if output is not None:
        command = " ".join(["hatch run bench", *argv])
        _write_report(output, outcomes, skipped, settings, command, args.quick, imports)
    missed = [o.case.name for o in outcomes if not o.passed]
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

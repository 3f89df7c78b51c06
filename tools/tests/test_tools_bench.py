"""The benchmark's case table and report, without running a benchmark."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools._bench_cases import Case, Settings, Target  # noqa: E402
from tools._bench_harness import Measurement, Paired  # noqa: E402
from tools._bench_imports import ImportTime  # noqa: E402
from tools._bench_plots import bars_by_family, family_of, write_plots  # noqa: E402
from tools._bench_report import (  # noqa: E402
    Outcome,
    PlotLink,
    render_console,
    render_markdown,
    render_results,
)
from tools.bench import CASES  # noqa: E402
from tools.bench import main as bench_main  # noqa: E402

TARGETS = {case.name: case.target for case in CASES}


def test_in_memory_per_call_cases_have_no_target() -> None:
    for name in ("dict-get", "dict-put", "prefix-get", "prefix-put", "readonly-get"):
        assert TARGETS[name].is_reference, name


def test_filesystem_targets() -> None:
    assert TARGETS["fs-put"] == Target(min_ratio=0.8)
    assert TARGETS["fs-get"] == Target(min_ratio=0.9)
    assert TARGETS["fs-keys"] == Target(min_ratio=0.67)
    for name in ("fs-get-file", "fs-put-file"):
        assert TARGETS[name] == Target(max_time_ratio=1.2, max_rss_growth=32_000_000)


def test_s3_targets() -> None:
    for name in ("s3-put", "s3-get"):
        assert TARGETS[name] == Target(min_ratio=0.9), name
    for name in ("s3-put-many", "s3-get-many"):
        assert TARGETS[name] == Target(min_ratio=3.0), name
    assert TARGETS["s3-delete-many"] == Target(min_ratio=10.0)
    for name in ("s3-put-file-large", "s3-get-file-large"):
        assert TARGETS[name] == Target(max_time_ratio=1 / 0.9, max_rss_growth=64_000_000), name


def test_every_decorator_over_filesystem_and_redis() -> None:
    for backend, ratio in (("fs", 0.9), ("redis", 0.95)):
        for decorator in ("prefix", "urlencode", "readonly", "cache"):
            operations = ("get",) if decorator == "readonly" else ("get", "put")
            for operation in operations:
                name = f"{backend}-{decorator}-{operation}"
                assert TARGETS[name] == Target(min_ratio=ratio), name


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        rounds=2,
        values=10,
        value_size=1024,
        chunk=5,
        listed_keys=10,
        listings_per_round=1,
        large_size=1 << 20,
        large_rounds=1,
        fast_dir=tmp_path,
        disk_dir=tmp_path,
    )


def _never(settings: Settings, stack: object) -> Paired:
    raise AssertionError("not built in this test")


def test_report_gives_ns_per_call_and_import_times(tmp_path: Path) -> None:
    reference = Case("dict-get", "`DictStore.get`", "floor", Target(), _never)
    measured = Measurement(ops_per_round=1000, raw_seconds=[20e-6, 20e-6], lib_seconds=[1e-4] * 2)
    imports = [ImportTime("minimalkv.fs", [0.012, 0.010, 0.011], [0.02] * 3, False)]
    text = render_markdown(
        [Outcome(reference, measured)], [], _settings(tmp_path), "hatch run bench", False, imports
    )
    assert "| 100 ns/call (10.00 Mops/s) | 20 ns/call (50.00 Mops/s) |" in text
    assert "| `minimalkv.fs` | **11.0 ms** (10.0 ms-12.0 ms) | no |" in text
    assert "issue" not in text.lower()
    console = render_console([Outcome(reference, measured)], _settings(tmp_path), imports)
    assert "import minimalkv.fs: 11.0 ms" in console


def _outcome(name: str, target: Target, raw: list[float], lib: list[float]) -> Outcome:
    case = Case(name, f"`{name}`", "baseline", target, _never, large=name.endswith("-file"))
    return Outcome(case, Measurement(ops_per_round=100, raw_seconds=raw, lib_seconds=lib))


def test_family_of_every_case() -> None:
    assert family_of("fs-put") == "filesystem"
    assert family_of("fs-prefix-get") == "decorators-fs"
    assert family_of("redis-cache-put") == "decorators-redis"
    assert family_of("redis-get-many") == "redis"
    assert family_of("mariadb-get") == "sql"
    assert family_of("prefix-floor-get") == "memory"
    assert family_of("unknown-case") == "other"
    assert all(family_of(case.name) != "other" for case in CASES)


def test_results_file_and_plots_of_a_tiny_run(tmp_path: Path) -> None:
    outcomes = [
        _outcome("dict-get", Target(), [1.0, 1.0, 1.0], [2.0, 2.5, 3.0]),
        _outcome("fs-put", Target(min_ratio=0.8), [1.0, 1.0, 1.0], [1.1, 1.2, 1.3]),
        _outcome("fs-get-file", Target(max_time_ratio=1.2), [1.0, 1.0, 1.0], [1.5, 1.4, 1.6]),
        _outcome("fs-cache-get", Target(min_ratio=0.9), [1.0, 1.0, 1.0], [0.01, 0.02, 0.5]),
    ]
    settings = _settings(tmp_path)
    results = render_results(outcomes, [], settings, "hatch run bench", True, [])
    results = json.loads(json.dumps(results))  # what the results file holds
    assert [case["result"] for case in results["cases"]] == ["reference", "pass", "FAIL", "pass"]
    assert results["cases"][1]["ratio"] == pytest.approx(1 / 1.2)
    assert results["cases"][2]["time_ratio"] == pytest.approx(1.5)
    assert results["cases"][2]["target"]["max_time_ratio"] == 1.2
    out_dir = tmp_path / "_static" / "bench"
    out_dir.mkdir(parents=True)
    (out_dir / "stale.png").write_bytes(b"old plot of a family not run now")
    plots = write_plots(results, out_dir)
    assert [plot.family for plot in plots] == ["memory", "filesystem", "decorators-fs"]
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "decorators-fs.png",
        "filesystem.png",
        "memory.png",
    ]
    for plot in plots:
        assert plot.path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    bars = bars_by_family(results)
    assert bars["filesystem"][1].target == pytest.approx(1 / 1.2)
    assert bars["memory"][0].target is None
    links = [PlotLink(plot.title, f"_static/bench/{plot.path.name}") for plot in plots]
    text = render_markdown(outcomes, [], settings, "x", True, [], links, "benchmarks.json")
    assert "![FilesystemStore (tmpfs; large files on disk)](_static/bench/filesystem.png)" in text
    assert "`benchmarks.json`" in text


def test_a_run_with_output_writes_results_and_plots_beside_it(tmp_path: Path) -> None:
    output = tmp_path / "site" / "bench.md"
    output.parent.mkdir()
    argv = ["--quick", "--case", "dict-get", "--rounds", "1", "--output", str(output)]
    assert bench_main([*argv, "--fast-dir", str(tmp_path), "--disk-dir", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "site" / "bench.json").read_text())
    assert [case["name"] for case in results["cases"]] == ["dict-get"]
    assert (tmp_path / "site" / "_static" / "bench" / "memory.png").is_file()
    assert "](_static/bench/memory.png)" in output.read_text()

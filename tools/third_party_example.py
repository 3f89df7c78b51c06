"""Prove that a project outside the workspace can reuse the contract suite from built wheels.

Builds the wheels of minimalkv-core and minimalkv-contract, creates a fresh virtual environment
in a temporary directory, installs those wheels (not editable) and the example project of
docs/examples/third-party-backend, then runs its tests with pytest and mypy --strict on its
test file. Exits non-zero when any step fails. Run it with `hatch run third-party`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "third-party-backend"
PACKAGES = [ROOT / "packages" / "minimalkv-core", ROOT / "tests-contract"]


def run(command: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    started = time.monotonic()
    print(f"$ {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=cwd, env=env, check=True)
    print(f"  ({time.monotonic() - started:.1f} s)", flush=True)


def build_wheels(dist: Path) -> list[Path]:
    uv = shutil.which("uv")
    for package in PACKAGES:
        if uv:
            run([uv, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(package)])
        else:
            run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(package)])
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != len(PACKAGES):
        raise SystemExit(f"expected {len(PACKAGES)} wheels in {dist}, found {wheels}")
    return wheels


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="minimalkv-third-party-") as scratch:
        work = Path(scratch)
        wheels = build_wheels(work / "dist")
        venv = work / "venv"
        run([sys.executable, "-m", "venv", str(venv)])
        python = str(venv / "bin" / "python")
        project = work / "project"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            + [str(wheel) for wheel in wheels]
            + [f"{project}[test]", "mypy"]
        )
        run([python, "-m", "pip", "list", "--disable-pip-version-check"])
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        # Run from the copy, so that nothing of the repository is importable by accident.
        run([python, "-m", "pytest", "-q", "tests"], cwd=project, env=env)
        run(
            [python, "-m", "mypy", "--strict", "--no-incremental", "tests/test_example_backend.py"],
            cwd=project,
            env=env,
        )
    print("third-party reuse: OK")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as failure:
        print(f"third-party reuse FAILED: {failure}", file=sys.stderr)
        sys.exit(1)

"""Build the wheelhouse: a wheel and an sdist of every distribution, checked as a user gets them.

``build_wheelhouse`` builds each distribution under packages/ and tests-contract/ with
``python -m build`` (the sdist first, then the wheel from the unpacked sdist, so the sdist is
proven complete) and ``check_wheelhouse`` verifies what pip will install: every wheel and sdist
carries the LICENSE, no two wheels write the same file, and only the ``minimalkv`` wheel writes
a file at a path minimalkv 1.x installed (pip's in-place upgrade from 1.x depends on it).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.version import Version

from tools import _versions
from tools.check_layout import META, MINIMALKV1_PATHS

__all__ = ["build_wheelhouse", "check_wheelhouse", "install_commands"]


def _build(source: Path, out: Path) -> None:
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"building {source.name} failed ({' '.join(command)}):\n{done.stdout}\n{done.stderr}"
        )


def build_wheelhouse(root: Path, out: Path, *, workers: int = 2) -> list[Path]:
    """Build every distribution of ``root`` into ``out`` (emptied first); return the files."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("*.whl"), *out.glob("*.tar.gz")]:
        stale.unlink()
    sources = [path.parent for path in _versions.distribution_pyprojects(root)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda source: _build(source, out), sources))
    built = sorted([*out.glob("*.whl"), *out.glob("*.tar.gz")])
    if len(built) != 2 * len(sources):
        raise RuntimeError(f"expected {2 * len(sources)} files in {out}, found {len(built)}")
    return built


def _wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return [name for name in archive.namelist() if not name.endswith("/")]


def check_wheelhouse(out: Path) -> list[str]:
    """Return one line per problem of the wheelhouse in ``out`` (empty when it is sound)."""
    problems: list[str] = []
    owners: dict[str, str] = {}
    for wheel in sorted(out.glob("*.whl")):
        name = wheel.name.split("-", 1)[0].replace("_", "-")
        files = _wheel_files(wheel)
        if not any(file.endswith(".dist-info/licenses/LICENSE") for file in files):
            problems.append(f"{wheel.name}: no .dist-info/licenses/LICENSE")
        for file in files:
            if ".dist-info/" in file:
                continue
            if file in owners:
                problems.append(f"{file} is in both {owners[file]} and {wheel.name}")
            owners[file] = wheel.name
            relative = file.removeprefix("minimalkv/")
            if name != META and relative in MINIMALKV1_PATHS:
                problems.append(
                    f"{wheel.name} writes {file}, a path of minimalkv 1.x: only {META} may"
                )
    for sdist in sorted(out.glob("*.tar.gz")):
        with tarfile.open(sdist) as archive:
            names = archive.getnames()
        top = sdist.name.removesuffix(".tar.gz")
        if f"{top}/LICENSE" not in names:
            problems.append(f"{sdist.name}: no LICENSE")
    return problems


def install_commands(version: str, out: str = "dist") -> list[str]:
    """Return the commands that install from the wheelhouse in ``out``, for ``version``."""
    # pip takes a pre-release (2.1.0.dev0) only when asked for by its version.
    pin = f"=={version}" if Version(version).is_prerelease else ""
    return [
        f'pip install --find-links {out} "minimalkv{pin}"',
        f'pip install --find-links {out} "minimalkv[redis,s3]{pin}"',
    ]

"""Check the monorepo's layout rules; exit non-zero with one line per violation.

Rules: every distribution (packages/* and tests-contract) has a pyproject.toml, a README.md, a
py.typed in its import package and a tests/ folder with at least one test file; mypy.ini's
mypy_path lists every src/ folder; test file names are unique across the repository (mypy and
pytest need that); distribution minimalkv-X provides the import package minimalkv.X; every
distribution has the one version of minimalkv-core's ``_version.py`` and pins the others it
depends on to it (tools/_versions.py; tools/set_version.py rewrites them).
"""

from __future__ import annotations

import configparser
import sys
from collections import defaultdict
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the tools namespace importable
    sys.path.insert(0, str(ROOT))

from tools import _versions  # noqa: E402

REQUIRED_TOP_LEVEL = ("packages", "tools", "tests-contract", "docs", "hatch.toml", "mypy.ini")
SKIP_DIRS = {".venv", "build", "dist", "__pycache__", ".git", ".mypy_cache", ".ruff_cache"}


def distributions() -> list[Path]:
    packages = sorted(p for p in (ROOT / "packages").iterdir() if p.is_dir())
    return [*packages, ROOT / "tests-contract"]


def import_package(dist: Path, name: str) -> Path:
    src = dist / "src" / "minimalkv"
    if name == "minimalkv-core":
        return src
    suffix = name.removeprefix("minimalkv-")
    return src / suffix


def walk(path: Path) -> list[Path]:
    found: list[Path] = []
    for child in path.iterdir():
        if child.name in SKIP_DIRS:
            continue
        if child.is_dir():
            found.extend(walk(child))
        else:
            found.append(child)
    return found


def check() -> list[str]:
    problems: list[str] = []
    for entry in (*REQUIRED_TOP_LEVEL, "README.md"):
        if not (ROOT / entry).exists():
            problems.append(f"top level: {entry} is missing")

    parser = configparser.ConfigParser()
    parser.read(ROOT / "mypy.ini")
    mypy_path = {
        part.strip()
        for part in parser.get("mypy", "mypy_path", fallback="").split(",")
        if part.strip()
    }

    for dist in distributions():
        rel = dist.relative_to(ROOT)
        pyproject = dist / "pyproject.toml"
        if not pyproject.is_file():
            problems.append(f"{rel}: no pyproject.toml")
            continue
        meta = tomllib.loads(pyproject.read_text())
        name = meta.get("project", {}).get("name", "")
        backend = meta.get("build-system", {}).get("build-backend", "")
        if backend != "hatchling.build":
            problems.append(f"{rel}: build backend is {backend!r}, expected hatchling.build")
        if dist.parent.name == "packages" and name != dist.name:
            problems.append(f"{rel}: distribution is named {name!r}, expected {dist.name!r}")
        if not (dist / "README.md").is_file():
            problems.append(f"{rel}: no README.md")
        package = import_package(dist, name if name else dist.name)
        if name == "minimalkv-contract":
            package = dist / "src" / "minimalkv" / "contract"
        if name == "minimalkv":  # the meta-distribution ships no code
            continue
        if not (package / "py.typed").is_file():
            problems.append(f"{rel}: {package.relative_to(ROOT)}/py.typed is missing")
        if not (package / "__init__.py").is_file():
            problems.append(f"{rel}: {package.relative_to(ROOT)}/__init__.py is missing")
        if name != "minimalkv-core" and (dist / "src" / "minimalkv" / "__init__.py").exists():
            problems.append(
                f"{rel}: ships src/minimalkv/__init__.py; only minimalkv-core may (namespace)"
            )
        tests = dist / "tests"
        if not tests.is_dir() or not any(tests.glob("test_*.py")):
            problems.append(f"{rel}: no tests/test_*.py")
        src = f"{rel}/src"
        if (dist / "src").is_dir() and src not in mypy_path:
            problems.append(f"mypy.ini: mypy_path does not list {src}")

    for listed in sorted(mypy_path):
        if not (ROOT / listed).is_dir():
            problems.append(f"mypy.ini: mypy_path lists {listed}, which does not exist")

    seen: dict[str, list[Path]] = defaultdict(list)
    for base in (ROOT / "packages", ROOT / "tests-contract", ROOT / "tools", ROOT / "docs"):
        for path in walk(base):
            if path.suffix == ".py" and (
                path.name.startswith("test_") or path.name.startswith("typing_")
            ):
                seen[path.name].append(path.relative_to(ROOT))
    for file_name, paths in sorted(seen.items()):
        if len(paths) > 1:
            problems.append(
                f"test file name {file_name} is not unique: {', '.join(map(str, paths))}"
            )
    problems += _versions.check(ROOT)
    return problems


def main() -> int:
    problems = check()
    for problem in problems:
        print(f"layout: {problem}")
    if problems:
        print(f"layout check failed: {len(problems)} problem(s)")
        return 1
    print(f"layout check passed: {len(distributions())} distributions")
    return 0


if __name__ == "__main__":
    sys.exit(main())

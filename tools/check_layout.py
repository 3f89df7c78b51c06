"""Check the monorepo's layout rules; exit non-zero with one line per violation.

Rules: every distribution (packages/* and tests-contract) has a pyproject.toml, a README.md, a
py.typed in its import package and a tests/ folder with at least one test file; mypy.ini's
mypy_path lists every src/ folder; test file names are unique across the repository (mypy and
pytest need that); distribution minimalkv-X provides the import package minimalkv.X; every
distribution has the one version of minimalkv-core's ``_version.py`` and pins the others it
depends on to it (tools/_versions.py; tools/set_version.py rewrites them); every distribution
carries the repository's LICENSE.

minimalkv 1.x installed the files of :data:`MINIMALKV1_PATHS`. pip replaces 1.x only when it
installs the ``minimalkv`` distribution, after the parts that distribution depends on, and the
removal deletes every file at those paths. So only ``minimalkv`` (packages/minimalkv) may ship a
file at one of them, it ships nothing else but its two private modules, and the list of 1.x's
own files that its import check looks for is exactly the rest.
"""

from __future__ import annotations

import configparser
import runpy
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

MINIMALKV1_PATHS = frozenset(
    {
        "__init__.py",
        "_boto.py",
        "_constants.py",
        "_get_store.py",
        "_hstores.py",
        "_key_value_store.py",
        "_mixins.py",
        "_store_creation.py",
        "_store_decoration.py",
        "_url_utils.py",
        "_urls.py",
        "cache.py",
        "crypt.py",
        "decorator.py",
        "fs.py",
        "fsspecstore.py",
        "git.py",
        "idgen.py",
        "py.typed",
        "contrib/__init__.py",
        "db/__init__.py",
        "db/mongo.py",
        "db/sql.py",
        "memory/__init__.py",
        "memory/redisstore.py",
        "net/__init__.py",
        "net/_aws_refreshable_session.py",
        "net/_azurestore_common.py",
        "net/_azurestore_new.py",
        "net/_azurestore_old.py",
        "net/_net_common.py",
        "net/azurestore.py",
        "net/boto3store.py",
        "net/botostore.py",
        "net/gcstore.py",
        "net/s3fsstore.py",
    }
)
"""The files minimalkv 1.11.2 installs under ``minimalkv/`` (its wheel's RECORD)."""

META = "minimalkv"
META_OWN_MODULES = frozenset({"_minimalkv1.py", "_moved.py"})
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


def _shipped(dist: Path) -> set[str]:
    """Return the files under src/minimalkv/ of ``dist``, relative to it."""
    src = dist / "src" / "minimalkv"
    if not src.is_dir():
        return set()
    return {path.relative_to(src).as_posix() for path in walk(src)}


def _check_minimalkv1_paths(dist: Path, rel: Path, name: str) -> list[str]:
    shipped = _shipped(dist)
    if name == "minimalkv-core":
        # An editable install needs core's own py.typed; its wheel leaves it out.
        wheel = tomllib.loads((dist / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
        if "src/minimalkv/py.typed" in wheel["targets"]["wheel"].get("exclude", []):
            shipped.discard("py.typed")
    if name != META:
        return [
            f"{rel}: ships src/minimalkv/{path}, a path of minimalkv 1.x; only the {META} "
            "distribution (packages/minimalkv) may ship it"
            for path in sorted(shipped & MINIMALKV1_PATHS)
        ]
    problems = [
        f"{rel}: ships src/minimalkv/{path}, which is not a path of minimalkv 1.x; it belongs "
        "to a minimalkv-* distribution"
        for path in sorted(shipped - MINIMALKV1_PATHS - META_OWN_MODULES)
    ]
    everything = set().union(*(_shipped(other) for other in distributions()))
    module = runpy.run_path(str(dist / "src" / "minimalkv" / "_minimalkv1.py"))
    only_1x = frozenset(module["MINIMALKV1_ONLY_FILES"])
    expected = MINIMALKV1_PATHS - everything
    if only_1x != expected:
        problems.append(
            f"{rel}: _minimalkv1.MINIMALKV1_ONLY_FILES must list exactly the 1.x files no "
            f"distribution ships: add {sorted(expected - only_1x)}, remove "
            f"{sorted(only_1x - expected)}"
        )
    return problems


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
        if name == META:
            package = dist / "src" / "minimalkv"
        if (
            not (dist / "LICENSE").is_file()
            or (dist / "LICENSE").read_bytes() != (ROOT / "LICENSE").read_bytes()
        ):
            problems.append(f"{rel}: LICENSE is missing or differs from the repository's LICENSE")
        if name != "minimalkv-core":
            # core's package directory is minimalkv/ itself, whose __init__.py and py.typed are
            # at 1.x paths (shipped by the minimalkv distribution); memory's __init__.py too.
            if not (package / "py.typed").is_file():
                problems.append(f"{rel}: {package.relative_to(ROOT)}/py.typed is missing")
            if name != "minimalkv-memory" and not (package / "__init__.py").is_file():
                problems.append(f"{rel}: {package.relative_to(ROOT)}/__init__.py is missing")
        problems += _check_minimalkv1_paths(dist, rel, name)
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

"""One version for every distribution of the monorepo: where it lives, how to check and set it.

The version is written once, in minimalkv-core's ``_version.py`` (``__version__ = "X.Y.Z"``,
which hatchling reads for core and the library reports at run time). Every other distribution
(packages/* and tests-contract) has a static ``version = "X.Y.Z"`` equal to it, and pins each
distribution of this repository it depends on to exactly that version
(``minimalkv-core==X.Y.Z``), so a release installs parts built together. ``check`` lists every
drift; ``set_version`` rewrites all of them (tools/set_version.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "VERSION_FILE",
    "check",
    "distribution_pyprojects",
    "read_version",
    "set_version",
    "validate",
]

VERSION_FILE = Path("packages", "minimalkv-core", "src", "minimalkv", "_version.py")
"""The one source of the version, relative to the repository root."""

CORE = "minimalkv-core"
_VERSION_ASSIGNMENT = re.compile(r'^__version__ = "([^"]*)"$', re.MULTILINE)
_PROJECT_VERSION = re.compile(r'^version = "[^"]*"$', re.MULTILINE)
_QUOTED = re.compile(r'"[^"]*"')
_QUOTED_REQUIREMENT = re.compile(r'"([A-Za-z0-9][A-Za-z0-9._-]*)((?:\[[^\]]*\])?)([^"]*)"')


def validate(version: str) -> str:
    """Return ``version`` if it is a normalized PEP 440 version; raise ValueError otherwise."""
    try:
        normalized = str(Version(version))
    except InvalidVersion:
        raise ValueError(
            f"{version!r} is not a PEP 440 version (e.g. 2.1.0 or 2.1.0.dev0)"
        ) from None
    if normalized != version:
        raise ValueError(f"{version!r} is not in normal form: write {normalized!r}")
    return version


def read_version(root: Path) -> str:
    """Return the version written in :data:`VERSION_FILE` under ``root``."""
    path = root / VERSION_FILE
    found = _VERSION_ASSIGNMENT.findall(path.read_text())
    if len(found) != 1:
        raise ValueError(f'{VERSION_FILE}: expected one line `__version__ = "X.Y.Z"`')
    return str(found[0])


def distribution_pyprojects(root: Path) -> list[Path]:
    """Return the pyproject.toml of every distribution: packages/* and tests-contract."""
    packages = sorted(path for path in (root / "packages").glob("*/pyproject.toml"))
    return [*packages, root / "tests-contract" / "pyproject.toml"]


def _project(path: Path) -> dict[str, object]:
    project = tomllib.loads(path.read_text()).get("project", {})
    return project if isinstance(project, dict) else {}


def _internal_names(root: Path) -> set[str]:
    return {
        canonicalize_name(str(_project(path).get("name", "")))
        for path in distribution_pyprojects(root)
    }


def _requirements(project: dict[str, object]) -> list[str]:
    found: list[str] = []
    dependencies = project.get("dependencies", [])
    if isinstance(dependencies, list):
        found += [str(item) for item in dependencies]
    optional = project.get("optional-dependencies", {})
    if isinstance(optional, dict):
        for extra in optional.values():
            if isinstance(extra, list):
                found += [str(item) for item in extra]
    return found


def check(root: Path) -> list[str]:
    """Return one line per version drift under ``root`` (empty when all agree)."""
    try:
        version = validate(read_version(root))
    except (OSError, ValueError) as error:
        return [f"version: {error}"]
    internal = _internal_names(root)
    problems: list[str] = []
    for path in distribution_pyprojects(root):
        rel = path.relative_to(root)
        project = _project(path)
        name = str(project.get("name", ""))
        if name == CORE:
            if project.get("dynamic") != ["version"] or "version" in project:
                problems.append(f"{rel}: {CORE} takes its version from {VERSION_FILE} (dynamic)")
        elif project.get("version") != version:
            problems.append(
                f"{rel}: version is {project.get('version')!r}, expected {version!r} "
                f"(from {VERSION_FILE}; run tools/set_version.py {version})"
            )
        for text in _requirements(project):
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                problems.append(f"{rel}: dependency {text!r} is not a valid requirement")
                continue
            if canonicalize_name(requirement.name) not in internal:
                continue
            if str(requirement.specifier) != f"=={version}":
                problems.append(
                    f"{rel}: dependency {text!r} must pin {requirement.name}=={version} "
                    f"(run tools/set_version.py {version})"
                )
    return problems


def _pin_line(line: str, internal: set[str], version: str) -> str:
    def pin(match: re.Match[str]) -> str:
        name, extras, _spec = match.groups()
        if canonicalize_name(name) not in internal:
            return match.group(0)
        return f'"{name}{extras}=={version}"'

    return _QUOTED_REQUIREMENT.sub(pin, line)


def set_version(root: Path, version: str) -> list[Path]:
    """Write ``version`` everywhere under ``root``; return the files changed.

    Rewrites :data:`VERSION_FILE`, the ``version = "..."`` line of every other distribution's
    ``[project]`` table and every requirement of an internal distribution in the dependency
    lists (pinned ``==version``); nothing else of those files changes.
    """
    validate(version)
    internal = _internal_names(root)
    changed: list[Path] = []

    def write(path: Path, text: str) -> None:
        if path.read_text() != text:
            path.write_text(text)
            changed.append(path)

    version_path = root / VERSION_FILE
    old = version_path.read_text()
    write(version_path, _VERSION_ASSIGNMENT.sub(f'__version__ = "{version}"', old, count=1))
    for path in distribution_pyprojects(root):
        lines: list[str] = []
        section = ""
        in_list = False  # inside a dependency list that spans lines
        for line in path.read_text().splitlines(keepends=True):
            stripped = line.strip()
            closes = "]" in _QUOTED.sub("", stripped)
            if in_list:
                line = _pin_line(line, internal, version)
                in_list = not closes
            elif stripped.startswith("["):
                section = stripped
            elif section == "[project]" and _PROJECT_VERSION.match(stripped):
                line = line.replace(stripped, f'version = "{version}"')
            elif (section == "[project]" and stripped.startswith("dependencies")) or (
                section == "[project.optional-dependencies]" and "=" in stripped
            ):
                line = _pin_line(line, internal, version)
                in_list = not closes
            lines.append(line)
        write(path, "".join(lines))
    return changed

"""One version for every distribution: the check finds each drift, set_version removes it.

The tests work on a copy of the repository's version source and pyproject files in a temporary
directory, so the checkout is never written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools._versions import (  # noqa: E402
    VERSION_FILE,
    check,
    distribution_pyprojects,
    read_version,
    set_version,
    validate,
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what the version rules read: the version source and every pyproject.toml."""
    for path in [ROOT / VERSION_FILE, *distribution_pyprojects(ROOT)]:
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_repository_versions_agree() -> None:
    assert check(ROOT) == []


def test_every_distribution_is_covered() -> None:
    names = {path.parent.name for path in distribution_pyprojects(ROOT)}
    assert {"minimalkv-core", "minimalkv-fs", "tests-contract"} <= names
    assert len(names) == len(list((ROOT / "packages").iterdir())) + 1


def test_a_drifting_version_is_reported(tree: Path) -> None:
    version = read_version(tree)
    _edit(tree / "packages/minimalkv-fs/pyproject.toml", f'"{version}"', '"9.9.9"')
    problems = check(tree)
    assert len(problems) == 1
    assert "minimalkv-fs/pyproject.toml: version is '9.9.9'" in problems[0]
    assert "tools/set_version.py" in problems[0]


def test_an_unpinned_internal_dependency_is_reported(tree: Path) -> None:
    version = read_version(tree)
    _edit(
        tree / "packages/minimalkv-cache/pyproject.toml",
        f'"minimalkv-decorator=={version}"',
        '"minimalkv-decorator>=2"',
    )
    problems = check(tree)
    assert problems == [
        "packages/minimalkv-cache/pyproject.toml: dependency 'minimalkv-decorator>=2' must pin "
        f"minimalkv-decorator=={version} (run tools/set_version.py {version})"
    ]


def test_a_pin_to_another_version_is_reported(tree: Path) -> None:
    version = read_version(tree)
    _edit(
        tree / "tests-contract/pyproject.toml", f"minimalkv-core=={version}", "minimalkv-core==1.0"
    )
    assert len(check(tree)) == 1


def test_changing_the_source_alone_makes_every_other_distribution_drift(tree: Path) -> None:
    _edit(tree / VERSION_FILE, read_version(tree), "3.0.0")
    problems = check(tree)
    others = len(distribution_pyprojects(tree)) - 1
    assert len([p for p in problems if "version is" in p]) == others


def test_set_version_rewrites_everything_and_only_that(tree: Path) -> None:
    before = {path: path.read_text() for path in distribution_pyprojects(tree)}
    old = read_version(tree)
    changed = set_version(tree, "3.1.0rc1")
    assert read_version(tree) == "3.1.0rc1"
    assert check(tree) == []
    assert tree / VERSION_FILE in changed
    for path, text in before.items():
        after = path.read_text()
        assert after.replace("3.1.0rc1", old) == text, f"{path} changed beyond its version"


def test_set_version_pins_a_dependency_list_over_several_lines(tree: Path) -> None:
    path = tree / "packages/minimalkv-cache/pyproject.toml"
    version = read_version(tree)
    _edit(
        path,
        f'dependencies = ["minimalkv-core=={version}", "minimalkv-decorator=={version}"]',
        'dependencies = [\n  "minimalkv-core",\n  "minimalkv-decorator[x]>=1",\n  "other>=1",\n]',
    )
    set_version(tree, "3.2.0")
    text = path.read_text()
    assert '  "minimalkv-core==3.2.0",\n  "minimalkv-decorator[x]==3.2.0",\n  "other>=1",\n' in text
    assert check(tree) == []


@pytest.mark.parametrize("bad", ["three", "3.0.0-dev", "v3.0", "3.0.0.DEV0"])
def test_set_version_refuses_what_is_not_a_normal_pep440_version(tree: Path, bad: str) -> None:
    with pytest.raises(ValueError, match=r"PEP 440|normal form"):
        set_version(tree, bad)
    assert check(tree) == []


def test_validate_accepts_release_and_development_versions() -> None:
    assert validate("2.0.0") == "2.0.0"
    assert validate("2.0.0.dev0") == "2.0.0.dev0"


def test_set_version_script_and_layout_check(tree: Path) -> None:
    script = ROOT / "tools" / "set_version.py"
    done = subprocess.run(
        [sys.executable, str(script), "4.0.0", "--root", str(tree)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "-> 4.0.0" in done.stdout
    assert read_version(tree) == "4.0.0"
    refused = subprocess.run(
        [sys.executable, str(script), "four", "--root", str(tree)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "not a PEP 440 version" in refused.stderr

"""docs/writing-a-backend.md, followed literally, gives a backend that passes its own checks.

The page's code blocks that start with a comment naming a file (``# mystore/_store.py``) are
that file, whole. The test writes them into a temporary project, type-checks it with
``mypy --strict`` (the strictness settings and sources of the repository's mypy.ini) and runs
the page's tests with pytest: every test passes, none is skipped. Registering the page's entry
point needs ``pip install -e .``; the page's tests call the store type directly instead, so
the project directory on ``PYTHONPATH`` is all they need (the page says so). The installed
entry point is checked by ``hatch run third-party`` (tools/third_party_example.py), which
installs the page's project from built wheels.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.third_party_example import BACKEND_PAGE, page_files, write_page_project  # noqa: E402

FILES = {
    "pyproject.toml",
    "mystore/__init__.py",
    "mystore/_client.py",
    "mystore/_errors.py",
    "mystore/_store.py",
    "mystore/_factory.py",
    "tests/test_mystore.py",
}


def mypy_config() -> str:
    """The repository's mypy.ini for another tree: its strictness and its packages' sources.

    The sources of minimalkv come from the repository's ``mypy_path`` (made absolute), as for
    every other check of the repository.
    """
    parser = configparser.ConfigParser()
    parser.read(ROOT / "mypy.ini")
    options = parser["mypy"]
    assert options.getboolean("strict")
    lines = [
        f"{name} = {options[name]}"
        for name in ("strict", "warn_unreachable", "enable_error_code")
        if name in options
    ]
    sources = [entry.strip() for entry in options["mypy_path"].split(",") if entry.strip()]
    lines.append("mypy_path = " + ", ".join(str(ROOT / entry) for entry in sources))
    return "[mypy]\n" + "".join(f"{line}\n" for line in lines)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("writing-a-backend")
    write_page_project(directory)
    return directory


def environment(project: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CI", None)  # the page's default profile, whatever runs this test
    # The project directory first, instead of `pip install -e .`.
    env["PYTHONPATH"] = os.pathsep.join([str(project), *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_the_page_is_a_complete_project() -> None:
    assert set(page_files(BACKEND_PAGE.read_text())) == FILES


def test_the_page_passes_mypy_strict(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text(mypy_config())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            "mystore",
            "tests",
        ],
        cwd=project,
        env=environment(project),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"mypy --strict on the page:\n{result.stdout}{result.stderr}"


def test_the_page_passes_its_contract_suite(project: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--hypothesis-profile",
            "dev",
            "-rA",  # a line per test: PASSED, SKIPPED, FAILED, ERROR, ...
            f"--basetemp={tmp_path / 'tmp'}",
        ],
        cwd=project,
        env=environment(project),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = f"{result.stdout}{result.stderr}"
    assert result.returncode == 0, f"pytest on the page's project:\n{output}"
    outcomes: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        word, _, test = line.partition(" ")
        if word in {"PASSED", "SKIPPED", "FAILED", "ERROR", "XFAIL", "XPASS"}:
            outcomes.setdefault(word, []).append(test.rpartition("::")[2])
    assert set(outcomes) == {"PASSED"}, f"not every test passed:\n{output}"
    # The whole contract ran: the copy tests (declared), the memory bound and the typing test.
    passed = set(outcomes["PASSED"])
    assert len(passed) > 150, output
    for expected in (
        "test_declared_capabilities_match_store",
        "test_memory_bound_put_file[path]",
        "test_memory_bound_put_file[fileobj]",
        "test_memory_bound_get_file[path]",
        "test_copy_overwrites_dest",
        "test_state_machine_agrees_with_dict_model",
        "test_types_offer_copy_and_refuse_ttl_and_urls",
    ):
        assert expected in passed, f"{expected} did not run:\n{output}"

"""Prove that projects outside the workspace can reuse the contract suite from built wheels.

Builds the wheels of the `minimalkv` distribution, of every part its base install brings
(minimalkv-core, -memory, -fs, ...) and of minimalkv-contract, creates a fresh virtual
environment in a temporary directory and installs those wheels (not editable) with two
projects:

- the example project of docs/examples/third-party-backend: its tests run with pytest, and
  mypy --strict checks its test file;
- the project docs/writing-a-backend.md builds, written from the page's code blocks (each
  block that starts with a comment naming a file is that file): installed for real, so its
  entry point is registered and `get_store_from_url("mystore://...")` must give its store;
  its tests run with pytest, and mypy checks it with the page's own configuration.

Exits non-zero when any step fails. Run it with `hatch run third-party`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "third-party-backend"
BACKEND_PAGE = ROOT / "docs" / "writing-a-backend.md"
META = ROOT / "packages" / "minimalkv"
CONTRACT = ROOT / "tests-contract"

_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_HEADER = re.compile(r"# ([\w./-]+\.(?:py|toml))\n")

# What the page's project must show once installed: its entry point gives its store.
_ENTRY_POINT_CHECK = """
import sys
import tempfile

from minimalkv import ConfigurationError, get_store_from_url

with tempfile.TemporaryDirectory() as directory:
    with get_store_from_url(f"mystore://{directory}/data?part_size=4") as store:
        assert type(store).__name__ == "MyStore", type(store)
        store.put("key", b"value")
        assert store.get("key") == b"value"
    try:
        get_store_from_url(f"hmystore://{directory}/data")
    except ConfigurationError as error:
        assert "basic key space" in str(error), error
    else:
        sys.exit("hmystore:// gave a store")
print("mystore entry point: OK")
"""


def page_files(text: str) -> dict[str, str]:
    """Return the files a page's code blocks make: path -> content (header comment included).

    A block is a file when its first line is a comment naming it (``# mystore/_store.py``);
    other blocks are fragments. Two blocks naming the same file are an error.
    """
    files: dict[str, str] = {}
    for match in _BLOCK.finditer(text):
        header = _HEADER.match(match.group(2))
        if header is None:
            continue
        path = header.group(1)
        if path in files:
            raise ValueError(f"two code blocks are the file {path}")
        files[path] = match.group(2)
    return files


def write_page_project(directory: Path) -> None:
    """Write the project docs/writing-a-backend.md builds into ``directory``."""
    for path, content in page_files(BACKEND_PAGE.read_text()).items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    (directory / "mystore" / "py.typed").touch()  # the page says to add it


def packages() -> list[Path]:
    """Return the distributions to build: minimalkv, the parts of its base, the contract."""
    dependencies = tomllib.loads((META / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0] for requirement in dependencies]
    parts = [ROOT / "packages" / name for name in names]
    missing = [str(part) for part in parts if not (part / "pyproject.toml").is_file()]
    if missing:
        raise SystemExit(f"the base of minimalkv names distributions not in packages/: {missing}")
    return [META, *parts, CONTRACT]


def run(command: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    started = time.monotonic()
    print(f"$ {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=cwd, env=env, check=True)
    print(f"  ({time.monotonic() - started:.1f} s)", flush=True)


def build_wheels(dist: Path) -> list[Path]:
    uv = shutil.which("uv")
    sources = packages()
    for package in sources:
        if uv:
            run([uv, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(package)])
        else:
            run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(package)])
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != len(sources):
        raise SystemExit(f"expected {len(sources)} wheels in {dist}, found {wheels}")
    return wheels


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="minimalkv-third-party-") as scratch:
        work = Path(scratch)
        dist = work / "dist"
        wheels = build_wheels(dist)
        venv = work / "venv"
        run([sys.executable, "-m", "venv", str(venv)])
        python = str(venv / "bin" / "python")
        project = work / "project"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        page = work / "page"
        write_page_project(page)
        # The wheels by path pin the 2.x distributions; --find-links resolves the extras that
        # name them (the page's project asks for "minimalkv[contract]").
        run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            + ["--find-links", str(dist)]
            + [str(wheel) for wheel in wheels]
            + [f"{project}[test]", f"{page}[test]", "mypy"]
        )
        run([python, "-m", "pip", "list", "--disable-pip-version-check"])
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("CI", None)  # the contract's default profile: this is a reuse check
        # Run from the copies, so that nothing of the repository is importable by accident.
        run([python, "-m", "pytest", "-q", "tests"], cwd=project, env=env)
        run(
            [python, "-m", "mypy", "--strict", "--no-incremental", "tests/test_example_backend.py"],
            cwd=project,
            env=env,
        )
        run([python, "-c", _ENTRY_POINT_CHECK], cwd=work, env=env)
        run([python, "-m", "pytest", "-q"], cwd=page, env=env)
        run([python, "-m", "mypy", "--no-incremental"], cwd=page, env=env)
    print("third-party reuse: OK")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as failure:
        print(f"third-party reuse FAILED: {failure}", file=sys.stderr)
        sys.exit(1)

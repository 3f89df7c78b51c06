"""The documented code runs: every ```python block of the READMEs and docs, and the demo.

Blocks fenced as ```python are complete programs and run here, each in a fresh temporary working
directory, with the repository's root importable (an example may start one of the project's
test servers from ``tools``, as its text says); fragments that cannot run alone are fenced as
```py and only read. The placeholder path of the minimalkv 1.x documentation,
``/path/to/data``, is replaced by a real temporary file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    [
        ROOT / "README.md",
        ROOT / "tests-contract" / "README.md",
        *ROOT.glob("docs/*.md"),
        *ROOT.glob("packages/*/README.md"),
    ]
)
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for document in DOCUMENTS:
        for number, match in enumerate(BLOCK.finditer(document.read_text()), start=1):
            found.append((f"{document.relative_to(ROOT)}#{number}", match.group(1)))
    return found


BLOCKS = _blocks()


def test_documents_have_runnable_examples() -> None:
    assert any(name.startswith("README.md") for name, _ in BLOCKS)


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_documented_block_runs(name: str, code: str, tmp_path: Path) -> None:
    source = tmp_path / "source-data"
    source.write_bytes(b"some file content\n")
    program = code.replace("/path/to/data", str(source))
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [environment.get("PYTHONPATH")])]
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"


def test_demo_runs_the_original_example(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "demo.py"), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "get('key1')                    -> b'hello'" in result.stdout
    assert (tmp_path / "data" / "key1").read_bytes() == b"hello"
    assert (tmp_path / "data" / "key2").stat().st_size > 0


def test_layout_check_passes() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "check_layout.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout

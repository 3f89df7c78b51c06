"""The runnable example of docs/gcs.md runs as written and prints what its comments say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "gcs.md"


def _example() -> str:
    text = DOC.read_text()
    section = text.split("## Example", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "docs/gcs.md has no python block after '## Example'"
    return found.group(1)


def test_docs_example_runs_against_a_local_fake_gcs_server(tmp_path: Path) -> None:
    code = _example()
    expected = [
        line.split("  # ", 1)[1]
        for line in code.splitlines()
        if line.lstrip().startswith("print(") and "  # " in line
    ]
    environment = {k: v for k, v in os.environ.items() if k != "MINIMALKV_GCS_URL"}
    environment.pop("STORAGE_EMULATOR_HOST", None)
    done = subprocess.run(  # noqa: S603 - this interpreter running the documented code
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == expected

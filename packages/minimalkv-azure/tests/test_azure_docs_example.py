"""The runnable example of docs/azure.md runs as written and prints what its comments say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "azure.md"


def _example() -> str:
    section = DOC.read_text().split("## Example", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "docs/azure.md has no python block after '## Example'"
    return found.group(1)


def test_docs_example_runs_against_a_local_azurite(tmp_path: Path) -> None:
    code = _example()
    expected = [
        line.split("  # ", 1)[1]
        for line in code.splitlines()
        if line.lstrip().startswith("print(") and "  # " in line
    ]
    environment = {k: v for k, v in os.environ.items() if k != "MINIMALKV_AZURE_URL"}
    # The example is run from the repository's root (tools._services_azure starts Azurite).
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [environment.get("PYTHONPATH")])]
    )
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

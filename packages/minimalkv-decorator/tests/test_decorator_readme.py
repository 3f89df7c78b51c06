"""The README's runnable examples run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


def test_the_readme_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    runnable = [block for block in blocks if block.startswith("from ")]
    assert len(runnable) == 2
    for block in runnable:
        exec(compile(block, str(README), "exec"), {})  # noqa: S102 - our own documentation
    assert "refused" in capsys.readouterr().out

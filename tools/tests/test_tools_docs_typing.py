"""The typing page's examples pass ``mypy --strict``, with exactly the errors they mark.

Each ```python block of ``docs/typing.md`` is type-checked on its own by
``minimalkv.contract.assert_mypy_diagnostics``: a line ending in ``# E: <code>`` must get that
error, a line ending in ``# N: <text>`` a note containing the text, and nothing else may be
reported. (``test_tools_docs.py`` runs the same blocks as programs.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from minimalkv.contract import assert_mypy_diagnostics

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "typing.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
BLOCKS = [match.group(1) for match in BLOCK.finditer(PAGE.read_text())]


def test_typing_page_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("code", BLOCKS, ids=[f"typing.md#{n}" for n in range(1, len(BLOCKS) + 1)])
def test_typing_example_passes_mypy_strict(code: str, tmp_path: Path) -> None:
    assert_mypy_diagnostics(code, tmp_path)

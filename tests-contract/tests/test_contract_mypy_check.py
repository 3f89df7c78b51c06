"""assert_mypy_diagnostics: markers met pass; a missed, wrong or extra diagnostic fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from minimalkv.contract import assert_mypy_diagnostics

HEADER = """
def takes_int(value: int) -> int:
    return value

"""


def test_markers_that_mypy_meets_pass(tmp_path: Path) -> None:
    assert_mypy_diagnostics(
        HEADER
        + """
takes_int("text")  # E: arg-type
takes_int(1, 2)  # E: call-arg
reveal_type(takes_int(1))  # N: "int"
""",
        tmp_path,
    )


def test_a_snippet_without_markers_must_type_check(tmp_path: Path) -> None:
    assert_mypy_diagnostics(HEADER + "takes_int(1)\n", tmp_path)
    with pytest.raises(AssertionError, match=r"unexpected mypy output: again\.py:5: error: "):
        assert_mypy_diagnostics(HEADER + 'takes_int("1")\n', tmp_path, "again.py")


def test_a_missing_error_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(
        AssertionError, match=re.escape("snippet.py:5: expected an error [arg-type], mypy said []")
    ):
        assert_mypy_diagnostics(HEADER + "takes_int(1)  # E: arg-type\n", tmp_path)


def test_an_error_with_another_code_does_not_count(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"expected an error \[call-arg\], mypy said \['error"):
        assert_mypy_diagnostics(HEADER + 'takes_int("x")  # E: call-arg\n', tmp_path)


def test_a_note_must_contain_the_text(tmp_path: Path) -> None:
    snippet = HEADER + 'reveal_type(takes_int(1))  # N: "str"\n'
    with pytest.raises(AssertionError, match=re.escape("""expected a note containing '"str"'""")):
        assert_mypy_diagnostics(snippet, tmp_path)

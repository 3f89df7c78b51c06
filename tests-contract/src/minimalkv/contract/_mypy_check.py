"""assert_mypy_diagnostics: check a snippet's mypy errors and notes against markers in it.

The runtime contract cannot say that a type checker rejects a call a store cannot make (a TTL on
a store without one, ``url_for`` on a store without URLs). This helper can: a snippet marks each
line that mypy must flag, and nothing else may be flagged.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

__all__ = ["assert_mypy_diagnostics"]

_MARKER = re.compile(r"# ([EN]): (\S+)$")
_OUTPUT = re.compile(r".*?:(\d+): (error|note): (.*)")
_CONFIG = "[mypy]\nstrict = True\nwarn_unreachable = True\n"


def _expectations(lines: list[str]) -> dict[int, tuple[str, str]]:
    expected: dict[int, tuple[str, str]] = {}
    for number, line in enumerate(lines, start=1):
        marker = _MARKER.search(line)
        if marker is not None:
            expected[number] = (marker[1], marker[2])
    return expected


def _diagnostics(stdout: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for line in stdout.splitlines():
        match = _OUTPUT.match(line)
        if match is None:
            raise AssertionError(f"mypy printed a line that is no diagnostic: {line!r}")
        found.setdefault(int(match[1]), []).append(f"{match[2]}: {match[3]}")
    return found


def assert_mypy_diagnostics(snippet: str, directory: Path, name: str = "snippet.py") -> None:
    """Type-check ``snippet`` with ``mypy --strict`` and compare mypy's output with its markers.

    A line ending in ``# E: <code>`` must get an error with that error code (``arg-type``,
    ``call-arg``, ...); a line ending in ``# N: <text>`` must get a note containing ``<text>``
    (for ``reveal_type``). Any other diagnostic fails, so a snippet without markers asserts that
    mypy accepts it. ``snippet`` is dedented and written to ``directory / name`` together with a
    mypy configuration and cache, so ``directory`` should be a fresh one (pytest's ``tmp_path``).
    The snippet imports what the current environment has installed.

    Raises :class:`AssertionError` naming the line, the expectation and what mypy said. Needs
    mypy: ``pip install "minimalkv[contract]" mypy`` (or ``"minimalkv-contract[typing]"``).
    """
    try:
        from mypy import api as mypy_api
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'assert_mypy_diagnostics needs mypy: pip install "minimalkv[contract]" mypy '
            '(or pip install "minimalkv-contract[typing]")'
        ) from exc
    source = directory / name
    source.write_text(textwrap.dedent(snippet))
    config = directory / "mypy.ini"
    config.write_text(_CONFIG)
    stdout, stderr, _ = mypy_api.run(
        [
            "--config-file",
            str(config),
            "--cache-dir",
            str(directory / ".mypy_cache"),
            "--show-error-codes",
            "--no-error-summary",
            "--hide-error-context",
            str(source),
        ]
    )
    if stderr:
        raise AssertionError(f"mypy failed to run on {source}: {stderr.strip()}")
    found = _diagnostics(stdout)
    for number, (kind, code) in _expectations(source.read_text().splitlines()).items():
        messages = found.pop(number, [])
        if kind == "N":
            met = any(m.startswith("note: ") and code in m for m in messages)
            wanted = f"a note containing {code!r}"
        else:
            met = any(m.startswith("error: ") and m.endswith(f"[{code}]") for m in messages)
            wanted = f"an error [{code}]"
        if not met:
            raise AssertionError(f"{name}:{number}: expected {wanted}, mypy said {messages}")
    if found:
        unexpected = "; ".join(f"{name}:{n}: {m}" for n, ms in sorted(found.items()) for m in ms)
        raise AssertionError(f"unexpected mypy output: {unexpected}")

"""Typing tests that mypy must reject: TTL over a store without it, URLs, a str secret.

The accepted cases are in ``typing_crypt_ok.py`` (checked by ``hatch run mypy``). A snippet is
type-checked with mypy --strict; every line marked ``# E: <code>`` must get that error, and no
other line any error.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from mypy import api as mypy_api

SNIPPET = """
from minimalkv import SupportsUrl
from minimalkv.crypt import HMACDecorator
from minimalkv.decorator import TtlWritableStore
from minimalkv.fs import WebFilesystemStore
from minimalkv.memory import DictStore


def wants_ttl(store: TtlWritableStore) -> None:
    pass


def wants_url(store: SupportsUrl) -> None:
    pass


signed = HMACDecorator(b"secret", DictStore())
signed.put("k", b"v", ttl_secs=10)  # E: call-arg
signed.put_file("k", "path", 10)  # E: call-arg
wants_ttl(signed)  # E: arg-type
web = HMACDecorator(b"secret", WebFilesystemStore("/tmp/x", "https://example.org/"))
web.url_for("k")  # E: arg-type
wants_url(web)  # E: arg-type
HMACDecorator("text secret", DictStore())  # E: arg-type
signed.put("k", "text")  # E: arg-type
reveal_type(web)  # N: HMACDecorator[
"""


def test_mypy_rejects_what_the_signed_store_cannot_do(tmp_path: Path) -> None:
    source = tmp_path / "typing_crypt_rejected.py"
    source.write_text(textwrap.dedent(SNIPPET))
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\nwarn_unreachable = True\n")
    stdout, stderr, _ = mypy_api.run(
        [
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--show-error-codes",
            "--no-error-summary",
            "--hide-error-context",
            str(source),
        ]
    )
    assert stderr == ""
    found: dict[int, list[str]] = {}
    for line in stdout.splitlines():
        match = re.match(r".*?:(\d+): (error|note): (.*)", line)
        assert match is not None, line
        found.setdefault(int(match[1]), []).append(f"{match[2]}: {match[3]}")
    lines = source.read_text().splitlines()
    expected: dict[int, tuple[str, str]] = {}
    for number, line in enumerate(lines, start=1):
        marker = re.search(r"# ([EN]): (\S+)$", line)
        if marker is not None:
            expected[number] = (marker[1], marker[2])
    assert expected, "the snippet has no expectations"
    for number, (kind, code) in expected.items():
        messages = found.pop(number, [])
        if kind == "N":
            assert any(code in message for message in messages), (number, code, messages)
        else:
            assert any(message.endswith(f"[{code}]") for message in messages), (
                number,
                code,
                messages,
            )
    assert found == {}, f"unexpected mypy output: {found}"

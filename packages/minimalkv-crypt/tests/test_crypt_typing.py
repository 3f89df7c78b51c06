"""Typing tests that mypy must reject: TTL over a store without it, URLs, a str secret.

The accepted cases are in ``typing_crypt_ok.py`` (checked by ``hatch run mypy``). A snippet is
type-checked with mypy --strict; every line marked ``# E: <code>`` must get that error, and no
other line any error.
"""

from __future__ import annotations

from pathlib import Path

from minimalkv.contract import assert_mypy_diagnostics

SNIPPET = """
from minimalkv import SupportsTtl, SupportsUrl
from minimalkv.crypt import HMACDecorator
from minimalkv.fs import WebFilesystemStore
from minimalkv.memory import DictStore


def wants_ttl(store: SupportsTtl) -> None:
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
    assert_mypy_diagnostics(SNIPPET, tmp_path, "typing_crypt_rejected.py")

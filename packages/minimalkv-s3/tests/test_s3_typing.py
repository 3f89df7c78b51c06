"""Typing tests that mypy must reject: TTL on an S3 store, text values, bad settings.

The accepted cases are in ``typing_s3_ok.py`` (checked by ``hatch run mypy``). A snippet is
type-checked with mypy --strict; every line marked ``# E: <code>`` must get that error, and no
other line any error.
"""

from __future__ import annotations

from pathlib import Path

from minimalkv.contract import assert_mypy_diagnostics

SNIPPET = """
from minimalkv import SupportsTtl
from minimalkv.s3 import S3Connection, S3Store


def wants_ttl(store: SupportsTtl) -> None:
    pass


store = S3Store("bucket", connection=S3Connection())
store.put("k", b"v", ttl_secs=10)  # E: call-arg
wants_ttl(store)  # E: arg-type
store.put("k", "text")  # E: arg-type
S3Connection(read_timeout="30")  # E: arg-type
S3Connection(retry_mode="sometimes")  # E: arg-type
S3Store("bucket", part_size="8MiB")  # E: arg-type
reveal_type(store.client)  # N: S3Client
"""


def test_mypy_rejects_what_the_s3_store_cannot_do(tmp_path: Path) -> None:
    assert_mypy_diagnostics(SNIPPET, tmp_path, "typing_s3_rejected.py")

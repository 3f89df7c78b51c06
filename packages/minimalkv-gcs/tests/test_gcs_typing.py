"""Typing tests that mypy must reject: TTL on a GCS store, text values, bad settings.

The accepted cases are in ``typing_gcs_ok.py`` (checked by ``hatch run mypy``). A snippet is
type-checked with mypy --strict; every line marked ``# E: <code>`` must get that error, and no
other line any error.
"""

from __future__ import annotations

from pathlib import Path

from minimalkv.contract import assert_mypy_diagnostics

SNIPPET = """
from minimalkv import SupportsTtl
from minimalkv.gcs import GcsConnection, GoogleCloudStore


def wants_ttl(store: SupportsTtl) -> None:
    pass


store = GoogleCloudStore(None, "bucket", connection=GcsConnection())
store.put("k", b"v", ttl_secs=10)  # E: call-arg
wants_ttl(store)  # E: arg-type
store.put("k", "text")  # E: arg-type
GcsConnection(read_timeout="30")  # E: arg-type
GcsConnection(retry_deadline=None)  # E: arg-type
GoogleCloudStore(None, "bucket", chunk_size="8MiB")  # E: arg-type
GoogleCloudStore(None, 42)  # E: arg-type
reveal_type(store.url_valid_time)  # N: int
"""


def test_mypy_rejects_what_the_gcs_store_cannot_do(tmp_path: Path) -> None:
    assert_mypy_diagnostics(SNIPPET, tmp_path, "typing_gcs_rejected.py")

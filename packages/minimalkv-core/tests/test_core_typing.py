"""Typing tests that mypy must reject in core's API (accepted cases: ``typing_core_protocols.py``).

A snippet is type-checked with mypy --strict; every line marked ``# E: <code>`` must get that
error, and no other line any error.
"""

from __future__ import annotations

from pathlib import Path

from minimalkv.contract import assert_mypy_diagnostics

SNIPPET = """
from collections.abc import Iterator

from minimalkv import FOREVER, NOT_SET, KeyNotFoundError, KeyValueStore, TimeToLiveMixin


class Expiring(TimeToLiveMixin, KeyValueStore):
    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    def _get(self, key: str) -> bytes:
        try:
            return self.values[key]
        except KeyError:
            raise KeyNotFoundError.for_key(key) from None

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.values[key] = data
        return key

    def _delete(self, key: str) -> None:
        self.values.pop(key, None)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return iter([key for key in self.values if key.startswith(prefix)])


store = Expiring()
store.put("a", b"v", ttl_secs=5)
store.put("b", b"v", ttl_secs=0.5)
store.put("c", b"v", ttl_secs=FOREVER)
store.put("d", b"v", ttl_secs=NOT_SET)
store.put("e", b"v", ttl_secs=None)
store.put("f", b"v", ttl_secs="5")  # E: arg-type
store.put_file("g", "/path", ttl_secs="forever!")  # E: arg-type
store.default_ttl_secs = "10"  # E: assignment
"""


def test_text_is_no_ttl(tmp_path: Path) -> None:
    assert_mypy_diagnostics(SNIPPET, tmp_path)

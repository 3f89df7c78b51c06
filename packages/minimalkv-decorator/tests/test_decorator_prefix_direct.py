"""PrefixDecorator's direct path into an in-memory store keeps every semantic of the slow one."""

from __future__ import annotations

import pytest
from minimalkv import InvalidKeyError, InvalidValueError, KeyNotFoundError
from minimalkv.decorator import PrefixDecorator
from minimalkv.memory import DictStore


class LoggingDictStore(DictStore):
    """Changes reads and writes, so it must not hand out its dict."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def _get(self, key: str) -> bytes:
        self.calls.append(f"get {key}")
        return super()._get(key)

    def _put(self, key: str, data: bytes) -> str:
        self.calls.append(f"put {key}")
        return super()._put(key, data)


def test_dictstore_offers_its_dict_and_a_changed_subclass_does_not() -> None:
    store = DictStore()
    assert store._direct_mapping() is store.d
    assert LoggingDictStore()._direct_mapping() is None


def test_direct_path_round_trips_and_errors_stay_the_same() -> None:
    shared = DictStore()
    tenant = PrefixDecorator("t1_", shared)
    assert tenant.put("k", b"v1") == "k"
    assert tenant.put("k", b"v2") == "k"  # the second put takes the direct path
    assert shared.d == {"t1_k": b"v2"}
    assert tenant.get("k") == b"v2"
    assert tenant.get("k") == b"v2"
    with pytest.raises(KeyNotFoundError):
        tenant.get("missing")
    with pytest.raises(InvalidKeyError):
        tenant.get("")
    with pytest.raises(InvalidKeyError):
        tenant.get("a b")
    with pytest.raises(InvalidValueError):
        tenant.put("k", "text")  # type: ignore[arg-type]
    assert shared.d == {"t1_k": b"v2"}
    shared.put("t1_", b"the prefix itself")
    with pytest.raises(InvalidKeyError):
        tenant.get("")


def test_subclass_that_changes_reads_is_still_called() -> None:
    inner = LoggingDictStore()
    tenant = PrefixDecorator("t1_", inner)
    tenant.put("k", b"v")
    tenant.put("k", b"w")
    assert tenant.get("k") == b"w"
    assert tenant.get("k") == b"w"
    assert inner.calls == ["put t1_k", "put t1_k", "get t1_k", "get t1_k"]

"""The load test finds what it is there to find: lost writes, torn values, failing calls."""

from __future__ import annotations

import itertools

from minimalkv import BlobStore
from minimalkv.contract import LoadContract, LoadFigures, PlainStore

SECONDS = 0.5


def _load(store: BlobStore, threads: int = 4) -> LoadFigures:
    class Suite(LoadContract):
        load_threads = threads

    suite = Suite()
    figures = suite._run_load(store, SECONDS, seed=7)
    suite._check_final_state(store, figures)
    return figures


class _LosingStore(PlainStore):
    """Every 50th put of an owned key reports success and stores nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._count = itertools.count(1)

    def _put(self, key: str, data: bytes) -> str:
        if key.startswith("load-p") and next(self._count) % 50 == 0:
            return key
        return super()._put(key, data)


class _TearingStore(PlainStore):
    """Reads of shared keys lose their last byte."""

    def _get(self, key: str) -> bytes:
        value = super()._get(key)
        return value[:-1] if key.startswith("load-shared") and value else value


class _FailingStore(PlainStore):
    """Every 100th delete raises an exception outside the hierarchy."""

    def __init__(self) -> None:
        super().__init__()
        self._count = itertools.count(1)

    def _delete(self, key: str) -> None:
        if next(self._count) % 100 == 0:
            raise RuntimeError("disk on fire")
        super()._delete(key)


def test_a_correct_store_passes_with_every_operation_done() -> None:
    figures = _load(PlainStore())
    assert figures.errors == []
    assert set(figures.operations) >= {"put", "get", "put_many", "delete_many", "list_keys", "open"}
    assert "copy" not in figures.operations  # PlainStore offers no copy


def test_lost_writes_are_found() -> None:
    figures = _load(_LosingStore())
    assert any("model says" in error for error in figures.errors), figures.errors[:3]


def test_torn_shared_values_are_found() -> None:
    figures = _load(_TearingStore())
    assert any("torn value" in error for error in figures.errors), figures.errors[:3]


def test_failing_calls_are_counted_as_errors() -> None:
    figures = _load(_FailingStore())
    assert any("RuntimeError: disk on fire" in error for error in figures.errors)

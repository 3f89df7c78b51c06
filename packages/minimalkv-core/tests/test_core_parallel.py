"""Parallel batch helpers: same results as the single calls, errors only after every call ended."""

from __future__ import annotations

import pickle
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from minimalkv import BatchError, KeyNotFoundError, StoreConnectionError, StoreError
from minimalkv.backend import batch_error, delete_in_batches, get_each, put_each, wait_all


@pytest.fixture
def executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(4)


def test_get_each_fetches_distinct_keys_and_leaves_out_missing_ones(
    executor: ThreadPoolExecutor,
) -> None:
    data = {"a": b"1", "b": b"2"}
    asked: list[str] = []
    lock = threading.Lock()

    def get(key: str) -> bytes:
        with lock:
            asked.append(key)
        if key not in data:
            raise KeyNotFoundError(key)
        return data[key]

    assert get_each(executor, ["a", "x", "b", "a"], get) == {"a": b"1", "b": b"2"}
    assert sorted(asked) == ["a", "b", "x"]
    assert get_each(executor, [], get) == {}
    assert get_each(executor, ["x"], get) == {}


def test_get_each_raises_the_first_error_once_every_fetch_has_ended(
    executor: ThreadPoolExecutor,
) -> None:
    ended: list[str] = []

    def get(key: str) -> bytes:
        if key == "bad":
            raise StoreError("refused", key=key)
        time.sleep(0.05)
        ended.append(key)
        return b"v"

    with pytest.raises(StoreError, match="refused"):
        get_each(executor, ["bad", "s1", "s2", "s3"], get)
    assert sorted(ended) == ["s1", "s2", "s3"]


def test_put_each_sends_the_last_value_of_a_repeated_key_and_keeps_the_order(
    executor: ThreadPoolExecutor,
) -> None:
    stored: dict[str, bytes] = {}
    calls: list[str] = []
    lock = threading.Lock()

    def put(key: str, data: bytes) -> str:
        with lock:
            calls.append(key)
            stored[key] = data
        return key

    pairs = [("b", b"1"), ("a", b"2"), ("b", b"3")]
    assert put_each(executor, pairs, put) == ["b", "a", "b"]
    assert stored == {"a": b"2", "b": b"3"}
    assert sorted(calls) == ["a", "b"]
    assert put_each(executor, [("c", b"4")], put) == ["c"]
    assert put_each(executor, [], put) == []


def test_wait_all_raises_the_first_failure_in_submission_order() -> None:
    first: Future[int] = Future()
    second: Future[int] = Future()
    fine: Future[int] = Future()
    second.set_exception(ValueError("second"))
    first.set_exception(KeyError("first"))
    fine.set_result(1)
    with pytest.raises(KeyError, match="first"):
        wait_all([fine, first, second])
    wait_all([fine])


def test_batch_error_names_a_few_keys_and_keeps_every_failure() -> None:
    failures = {f"k{i}": "locked" for i in range(7)}
    error = batch_error(failures, 10, where="S3 bucket 'b'", action="delete", done="deleted")
    assert isinstance(error, BatchError)
    assert isinstance(error, OSError)
    assert error.failures == failures
    text = str(error)
    assert text.startswith("S3 bucket 'b' could not delete 7 of 10 keys: 'k0' (locked)")
    assert "'k4' (locked) and 2 more; the other keys are deleted" in text
    assert "k5" not in text
    assert pickle.loads(pickle.dumps(error)).failures == failures  # noqa: S301 - our own bytes


class _Service:
    """Deletes keys of a dict in batch requests and single ones; records what it was asked."""

    def __init__(
        self, keys: list[str], refused: frozenset[str] = frozenset(), down: bool = False
    ) -> None:
        self.keys = set(keys)
        self.refused = refused
        self.down = down
        self.batches: list[list[str]] = []
        self.singles: list[str] = []
        self.lock = threading.Lock()

    def delete_batch(self, batch: list[str]) -> dict[str, str]:
        with self.lock:
            self.batches.append(batch)
            self.keys -= set(batch) - self.refused
        return {key: "refused" for key in batch if key in self.refused}

    def delete_one(self, key: str) -> None:
        with self.lock:
            self.singles.append(key)
        if self.down:
            time.sleep(0.05)
            raise StoreConnectionError("the service is down")
        if key in self.refused:
            raise StoreError(f"key {key!r}: refused", key=key)
        with self.lock:
            self.keys.discard(key)


def test_delete_in_batches_splits_distinct_keys_and_reports_every_failure(
    executor: ThreadPoolExecutor,
) -> None:
    keys = [f"k{i}" for i in range(7)]
    service = _Service(keys, refused=frozenset({"k1", "k6"}))
    with pytest.raises(BatchError, match=r"^S could not delete 2 of 7 keys") as caught:
        delete_in_batches(
            executor,
            [*keys, "k0"],
            delete_one=service.delete_one,
            delete_batch=service.delete_batch,
            batch_size=3,
            where="S",
        )
    assert caught.value.failures == {"k1": "refused", "k6": "StoreError: key 'k6': refused"}
    assert sorted(map(sorted, service.batches)) == [["k0", "k1", "k2"], ["k3", "k4", "k5"]]
    assert service.singles == ["k6"]  # a batch of one key is the single delete
    assert service.keys == {"k1", "k6"}


def test_delete_in_batches_without_batch_requests_deletes_key_by_key(
    executor: ThreadPoolExecutor,
) -> None:
    service = _Service(["a", "b", "c"])
    delete_in_batches(executor, ["a", "b", "a"], delete_one=service.delete_one, where="S")
    assert sorted(service.singles) == ["a", "b"]
    assert service.keys == {"c"}
    delete_in_batches(executor, [], delete_one=service.delete_one, where="S")
    delete_in_batches(executor, ["c"], delete_one=service.delete_one, where="S")  # inline
    assert service.keys == set()


def test_delete_in_batches_raises_a_service_failure_as_a_single_delete_would(
    executor: ThreadPoolExecutor,
) -> None:
    service = _Service(["a", "b", "c"], down=True)
    with pytest.raises(StoreConnectionError, match="down"):
        delete_in_batches(executor, ["a", "b", "c"], delete_one=service.delete_one, where="S")
    assert sorted(service.singles) == ["a", "b", "c"]  # every request ended first
    with pytest.raises(StoreConnectionError):
        delete_in_batches(executor, ["a"], delete_one=service.delete_one, where="S")

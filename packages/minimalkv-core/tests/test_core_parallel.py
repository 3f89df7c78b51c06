"""Parallel batch helpers: same results as the single calls, errors only after every call ended."""

from __future__ import annotations

import pickle
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from minimalkv import BatchError, KeyNotFoundError, StoreError
from minimalkv.backend import batch_error, get_each, put_each, wait_all


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

"""Batch calls as parallel single calls: what a network store without a batch request uses.

Each function takes the store's own executor and its per-key hooks, so the batch call does
exactly what the single calls do (same checks, same error translation) and only overlaps the
waiting. Nothing here spans keys: a failure of one key never undoes another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from ._errors import (
    BatchError,
    KeyNotFoundError,
    StoreBusyError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StoreTimeoutError,
)

__all__ = ["batch_error", "delete_in_batches", "get_each", "put_each", "wait_all"]

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

_SHOWN = 5
"""How many failed keys a batch error names in its message (all are in ``failures``)."""

# Failures of the service rather than of one key: a batch call raises them as a single call
# would, instead of reporting every key as failed.
_NOT_PER_KEY = (StoreConnectionError, StoreTimeoutError, StoreBusyError, StoreNotFoundError)


def wait_all(futures: Iterable[Future[Any]]) -> None:
    """Wait for every future, then raise the first error among them (in submission order).

    Waiting for all before raising means no call is still running when the batch call returns
    or raises: the caller may close what the calls use.
    """
    first: BaseException | None = None
    for future in futures:
        try:
            future.result()
        except BaseException as exc:  # re-raised below, once the others have finished
            if first is None:
                first = exc
    if first is not None:
        raise first


def _call_each(
    executor: Executor, call: Callable[[_Item], _Result], items: list[_Item]
) -> list[_Result]:
    """Return ``call(item)`` for each item, in order; in parallel, or inline for one item.

    An error is raised once every call has ended (:func:`wait_all`).
    """
    if len(items) <= 1:
        return [call(item) for item in items]
    futures = [executor.submit(call, item) for item in items]
    wait_all(futures)
    return [future.result() for future in futures]


def get_each(
    executor: Executor, keys: Iterable[str], get: Callable[[str], bytes]
) -> dict[str, bytes]:
    """Fetch every distinct key with ``get``, in parallel; leave out the missing ones.

    ``get`` raises :class:`KeyError` (:class:`minimalkv.KeyNotFoundError`) for a missing key;
    any other error is raised once every fetch has ended. A single key is fetched inline.
    """
    unique = list(dict.fromkeys(keys))

    def fetch(key: str) -> bytes | None:
        try:
            return get(key)
        except KeyNotFoundError:
            return None

    values = _call_each(executor, fetch, unique)
    return {key: value for key, value in zip(unique, values, strict=True) if value is not None}


def put_each(
    executor: Executor, pairs: Sequence[tuple[str, bytes]], put: Callable[[str, bytes], object]
) -> list[str]:
    """Store every pair with ``put``, in parallel; return the keys in the order given.

    A key given twice gets its last value, as with single puts in order (only that value is
    sent). The first error is raised once every put has ended; the others have been stored.
    """
    if len(pairs) <= 1:
        for key, data in pairs:
            put(key, data)
        return [key for key, _ in pairs]
    latest = dict(pairs)
    wait_all([executor.submit(put, key, data) for key, data in latest.items()])
    return [key for key, _ in pairs]


def batch_error(
    failures: Mapping[str, str], total: int, *, where: str, action: str, done: str
) -> BatchError:
    """Build the :class:`BatchError` of a batch call that failed for ``failures`` of ``total`` keys.

    ``where`` names the store (``"S3 bucket 'b' at http://host"``), ``action`` and ``done`` the
    verb (``"delete"``, ``"deleted"``). The message names the first few keys and their reasons.
    """
    shown = ", ".join(f"{key!r} ({why})" for key, why in list(failures.items())[:_SHOWN])
    more = f" and {len(failures) - _SHOWN} more" if len(failures) > _SHOWN else ""
    return BatchError(
        f"{where} could not {action} {len(failures)} of {total} keys: {shown}{more}; "
        f"the other keys are {done}",
        failures=dict(failures),
    )


def delete_in_batches(
    executor: Executor,
    keys: Iterable[str],
    *,
    delete_one: Callable[[str], object],
    delete_batch: Callable[[list[str]], Mapping[str, str]] | None = None,
    batch_size: int = 1,
    where: str,
) -> None:
    """Delete every distinct key, ``batch_size`` keys per request, the requests in parallel.

    ``delete_batch`` deletes its keys in one request (a missing key counts as deleted) and
    returns the keys it could not delete, with the reason; a batch of one key, and every key
    when there is no ``delete_batch``, goes to ``delete_one``, the store's single delete. A
    :class:`~minimalkv.StoreError` of ``delete_one`` about that key (a policy, a lock) is a
    failure of the key; one about the service (connection, timeout, busy, no such container)
    and any other error is raised, once every request has ended, as a single delete raises
    it. The failed keys of all requests are raised together as one
    :class:`~minimalkv.BatchError` (see :func:`batch_error`; ``where`` names the store); the
    other keys are deleted. A single request runs inline.
    """
    unique = list(dict.fromkeys(keys))
    size = batch_size if delete_batch is not None else 1

    def run(batch: list[str]) -> Mapping[str, str]:
        if len(batch) > 1 and delete_batch is not None:
            return delete_batch(batch)
        try:
            delete_one(batch[0])
        except _NOT_PER_KEY:
            raise
        except StoreError as exc:
            return {batch[0]: f"{type(exc).__name__}: {exc}"}
        return {}

    batches = [unique[i : i + size] for i in range(0, len(unique), size)]
    results = _call_each(executor, run, batches)
    failures = {key: why for result in results for key, why in result.items()}
    if failures:
        raise batch_error(failures, len(unique), where=where, action="delete", done="deleted")

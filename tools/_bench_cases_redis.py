"""Benchmark cases of minimalkv-redis: RedisStore against raw redis-py on the same server.

The server is ``MINIMALKV_REDIS_URL`` when set (its database must be one the run may fill and
empty), otherwise a private ``redis-server`` started per case (see tools/services.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Final

from tools._bench_cases import Case, Settings, Target
from tools._bench_harness import Paired, paired_calls, paired_pair_calls
from tools.services import redis_server

__all__ = ["REDIS_CASES"]


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _setup(
    settings: Settings, stack: contextlib.ExitStack
) -> tuple[Any, Any, list[str], list[bytes]]:
    import os

    import redis
    from minimalkv.redis import RedisStore

    url = stack.enter_context(redis_server())
    client = redis.Redis.from_url(url)
    stack.callback(client.close)
    client.flushdb()
    stack.callback(client.flushdb)
    keys = [f"key-{i:06d}" for i in range(settings.values)]
    values = [os.urandom(settings.value_size) for _ in keys]
    return client, RedisStore(client), keys, values


def _build_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    client, store, keys, values = _setup(settings, stack)
    client.mset(dict(zip(keys, values, strict=True)))
    return paired_calls(client.get, store.get, _chunks(keys, settings.chunk), settings.chunk)


def _build_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    client, store, keys, values = _setup(settings, stack)
    chunks = _chunks(list(zip(keys, values, strict=True)), settings.chunk)
    return paired_pair_calls(client.set, store.put, chunks, settings.chunk)


def _build_get_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    client, store, keys, values = _setup(settings, stack)
    client.mset(dict(zip(keys, values, strict=True)))
    chunks = _chunks(keys, settings.chunk)

    def run_raw(i: int) -> None:
        pipe = client.pipeline(transaction=False)
        for key in chunks[i]:
            pipe.get(key)
        pipe.execute()

    def run_lib(i: int) -> None:
        store.get_many(chunks[i])

    return Paired(run_raw, run_lib, len(chunks), settings.chunk)


def _build_put_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    client, store, keys, values = _setup(settings, stack)
    chunks = _chunks(list(zip(keys, values, strict=True)), settings.chunk)

    def run_raw(i: int) -> None:
        pipe = client.pipeline(transaction=False)
        for key, value in chunks[i]:
            pipe.set(key, value)
        pipe.execute()

    def run_lib(i: int) -> None:
        store.put_many(chunks[i])

    return Paired(run_raw, run_lib, len(chunks), settings.chunk)


def _build_delete_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    client, store, keys, values = _setup(settings, stack)
    pairs = list(zip(keys, values, strict=True))
    client.mset(dict(pairs))
    chunks = _chunks(keys, settings.chunk)
    pair_chunks = _chunks(pairs, settings.chunk)
    deleted: list[int] = []

    def restore() -> None:
        # Untimed: put back what the previous timed chunk deleted, so both sides delete
        # existing keys.
        while deleted:
            client.mset(dict(pair_chunks[deleted.pop()]))

    def run_raw(i: int) -> None:
        pipe = client.pipeline(transaction=False)
        for key in chunks[i]:
            pipe.delete(key)
        pipe.execute()
        deleted.append(i)

    def run_lib(i: int) -> None:
        store.delete_many(chunks[i])
        deleted.append(i)

    return Paired(run_raw, run_lib, len(chunks), settings.chunk, before_chunk=restore)


def _case(
    name: str,
    title: str,
    baseline: str,
    ratio: float,
    build: Callable[[Settings, contextlib.ExitStack], Paired],
) -> Case:
    return Case(
        name=name,
        title=title,
        baseline=baseline,
        target=Target(min_ratio=ratio),
        build=build,
    )


REDIS_CASES: Final[tuple[Case, ...]] = (
    _case("redis-get", "`RedisStore.get`", "redis-py `r.get(k)`", 0.95, _build_get),
    _case("redis-put", "`RedisStore.put`", "redis-py `r.set(k, v)`", 0.95, _build_put),
    _case(
        "redis-get-many",
        "`RedisStore.get_many` (keys per call = chunk)",
        "redis-py pipeline of `GET`s, `transaction=False`",
        0.8,
        _build_get_many,
    ),
    _case(
        "redis-put-many",
        "`RedisStore.put_many` (pairs per call = chunk)",
        "redis-py pipeline of `SET`s, `transaction=False`",
        0.8,
        _build_put_many,
    ),
    _case(
        "redis-delete-many",
        "`RedisStore.delete_many` (keys per call = chunk)",
        "redis-py pipeline of `DEL`s, `transaction=False`",
        0.8,
        _build_delete_many,
    ),
)
"""The Redis cases, registered in tools/bench.py."""

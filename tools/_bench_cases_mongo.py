"""Benchmark cases of minimalkv-mongo: MongoStore against raw pymongo on the same server.

The server is ``MINIMALKV_MONGO_URL`` (``mongodb://host:port``) when set, the cases then use
a database named ``minimalkv_bench_*`` that they drop; otherwise a private nx-27017 started
per case (see tools/_services_mongo.py).

nx-27017 refuses ``replace_one`` over an existing document that holds binary data (see
docs/mongo.md), so the write cases write keys that do not exist on both sides: the keys a
timed chunk wrote are deleted, untimed, before the next chunk.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable
from typing import Any, Final

from tools._bench_cases import Case, Settings, Target
from tools._bench_harness import Paired, paired_calls

__all__ = ["MONGO_CASES"]


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _setup(
    settings: Settings, stack: contextlib.ExitStack
) -> tuple[Any, Any, list[str], list[bytes]]:
    import pymongo
    from minimalkv.mongo import MongoStore

    from tools._services_mongo import nx27017_server

    given = os.environ.get("MINIMALKV_MONGO_URL")
    if given:
        url = given.rstrip("/")
    else:
        url = f"mongodb://{stack.enter_context(nx27017_server()).host_port}"
    client: Any = pymongo.MongoClient(url)
    stack.callback(client.close)
    name = f"minimalkv_bench_{uuid.uuid4().hex[:8]}"
    stack.callback(client.drop_database, name)
    store = MongoStore(client[name], "kv")
    keys = [f"key-{i:06d}" for i in range(settings.values)]
    values = [os.urandom(settings.value_size) for _ in keys]
    return client[name]["kv"], store, keys, values


def _fill(collection: Any, keys: list[str], values: list[bytes]) -> None:
    pairs = list(zip(keys, values, strict=True))
    for start in range(0, len(pairs), 1000):
        collection.insert_many([{"_id": k, "v": v} for k, v in pairs[start : start + 1000]])


def _build_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    collection, store, keys, values = _setup(settings, stack)
    _fill(collection, keys, values)
    find_one = collection.find_one
    return paired_calls(
        lambda key: find_one({"_id": key})["v"],
        store.get,
        _chunks(keys, settings.chunk),
        settings.chunk,
    )


def _fresh_writes(
    collection: Any,
    chunks: list[list[tuple[str, bytes]]],
    raw: Callable[[list[tuple[str, bytes]]], None],
    lib: Callable[[list[tuple[str, bytes]]], None],
    ops: int,
) -> Paired:
    written: list[int] = []

    def forget() -> None:
        # Untimed: delete what the previous timed chunk wrote, so both sides insert.
        while written:
            collection.delete_many({"_id": {"$in": [k for k, _ in chunks[written.pop()]]}})

    def run_raw(i: int) -> None:
        raw(chunks[i])
        written.append(i)

    def run_lib(i: int) -> None:
        lib(chunks[i])
        written.append(i)

    return Paired(run_raw, run_lib, len(chunks), ops, before_chunk=forget)


def _build_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    collection, store, keys, values = _setup(settings, stack)
    chunks = _chunks(list(zip(keys, values, strict=True)), settings.chunk)
    replace_one = collection.replace_one
    put = store.put

    def raw(pairs: list[tuple[str, bytes]]) -> None:
        for key, value in pairs:
            replace_one({"_id": key}, {"v": value}, upsert=True)

    def lib(pairs: list[tuple[str, bytes]]) -> None:
        for key, value in pairs:
            put(key, value)

    return _fresh_writes(collection, chunks, raw, lib, settings.chunk)


def _build_put_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    collection, store, keys, values = _setup(settings, stack)
    chunks = _chunks(list(zip(keys, values, strict=True)), settings.chunk)
    replace_one = collection.replace_one

    def raw(pairs: list[tuple[str, bytes]]) -> None:
        for key, value in pairs:
            replace_one({"_id": key}, {"v": value}, upsert=True)

    return _fresh_writes(collection, chunks, raw, store.put_many, settings.chunk)


def _build_get_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    collection, store, keys, values = _setup(settings, stack)
    _fill(collection, keys, values)
    chunks = _chunks(keys, settings.chunk)
    find_one = collection.find_one

    def run_raw(i: int) -> None:
        for key in chunks[i]:
            find_one({"_id": key})

    def run_lib(i: int) -> None:
        store.get_many(chunks[i])

    return Paired(run_raw, run_lib, len(chunks), settings.chunk)


def _case(
    name: str,
    title: str,
    baseline: str,
    ratio: float,
    build: Callable[[Settings, contextlib.ExitStack], Paired],
) -> Case:
    return Case(
        name=name, title=title, baseline=baseline, target=Target(min_ratio=ratio), build=build
    )


MONGO_CASES: Final[tuple[Case, ...]] = (
    _case("mongo-get", "`MongoStore.get`", "pymongo `find_one({'_id': k})`", 0.9, _build_get),
    _case(
        "mongo-put",
        "`MongoStore.put` (new keys)",
        "pymongo `replace_one({'_id': k}, {'v': v}, upsert=True)`",
        0.9,
        _build_put,
    ),
    _case(
        "mongo-get-many",
        "`MongoStore.get_many` (keys per call = chunk)",
        "a loop of pymongo `find_one`",
        3.0,
        _build_get_many,
    ),
    _case(
        "mongo-put-many",
        "`MongoStore.put_many` (pairs per call = chunk, new keys)",
        "a loop of pymongo `replace_one(..., upsert=True)`",
        3.0,
        _build_put_many,
    ),
)
"""The MongoDB cases, registered in tools/bench.py."""

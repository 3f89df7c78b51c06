"""Benchmark cases of decorators over real backends: each decorator against the bare store.

Every decorator (prefix, URL-encoded keys, read-only, a read-through cache with a ``DictStore``
cache) wraps a ``FilesystemStore`` on tmpfs or a ``RedisStore``; the raw side is a bare store
of the same kind holding the same keys and 1 KiB values, so the ratio is what the decorator
costs on a store doing real work. Puts replace existing values on both sides (steady state);
read-only has no put. The cache serves its reads from the cache once a key was read.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from tools._bench_cases import Case, Settings, Target, filesystem_store_class
from tools._bench_harness import Paired, paired_calls, paired_pair_calls
from tools.services import redis_server

__all__ = ["STACK_CASES"]

Wrap = Callable[[Any], Any]
"""Builds the decorator over a store."""

Backend = Callable[[Settings, contextlib.ExitStack], tuple[Any, Any]]
"""Makes two empty stores of one kind: the bare one and the one to decorate."""


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _items(settings: Settings) -> list[tuple[str, bytes]]:
    return [(f"key-{i:06d}", os.urandom(settings.value_size)) for i in range(settings.values)]


# ---------------------------------------------------------------------------- decorators
def _prefix(store: Any) -> Any:
    from minimalkv.decorator import PrefixDecorator

    return PrefixDecorator("tenant-1_", store)


def _urlencode(store: Any) -> Any:
    from minimalkv.decorator import URLEncodeKeysDecorator

    return URLEncodeKeysDecorator(store)


def _readonly(store: Any) -> Any:
    from minimalkv.decorator import ReadOnlyDecorator

    return ReadOnlyDecorator(store)


def _cache(store: Any) -> Any:
    from minimalkv.cache import CacheDecorator
    from minimalkv.memory import DictStore

    return CacheDecorator(DictStore(), store)


# ---------------------------------------------------------------------------- backends
def _filesystem(settings: Settings, stack: contextlib.ExitStack) -> tuple[Any, Any]:
    cls = filesystem_store_class()
    if cls is None:
        raise RuntimeError("minimalkv.fs.FilesystemStore is not available")
    base = Path(tempfile.mkdtemp(prefix="minimalkv-bench-stack-", dir=settings.fast_dir))
    stack.callback(shutil.rmtree, base, True)
    return cls(str(base / "bare")), cls(str(base / "decorated"))


def _redis(settings: Settings, stack: contextlib.ExitStack) -> tuple[Any, Any]:
    import redis
    from minimalkv.redis import RedisStore

    url = stack.enter_context(redis_server())
    client = redis.Redis.from_url(url)
    stack.callback(client.close)
    client.flushdb()
    stack.callback(client.flushdb)
    return RedisStore(client), RedisStore(client)


# ---------------------------------------------------------------------------- builders
def _get(backend: Backend, wrap: Wrap) -> Callable[[Settings, contextlib.ExitStack], Paired]:
    def build(settings: Settings, stack: contextlib.ExitStack) -> Paired:
        bare, inner = backend(settings, stack)
        decorated = wrap(inner)
        # Filled the way an application fills them: through the store it reads from, except
        # that a read-only decorator refuses writes, so its keys go into the wrapped store.
        writable = inner if wrap is _readonly else decorated
        items = _items(settings)
        for key, value in items:
            bare.put(key, value)
            writable.put(key, value)
        chunks = _chunks([key for key, _ in items], settings.chunk)
        return paired_calls(bare.get, decorated.get, chunks, settings.chunk)

    return build


def _put(backend: Backend, wrap: Wrap) -> Callable[[Settings, contextlib.ExitStack], Paired]:
    def build(settings: Settings, stack: contextlib.ExitStack) -> Paired:
        bare, inner = backend(settings, stack)
        decorated = wrap(inner)
        items = _items(settings)
        for key, value in items:  # every timed put replaces an existing value
            bare.put(key, value)
            decorated.put(key, value)
        chunks = _chunks(items, settings.chunk)
        return paired_pair_calls(bare.put, decorated.put, chunks, settings.chunk)

    return build


_DECORATORS: Final[tuple[tuple[str, str, Wrap, bool], ...]] = (
    ("prefix", "PrefixDecorator", _prefix, True),
    ("urlencode", "URLEncodeKeysDecorator", _urlencode, True),
    ("readonly", "ReadOnlyDecorator", _readonly, False),
    ("cache", "CacheDecorator(DictStore(), ...)", _cache, True),
)
"""Name, title, how to build it, whether it takes puts."""


def _cases(
    prefix: str, store: str, where: str, backend: Backend, ratio: float, needs_fs: bool
) -> list[Case]:
    cases: list[Case] = []
    for name, title, wrap, writes in _DECORATORS:
        for op, build in (("get", _get), ("put", _put)):
            if op == "put" and not writes:
                continue
            cases.append(
                Case(
                    name=f"{prefix}-{name}-{op}",
                    title=f"`{title}` over `{store}`: `{op}`{where}",
                    baseline=f"the same call on a bare `{store}`",
                    target=Target(min_ratio=ratio),
                    build=build(backend, wrap),
                    needs_fs=needs_fs,
                )
            )
    return cases


STACK_CASES: Final[tuple[Case, ...]] = (
    *_cases("fs", "FilesystemStore", ", tmpfs", _filesystem, 0.9, needs_fs=True),
    *_cases("redis", "RedisStore", "", _redis, 0.95, needs_fs=False),
)
"""The decorator-over-backend cases, registered in tools/bench.py."""

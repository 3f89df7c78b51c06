"""Benchmark cases of minimalkv-decorator over DictStore: ns per call, next to the bare DictStore.

The raw side of each case is a bare :class:`minimalkv.memory.DictStore` holding the same keys
and values; the library side is the decorator over another DictStore. Both run in the same
round and process, interleaved by the harness. These cases have no target: on an in-memory
dict a decorator's layer is most of the call, and the report gives its cost in ns per call.
What a decorator must cost on a store doing real work is measured over FilesystemStore and
RedisStore (tools/_bench_cases_stack.py).
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from tools._bench_cases import Case, Settings, Target
from tools._bench_harness import Paired, paired_calls, paired_pair_calls

__all__ = ["DECORATOR_CASES"]

_PREFIX = "tenant-1_"


def _items(settings: Settings) -> list[tuple[str, bytes]]:
    return [(f"key-{i:06d}", os.urandom(settings.value_size)) for i in range(settings.values)]


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _paired_get(settings: Settings, decorated: Any, bare: Any, writable: Any = None) -> Paired:
    items = _items(settings)
    # Both sides are filled the way an application fills them: through the store it then
    # reads from, or for a read-only view through the store it wraps (``writable``).
    writable = decorated if writable is None else writable
    for key, value in items:
        bare.put(key, value)
        writable.put(key, value)
    chunks = _chunks([key for key, _ in items], settings.chunk)
    return paired_calls(bare.get, decorated.get, chunks, settings.chunk)


def _build_prefix_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from minimalkv.decorator import PrefixDecorator
    from minimalkv.memory import DictStore

    return _paired_get(settings, PrefixDecorator(_PREFIX, DictStore()), DictStore())


def _build_readonly_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from minimalkv.decorator import ReadOnlyDecorator
    from minimalkv.memory import DictStore

    inner = DictStore()
    return _paired_get(settings, ReadOnlyDecorator(inner), DictStore(), writable=inner)


def _build_prefix_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from minimalkv.decorator import PrefixDecorator
    from minimalkv.memory import DictStore

    chunks = _chunks(_items(settings), settings.chunk)
    bare = DictStore()
    decorated = PrefixDecorator(_PREFIX, DictStore())
    return paired_pair_calls(bare.put, decorated.put, chunks, settings.chunk)


def _build_prefix_floor_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    """The least any prefix mapping over a flat dict can cost: two probes, nothing else.

    A prefixed store keeps ``prefix + key`` in the wrapped store's dict, so a read needs the
    inner key (here from a ready table, the cheapest way to have it) and then the value: two
    hash-table probes where the bare store makes one. This side does exactly that in the
    cheapest Python there is, without validation, error handling or a call into the wrapped
    store, so its ns per call is the reference for reading the prefix-get case.
    """
    from minimalkv.memory import DictStore

    items = _items(settings)
    bare, inner = DictStore(), DictStore()
    known: dict[str, str] = {}
    for key, value in items:
        bare.put(key, value)
        known[key] = inner.put(_PREFIX + key, value)
    values = inner.d
    chunks = _chunks([key for key, _ in items], settings.chunk)

    def get(key: str) -> bytes:
        return values[known[key]]

    return paired_calls(bare.get, get, chunks, settings.chunk)


def _case(name: str, title: str, build: Any) -> Case:
    return Case(
        name=name,
        title=title,
        baseline="the same call on a bare `DictStore`",
        target=Target(),
        build=build,
    )


DECORATOR_CASES: tuple[Case, ...] = (
    _case("prefix-get", "`PrefixDecorator(DictStore()).get` (ns per call)", _build_prefix_get),
    _case(
        "prefix-floor-get",
        "Floor of a prefixed get over a flat dict: hand-written `d[known[key]]`, no checks",
        _build_prefix_floor_get,
    ),
    _case("prefix-put", "`PrefixDecorator(DictStore()).put` (ns per call)", _build_prefix_put),
    _case(
        "readonly-get", "`ReadOnlyDecorator(DictStore()).get` (ns per call)", _build_readonly_get
    ),
)
"""The decorator-over-DictStore cases, registered in tools/bench.py."""

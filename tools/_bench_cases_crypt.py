"""Benchmark cases of minimalkv-crypt: HMACDecorator over DictStore, 1 MiB values.

A signed store must compute an HMAC-SHA256 over every value it writes or reads; over 1 MiB
that costs far more than a dict lookup, so the baseline is the bare
:class:`minimalkv.memory.DictStore` doing the same cryptographic work written out by hand
(``hmac.digest`` of ``key + secret`` over the data, ``hmac.compare_digest`` on reads). The ratio
is then the decorator's own overhead: validation, slicing, calls. Both sides run in the same
round and process, interleaved by the harness.
"""

from __future__ import annotations

import contextlib
import hmac
import os
from typing import Any, Final

from tools._bench_cases import Case, MiB, Settings, Target
from tools._bench_harness import Paired

__all__ = ["CRYPT_CASES"]

_SECRET: Final = b"benchmark secret key"
_VALUES: Final = 48  # 1 MiB each, per side
_CHUNK: Final = 6


def _items() -> list[tuple[str, bytes]]:
    return [(f"key-{i:06d}", os.urandom(MiB)) for i in range(_VALUES)]


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _raw_sign(key: str, data: bytes) -> bytes:
    return data + hmac.digest(key.encode() + _SECRET, data, "sha256")


def _raw_unsign(key: str, stored: bytes) -> bytes:
    view = memoryview(stored)
    if not hmac.compare_digest(
        hmac.digest(key.encode() + _SECRET, view[:-32], "sha256"), view[-32:]
    ):
        raise ValueError("bad MAC")
    return stored[:-32]


def _build_hmac_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from minimalkv.crypt import HMACDecorator
    from minimalkv.memory import DictStore

    items = _items()
    bare = DictStore()
    signed = HMACDecorator(_SECRET, DictStore())
    for key, value in items:
        bare.put(key, _raw_sign(key, value))
        signed.put(key, value)
    chunks = _chunks([key for key, _ in items], _CHUNK)

    def run_raw(i: int) -> None:
        get = bare.get
        for key in chunks[i]:
            _raw_unsign(key, get(key))

    def run_lib(i: int) -> None:
        get = signed.get
        for key in chunks[i]:
            get(key)

    return Paired(run_raw, run_lib, len(chunks), _CHUNK)


def _build_hmac_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from minimalkv.crypt import HMACDecorator
    from minimalkv.memory import DictStore

    chunks = _chunks(_items(), _CHUNK)
    bare = DictStore()
    signed = HMACDecorator(_SECRET, DictStore())

    def run_raw(i: int) -> None:
        put = bare.put
        for key, value in chunks[i]:
            put(key, _raw_sign(key, value))

    def run_lib(i: int) -> None:
        put = signed.put
        for key, value in chunks[i]:
            put(key, value)

    return Paired(run_raw, run_lib, len(chunks), _CHUNK)


def _case(name: str, title: str, build: Any) -> Case:
    return Case(
        name=name,
        title=title,
        baseline="bare `DictStore` + the same HMAC-SHA256 written out (`hmac.digest`, "
        "`hmac.compare_digest`)",
        target=Target(min_ratio=0.7),
        build=build,
    )


CRYPT_CASES: tuple[Case, ...] = (
    _case("hmac-get", "`HMACDecorator(DictStore()).get`, 1 MiB values", _build_hmac_get),
    _case("hmac-put", "`HMACDecorator(DictStore()).put`, 1 MiB values", _build_hmac_put),
)
"""The HMACDecorator cases, registered in tools/bench.py."""

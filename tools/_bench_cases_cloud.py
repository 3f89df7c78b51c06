"""The shape shared by the cloud benchmark cases (S3, Azure, GCS): seven cases per service.

A service module supplies a :class:`CloudBackend` per case (its own server, container and
store, plus the raw SDK calls of the baseline) and a :class:`CloudService` (names and
baselines for the report); :func:`cloud_cases` builds the cases from them. Both sides of a case
do the same work against the same server; only the timed calls differ.

The sizes are fixed, independent of ``Settings.values`` and ``Settings.value_size``: 1,000
values of 64 KiB per round, timed in chunks of 100 operations; ``<prefix>-delete-many`` deletes
all of them in one chunk (one ``delete_many`` call) per round. A quick run (recognised by
``settings.values < 10_000``, as ``--quick`` sets it) uses 200 values. The large-file cases
move one object of 256 MiB (not ``Settings.large_size``), from and to a file in
``settings.disk_dir``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from tools._bench_cases import (
    MB,
    Case,
    MiB,
    Settings,
    Target,
    large_source,
    unlink_quietly,
)
from tools._bench_harness import Paired

__all__ = ["LARGE_KEY", "CloudBackend", "CloudService", "cloud_cases"]

VALUE_SIZE: Final = 64 * 1024
"""Bytes per value of the per-call cases."""
VALUES: Final = 1_000
"""Values per round of the per-call cases (``QUICK_VALUES`` in a quick run)."""
QUICK_VALUES: Final = 200
CHUNK: Final = 100
"""Operations per timed chunk (``<prefix>-delete-many``: all values in one chunk)."""
LARGE_SIZE: Final = 256 * MiB
"""Bytes of the one object of the large-file cases."""
LARGE_KEY: Final = "big"
"""The key of that object; the backend's file calls move it."""


@dataclass(frozen=True)
class CloudBackend:
    """One case's server side: the store and the raw SDK calls of the baseline.

    The loops (``put_loop``, ``get_loop``, ``delete_loop``) are timed as they are, so each must
    be a plain loop of the SDK's own best single call, reading every value in full, with
    nothing else in it; ``put_one`` is only used for untimed set-up. ``upload_file`` and
    ``download_file`` move ``LARGE_KEY`` from and to a path with the SDK's own file transfer;
    ``large_size`` asks the server how many bytes ``LARGE_KEY`` holds.
    """

    store: Any
    put_one: Callable[[str, bytes], object]
    put_loop: Callable[[list[tuple[str, bytes]]], object]
    get_loop: Callable[[list[str]], object]
    delete_loop: Callable[[list[str]], object]
    upload_file: Callable[[str], object]
    download_file: Callable[[str], object]
    large_size: Callable[[], int]
    setup_threads: int = 10
    """Parallel raw puts of the untimed set-up."""


@dataclass(frozen=True)
class CloudService:
    """What the report says about one service, and how to set up one case of it."""

    prefix: str
    """Case names are ``<prefix>-put``, ``<prefix>-get-many``, ..."""
    store: str
    """The store class, as in ``S3Store``."""
    server: str
    setup: Callable[[contextlib.ExitStack], CloudBackend]
    put: str
    get: str
    put_many: str
    get_many: str
    delete_many: str
    put_file: str
    get_file: str
    delete_ratio: float


_Build = Callable[[Settings, contextlib.ExitStack], Paired]


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _items(settings: Settings) -> list[tuple[str, bytes]]:
    count = QUICK_VALUES if settings.values < 10_000 else VALUES
    return [(f"key-{i:06d}", os.urandom(VALUE_SIZE)) for i in range(count)]


def _put_all(backend: CloudBackend, items: list[tuple[str, bytes]]) -> None:
    """Write ``items`` with raw puts in parallel (untimed set-up)."""

    def put(item: tuple[str, bytes]) -> None:
        backend.put_one(item[0], item[1])

    with ThreadPoolExecutor(backend.setup_threads) as pool:
        list(pool.map(put, items))


def _filled(
    setup: Callable[[contextlib.ExitStack], CloudBackend],
    settings: Settings,
    stack: contextlib.ExitStack,
) -> tuple[CloudBackend, list[tuple[str, bytes]]]:
    """A new backend holding the values of one round: every timed put replaces an existing
    object, as in steady state, and both sides read the same objects."""
    backend = setup(stack)
    items = _items(settings)
    _put_all(backend, items)
    return backend, items


# ---------------------------------------------------------------------------- per call
_Loop = Callable[[list[Any]], object]
"""Runs one chunk: a list of ``(key, value)`` pairs or of keys."""


def _put_loop(store: Any) -> _Loop:
    """A loop of ``store.put``, as the raw side's loop of single puts."""
    put = store.put

    def loop(items: list[tuple[str, bytes]]) -> None:
        for key, value in items:
            put(key, value)

    return loop


def _get_loop(store: Any) -> _Loop:
    """A loop of ``store.get``, as the raw side's loop of single gets."""
    get = store.get

    def loop(keys: list[str]) -> None:
        for key in keys:
            get(key)

    return loop


def _build_chunked(
    setup: Callable[[contextlib.ExitStack], CloudBackend],
    keys_only: bool,
    raw: Callable[[CloudBackend], _Loop],
    lib: Callable[[Any], _Loop],
) -> _Build:
    """A per-call case: both sides run the same chunks of ``CHUNK`` pairs (or keys, with
    ``keys_only``) of one round, all of them already stored."""

    def build(settings: Settings, stack: contextlib.ExitStack) -> Paired:
        backend, items = _filled(setup, settings, stack)
        chunks = _chunks([key for key, _ in items] if keys_only else items, CHUNK)
        raw_loop, lib_loop = raw(backend), lib(backend.store)

        def run_raw(i: int) -> None:
            raw_loop(chunks[i])

        def run_lib(i: int) -> None:
            lib_loop(chunks[i])

        return Paired(run_raw, run_lib, len(chunks), CHUNK)

    return build


def _build_delete_many(setup: Callable[[contextlib.ExitStack], CloudBackend]) -> _Build:
    def build(settings: Settings, stack: contextlib.ExitStack) -> Paired:
        backend, items = _filled(setup, settings, stack)
        keys = [key for key, _ in items]
        delete_loop, store = backend.delete_loop, backend.store
        deleted: list[bool] = []

        def restore() -> None:
            # Untimed: put back what the previous timed chunk deleted, so both sides delete
            # existing objects.
            if deleted:
                _put_all(backend, items)
                deleted.clear()

        def run_raw(i: int) -> None:
            delete_loop(keys)
            deleted.append(True)

        def run_lib(i: int) -> None:
            store.delete_many(keys)
            deleted.append(True)

        return Paired(run_raw, run_lib, 1, len(keys), before_chunk=restore)

    return build


# ---------------------------------------------------------------------------- large files
def _build_put_file(setup: Callable[[contextlib.ExitStack], CloudBackend]) -> _Build:
    def build(settings: Settings, stack: contextlib.ExitStack) -> Paired:
        backend = setup(stack)
        upload_file, store = backend.upload_file, backend.store
        _, source = large_source(settings, stack, LARGE_SIZE)
        path = str(source)

        def run_raw(i: int) -> None:
            upload_file(path)

        def run_lib(i: int) -> None:
            store.put_file(LARGE_KEY, path)

        os.sync()
        return Paired(run_raw, run_lib, 1, 1, before_chunk=os.sync, track_rss=True)

    return build


def _build_get_file(setup: Callable[[contextlib.ExitStack], CloudBackend]) -> _Build:
    def build(settings: Settings, stack: contextlib.ExitStack) -> Paired:
        backend = setup(stack)
        download_file, store = backend.download_file, backend.store
        base, source = large_source(settings, stack, LARGE_SIZE)
        backend.upload_file(str(source))
        size = backend.large_size()
        if size != LARGE_SIZE:
            raise RuntimeError(f"the server holds {size} bytes of the {LARGE_SIZE} uploaded")
        unlink_quietly(source)
        raw_out, lib_out = base / "raw-out.bin", base / "lib-out.bin"
        raw_path, lib_path = str(raw_out), str(lib_out)

        def before() -> None:
            # Unlinking a just-written file drops its dirty pages, so no side pays for the
            # other's write-back; sync flushes anything else still pending before the clock
            # starts.
            unlink_quietly(raw_out, lib_out)
            os.sync()

        def run_raw(i: int) -> None:
            download_file(raw_path)

        def run_lib(i: int) -> None:
            store.get_file(LARGE_KEY, lib_path)

        os.sync()
        return Paired(run_raw, run_lib, 1, 1, before_chunk=before, track_rss=True)

    return build


def cloud_cases(service: CloudService) -> tuple[Case, ...]:
    """The seven cases of ``service``: put, get, put-many, get-many, delete-many (throughput
    ratio targets) and put-file-large, get-file-large (time ratio and memory bound)."""
    p, store, server, setup = service.prefix, service.store, service.server, service.setup

    def per_call(name: str, title: str, baseline: str, ratio: float, build: _Build) -> Case:
        return Case(
            name=f"{p}-{name}",
            title=title,
            baseline=baseline,
            target=Target(min_ratio=ratio),
            build=build,
        )

    def large(name: str, title: str, baseline: str, build: _Build) -> Case:
        return Case(
            name=f"{p}-{name}",
            title=title,
            baseline=baseline,
            unit="B/s",
            target=Target(max_time_ratio=1 / 0.9, max_rss_growth=64 * MB),
            large=True,
            size=LARGE_SIZE,
            build=build,
        )

    values = f"64 KiB values, {server}"
    return (
        per_call(
            "put",
            f"`{store}.put`, {values}",
            service.put,
            0.9,
            _build_chunked(setup, False, lambda b: b.put_loop, _put_loop),
        ),
        per_call(
            "get",
            f"`{store}.get`, {values}",
            service.get,
            0.9,
            _build_chunked(setup, True, lambda b: b.get_loop, _get_loop),
        ),
        per_call(
            "put-many",
            f"`{store}.put_many` (100 pairs per call), {values}",
            service.put_many,
            3.0,
            _build_chunked(setup, False, lambda b: b.put_loop, lambda s: s.put_many),
        ),
        per_call(
            "get-many",
            f"`{store}.get_many` (100 keys per call), {values}",
            service.get_many,
            3.0,
            _build_chunked(setup, True, lambda b: b.get_loop, lambda s: s.get_many),
        ),
        per_call(
            "delete-many",
            f"`{store}.delete_many` (1,000 keys per call; 200 in a quick run), {server}",
            service.delete_many,
            service.delete_ratio,
            _build_delete_many(setup),
        ),
        large(
            "put-file-large",
            f"`{store}.put_file` from a path, 256 MiB, {server}",
            service.put_file,
            _build_put_file(setup),
        ),
        large(
            "get-file-large",
            f"`{store}.get_file` to a path, 256 MiB, {server}",
            service.get_file,
            _build_get_file(setup),
        ),
    )

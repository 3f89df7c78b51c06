"""Benchmark cases of minimalkv-azure: AzureBlockBlobStore against the raw SDK on one Azurite.

Every case starts a private Azurite (see tools/_services_azure.py) and makes one container,
``minimalkv-bench-<hex>``, deleted at the end. Both sides run in the same process and round
against that server, each on its own ``ContainerClient`` built by the same
:meth:`AzureConnection.container_client` (so with the very same SDK settings: transport,
timeouts, retries, block sizes); the baseline is the SDK's own call for the same work.

The sizes are fixed, independent of ``Settings.values`` and ``Settings.value_size``: 1,000
values of 64 KiB per round, timed in chunks of 100 operations; ``azure-delete-many`` deletes
all of them in one chunk per round. A quick run (``settings.values < 10_000``, as ``--quick``
sets it) uses 200 values. The large-file cases move one blob of 256 MiB from and to a file in
``settings.disk_dir``, both sides with ``LARGE_CONCURRENCY`` parallel requests.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

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
from tools._services_azure import azurite_server

if TYPE_CHECKING:
    from azure.storage.blob import ContainerClient
    from minimalkv.azure import AzureBlockBlobStore

__all__ = ["AZURE_CASES"]

VALUE_SIZE: Final = 64 * 1024
"""Bytes per value of the per-call cases."""
VALUES: Final = 1_000
"""Values per round of the per-call cases (``QUICK_VALUES`` in a quick run)."""
QUICK_VALUES: Final = 200
CHUNK: Final = 100
"""Operations per timed chunk (``azure-delete-many``: all values in one chunk)."""
LARGE_SIZE: Final = 256 * MiB
"""Bytes of the one blob of the large-file cases."""
LARGE_KEY: Final = "big"
LARGE_CONCURRENCY: Final = 4
"""Parallel requests of one large transfer, on both sides (the store's ``max_connections``)."""


@dataclass(frozen=True)
class _Bench:
    """One case's server side: the raw client, the store and their container."""

    raw: ContainerClient
    store: AzureBlockBlobStore


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _count(settings: Settings) -> int:
    return QUICK_VALUES if settings.values < 10_000 else VALUES


def _items(settings: Settings) -> list[tuple[str, bytes]]:
    return [(f"key-{i:06d}", os.urandom(VALUE_SIZE)) for i in range(_count(settings))]


def _setup(stack: contextlib.ExitStack) -> _Bench:
    from minimalkv.azure import AzureBlockBlobStore, AzureConnection

    account = stack.enter_context(azurite_server())
    connection = AzureConnection(
        account_name=account.account_name,
        account_key=account.account_key,
        blob_endpoint=account.blob_endpoint,
    )
    container = f"minimalkv-bench-{secrets.token_hex(6)}"
    store = AzureBlockBlobStore(
        container=container, connection=connection, max_connections=LARGE_CONCURRENCY
    )
    stack.callback(store.close)
    # A second client with the store's settings, for the raw side.
    raw = connection.container_client(
        container,
        max_block_size=store.max_block_size,
        max_single_put_size=store.max_single_put_size,
    )
    raw.create_container()
    stack.callback(raw.close)
    stack.callback(raw.delete_container)
    return _Bench(raw, store)


def _put_all(bench: _Bench, items: list[tuple[str, bytes]]) -> None:
    """Write ``items`` with raw uploads in parallel (untimed set-up)."""
    raw = bench.raw

    def put(item: tuple[str, bytes]) -> None:
        raw.upload_blob(item[0], item[1], overwrite=True)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, items))


# ---------------------------------------------------------------------------- per call
def _build_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store = bench.raw, bench.store
    items = _items(settings)
    _put_all(bench, items)  # every timed put replaces an existing blob, as in steady state
    chunks = _chunks(items, CHUNK)

    def run_raw(i: int) -> None:
        blob = raw.get_blob_client
        for key, value in chunks[i]:
            blob(key).upload_blob(value, overwrite=True)

    def run_lib(i: int) -> None:
        put = store.put
        for key, value in chunks[i]:
            put(key, value)

    return Paired(run_raw, run_lib, len(chunks), CHUNK)


def _build_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store = bench.raw, bench.store
    items = _items(settings)
    _put_all(bench, items)
    chunks = _chunks([key for key, _ in items], CHUNK)  # both sides read the same blobs

    def run_raw(i: int) -> None:
        blob = raw.get_blob_client
        for key in chunks[i]:
            blob(key).download_blob().readall()

    def run_lib(i: int) -> None:
        get = store.get
        for key in chunks[i]:
            get(key)

    return Paired(run_raw, run_lib, len(chunks), CHUNK)


def _build_put_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store = bench.raw, bench.store
    items = _items(settings)
    _put_all(bench, items)
    chunks = _chunks(items, CHUNK)

    def run_raw(i: int) -> None:
        blob = raw.get_blob_client
        for key, value in chunks[i]:
            blob(key).upload_blob(value, overwrite=True)

    def run_lib(i: int) -> None:
        store.put_many(chunks[i])

    return Paired(run_raw, run_lib, len(chunks), CHUNK)


def _build_get_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store = bench.raw, bench.store
    items = _items(settings)
    _put_all(bench, items)
    chunks = _chunks([key for key, _ in items], CHUNK)

    def run_raw(i: int) -> None:
        blob = raw.get_blob_client
        for key in chunks[i]:
            blob(key).download_blob().readall()

    def run_lib(i: int) -> None:
        store.get_many(chunks[i])

    return Paired(run_raw, run_lib, len(chunks), CHUNK)


def _build_delete_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store = bench.raw, bench.store
    items = _items(settings)
    _put_all(bench, items)
    keys = [key for key, _ in items]
    deleted: list[bool] = []

    def restore() -> None:
        # Untimed: put back what the previous timed chunk deleted, so both sides delete
        # existing blobs.
        if deleted:
            _put_all(bench, items)
            deleted.clear()

    def run_raw(i: int) -> None:
        for key in keys:
            raw.delete_blob(key)
        deleted.append(True)

    def run_lib(i: int) -> None:
        store.delete_many(keys)
        deleted.append(True)

    return Paired(run_raw, run_lib, 1, len(keys), before_chunk=restore)


# ---------------------------------------------------------------------------- large files
def _build_put_file(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store = bench.raw, bench.store
    _, source = large_source(settings, stack, LARGE_SIZE)
    path = str(source)

    def run_raw(i: int) -> None:
        with open(path, "rb") as file:
            raw.upload_blob(LARGE_KEY, file, overwrite=True, max_concurrency=LARGE_CONCURRENCY)

    def run_lib(i: int) -> None:
        store.put_file(LARGE_KEY, path)

    os.sync()
    return Paired(run_raw, run_lib, 1, 1, before_chunk=os.sync, track_rss=True)


def _build_get_file(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store = bench.raw, bench.store
    base, source = large_source(settings, stack, LARGE_SIZE)
    with open(source, "rb") as file:
        raw.upload_blob(LARGE_KEY, file, overwrite=True, max_concurrency=LARGE_CONCURRENCY)
    size = raw.get_blob_client(LARGE_KEY).get_blob_properties().size
    if size != LARGE_SIZE:
        raise RuntimeError(f"the server holds {size} bytes of the {LARGE_SIZE} uploaded")
    unlink_quietly(source)
    raw_out, lib_out = base / "raw-out.bin", base / "lib-out.bin"
    lib_path = str(lib_out)

    def before() -> None:
        # Unlinking a just-written file drops its dirty pages, so no side pays for the other's
        # write-back; sync flushes anything else still pending before the clock starts.
        unlink_quietly(raw_out, lib_out)
        os.sync()

    def run_raw(i: int) -> None:
        with open(raw_out, "wb") as file:
            raw.download_blob(LARGE_KEY, max_concurrency=LARGE_CONCURRENCY).readinto(file)

    def run_lib(i: int) -> None:
        store.get_file(LARGE_KEY, lib_path)

    os.sync()
    return Paired(run_raw, run_lib, 1, 1, before_chunk=before, track_rss=True)


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


AZURE_CASES: Final[tuple[Case, ...]] = (
    _case(
        "azure-put",
        "`AzureBlockBlobStore.put`, 64 KiB values, Azurite",
        "`BlobClient.upload_blob(v, overwrite=True)`",
        0.9,
        _build_put,
    ),
    _case(
        "azure-get",
        "`AzureBlockBlobStore.get`, 64 KiB values, Azurite",
        "`BlobClient.download_blob().readall()`",
        0.9,
        _build_get,
    ),
    _case(
        "azure-put-many",
        "`AzureBlockBlobStore.put_many` (100 pairs per call), 64 KiB values, Azurite",
        "a loop of `BlobClient.upload_blob`",
        3.0,
        _build_put_many,
    ),
    _case(
        "azure-get-many",
        "`AzureBlockBlobStore.get_many` (100 keys per call), 64 KiB values, Azurite",
        "a loop of `BlobClient.download_blob().readall()`",
        3.0,
        _build_get_many,
    ),
    _case(
        "azure-delete-many",
        "`AzureBlockBlobStore.delete_many` (1,000 keys per call; 200 in a quick run), Azurite",
        "a loop of `ContainerClient.delete_blob`",
        3.0,
        _build_delete_many,
    ),
    Case(
        name="azure-put-file-large",
        title="`AzureBlockBlobStore.put_file` from a path, 256 MiB, Azurite",
        baseline="`ContainerClient.upload_blob(key, file, max_concurrency=4)`",
        unit="B/s",
        target=Target(max_time_ratio=1 / 0.9, max_rss_growth=64 * MB),
        large=True,
        size=LARGE_SIZE,
        build=_build_put_file,
    ),
    Case(
        name="azure-get-file-large",
        title="`AzureBlockBlobStore.get_file` to a path, 256 MiB, Azurite",
        baseline="`ContainerClient.download_blob(key, max_concurrency=4).readinto(file)`",
        unit="B/s",
        target=Target(max_time_ratio=1 / 0.9, max_rss_growth=64 * MB),
        large=True,
        size=LARGE_SIZE,
        build=_build_get_file,
    ),
)
"""The Azure cases, registered in tools/bench.py."""

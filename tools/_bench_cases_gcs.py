"""Benchmark cases of minimalkv-gcs: GoogleCloudStore against raw google-cloud-storage.

Every case starts a private fake-gcs-server (see tools/_services_gcs.py, objects in memory)
and makes one bucket, ``minimalkv-bench-<hex>``, emptied and deleted at the end. Both sides run
in the same process and round against that server, each on its own client built by the same
:meth:`GcsConnection.client` (the same session, pool and credentials); the baseline is the
SDK's own call for the same work, with the SDK's defaults.

The sizes are fixed, independent of ``Settings.values`` and ``Settings.value_size``: 1,000
values of 64 KiB per round, timed in chunks of 100 operations; ``gcs-delete-many`` deletes all
of them in one call per round. A quick run (recognised by ``settings.values < 10_000``, as
``--quick`` sets it) uses 200 values. The large-file cases move one object of 256 MiB from and
to a file in ``settings.disk_dir``.
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
from tools._services_gcs import fake_gcs_server

if TYPE_CHECKING:
    from minimalkv.gcs import GoogleCloudStore

__all__ = ["GCS_CASES"]

VALUE_SIZE: Final = 64 * 1024
"""Bytes per value of the per-call cases."""
VALUES: Final = 1_000
"""Values per round of the per-call cases (``QUICK_VALUES`` in a quick run)."""
QUICK_VALUES: Final = 200
CHUNK: Final = 100
"""Operations per timed chunk (``gcs-delete-many``: all values in one chunk)."""
LARGE_SIZE: Final = 256 * MiB
"""Bytes of the one object of the large-file cases."""
LARGE_KEY: Final = "big"


@dataclass(frozen=True)
class _Bench:
    """One case's server side: the raw bucket handle and the store."""

    raw: Any  # google.cloud.storage.Bucket on a client of its own
    store: GoogleCloudStore


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _items(settings: Settings) -> list[tuple[str, bytes]]:
    count = QUICK_VALUES if settings.values < 10_000 else VALUES
    return [(f"key-{i:06d}", os.urandom(VALUE_SIZE)) for i in range(count)]


def _drop_bucket(bucket: Any) -> None:
    for blob in list(bucket.list_blobs()):
        with contextlib.suppress(Exception):
            blob.delete()
    bucket.delete()


def _setup(stack: contextlib.ExitStack) -> _Bench:
    from minimalkv.gcs import GcsConnection, GoogleCloudStore

    server = stack.enter_context(fake_gcs_server())
    connection = GcsConnection(endpoint=server.endpoint_url)
    client, _ = connection.client()  # a second client with the store's settings: the raw side
    stack.callback(client.close)
    name = f"minimalkv-bench-{secrets.token_hex(6)}"
    raw = client.create_bucket(name)
    stack.callback(_drop_bucket, raw)
    store = GoogleCloudStore(None, name, False, connection=connection)
    stack.callback(store.close)
    return _Bench(raw, store)


def _put_all(bench: _Bench, items: list[tuple[str, bytes]]) -> None:
    """Write ``items`` with raw uploads in parallel (untimed set-up)."""
    raw = bench.raw

    def put(item: tuple[str, bytes]) -> None:
        raw.blob(item[0]).upload_from_string(item[1])

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(put, items))


# ---------------------------------------------------------------------------- per call
def _build_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store = bench.raw, bench.store
    items = _items(settings)
    _put_all(bench, items)  # every timed put replaces an existing object, as in steady state
    chunks = _chunks(items, CHUNK)

    def run_raw(i: int) -> None:
        for key, value in chunks[i]:
            raw.blob(key).upload_from_string(value)

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
    chunks = _chunks([key for key, _ in items], CHUNK)  # both sides read the same objects

    def run_raw(i: int) -> None:
        for key in chunks[i]:
            raw.blob(key).download_as_bytes()

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
        for key, value in chunks[i]:
            raw.blob(key).upload_from_string(value)

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
        for key in chunks[i]:
            raw.blob(key).download_as_bytes()

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
        # existing objects.
        if deleted:
            _put_all(bench, items)
            deleted.clear()

    def run_raw(i: int) -> None:
        for key in keys:
            raw.blob(key).delete()
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
        raw.blob(LARGE_KEY).upload_from_filename(path)

    def run_lib(i: int) -> None:
        store.put_file(LARGE_KEY, path)

    os.sync()
    return Paired(run_raw, run_lib, 1, 1, before_chunk=os.sync, track_rss=True)


def _build_get_file(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store = bench.raw, bench.store
    base, source = large_source(settings, stack, LARGE_SIZE)
    raw.blob(LARGE_KEY).upload_from_filename(str(source))
    size = raw.get_blob(LARGE_KEY).size
    if size != LARGE_SIZE:
        raise RuntimeError(f"the server holds {size} bytes of the {LARGE_SIZE} uploaded")
    unlink_quietly(source)
    raw_out, lib_out = base / "raw-out.bin", base / "lib-out.bin"
    raw_path, lib_path = str(raw_out), str(lib_out)

    def before() -> None:
        # Unlinking a just-written file drops its dirty pages, so no side pays for the other's
        # write-back; sync flushes anything else still pending before the clock starts.
        unlink_quietly(raw_out, lib_out)
        os.sync()

    def run_raw(i: int) -> None:
        raw.blob(LARGE_KEY).download_to_filename(raw_path)

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


GCS_CASES: Final[tuple[Case, ...]] = (
    _case(
        "gcs-put",
        "`GoogleCloudStore.put`, 64 KiB values, fake-gcs-server",
        "google-cloud-storage `bucket.blob(key).upload_from_string(v)`",
        0.9,
        _build_put,
    ),
    _case(
        "gcs-get",
        "`GoogleCloudStore.get`, 64 KiB values, fake-gcs-server",
        "google-cloud-storage `bucket.blob(key).download_as_bytes()`",
        0.9,
        _build_get,
    ),
    _case(
        "gcs-put-many",
        "`GoogleCloudStore.put_many` (100 pairs per call), 64 KiB values, fake-gcs-server",
        "a loop of `blob.upload_from_string`",
        3.0,
        _build_put_many,
    ),
    _case(
        "gcs-get-many",
        "`GoogleCloudStore.get_many` (100 keys per call), 64 KiB values, fake-gcs-server",
        "a loop of `blob.download_as_bytes`",
        3.0,
        _build_get_many,
    ),
    _case(
        "gcs-delete-many",
        "`GoogleCloudStore.delete_many` (1,000 keys per call; 200 in a quick run), fake-gcs-server",
        "a loop of `blob.delete()`",
        3.0,
        _build_delete_many,
    ),
    Case(
        name="gcs-put-file-large",
        title="`GoogleCloudStore.put_file` from a path, 256 MiB, fake-gcs-server",
        baseline="google-cloud-storage `blob.upload_from_filename(path)` (100 MiB chunks)",
        unit="B/s",
        target=Target(max_time_ratio=1 / 0.9, max_rss_growth=64 * MB),
        large=True,
        size=LARGE_SIZE,
        build=_build_put_file,
    ),
    Case(
        name="gcs-get-file-large",
        title="`GoogleCloudStore.get_file` to a path, 256 MiB, fake-gcs-server",
        baseline="google-cloud-storage `blob.download_to_filename(path)`",
        unit="B/s",
        target=Target(max_time_ratio=1 / 0.9, max_rss_growth=64 * MB),
        large=True,
        size=LARGE_SIZE,
        build=_build_get_file,
    ),
)
"""The GCS cases, registered in tools/bench.py."""

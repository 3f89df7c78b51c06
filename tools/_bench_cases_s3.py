"""Benchmark cases of minimalkv-s3: S3Store against raw boto3 on the same server.

Every case starts a private SeaweedFS S3 server (see tools/services.py) and makes one bucket,
``minimalkv-bench-<hex>``, emptied and deleted at the end. Both sides run in the same process
and round against that server, each on its own boto3 client built by the same
:meth:`S3Connection.client` (so with the very same botocore settings: signature, timeouts,
retries, connection pool, checksums); the baseline is boto3's own best call for the same work.

The sizes are fixed, independent of ``Settings.values`` and ``Settings.value_size``: 1,000
values of 64 KiB per round, timed in chunks of 100 operations; ``s3-delete-many`` deletes all of
them in one chunk (one ``delete_many`` call) per round. A quick run (recognised by
``settings.values < 10_000``, as ``--quick`` sets it) uses 200 values. The large-file cases
move one object of 256 MiB (not ``Settings.large_size``), from and to a file in
``settings.disk_dir``, with boto3's ``TransferConfig()`` defaults on the raw side.
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
from tools.services import seaweedfs_server

if TYPE_CHECKING:
    from minimalkv.s3 import S3Store
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

__all__ = ["S3_CASES"]

VALUE_SIZE: Final = 64 * 1024
"""Bytes per value of the per-call cases."""
VALUES: Final = 1_000
"""Values per round of the per-call cases (``QUICK_VALUES`` in a quick run)."""
QUICK_VALUES: Final = 200
CHUNK: Final = 100
"""Operations per timed chunk (``s3-delete-many``: all values in one chunk)."""
LARGE_SIZE: Final = 256 * MiB
"""Bytes of the one object of the large-file cases."""
LARGE_KEY: Final = "big"


@dataclass(frozen=True)
class _Bench:
    """One case's server side: the raw client, the store and their bucket."""

    raw: S3Client
    store: S3Store
    bucket: str


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _count(settings: Settings) -> int:
    return QUICK_VALUES if settings.values < 10_000 else VALUES


def _items(settings: Settings) -> list[tuple[str, bytes]]:
    count = _count(settings)
    return [(f"key-{i:06d}", os.urandom(VALUE_SIZE)) for i in range(count)]


def _drop_bucket(client: S3Client, bucket: str) -> None:
    """Empty the bucket (objects and unfinished uploads) and delete it."""
    uploads = client.get_paginator("list_multipart_uploads")
    for upload_page in uploads.paginate(Bucket=bucket):
        for upload in upload_page.get("Uploads", []):
            client.abort_multipart_upload(
                Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )
    objects = client.get_paginator("list_objects_v2")
    for page in objects.paginate(Bucket=bucket):
        names: list[ObjectIdentifierTypeDef] = [
            {"Key": entry["Key"]} for entry in page.get("Contents", [])
        ]
        if names:
            client.delete_objects(Bucket=bucket, Delete={"Objects": names, "Quiet": True})
    client.delete_bucket(Bucket=bucket)


def _setup(stack: contextlib.ExitStack) -> _Bench:
    from minimalkv.s3 import S3Connection, S3Store

    server = stack.enter_context(seaweedfs_server())
    connection = S3Connection(
        endpoint_url=server.endpoint_url,
        region_name=server.region,
        access_key_id=server.access_key,
        secret_access_key=server.secret_key,
    )
    raw = connection.client()  # a second client with the store's settings, for the raw side
    stack.callback(raw.close)
    bucket = f"minimalkv-bench-{secrets.token_hex(6)}"
    raw.create_bucket(Bucket=bucket)
    stack.callback(_drop_bucket, raw, bucket)
    store = S3Store(bucket, connection=connection)
    stack.callback(store.close)
    return _Bench(raw, store, bucket)


def _put_all(bench: _Bench, items: list[tuple[str, bytes]]) -> None:
    """Write ``items`` with raw ``put_object`` calls in parallel (untimed set-up)."""
    raw, bucket = bench.raw, bench.bucket

    def put(item: tuple[str, bytes]) -> None:
        raw.put_object(Bucket=bucket, Key=item[0], Body=item[1])

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(put, items))


# ---------------------------------------------------------------------------- per call
def _build_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store, bucket = bench.raw, bench.store, bench.bucket
    items = _items(settings)
    _put_all(bench, items)  # every timed put replaces an existing object, as in steady state
    chunks = _chunks(items, CHUNK)

    def run_raw(i: int) -> None:
        put_object = raw.put_object
        for key, value in chunks[i]:
            put_object(Bucket=bucket, Key=key, Body=value)

    def run_lib(i: int) -> None:
        put = store.put
        for key, value in chunks[i]:
            put(key, value)

    return Paired(run_raw, run_lib, len(chunks), CHUNK)


def _build_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store, bucket = bench.raw, bench.store, bench.bucket
    items = _items(settings)
    _put_all(bench, items)
    chunks = _chunks([key for key, _ in items], CHUNK)  # both sides read the same objects

    def run_raw(i: int) -> None:
        get_object = raw.get_object
        for key in chunks[i]:
            get_object(Bucket=bucket, Key=key)["Body"].read()

    def run_lib(i: int) -> None:
        get = store.get
        for key in chunks[i]:
            get(key)

    return Paired(run_raw, run_lib, len(chunks), CHUNK)


def _build_put_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store, bucket = bench.raw, bench.store, bench.bucket
    items = _items(settings)
    _put_all(bench, items)
    chunks = _chunks(items, CHUNK)

    def run_raw(i: int) -> None:
        put_object = raw.put_object
        for key, value in chunks[i]:
            put_object(Bucket=bucket, Key=key, Body=value)

    def run_lib(i: int) -> None:
        store.put_many(chunks[i])

    return Paired(run_raw, run_lib, len(chunks), CHUNK)


def _build_get_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store, bucket = bench.raw, bench.store, bench.bucket
    items = _items(settings)
    _put_all(bench, items)
    chunks = _chunks([key for key, _ in items], CHUNK)

    def run_raw(i: int) -> None:
        get_object = raw.get_object
        for key in chunks[i]:
            get_object(Bucket=bucket, Key=key)["Body"].read()

    def run_lib(i: int) -> None:
        store.get_many(chunks[i])

    return Paired(run_raw, run_lib, len(chunks), CHUNK)


def _build_delete_many(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    bench = _setup(stack)
    raw, store, bucket = bench.raw, bench.store, bench.bucket
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
        delete_object = raw.delete_object
        for key in keys:
            delete_object(Bucket=bucket, Key=key)
        deleted.append(True)

    def run_lib(i: int) -> None:
        store.delete_many(keys)
        deleted.append(True)

    return Paired(run_raw, run_lib, 1, len(keys), before_chunk=restore)


# ---------------------------------------------------------------------------- large files
def _build_put_file(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from boto3.s3.transfer import TransferConfig

    bench = _setup(stack)
    raw, store, bucket = bench.raw, bench.store, bench.bucket
    _, source = large_source(settings, stack, LARGE_SIZE)
    path = str(source)
    config = TransferConfig()

    def run_raw(i: int) -> None:
        raw.upload_file(path, bucket, LARGE_KEY, Config=config)

    def run_lib(i: int) -> None:
        store.put_file(LARGE_KEY, path)

    os.sync()
    return Paired(run_raw, run_lib, 1, 1, before_chunk=os.sync, track_rss=True)


def _build_get_file(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from boto3.s3.transfer import TransferConfig

    bench = _setup(stack)
    raw, store, bucket = bench.raw, bench.store, bench.bucket
    base, source = large_source(settings, stack, LARGE_SIZE)
    config = TransferConfig()
    raw.upload_file(str(source), bucket, LARGE_KEY, Config=config)
    size = raw.head_object(Bucket=bucket, Key=LARGE_KEY)["ContentLength"]
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
        raw.download_file(bucket, LARGE_KEY, raw_path, Config=config)

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


S3_CASES: Final[tuple[Case, ...]] = (
    _case(
        "s3-put",
        "`S3Store.put`, 64 KiB values, SeaweedFS",
        "boto3 `client.put_object(Bucket=, Key=, Body=v)`",
        0.9,
        _build_put,
    ),
    _case(
        "s3-get",
        "`S3Store.get`, 64 KiB values, SeaweedFS",
        'boto3 `client.get_object(Bucket=, Key=)["Body"].read()`',
        0.9,
        _build_get,
    ),
    _case(
        "s3-put-many",
        "`S3Store.put_many` (100 pairs per call), 64 KiB values, SeaweedFS",
        "a loop of boto3 `client.put_object`",
        3.0,
        _build_put_many,
    ),
    _case(
        "s3-get-many",
        "`S3Store.get_many` (100 keys per call), 64 KiB values, SeaweedFS",
        'a loop of boto3 `client.get_object(...)["Body"].read()`',
        3.0,
        _build_get_many,
    ),
    _case(
        "s3-delete-many",
        "`S3Store.delete_many` (1,000 keys per call; 200 in a quick run), SeaweedFS",
        "a loop of boto3 `client.delete_object`",
        10.0,
        _build_delete_many,
    ),
    Case(
        name="s3-put-file-large",
        title="`S3Store.put_file` from a path, 256 MiB, SeaweedFS",
        baseline="boto3 `client.upload_file(path, bucket, key, Config=TransferConfig())`",
        unit="B/s",
        target=Target(max_time_ratio=1 / 0.9, max_rss_growth=64 * MB),
        large=True,
        size=LARGE_SIZE,
        build=_build_put_file,
    ),
    Case(
        name="s3-get-file-large",
        title="`S3Store.get_file` to a path, 256 MiB, SeaweedFS",
        baseline="boto3 `client.download_file(bucket, key, path, Config=TransferConfig())`",
        unit="B/s",
        target=Target(max_time_ratio=1 / 0.9, max_rss_growth=64 * MB),
        large=True,
        size=LARGE_SIZE,
        build=_build_get_file,
    ),
)
"""The S3 cases, registered in tools/bench.py."""

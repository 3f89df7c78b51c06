"""Benchmark cases of minimalkv-gcs: GoogleCloudStore against raw google-cloud-storage.

Every case starts a private fake-gcs-server (see tools/_services_gcs.py, objects in memory)
and makes one bucket, ``minimalkv-bench-<hex>``, emptied and deleted at the end. Both sides run
in the same process and round against that server, each on its own client built by the same
:meth:`GcsConnection.client` (the same session, pool and credentials); the baseline is the
SDK's own call for the same work, with the SDK's defaults.

The cases, sizes and targets are those of tools/_bench_cases_cloud.py: 1,000 values of 64 KiB
per round (200 in a quick run), timed in chunks of 100 operations; ``gcs-delete-many`` deletes
all of them in one call per round. The large-file cases move one object of 256 MiB from and to
a file in ``settings.disk_dir``.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Any, Final

from tools._bench_cases import Case
from tools._bench_cases_cloud import LARGE_KEY, CloudBackend, CloudService, cloud_cases
from tools._services_gcs import fake_gcs_server

__all__ = ["GCS_CASES"]


def _drop_bucket(bucket: Any) -> None:
    for blob in list(bucket.list_blobs()):
        with contextlib.suppress(Exception):
            blob.delete()
    bucket.delete()


def _setup(stack: contextlib.ExitStack) -> CloudBackend:
    from minimalkv.gcs import GcsConnection, GoogleCloudStore

    server = stack.enter_context(fake_gcs_server())
    connection = GcsConnection(endpoint=server.endpoint_url)
    client, _ = connection.client()  # a second client with the store's settings: the raw side
    stack.callback(client.close)
    name = f"minimalkv-bench-{secrets.token_hex(6)}"
    raw: Any = client.create_bucket(name)  # google.cloud.storage.Bucket, untyped
    stack.callback(_drop_bucket, raw)
    store = GoogleCloudStore(None, name, False, connection=connection)
    stack.callback(store.close)

    def put_one(key: str, value: bytes) -> None:
        raw.blob(key).upload_from_string(value)

    def put_loop(items: list[tuple[str, bytes]]) -> None:
        for key, value in items:
            raw.blob(key).upload_from_string(value)

    def get_loop(keys: list[str]) -> None:
        for key in keys:
            raw.blob(key).download_as_bytes()

    def delete_loop(keys: list[str]) -> None:
        for key in keys:
            raw.blob(key).delete()

    def upload_file(path: str) -> None:
        raw.blob(LARGE_KEY).upload_from_filename(path)

    def download_file(path: str) -> None:
        raw.blob(LARGE_KEY).download_to_filename(path)

    def large_size() -> int:
        size: int = raw.get_blob(LARGE_KEY).size
        return size

    return CloudBackend(
        store, put_one, put_loop, get_loop, delete_loop, upload_file, download_file, large_size
    )


GCS_CASES: Final[tuple[Case, ...]] = cloud_cases(
    CloudService(
        prefix="gcs",
        store="GoogleCloudStore",
        server="fake-gcs-server",
        setup=_setup,
        put="google-cloud-storage `bucket.blob(key).upload_from_string(v)`",
        get="google-cloud-storage `bucket.blob(key).download_as_bytes()`",
        put_many="a loop of `blob.upload_from_string`",
        get_many="a loop of `blob.download_as_bytes`",
        delete_many="a loop of `blob.delete()`",
        delete_ratio=3.0,
        put_file="google-cloud-storage `blob.upload_from_filename(path)` (100 MiB chunks)",
        get_file="google-cloud-storage `blob.download_to_filename(path)`",
    )
)
"""The GCS cases, registered in tools/bench.py."""

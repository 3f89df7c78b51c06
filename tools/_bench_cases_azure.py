"""Benchmark cases of minimalkv-azure: AzureBlockBlobStore against the raw SDK on one Azurite.

Every case starts a private Azurite (see tools/_services_azure.py) and makes one container,
``minimalkv-bench-<hex>``, deleted at the end. Both sides run in the same process and round
against that server, each on its own ``ContainerClient`` built by the same
:meth:`AzureConnection.container_client` (so with the very same SDK settings: transport,
timeouts, retries, block sizes); the baseline is the SDK's own call for the same work.

The cases, sizes and targets are those of tools/_bench_cases_cloud.py: 1,000 values of 64 KiB
per round (200 in a quick run), timed in chunks of 100 operations; ``azure-delete-many``
deletes all of them in one chunk per round. The large-file cases move one blob of 256 MiB from
and to a file in ``settings.disk_dir``, both sides with ``LARGE_CONCURRENCY`` parallel
requests.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Final

from tools._bench_cases import Case
from tools._bench_cases_cloud import LARGE_KEY, CloudBackend, CloudService, cloud_cases
from tools._services_azure import azurite_server

__all__ = ["AZURE_CASES"]

LARGE_CONCURRENCY: Final = 4
"""Parallel requests of one large transfer, on both sides (the store's ``max_connections``)."""


def _setup(stack: contextlib.ExitStack) -> CloudBackend:
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

    def put_one(key: str, value: bytes) -> None:
        raw.upload_blob(key, value, overwrite=True)

    def put_loop(items: list[tuple[str, bytes]]) -> None:
        blob = raw.get_blob_client
        for key, value in items:
            blob(key).upload_blob(value, overwrite=True)

    def get_loop(keys: list[str]) -> None:
        blob = raw.get_blob_client
        for key in keys:
            blob(key).download_blob().readall()

    def delete_loop(keys: list[str]) -> None:
        for key in keys:
            raw.delete_blob(key)

    def upload_file(path: str) -> None:
        with open(path, "rb") as file:
            raw.upload_blob(LARGE_KEY, file, overwrite=True, max_concurrency=LARGE_CONCURRENCY)

    def download_file(path: str) -> None:
        with open(path, "wb") as file:
            raw.download_blob(LARGE_KEY, max_concurrency=LARGE_CONCURRENCY).readinto(file)

    def large_size() -> int:
        return raw.get_blob_client(LARGE_KEY).get_blob_properties().size

    return CloudBackend(
        store,
        put_one,
        put_loop,
        get_loop,
        delete_loop,
        upload_file,
        download_file,
        large_size,
        setup_threads=8,
    )


AZURE_CASES: Final[tuple[Case, ...]] = cloud_cases(
    CloudService(
        prefix="azure",
        store="AzureBlockBlobStore",
        server="Azurite",
        setup=_setup,
        put="`BlobClient.upload_blob(v, overwrite=True)`",
        get="`BlobClient.download_blob().readall()`",
        put_many="a loop of `BlobClient.upload_blob`",
        get_many="a loop of `BlobClient.download_blob().readall()`",
        delete_many="a loop of `ContainerClient.delete_blob`",
        delete_ratio=3.0,
        put_file="`ContainerClient.upload_blob(key, file, max_concurrency=4)`",
        get_file="`ContainerClient.download_blob(key, max_concurrency=4).readinto(file)`",
    )
)
"""The Azure cases, registered in tools/bench.py."""

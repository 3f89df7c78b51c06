"""Benchmark cases of minimalkv-s3: S3Store against raw boto3 on the same server.

Every case starts a private SeaweedFS S3 server (see tools/services.py) and makes one bucket,
``minimalkv-bench-<hex>``, emptied and deleted at the end. Both sides run in the same process
and round against that server, each on its own boto3 client built by the same
:meth:`S3Connection.client` (so with the very same botocore settings: signature, timeouts,
retries, connection pool, checksums); the baseline is boto3's own best call for the same work.

The cases, sizes and targets are those of tools/_bench_cases_cloud.py: 1,000 values of 64 KiB
per round (200 in a quick run), timed in chunks of 100 operations; ``s3-delete-many`` deletes
all of them in one chunk (one ``delete_many`` call) per round. The large-file cases move one
object of 256 MiB (not ``Settings.large_size``), from and to a file in ``settings.disk_dir``,
with boto3's ``TransferConfig()`` defaults on the raw side.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING, Final

from tools._bench_cases import Case
from tools._bench_cases_cloud import LARGE_KEY, CloudBackend, CloudService, cloud_cases
from tools.services import seaweedfs_server

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

__all__ = ["S3_CASES"]


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


def _setup(stack: contextlib.ExitStack) -> CloudBackend:
    from boto3.s3.transfer import TransferConfig
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
    config = TransferConfig()

    def put_one(key: str, value: bytes) -> None:
        raw.put_object(Bucket=bucket, Key=key, Body=value)

    def put_loop(items: list[tuple[str, bytes]]) -> None:
        put_object = raw.put_object
        for key, value in items:
            put_object(Bucket=bucket, Key=key, Body=value)

    def get_loop(keys: list[str]) -> None:
        get_object = raw.get_object
        for key in keys:
            get_object(Bucket=bucket, Key=key)["Body"].read()

    def delete_loop(keys: list[str]) -> None:
        delete_object = raw.delete_object
        for key in keys:
            delete_object(Bucket=bucket, Key=key)

    def upload_file(path: str) -> None:
        raw.upload_file(path, bucket, LARGE_KEY, Config=config)

    def download_file(path: str) -> None:
        raw.download_file(bucket, LARGE_KEY, path, Config=config)

    def large_size() -> int:
        return raw.head_object(Bucket=bucket, Key=LARGE_KEY)["ContentLength"]

    return CloudBackend(
        store, put_one, put_loop, get_loop, delete_loop, upload_file, download_file, large_size
    )


S3_CASES: Final[tuple[Case, ...]] = cloud_cases(
    CloudService(
        prefix="s3",
        store="S3Store",
        server="SeaweedFS",
        setup=_setup,
        put="boto3 `client.put_object(Bucket=, Key=, Body=v)`",
        get='boto3 `client.get_object(Bucket=, Key=)["Body"].read()`',
        put_many="a loop of boto3 `client.put_object`",
        get_many='a loop of boto3 `client.get_object(...)["Body"].read()`',
        delete_many="a loop of boto3 `client.delete_object`",
        delete_ratio=10.0,
        put_file="boto3 `client.upload_file(path, bucket, key, Config=TransferConfig())`",
        get_file="boto3 `client.download_file(bucket, key, path, Config=TransferConfig())`",
    )
)
"""The S3 cases, registered in tools/bench.py."""

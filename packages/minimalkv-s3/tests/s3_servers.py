"""The S3 servers of the tests: the run's buckets on a server (:class:`S3Target`)."""

from __future__ import annotations

import contextlib
import itertools
import urllib.parse
import uuid
from typing import Any

from minimalkv.s3 import S3Connection

from tools.services import S3Server

__all__ = ["S3Target"]


class S3Target:
    """The server of this test run, and the buckets the tests made on it."""

    def __init__(self, server: S3Server) -> None:
        self.server = server
        self.connection = S3Connection(
            endpoint_url=server.endpoint_url,
            region_name=server.region,
            access_key_id=server.access_key,
            secret_access_key=server.secret_key,
            read_timeout=60,
        )
        self.client: Any = self.connection.client()
        self._buckets: list[str] = []
        self._counter = itertools.count()
        self._spare: list[str] = []

    def url(self, bucket: str, scheme: str = "s3", options: str = "") -> str:
        """The ``s3://`` URL of ``bucket`` on this server (no bucket suffix, plain HTTP)."""
        user = urllib.parse.quote(self.server.access_key, safe="")
        secret = urllib.parse.quote(self.server.secret_key, safe="")
        query = "is_secure=false&force_bucket_suffix=false" + (f"&{options}" if options else "")
        return f"{scheme}://{user}:{secret}@{self.server.host_port}/{bucket}?{query}"

    def new_bucket(self) -> str:
        """Create a bucket with a unique name and return the name."""
        name = f"minimalkv-test-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)
        self._buckets.append(name)
        return name

    def empty(self, bucket: str) -> None:
        """Delete every object and abort every unfinished upload in ``bucket``."""
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            objects = [{"Key": entry["Key"]} for entry in page.get("Contents", ())]
            if objects:
                self.client.delete_objects(
                    Bucket=bucket, Delete={"Objects": objects, "Quiet": True}
                )
        for upload in self.uploads(bucket):
            self.client.abort_multipart_upload(
                Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )

    def uploads(self, bucket: str) -> list[dict[str, Any]]:
        """The unfinished multipart uploads in ``bucket``."""
        found: list[dict[str, Any]] = []
        for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            found.extend(page.get("Uploads", ()))
        return found

    def fresh_bucket(self) -> str:
        """An empty bucket: a new one, or one of the run's emptied again (buckets are few)."""
        if len(self._buckets) < 4:
            return self.new_bucket()
        bucket = self._buckets[next(self._counter) % len(self._buckets)]
        self.empty(bucket)
        return bucket

    def remove_all(self) -> None:
        """Empty and delete every bucket the run made."""
        for bucket in self._buckets:
            with contextlib.suppress(Exception):
                self.empty(bucket)
                self.client.delete_bucket(Bucket=bucket)
        self._buckets.clear()

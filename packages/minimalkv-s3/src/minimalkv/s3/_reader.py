"""A seekable reader over one S3 object version: streamed GETs, reopened at a seek."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore import exceptions as boto_errors
from minimalkv import StoreError
from minimalkv.backend import RangeReader

from ._errors import error_code, translated

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["S3Reader"]


class S3Reader(RangeReader):
    """Reads one version of an object (``size`` bytes, entity tag ``etag``) from S3.

    Sequential reads consume a single streamed GET; a seek away from the stream's position
    closes it, and the next read opens a ranged GET there. Every GET after the first names the
    entity tag (``If-Match``), so a value replaced while it is read is reported, never spliced
    from two versions. A stream cut short is reopened once where it stopped.
    """

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        name: str,
        *,
        key: str,
        size: int,
        etag: str,
        where: str,
        body: Any = None,
    ) -> None:
        super().__init__(size, key=key)
        self._client = client
        self._bucket = bucket
        self._name = name
        self._etag = etag
        self._where = where
        self._body = body  # a streamed answer positioned at self._body_at, or None
        self._body_at = 0

    @property
    def etag(self) -> str:
        """The entity tag of the version being read."""
        return self._etag

    def _drop_body(self) -> None:
        if self._body is not None:
            body, self._body = self._body, None
            body.close()

    def _open_body(self, start: int) -> Any:
        if self._body is not None and self._body_at == start:
            return self._body
        self._drop_body()
        with translated(self._where, self._key):
            try:
                answer = self._client.get_object(
                    Bucket=self._bucket,
                    Key=self._name,
                    Range=f"bytes={start}-",
                    IfMatch=self._etag,
                )
            except boto_errors.ClientError as exc:
                if error_code(exc) not in ("PreconditionFailed", "412"):
                    raise
                raise StoreError(
                    f"the value of key {self._key!r} in S3 {self._where} was replaced "
                    "while it was being read: open it again to read the new value",
                    key=self._key,
                ) from exc
        self._body = answer["Body"]
        self._body_at = start
        return self._body

    def _read_range(self, start: int, wanted: int) -> bytes:
        """Read ``wanted`` bytes at ``start`` (fewer when the stream was cut short)."""
        for attempt in (1, 2):
            body = self._open_body(start)
            try:
                with translated(self._where, self._key):
                    chunk: bytes = body.read(wanted)
            except OSError:  # a dropped stream (StoreError is one): reopened once
                self._drop_body()
                if attempt == 2:
                    raise
                continue
            if len(chunk) < wanted:
                self._drop_body()  # cut short: reopen where it stopped
                if chunk:
                    return chunk
                if attempt == 2:
                    raise StoreError(
                        f"S3 {self._where} ended the value of key {self._key!r} early at "
                        f"byte {start} of {self.size}",
                        key=self._key,
                    )
                continue
            self._body_at = start + len(chunk)
            return chunk
        raise AssertionError("unreachable")  # pragma: no cover

    def _release(self) -> None:
        """Close the stream."""
        self._drop_body()

"""A seekable reader over one S3 object version: streamed GETs, reopened at a seek."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from botocore import exceptions as boto_errors
from minimalkv import StoreError
from minimalkv.backend import seek_target

from ._errors import error_code, translated

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["S3Reader"]


class S3Reader(io.RawIOBase):
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
        super().__init__()
        self._client = client
        self._bucket = bucket
        self._name = name
        self._key = key
        self._size = size
        self._etag = etag
        self._where = where
        self._body = body  # a streamed answer positioned at self._body_at, or None
        self._body_at = 0
        self._position = 0

    @property
    def size(self) -> int:
        """Length of the value in bytes."""
        return self._size

    @property
    def etag(self) -> str:
        """The entity tag of the version being read."""
        return self._etag

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def readable(self) -> bool:
        """Return True."""
        return True

    def seekable(self) -> bool:
        """Return True."""
        return True

    def tell(self) -> int:
        """Return the current position."""
        self._check_open()
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        """Move to ``offset`` relative to ``whence``; a position before 0 raises OSError."""
        self._check_open()
        self._position = seek_target(self._position, self._size, offset, whence)
        return self._position

    def _drop_body(self) -> None:
        if self._body is not None:
            body, self._body = self._body, None
            body.close()

    def _open_body(self) -> Any:
        if self._body is not None and self._body_at == self._position:
            return self._body
        self._drop_body()
        with translated(self._where, self._key):
            try:
                answer = self._client.get_object(
                    Bucket=self._bucket,
                    Key=self._name,
                    Range=f"bytes={self._position}-",
                    IfMatch=self._etag,
                )
            except boto_errors.ClientError as exc:
                if error_code(exc) not in ("PreconditionFailed", "412"):
                    raise
                raise StoreError(
                    f"the value of key {self._key!r} in S3 {self._where} was replaced while it "
                    "was being read: open it again to read the new value",
                    key=self._key,
                ) from exc
        self._body = answer["Body"]
        self._body_at = self._position
        return self._body

    def _read(self, wanted: int) -> bytes:
        """Read ``wanted`` bytes (fewer only at the end) from the stream at the position."""
        for attempt in (1, 2):
            body = self._open_body()
            try:
                with translated(self._where, self._key):
                    chunk: bytes = body.read(wanted)
            except OSError:  # a dropped stream (StoreError is one): reopened once
                self._drop_body()
                if attempt == 2:
                    raise
                continue
            if len(chunk) < wanted and self._position + len(chunk) < self._size:
                self._drop_body()  # cut short: reopen where it stopped
                if chunk:
                    return chunk
                if attempt == 2:
                    raise StoreError(
                        f"S3 {self._where} ended the value of key {self._key!r} early at byte "
                        f"{self._position} of {self._size}",
                        key=self._key,
                    )
                continue
            return chunk
        raise AssertionError("unreachable")  # pragma: no cover

    def readinto(self, buffer: Any) -> int:
        """Read up to ``len(buffer)`` bytes at the current position into ``buffer``."""
        self._check_open()
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self._size - self._position)
        if wanted <= 0:
            return 0
        chunk = self._read(wanted)
        view[: len(chunk)] = chunk
        self._position += len(chunk)
        self._body_at = self._position
        return len(chunk)

    def readall(self) -> bytes:
        """Read from the current position to the end."""
        self._check_open()
        parts: list[bytes] = []
        while self._position < self._size:
            chunk = self._read(self._size - self._position)
            parts.append(chunk)
            self._position += len(chunk)
            self._body_at = self._position
        return b"".join(parts)

    def close(self) -> None:
        """Close the stream and the reader. Idempotent."""
        if not self.closed:
            self._drop_body()
        super().close()

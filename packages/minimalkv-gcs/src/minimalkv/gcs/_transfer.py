"""Large transfers: streamed and chunked resumable uploads, the rewrite loop of a server-side copy.

A source of known size that can be read from a position (a file, a seekable stream) is sent by
:class:`StreamedUpload`: one resumable-upload session, its whole body in one PUT read
:data:`UPLOAD_PIECE` bytes at a time, so memory holds one piece whatever the size. A dropped
request resumes from the first byte the server has not persisted; the object appears only when
the last byte is accepted, and a failed upload leaves the previous value.

A stream of unknown size (a pipe, a socket) goes through the SDK's chunked upload of
``chunk_size`` requests instead. The SDK reads each chunk from a stream, asks its position, and
after a dropped request seeks back to the first byte the server has not confirmed:
:class:`ChunkStream` keeps the last chunk for that, so such an upload holds a chunk in memory
(the SDK holds the one it sent last), never the whole value.
"""

from __future__ import annotations

import base64
import contextlib
import io
import time
from collections.abc import Callable, Iterator
from typing import Any, Final

import google_crc32c
import requests
from google.api_core import exceptions as api_errors
from minimalkv.backend import ReadableBinary, read_chunk

__all__ = [
    "MIN_CHUNK_SIZE",
    "UPLOAD_PIECE",
    "ChunkStream",
    "RunningChecksum",
    "StreamedUpload",
    "read_part",
    "rewrite_all",
]

MIN_CHUNK_SIZE = 256 * 1024
"""A resumable upload's chunks are multiples of this (GCS's rule)."""
UPLOAD_PIECE: Final = 1024 * 1024
"""Bytes a streamed upload reads from its source at a time (all it holds of the value)."""
MAX_RESUMES: Final = 10
"""Resumes of one streamed upload after dropped requests, at most (the retry deadline too)."""

_DROPPED: Final = (
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.Timeout,
)
_RETRIED_STATUS: Final = frozenset({308, 408, 429, 500, 502, 503, 504})  # 308: kept a part


def _error_of(response: Any) -> api_errors.GoogleAPICallError:
    """Return the SDK's exception for an error answer (translated by the store like any other)."""
    convert: Any = api_errors.from_http_response  # untyped
    error: api_errors.GoogleAPICallError = convert(response)
    return error


def read_part(source: ReadableBinary, size: int) -> bytes:
    """Read ``size`` bytes from ``source`` (fewer only at its end)."""
    first = read_chunk(source, size)
    if len(first) == size or not first:
        return first
    pieces = [first]
    missing = size - len(first)
    while missing:
        piece = read_chunk(source, missing)
        if not piece:
            break
        pieces.append(piece)
        missing -= len(piece)
    return b"".join(pieces)


class ChunkStream(io.RawIOBase):
    """``first`` followed by the rest of ``source``: readable, with ``tell`` and a short ``seek``.

    ``seek`` may go back to any byte of the last ``read`` (the chunk the SDK is sending) or
    forward to the position; anything further back raises :class:`OSError`, as the bytes are
    gone. Memory holds the last chunk read and nothing else of the source.
    """

    def __init__(self, first: bytes, source: ReadableBinary) -> None:
        super().__init__()
        self._source = source
        self._pending = first  # bytes to serve before reading the source again
        self._position = 0  # position of the next byte of _pending (or of the source)
        self._last_at = 0
        self._last = b""

    def readable(self) -> bool:
        """Return True."""
        return True

    def seekable(self) -> bool:
        """Return True: within the last chunk read."""
        return True

    def tell(self) -> int:
        """Return the position."""
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        """Go back into the last chunk read (the SDK resends it after a dropped request)."""
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence != io.SEEK_SET:
            raise OSError("a chunk stream seeks only from its start or its position")
        if offset == self._position:
            return offset
        last_end = self._last_at + len(self._last)
        if not self._last_at <= offset <= last_end:
            raise OSError(
                f"cannot seek to byte {offset}: only the last {len(self._last)} bytes read are kept"
            )
        # _pending starts at the position, which lies within the last chunk or at its end.
        after_last = self._pending[last_end - self._position :]
        self._pending = self._last[offset - self._last_at :] + after_last
        self._position = offset
        return offset

    def read(self, size: int | None = -1, /) -> bytes:
        """Read ``size`` bytes (fewer only at the end); everything when ``size`` is negative."""
        if size is None or size < 0:
            raise OSError("a chunk stream is read a chunk at a time")
        taken = self._pending[:size]
        self._pending = self._pending[len(taken) :]
        self._last = b""  # the previous chunk is confirmed: free it before reading the next
        rest = read_part(self._source, size - len(taken)) if len(taken) < size else b""
        data = taken + rest if rest else taken
        self._last_at, self._last = self._position, data
        self._position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer``."""
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)


class RunningChecksum:
    """The CRC32C of a value computed as its bytes are sent, each byte counted once.

    A resumed upload sends again bytes it sent before (those the server had not persisted):
    :meth:`add` counts only the part of a piece beyond the bytes already counted.
    """

    def __init__(self) -> None:
        crc32c: Any = google_crc32c  # untyped
        self._checksum: Any = crc32c.Checksum()
        self.counted = 0
        """Bytes of the value counted so far (from its first byte)."""

    def add(self, position: int, piece: bytes) -> None:
        """Count ``piece``, the bytes of the value from ``position`` on."""
        if position > self.counted:
            raise RuntimeError(f"byte {position} sent before byte {self.counted}")
        skip = self.counted - position
        if skip < len(piece):
            self._checksum.update(piece[skip:] if skip else piece)
            self.counted = position + len(piece)

    def encoded(self) -> str:
        """Return the checksum as GCS writes it in an object's ``crc32c``: base64, big-endian."""
        return base64.b64encode(self._checksum.digest()).decode("ascii")


class _Body:
    """Bytes ``offset`` to ``size - 1`` of the value, for the body of one PUT.

    The value starts at byte ``base`` of ``source``. Iterating reads :data:`UPLOAD_PIECE`
    bytes at a time, so requests sends it without holding it; ``len`` gives the
    ``Content-Length``. An error of the source is kept in :attr:`failure` (the HTTP layer
    would report it as a dropped connection, which is retried).
    """

    def __init__(
        self,
        source: Any,
        base: int,
        offset: int,
        size: int,
        checksum: RunningChecksum,
    ) -> None:
        self._source = source
        self._base = base
        self._offset = offset
        self._size = size
        self._checksum = checksum
        self.failure: BaseException | None = None

    def __len__(self) -> int:
        return self._size - self._offset

    def __iter__(self) -> Iterator[bytes]:
        position = self._offset
        self._from_source(self._source.seek, self._base + position)
        while position < self._size:
            wanted = min(UPLOAD_PIECE, self._size - position)
            piece: bytes = self._from_source(read_part, self._source, wanted)
            if not piece:
                self.failure = OSError(
                    f"the source ended at byte {position} of {self._size}: it changed during "
                    "the upload"
                )
                raise self.failure
            self._checksum.add(position, piece)
            position += len(piece)
            yield piece  # closed early (GeneratorExit) when the connection drops

    def _from_source(self, call: Callable[..., Any], *args: Any) -> Any:
        """Return ``call(*args)``, a call on the source; keep its error in :attr:`failure`."""
        try:
            return call(*args)
        except Exception as exc:
            self.failure = exc
            raise


class StreamedUpload:
    """One resumable upload of ``size`` bytes of ``source`` from byte ``base``, body streamed.

    ``open_session()`` creates the upload session and returns its URL; ``http`` is the
    client's authorized ``requests`` session (its credentials, pool and endpoint). The body
    goes in one PUT with ``Content-Range: bytes 0-(size-1)/size``. After a dropped connection,
    a timeout or a 408/429/5xx answer, the upload resumes, for at most ``deadline`` seconds
    since the first failure and :data:`MAX_RESUMES` times (none when ``deadline`` is 0):

    - with ``query_status`` (GCS), it asks the session which bytes it persisted (a PUT with
      ``Content-Range: bytes */size``: 308 and a ``Range`` header) and sends the rest;
    - without (an emulator, where such a query completes the upload with the bytes received
      so far), it cancels the session and sends everything again in a new one.

    :meth:`run` returns the object's resource (JSON) once the last byte is accepted; only then
    does the object exist. Errors are the SDK's (``requests`` and ``google.api_core``
    exceptions) and the source's, for the caller to translate; the caller calls
    :meth:`cancel` on failure so the server drops what it received.
    """

    def __init__(
        self,
        http: Any,
        open_session: Callable[[], str],
        source: Any,
        base: int,
        size: int,
        *,
        timeout: Any,
        deadline: float,
        query_status: bool,
    ) -> None:
        self._http = http
        self._open_session = open_session
        self._source = source
        self._base = base
        self._size = size
        self._timeout = timeout
        self._deadline = deadline
        self._query_status = query_status
        self.checksum = RunningChecksum()
        """The CRC32C of the bytes sent (the whole value once :meth:`run` returns)."""
        self.url: str | None = None
        """The session's URL, once it is open."""
        self.resumes = 0
        """How many times the upload resumed after a failed request."""

    def run(self) -> dict[str, Any]:
        """Send the value; return the object's resource once the server completed it."""
        self.url = self._open_session()
        offset: int | None = 0
        first_failure: float | None = None
        while True:
            try:
                if offset is None:
                    offset, done = self._resume_point()
                    if done is not None:
                        return done
                body = _Body(self._source, self._base, offset, self._size, self.checksum)
                try:
                    response = self._http.put(
                        self.url,
                        data=body,
                        headers={"Content-Range": f"bytes {offset}-{self._size - 1}/{self._size}"},
                        timeout=self._timeout,
                    )
                except BaseException:
                    if body.failure is not None:
                        raise body.failure from None  # the source failed, not the connection
                    raise
                if response.status_code in (200, 201):
                    resource: dict[str, Any] = response.json()
                    return resource
                raise _error_of(response)  # retried below if transient
            except (*_DROPPED, api_errors.GoogleAPICallError) as exc:
                if isinstance(exc, api_errors.GoogleAPICallError) and (
                    int(exc.code or 0) not in _RETRIED_STATUS
                ):
                    raise
                now = time.monotonic()
                first_failure = now if first_failure is None else first_failure
                if now - first_failure >= self._deadline or self.resumes >= MAX_RESUMES:
                    raise
                time.sleep(min(4.0, 0.25 * 2**self.resumes))
                self.resumes += 1
                offset = None

    def _resume_point(self) -> tuple[int, dict[str, Any] | None]:
        """Where to resume: the first byte the session lacks (or the finished object)."""
        if not self._query_status:
            self.cancel()
            self.url = self._open_session()
            return 0, None
        assert self.url is not None
        response = self._http.put(
            self.url,
            headers={"Content-Range": f"bytes */{self._size}"},
            timeout=self._timeout,
        )
        if response.status_code in (200, 201):
            resource: dict[str, Any] = response.json()
            return self._size, resource
        if response.status_code != 308:
            raise _error_of(response)
        persisted = response.headers.get("Range", "")  # "bytes=0-N": bytes 0 to N are kept
        last = persisted.rpartition("-")[2]
        return (int(last) + 1 if persisted and last.isdigit() else 0), None

    def cancel(self) -> None:
        """Cancel the session (a DELETE), so the server drops the bytes it received.

        Best effort: the upload has failed already, and a session nobody completes never
        becomes an object (GCS discards it after a week).
        """
        if self.url is None:
            return
        with contextlib.suppress(Exception):
            self._http.delete(self.url, timeout=self._timeout)


def rewrite_all(
    step: Callable[[str | None], tuple[str | None, int, int]],
) -> int:
    """Run a GCS rewrite to the end: ``step(token)`` is one ``rewrite`` call.

    Each call copies up to a server-chosen amount and returns ``(token, done, total)``; the
    token is ``None`` when the copy is complete. Returns the total bytes copied. A large or
    cross-location copy takes many calls; each is a request of its own, retried by the SDK.
    """
    token, _done, total = step(None)
    calls = 1
    while token is not None:
        token, _done, total = step(token)
        calls += 1
        if calls > 100_000:  # a server that never finishes would loop forever otherwise
            raise RuntimeError(f"the rewrite did not finish after {calls} calls")
    return total

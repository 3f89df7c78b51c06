"""File objects that sign a stream on its way into a store and verify one on its way out.

Both work in bounded memory: they hold one chunk and one running HMAC, never the whole value.
"""

from __future__ import annotations

import hmac
import io
import os
from typing import IO

from minimalkv.backend import CHUNK_SIZE, ReadableBinary, read_chunk, seek_target
from typing_extensions import Buffer

from ._errors import VerificationException
from ._signer import Signer, check, too_short

__all__ = ["SigningReader", "VerifyingReader", "open_verified"]


class SigningReader:
    """A readable binary file: the bytes of ``source`` followed by their MAC under ``key``.

    What ``HMACDecorator.put_file`` and ``copy`` hand to the wrapped store's ``put_file``: the
    wrapped store streams it like any file, and the MAC is computed as the data passes. The
    source is read with :func:`minimalkv.backend.read_chunk`: a text-mode or non-blocking
    source raises :class:`minimalkv.InvalidValueError`.
    """

    def __init__(self, source: ReadableBinary, mac: hmac.HMAC) -> None:
        self._source = source
        self._mac = mac
        self._tail: bytes | None = None  # the MAC still to hand out, once source is exhausted

    def readable(self) -> bool:
        """Return True."""
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        """Read up to ``size`` bytes (all when ``size`` is negative or None)."""
        if size is None or size < 0:
            parts = []
            while part := self.read(CHUNK_SIZE):
                parts.append(part)
            return b"".join(parts)
        if size == 0:
            return b""
        if self._tail is None:
            chunk = read_chunk(self._source, size)
            if chunk:
                self._mac.update(chunk)
                return chunk
            self._tail = self._mac.digest()
        out, self._tail = self._tail[:size], self._tail[size:]
        return out


class VerifyingReader(io.RawIOBase):
    """The data part of a stored value, verified before a read reaches its end.

    Reads are served from the wrapped store's open file, limited to the data (the MAC is read
    once, when the reader is created). Bytes read in order from the start feed a running HMAC;
    a read that would reach the end of the data, or report the end (``b""``), first checks the
    MAC, reading from the wrapped file only what the reader skipped (after seeks), in chunks.
    A failed check raises :class:`VerificationException`, and so does every read after it.
    """

    def __init__(self, inner: IO[bytes], key: str, mac: hmac.HMAC, expected: bytes, size: int):
        super().__init__()
        self._inner = inner
        self._key = key
        self._mac = mac
        self._expected = expected
        self._size = size  # length of the data, without the MAC
        self._position = 0
        self._inner_position = 0
        self._mac_position = 0  # the running MAC covers data[:_mac_position]
        self._verified = False
        self._failed = False

    @property
    def data_size(self) -> int:
        """Length of the data (the stored value without its MAC)."""
        return self._size

    def readable(self) -> bool:
        """Return True."""
        self._check_open()
        return True

    def seekable(self) -> bool:
        """Return True."""
        self._check_open()
        return True

    def tell(self) -> int:
        """Return the current position."""
        self._check_open()
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        """Move to ``offset`` relative to ``whence``; a position before 0 raises OSError."""
        self._check_open()
        self._position = seek_target(self._position, self._size, offset, whence)
        return self._position

    def read(self, size: int | None = -1, /) -> bytes:
        """Read up to ``size`` bytes (all when negative or None), verified at the end."""
        self._check_open()
        if self._failed:
            self._fail()
        if size == 0:
            return b""
        start = self._position
        end = self._size if size is None or size < 0 else min(self._size, start + size)
        if end <= start:  # at or past the end: only verification is left to do
            self._verify()
            return b""
        data = self._read_inner(start, end - start)
        if start <= self._mac_position < end:
            self._mac.update(memoryview(data)[self._mac_position - start :])
            self._mac_position = end
        if end == self._size:
            self._verify()  # before the last bytes are handed out
        self._position = end
        return data

    def readall(self) -> bytes:
        """Read to the end, verified."""
        return self.read(-1)

    def readinto(self, buffer: Buffer, /) -> int:
        """Read into ``buffer``; return the number of bytes read."""
        with memoryview(buffer) as view, view.cast("B") as target:
            data = self.read(target.nbytes)
            target[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Close the reader and the wrapped store's file."""
        if not self.closed:
            try:
                self._inner.close()
            finally:
                super().close()

    # ----------------------------------------------------------------- internals
    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def _read_inner(self, start: int, count: int) -> bytes:
        if self._inner_position != start:
            self._inner.seek(start)
        data = self._inner.read(count)
        while len(data) < count:  # a raw file may read short; only EOF ends the loop
            more = self._inner.read(count - len(data))
            if not more:
                self._failed = True
                raise VerificationException(
                    f"value of key {self._key!r} changed while it was read", key=self._key
                )
            data += more
        self._inner_position = start + count
        return data

    def _verify(self) -> None:
        if self._verified:
            return
        # Feed what the reader skipped, chunk by chunk: memory stays bounded.
        while self._mac_position < self._size:
            count = min(CHUNK_SIZE, self._size - self._mac_position)
            self._mac.update(self._read_inner(self._mac_position, count))
            self._mac_position += count
        try:
            check(self._key, self._mac.digest(), self._expected)
        except VerificationException:
            self._failed = True
            raise
        self._verified = True

    def _fail(self) -> None:
        raise VerificationException(
            f"value of key {self._key!r} failed HMAC verification earlier on this file",
            key=self._key,
        )


def open_verified(signer: Signer, key: str, inner: IO[bytes]) -> VerifyingReader:
    """Wrap the wrapped store's open file of ``key`` in a :class:`VerifyingReader`.

    The stored MAC is read first; a value shorter than a MAC raises at once (and the file is
    closed).
    """
    try:
        total = inner.seek(0, os.SEEK_END)
        digest_size = signer.digest_size
        if total < digest_size:
            raise too_short(key, total, digest_size)
        inner.seek(total - digest_size)
        expected = inner.read(digest_size)
        while len(expected) < digest_size:
            more = inner.read(digest_size - len(expected))
            if not more:
                raise VerificationException(
                    f"value of key {key!r} changed while it was read", key=key
                )
            expected += more
        inner.seek(0)
    except BaseException:
        inner.close()
        raise
    return VerifyingReader(inner, key, signer.new(key), expected, total - digest_size)

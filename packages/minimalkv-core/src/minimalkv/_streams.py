"""Binary stream helpers shared by the base class and the backends."""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from collections.abc import Callable
from typing import IO, Final, Protocol, TypeAlias, runtime_checkable

from typing_extensions import Buffer

from ._errors import InvalidValueError

__all__ = [
    "CHUNK_SIZE",
    "BytesReader",
    "FileSource",
    "FileTarget",
    "ReadableBinary",
    "WritableBinary",
    "copy_stream",
    "read_all",
    "seek_target",
    "write_atomically",
]

CHUNK_SIZE: Final = 1024 * 1024
"""Chunk size used when the library copies a stream itself (1 MiB)."""


@runtime_checkable
class ReadableBinary(Protocol):
    """A binary file-like object that can be read from."""

    def read(self, size: int = ..., /) -> bytes:
        """Read up to ``size`` bytes (all when ``size`` is -1)."""
        ...


@runtime_checkable
class WritableBinary(Protocol):
    """A binary file-like object that can be written to."""

    def write(self, data: Buffer, /) -> int | None:
        """Write ``data``."""
        ...


FileSource: TypeAlias = str | os.PathLike[str] | ReadableBinary
"""What ``put_file`` accepts: a path or a readable binary file."""

FileTarget: TypeAlias = str | os.PathLike[str] | WritableBinary
"""What ``get_file`` accepts: a path or a writable binary file."""


def seek_target(position: int, size: int, offset: int, whence: int) -> int:
    """Return where ``seek(offset, whence)`` moves a reader at ``position`` of ``size`` bytes.

    The ``open`` contract of every store: a target before 0 raises :class:`OSError` (EINVAL)
    and a bad ``whence`` raises :class:`ValueError`; a target past the end is allowed.
    """
    if whence == io.SEEK_SET:
        target = offset
    elif whence == io.SEEK_CUR:
        target = position + offset
    elif whence == io.SEEK_END:
        target = size + offset
    else:
        raise ValueError(f"invalid whence ({whence!r}, should be 0, 1 or 2)")
    if target < 0:
        raise OSError(22, f"cannot seek to negative position {target}")
    return target


class BytesReader(io.BytesIO):
    """A read-only, seekable view of a bytes value: what ``open`` returns for in-memory data.

    It keeps the ``open`` contract of every store: ``seek`` before 0 raises :class:`OSError`
    (``io.BytesIO`` raises ``ValueError``), writing is unsupported. It shares the bytes object
    it is given (no copy).
    """

    def __init__(self, initial_bytes: bytes = b"") -> None:
        super().__init__(initial_bytes)
        # The length is fixed (read-only); BytesIO.getbuffer() would copy a shared value.
        self._length = len(initial_bytes)

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        """Move to ``offset`` relative to ``whence``; a position before 0 raises OSError."""
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        return super().seek(seek_target(self.tell(), self._length, offset, whence))

    def writable(self) -> bool:
        """Return False: the value is read-only."""
        return False

    def write(self, data: Buffer, /) -> int:
        """Refuse: the value is read-only."""
        raise io.UnsupportedOperation("write: values opened from a store are read-only")

    def writelines(self, lines: object, /) -> None:
        """Refuse: the value is read-only."""
        raise io.UnsupportedOperation("writelines: values opened from a store are read-only")

    def truncate(self, size: int | None = None, /) -> int:
        """Refuse: the value is read-only."""
        raise io.UnsupportedOperation("truncate: values opened from a store are read-only")


def is_text_file(file: object) -> bool:
    """Return whether ``file`` is a text-mode file (which put_file and get_file refuse)."""
    return isinstance(file, io.TextIOBase)


def copy_stream(
    source: ReadableBinary, write: Callable[[bytes], object], chunk_size: int = CHUNK_SIZE
) -> int:
    """Copy ``source`` to ``write`` in chunks; return the number of bytes copied.

    A chunk that is not bytes-like means ``source`` is not a binary file: that raises
    :class:`InvalidValueError`.
    """
    total = 0
    read = source.read
    while True:
        chunk: object = read(chunk_size)
        if chunk is None:
            raise InvalidValueError(
                "file is in non-blocking mode (its read() returned None): pass a blocking file"
            )
        if not chunk:
            if isinstance(chunk, (bytes, bytearray, memoryview)):
                return total
            raise InvalidValueError(
                f"file must be opened in binary mode (its read() returned {type(chunk).__name__})"
            )
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise InvalidValueError(
                f"file must be opened in binary mode (its read() returned {type(chunk).__name__})"
            )
        write(chunk if isinstance(chunk, bytes) else bytes(chunk))
        total += len(chunk)


def read_all(source: ReadableBinary) -> bytes:
    """Read ``source`` to the end in chunks and return the bytes, holding one copy only.

    Used where a backend needs the whole value in memory; text-mode files are refused.
    """
    buffer = io.BytesIO()
    copy_stream(source, buffer.write)
    # getvalue() of an unshared BytesIO hands over its buffer instead of copying it.
    return buffer.getvalue()


def write_atomically(
    path: str, fill: Callable[[IO[bytes]], object], mode: int | None = None
) -> None:
    """Create or replace the file at ``path`` so that readers never see a partial file.

    ``fill`` writes the content into a temporary file in the same directory; only when it
    returns is the file renamed over ``path`` (``os.replace``). If ``fill`` raises, the
    temporary file is removed and ``path`` is untouched. ``mode`` chmods the result; without
    it the file gets the permissions a plain ``open(path, "wb")`` would (0o666 less the umask).
    """
    directory, name = os.path.split(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{name[:40]}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(f"could not create a temporary file next to {path!r}")
    try:
        with open(fd, "wb", closefd=True) as out:
            fill(out)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise

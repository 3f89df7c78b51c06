"""Binary stream helpers shared by the base class and the backends."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Final, Protocol, TypeAlias, runtime_checkable

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
    "file_source",
    "file_target",
    "read_all",
    "read_chunk",
    "seek_target",
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


def _path_of(key: str | None, file: object, operation: str) -> str | None:
    """Return ``file`` as a ``str`` path, or None when it is no path; refuse text files."""
    if isinstance(file, io.TextIOBase):
        raise InvalidValueError(
            f"{operation}({key!r}, ...): the file must be opened in binary mode", key=key
        )
    if isinstance(file, str):
        return file
    if isinstance(file, os.PathLike):
        path: object = os.fspath(file)
        if isinstance(path, str):
            return path
    return None


def _not_a_file(key: str | None, file: object, operation: str, kind: str) -> InvalidValueError:
    return InvalidValueError(
        f"{operation}({key!r}, ...): file must be a path or a {kind} binary file, "
        f"not {type(file).__name__}",
        key=key,
    )


def file_source(key: str | None, file: object, operation: str = "put_file") -> str | ReadableBinary:
    """Check what a caller passed as the source of ``operation`` and return it.

    A path (``str`` or ``os.PathLike``) comes back as a ``str``; a readable binary file comes
    back as it is. A text-mode file or anything else raises
    :class:`~minimalkv.InvalidValueError` saying what was expected.
    """
    path = _path_of(key, file, operation)
    if path is not None:
        return path
    if isinstance(file, ReadableBinary):
        return file
    raise _not_a_file(key, file, operation, "readable")


def file_target(key: str | None, file: object, operation: str = "get_file") -> str | WritableBinary:
    """Check what a caller passed as the target of ``operation`` and return it.

    A path comes back as a ``str``, a writable binary file as it is; anything else raises
    :class:`~minimalkv.InvalidValueError`.
    """
    path = _path_of(key, file, operation)
    if path is not None:
        return path
    if isinstance(file, WritableBinary):
        return file
    raise _not_a_file(key, file, operation, "writable")


def read_chunk(source: ReadableBinary, size: int = CHUNK_SIZE) -> bytes:
    """Read up to ``size`` bytes from a caller's file; ``b""`` means its end.

    A caller's file may be anything with ``read``: a result that is not bytes-like (a text
    file) or ``None`` (a non-blocking file with nothing ready) raises
    :class:`~minimalkv.InvalidValueError` instead of being stored or mistaken for the end.
    """
    chunk: object = source.read(size)
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    if chunk is None:
        raise InvalidValueError(
            "file is in non-blocking mode (its read() returned None): pass a blocking file"
        )
    raise InvalidValueError(
        f"file must be opened in binary mode (its read() returned {type(chunk).__name__})"
    )


def copy_stream(
    source: ReadableBinary, write: Callable[[bytes], object], chunk_size: int = CHUNK_SIZE
) -> int:
    """Copy ``source`` to ``write`` in chunks; return the number of bytes copied.

    Chunks are read with :func:`read_chunk`, so a source that is not a binary file raises
    :class:`InvalidValueError`.
    """
    total = 0
    while chunk := read_chunk(source, chunk_size):
        write(chunk)
        total += len(chunk)
    return total


def read_all(source: ReadableBinary) -> bytes:
    """Read ``source`` to the end in chunks and return the bytes, holding one copy only.

    Used where a backend needs the whole value in memory; text-mode files are refused.
    """
    buffer = io.BytesIO()
    copy_stream(source, buffer.write)
    # getvalue() of an unshared BytesIO hands over its buffer instead of copying it.
    return buffer.getvalue()

"""Copying file content between descriptors: the kernel's copy first, chunks as a fallback.

Order of attempts: ``os.copy_file_range`` (in-kernel, reflinks on filesystems that share
extents), then ``os.sendfile``, then ``os.pread`` + ``os.write`` in 1 MiB chunks. The source is
always read at explicit offsets, so its file position is never moved (a caller's buffered file
object stays consistent); the destination is written at its current position. Memory stays
bounded by one chunk whatever the size.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import Final

from minimalkv.backend import CHUNK_SIZE

__all__ = ["copy_fd", "write_all"]

# Errors meaning "this mechanism cannot copy between these two files": try the next one.
_UNSUPPORTED: Final = frozenset(
    {
        errno.EXDEV,
        errno.ENOSYS,
        errno.EINVAL,
        errno.EOPNOTSUPP,
        errno.ENOTSUP,
        errno.EBADF,
        errno.EPERM,
        errno.ETXTBSY,
        errno.ENOTSOCK,
    }
)
# One call moves at most this much (Linux caps a single transfer just below 2 GiB anyway).
_KERNEL_STEP: Final = 1 << 30
# The read that checks for the end after a complete kernel copy (a file may have grown).
_END_PROBE: Final = 64 * 1024
_Transfer = Callable[[int, int, int, int], int]
"""``(source, dest, count, source_offset) -> bytes moved``."""


def _copy_file_range_call(source: int, dest: int, count: int, offset: int) -> int:
    return os.copy_file_range(source, dest, count, offset)


def _sendfile_call(source: int, dest: int, count: int, offset: int) -> int:
    return os.sendfile(dest, source, offset, count)


_KERNEL_TRANSFERS: Final[tuple[_Transfer, ...]] = tuple(
    call
    for name, call in (
        ("copy_file_range", _copy_file_range_call),
        ("sendfile", _sendfile_call),
    )
    if hasattr(os, name)
)


def write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    """Write all of ``data`` to ``fd`` (``os.write`` may write less than asked)."""
    written = os.write(fd, data)
    if written == len(data):
        return
    view = memoryview(data)
    while written < len(view):
        written += os.write(fd, view[written:])


def copy_fd(source: int, dest: int, offset: int = 0, size_hint: int = -1) -> int:
    """Copy ``source`` from ``offset`` to its end onto ``dest``; return the bytes copied.

    ``size_hint`` (the expected number of bytes, -1 when unknown) lets the kernel paths stop
    without an extra call; the copy still runs to the real end of the source.
    """
    copied = 0
    for transfer in _KERNEL_TRANSFERS:
        if copied >= size_hint:
            break
        copied += _kernel_loop(transfer, source, dest, offset + copied, size_hint - copied)
    # Whatever the kernel did not copy (or a file that grew) goes through user space. After
    # a complete kernel copy this is one small read that finds the end.
    step = _END_PROBE if 0 <= size_hint <= copied else CHUNK_SIZE
    while True:
        chunk = os.pread(source, step, offset + copied)
        step = CHUNK_SIZE
        if not chunk:
            return copied
        write_all(dest, chunk)
        copied += len(chunk)


def _kernel_loop(transfer: _Transfer, source: int, dest: int, offset: int, size: int) -> int:
    """Run one kernel mechanism until ``size`` bytes are copied, it hits EOF or gives up."""
    copied = 0
    try:
        while copied < size:
            count = min(size - copied, _KERNEL_STEP)
            moved: int = transfer(source, dest, count, offset + copied)
            if moved <= 0:
                break
            copied += moved
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
    return copied

"""Raw baselines of tools/bench.py: the leanest honest code doing what a store call does.

"Honest" means the baseline gives the guarantees the library gives: the atomic put writes a
temporary file with a unique name in the same directory (created with ``O_EXCL``, like
:func:`tempfile.mkstemp`), writes all of the data, closes it and renames it over the target, and
removes the temporary file if anything fails. "Leanest" means nothing more: no validation, no
error translation, no abstraction.
"""

from __future__ import annotations

import itertools
import os
import secrets
from typing import Final

__all__ = ["MinimalDict", "raw_atomic_put", "raw_list_files", "raw_read"]

_CLOEXEC: Final = getattr(os, "O_CLOEXEC", 0)
_CREATE_FLAGS: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC
_READ_FLAGS: Final = os.O_RDONLY | _CLOEXEC
_READ_GUESS: Final = 64 * 1024
# A random per-process part plus a counter names temporary files uniquely without paying for
# randomness on every call; O_EXCL makes a clash (another process, same name) a retry.
_TOKEN: Final = secrets.token_hex(4)
_counter = itertools.count()


class MinimalDict:
    """The least a Python method call on a dict-backed object can cost."""

    def __init__(self) -> None:
        self.d: dict[str, bytes] = {}

    def get(self, k: str) -> bytes:
        """Return ``self.d[k]``."""
        return self.d[k]

    def put(self, k: str, v: bytes) -> None:
        """Set ``self.d[k] = v``."""
        self.d[k] = v


def raw_atomic_put(directory: str, name: str, data: bytes) -> None:
    """Atomically replace ``directory/name`` with ``data`` (temporary file, write, rename)."""
    while True:
        tmp = f"{directory}/.{name}.{_TOKEN}{next(_counter)}.tmp"
        try:
            fd = os.open(tmp, _CREATE_FLAGS, 0o666)
        except FileExistsError:
            continue
        break
    try:
        try:
            written = os.write(fd, data)
            if written < len(data):
                view = memoryview(data)
                while written < len(data):
                    written += os.write(fd, view[written:])
        finally:
            os.close(fd)
        os.replace(tmp, f"{directory}/{name}")
    except BaseException:
        os.unlink(tmp)
        raise


def raw_read(path: str) -> bytes:
    """Return the whole content of the regular file at ``path``."""
    fd = os.open(path, _READ_FLAGS)
    try:
        # A short read of a regular file means end of file: one call reads a small file.
        data = os.read(fd, _READ_GUESS)
        if len(data) < _READ_GUESS:
            return data
        parts = [data]
        while chunk := os.read(fd, _READ_GUESS):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def raw_list_files(directory: str) -> list[str]:
    """Return the names of the regular files in ``directory`` (one :func:`os.scandir` pass)."""
    with os.scandir(directory) as entries:
        return [entry.name for entry in entries if entry.is_file()]

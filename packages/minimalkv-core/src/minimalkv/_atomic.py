"""Atomic file writes: fill a new temporary file next to the target, then rename it over."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from functools import partial
from typing import IO, Final

__all__ = ["create_exclusive", "write_atomically"]

_WRITE_FLAGS: Final = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)
# New files get 0o666 less the process umask, like any file a program creates: the kernel
# applies the umask, which is never read (reading it means changing it, for every thread).
_NEW_FILE_MODE: Final = 0o666
_ATTEMPTS: Final = 16


def create_exclusive(
    directory: str, new_name: Callable[[], str], *, attempts: int = _ATTEMPTS
) -> tuple[str, int]:
    """Create a new, empty file called ``new_name()`` in ``directory``; return path and fd.

    The descriptor is open for writing. The file is created exclusively (``O_EXCL``), so two
    writers never share one; a name that is taken is replaced by a fresh ``new_name()``, up to
    ``attempts`` times, after which :class:`FileExistsError` is raised (a backend that maps
    ``EEXIST`` to a key conflict must tell the two apart). A missing directory raises
    :class:`FileNotFoundError` (the caller decides whether to create it); other
    :class:`OSError` propagate unchanged.
    """
    # Joined by hand: this runs on every atomic write, and new_name() is a bare file name.
    base = directory if directory.endswith(os.sep) else directory + os.sep
    for _ in range(attempts):
        path = base + new_name()
        try:
            return path, os.open(path, _WRITE_FLAGS, _NEW_FILE_MODE)
        except FileExistsError:
            continue
    raise FileExistsError(
        errno.EEXIST,
        f"could not create a temporary file in {directory!r}: {attempts} names were taken",
    )


def _hidden_name(target: str) -> str:
    return f".{target[:40]}.{os.urandom(6).hex()}.tmp"


def write_atomically(
    path: str,
    fill: Callable[[IO[bytes]], object],
    mode: int | None = None,
    *,
    temp_name: Callable[[], str] | None = None,
) -> None:
    """Create or replace the file at ``path`` so that readers never see a partial file.

    ``fill`` writes the content into a temporary file in the same directory (see
    :func:`create_exclusive`); only when it returns is the file renamed over ``path``
    (``os.replace``). If ``fill`` raises, the temporary file is removed and ``path`` is
    untouched. ``mode`` chmods the result; without it the file gets the permissions a plain
    ``open(path, "wb")`` would (0o666 less the umask). ``temp_name`` names the temporary
    file (default: a hidden ``.name.<random>.tmp``).
    """
    directory, name = os.path.split(os.path.abspath(path))
    tmp, fd = create_exclusive(directory, temp_name or partial(_hidden_name, name))
    try:
        with open(fd, "wb", closefd=True) as out:
            fill(out)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

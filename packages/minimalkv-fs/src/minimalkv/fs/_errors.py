"""Translation of operating-system errors into the minimalkv error hierarchy (the one place).

Every store-side ``OSError`` goes through :func:`translate_os_error`::

    read of a missing key (ENOENT, ENOTDIR, EISDIR)     -> KeyNotFoundError (a KeyError)
    a name longer than the filesystem allows            -> InvalidKeyError (a ValueError)
    a write whose key path is taken (EISDIR, ENOTDIR,   -> KeyConflictError (an InvalidKeyError
      EEXIST): ``a`` is a directory of keys ``a/...``      and a StoreError)
      or ``a/b`` needs a directory where file ``a`` is
    EACCES, EPERM                                       -> FilesystemPermissionError
                                                           (a StorePermissionError)
    anything else (ENOSPC, EIO, EROFS, ...)             -> StoreError (an OSError)

The new error keeps ``errno``, ``strerror`` and ``filename`` of the original, which is chained
as ``__cause__``. Errors about the *caller's* files (the source of ``put_file``, the target of
``get_file``) are not store errors and are raised unchanged.
"""

from __future__ import annotations

import errno
from enum import Enum
from typing import Final

from minimalkv import (
    InvalidKeyError,
    KeyNotFoundError,
    MinimalKVError,
    StoreError,
    StorePermissionError,
)

__all__ = [
    "FilesystemPermissionError",
    "KeyConflictError",
    "Operation",
    "translate_os_error",
]


class KeyConflictError(InvalidKeyError, StoreError):
    """The key's path is taken by other keys: it cannot be written in a filesystem store.

    In the extended key space key ``a`` and key ``a/b`` cannot both exist, because ``a``
    would have to be a file and a directory at once. Writing one while the other exists raises
    this error, which is both an :class:`~minimalkv.InvalidKeyError` (a ``ValueError``: the
    key cannot be used here) and a :class:`~minimalkv.StoreError` (an ``OSError``).
    """


class FilesystemPermissionError(StorePermissionError):
    """The operating system refused access to a file of the store (EACCES or EPERM).

    A :class:`~minimalkv.StorePermissionError` (so also a :class:`PermissionError`), as every
    backend's refused access is.
    """


class Operation(Enum):
    """What the store was doing when the error happened; decides how it is translated."""

    READ = "read"
    WRITE = "write"
    FILL = "write the data of"
    DELETE = "delete"
    LIST = "list"


_MISSING: Final = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR})
_CONFLICT: Final = frozenset({errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOTEMPTY})
_DENIED: Final = frozenset({errno.EACCES, errno.EPERM})


def translate_os_error(
    exc: OSError, *, key: str | None, root: str, operation: Operation
) -> MinimalKVError:
    """Return the minimalkv error that stands for ``exc``; the caller raises it ``from exc``.

    ``key`` is the key being worked on (None for a listing), ``root`` the store's directory.
    """
    code = exc.errno
    what = f"key {key!r}" if key is not None else "the keys"
    where = f"filesystem store at {root!r}"
    error: MinimalKVError
    if code == errno.ENAMETOOLONG and key is not None:
        error = InvalidKeyError(
            f"invalid key {key!r}: too long for the filesystem of the {where} "
            f"({exc.strerror}); most filesystems allow 255 bytes per path segment",
            key=key,
        )
    elif operation is Operation.READ and code in _MISSING:
        return KeyNotFoundError(f"key {key!r} not found in {where}", key=key)
    elif operation is Operation.WRITE and code in _CONFLICT and key is not None:
        if code in (errno.EISDIR, errno.ENOTEMPTY):
            why = f"{key!r} is a directory holding the keys '{key}/...'"
        else:
            why = f"a leading part of {key!r} is itself a key (a file, not a directory)"
        error = KeyConflictError(
            f"cannot write key {key!r} in {where}: it conflicts with an existing key path: "
            f"{why}; a key cannot be both a value and a directory of other keys",
            key=key,
        )
    elif code in _DENIED:
        error = FilesystemPermissionError(
            f"permission denied to {operation.value} {what} in {where}: {exc.strerror}", key=key
        )
    else:
        error = StoreError(
            f"could not {operation.value} {what} in {where}: {exc.strerror or exc}", key=key
        )
    if isinstance(error, OSError):
        error.errno = code
        error.strerror = exc.strerror
        error.filename = exc.filename
    return error

"""Translation of dulwich's and the operating system's errors into minimalkv's (the one place).

Every call of the store that touches the repository runs inside :func:`translated`::

    dulwich.errors.NotGitRepository                  -> StoreNotFoundError (a FileNotFoundError)
    dulwich.file.FileLocked (the branch stayed        -> BranchLockedError (a StoreBusyError)
      locked for lock_timeout seconds)
    dulwich.errors.ObjectMissing, ChecksumMismatch,  -> CorruptRepositoryError (a StoreError)
      FileFormatException, zlib.error
    dulwich.errors.RefFormatError                    -> ConfigurationError (a ValueError)
    PermissionError                                  -> StorePermissionError
    any other OSError (ENOSPC, EIO, EROFS, ...)      -> StoreError (an OSError)

Errors that are already minimalkv's pass through unchanged (``read_chunk`` raises
``InvalidValueError`` for a caller's text-mode file), and so do errors of the caller's own
files: a read of the caller's file that fails inside :func:`translated` is carried out of it
by ``CallerFileError`` and raised as it was. A missing object (dulwich's ``KeyError``) becomes
``ObjectMissing`` in the store. Messages name the key and the repository (its path and branch;
a local path has no secret) and say what to do.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from dulwich.errors import (
    ChecksumMismatch,
    FileFormatException,
    NotGitRepository,
    ObjectMissing,
    RefFormatError,
)
from dulwich.file import FileLocked
from minimalkv import (
    ConfigurationError,
    InvalidKeyError,
    MinimalKVError,
    StoreBusyError,
    StoreError,
    StoreNotFoundError,
    StorePermissionError,
)

__all__ = [
    "BranchLockedError",
    "CorruptRepositoryError",
    "KeyConflictError",
    "translated",
]


class KeyConflictError(InvalidKeyError, StoreError):
    """The key's path in the tree is taken by other keys: it cannot be written.

    In the extended key space key ``a`` and key ``a/b`` cannot both exist, because ``a`` would
    have to be a file and a directory of the tree at once. Writing one while the other exists
    raises this error (nothing is committed): an :class:`~minimalkv.InvalidKeyError` (a
    ``ValueError``) and a :class:`~minimalkv.StoreError` (an ``OSError``).
    """


class BranchLockedError(StoreBusyError):
    """The branch's lock file stayed taken for ``lock_timeout`` seconds: nothing was committed.

    Another writer holds it, or a writer was killed while holding it. If no writer is running,
    remove the stale lock file named in the message (or call
    :meth:`~minimalkv.git.GitCommitStore.remove_stale_temporaries`).
    """


class CorruptRepositoryError(StoreError):
    """An object the branch refers to is missing or unreadable: the repository is damaged."""


@contextmanager
def translated(where: str, key: str | None = None) -> Iterator[None]:
    """Raise dulwich's and the system's failures as minimalkv errors naming ``key`` and ``where``.

    ``where`` describes the store (repository path and branch).
    """
    about = f"key {key!r} in " if key is not None else ""
    try:
        yield
    except MinimalKVError:
        raise
    except NotGitRepository as exc:
        raise StoreNotFoundError(
            f"{about}{where}: not a git repository ({exc}); create it with `git init --bare` "
            "or let the store create it (create_if_missing)",
            key=key,
        ) from exc
    except FileLocked as exc:
        raise BranchLockedError(
            f"{about}{where}: the branch is locked by {exc.lockfilename!r}; if no writer is "
            "running, remove that file (a writer was killed while committing)",
            key=key,
        ) from exc
    except RefFormatError as exc:
        raise ConfigurationError(f"{where}: invalid branch name: {exc}") from exc
    except (ObjectMissing, ChecksumMismatch, FileFormatException, zlib.error) as exc:
        raise CorruptRepositoryError(
            f"{about}{where}: the repository is damaged ({type(exc).__name__}: {exc}); "
            "run `git fsck` on it",
            key=key,
        ) from exc
    except PermissionError as exc:
        raise StorePermissionError(
            f"{about}{where}: permission denied: {exc.strerror or exc} ({exc.filename!r})",
            key=key,
        ) from exc
    except OSError as exc:
        raise StoreError(
            f"{about}{where}: {exc.strerror or exc}"
            + (f" ({exc.filename!r})" if exc.filename else ""),
            key=key,
        ) from exc

"""Git store for minimalkv (dulwich): :class:`GitCommitStore` and :class:`HGitCommitStore`.

Each key is a file of a branch's tree, under an optional directory; every ``put``,
``put_file``, ``delete``, ``copy`` and ``move`` is one commit on the branch (``git://`` and
``hgit://``). ``from minimalkv.git import GitCommitStore`` works as in minimalkv 1.x.
"""

from ._errors import BranchLockedError, CorruptRepositoryError, KeyConflictError
from ._objects import COMPRESSION_LEVEL, LooseBlobReader
from ._store import (
    DEFAULT_AUTHOR,
    DEFAULT_LOCK_TIMEOUT,
    GitCommitStore,
    HGitCommitStore,
    normalize_subdir,
)

__all__ = [
    "COMPRESSION_LEVEL",
    "DEFAULT_AUTHOR",
    "DEFAULT_LOCK_TIMEOUT",
    "BranchLockedError",
    "CorruptRepositoryError",
    "GitCommitStore",
    "HGitCommitStore",
    "KeyConflictError",
    "LooseBlobReader",
    "normalize_subdir",
]

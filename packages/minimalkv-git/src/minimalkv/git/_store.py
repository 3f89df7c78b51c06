"""GitCommitStore and HGitCommitStore: values are files of a branch's tree, every write a commit."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, Final

from dulwich.errors import ObjectMissing
from dulwich.file import FileLocked
from dulwich.objects import Commit, ObjectID, parse_tree, serialize_tree, sorted_tree_items
from dulwich.refs import Ref, check_ref_format
from dulwich.repo import Repo
from minimalkv import (
    ConfigurationError,
    CopyMixin,
    ExtendedKeyspaceMixin,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
    is_valid_key,
)
from minimalkv.backend import BytesReader, ReadableBinary, check_prefix, read_chunk

from ._errors import BranchLockedError, KeyConflictError, translated
from ._objects import CallerFileError, LooseObjects
from ._tree_edit import FILE_MODE, Entries, TreeEdit, is_dir, is_file

__all__ = [
    "DEFAULT_AUTHOR",
    "DEFAULT_LOCK_TIMEOUT",
    "GitCommitStore",
    "HGitCommitStore",
    "normalize_subdir",
]

DEFAULT_AUTHOR: Final = b"Git Store <minimalkv.git@localhost>"
"""Author and committer of the store's commits unless given (as in minimalkv 1.x)."""

DEFAULT_LOCK_TIMEOUT: Final = 30.0
"""Seconds a write waits for the branch's lock file before it raises BranchLockedError."""

_TREE_CACHE_SIZE: Final = 512
# What a pickle of a store leaves out: rebuilt from the path and settings when it is loaded.
_RUNTIME: Final = ("repo", "_objects", "_trees", "_commit_trees")

# One lock per (repository, branch) in this process: threads commit one at a time (no lost
# compare-and-swap among them); processes meet at the branch's lock file (dulwich).
_BRANCH_LOCKS: dict[tuple[str, bytes], threading.Lock] = {}
_BRANCH_LOCKS_GUARD = threading.Lock()


def _forget_locks() -> None:  # a forked child must not inherit a lock held by another thread
    global _BRANCH_LOCKS_GUARD
    _BRANCH_LOCKS.clear()
    _BRANCH_LOCKS_GUARD = threading.Lock()


os.register_at_fork(after_in_child=_forget_locks)


def _branch_lock(repo_path: str, ref: bytes) -> threading.Lock:
    with _BRANCH_LOCKS_GUARD:
        return _BRANCH_LOCKS.setdefault((repo_path, ref), threading.Lock())


def _as_bytes(value: bytes | str, name: str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    raise ConfigurationError(f"{name} must be bytes or str, got {type(value).__name__}")


def normalize_subdir(subdir: bytes | str) -> bytes:
    """Return ``subdir`` as the store's directory in the tree: ``b"a/b"`` for ``"/a//b/"``.

    Empty segments (leading, trailing and doubled slashes) are dropped; ``.`` and ``..``
    segments are refused with ConfigurationError, like any name git does not allow in a tree.
    """
    raw = _as_bytes(subdir, "subdir")
    parts = [part for part in raw.split(b"/") if part]
    for part in parts:
        if part in (b".", b"..") or b"\0" in part:
            raise ConfigurationError(f"subdir {subdir!r}: {part!r} is not a directory name")
    return b"/".join(parts)


class _UnchangedError(Exception):
    """The change leaves the tree as it is: no commit (a delete of a missing key)."""


class GitCommitStore(CopyMixin, KeyValueStore):
    """A store in a git repository: each key is a file under ``subdir`` of ``branch``'s tree.

    ``put``, ``put_file`` and ``delete`` each make one commit on ``refs/heads/<branch>`` with
    ``author`` and ``committer`` (``Git Store <minimalkv.git@localhost>`` unless given) and
    the message ``Updated key <path>`` or ``Deleted key <path>``, ``<path>`` being the key's
    path in the tree (``<subdir>/<key>``, or the key alone without a subdir); ``copy`` and
    ``move`` are one commit each too (``Copied key <path> to <path>``, ``Moved key ...``).
    A delete of a missing key makes no commit. ``put_many`` and ``delete_many`` are one
    commit for the whole batch (``Updated 3 keys``, then a line per path), hence atomic: a
    batch with a write that cannot be made (KeyConflictError) commits nothing. The branch
    moves by compare-and-swap under its lock file, retried until it succeeds, so concurrent
    writers in any number of threads and processes never lose a commit; a write waits at
    most ``lock_timeout`` seconds for the lock (then :class:`~minimalkv.git.BranchLockedError`).

    ``repo_path`` is a repository (bare or not: the store never touches a working tree or an
    index); a missing one is created bare with ``create_if_missing`` (its ``HEAD`` names
    ``branch``). ``branch`` and ``subdir`` are bytes or str; ``subdir`` is normalised
    (:func:`normalize_subdir`). Values are written as loose objects, large ones streamed in
    chunks; values of objects that ``git gc`` packed are read through dulwich, whole.

    A store pickles as its path and settings (the repository opens again when it is loaded),
    and a forked child may go on using it.
    """

    def __init__(
        self,
        repo_path: str | os.PathLike[str],
        branch: bytes | str = b"master",
        subdir: bytes | str = b"",
        *,
        author: bytes | str = DEFAULT_AUTHOR,
        committer: bytes | str | None = None,
        create_if_missing: bool = True,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        path = os.fspath(repo_path)
        self.branch: bytes = _as_bytes(branch, "branch")
        """The branch the store commits to (bytes, without ``refs/heads/``)."""
        self.subdir: bytes = normalize_subdir(subdir)
        """The store's directory in the tree (bytes, normalised; ``b""`` for the root)."""
        self.author: bytes = _as_bytes(author, "author")
        """Author of the store's commits (``Name <email>``)."""
        self.committer: bytes = (
            self.author if committer is None else _as_bytes(committer, "committer")
        )
        """Committer of the store's commits (``Name <email>``; the author unless given)."""
        self.ref = Ref(b"refs/heads/" + self.branch)
        if not check_ref_format(self.ref):
            raise ConfigurationError(f"branch {branch!r} is not a valid git branch name")
        if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, (int, float)):
            raise ConfigurationError(f"lock_timeout must be seconds above 0, got {lock_timeout!r}")
        if not lock_timeout > 0:
            raise ConfigurationError(f"lock_timeout must be seconds above 0, got {lock_timeout!r}")
        self.lock_timeout = float(lock_timeout)
        self._where = f"git repository {path!r} (branch {self.branch.decode(errors='replace')})"
        self._subdir_parts = self.subdir.split(b"/") if self.subdir else []
        self._attach(path, create_if_missing)

    def _attach(self, path: str, create: bool) -> None:
        """Open the repository and set up what a pickle leaves out."""
        with translated(self._where):
            self.repo: Repo = self._open_repo(path, create)
            """The dulwich repository (as in minimalkv 1.x)."""
        self._path = os.path.realpath(path)
        # Flushed as the repository's core.fsyncObjectFiles says (dulwich reads it; default false).
        store = self.repo.object_store
        fsync = bool(getattr(store, "fsync_object_files", False))
        self._objects = LooseObjects(os.fspath(store.path), fsync=fsync)
        self._trees: dict[bytes, Entries] = {}
        self._commit_trees: dict[bytes, bytes] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for name in _RUNTIME:
            del state[name]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._attach(self._path, create=False)

    def _open_repo(self, path: str, create: bool) -> Repo:
        if not os.path.exists(path) or (os.path.isdir(path) and not os.listdir(path)):
            if not create:
                raise ConfigurationError(
                    f"{self._where} does not exist or is an empty directory "
                    "(and create_if_missing is false)"
                )
            os.makedirs(path, exist_ok=True)
            try:
                return Repo.init_bare(path, default_branch=self.branch)
            except FileExistsError:
                pass  # another process created it at the same moment
        return Repo(path)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._where}, subdir {self.subdir.decode(errors='replace')!r})"
        )

    def close(self) -> None:
        """Close the repository's open pack files. Idempotent."""
        self.repo.close()

    # ---------------------------------------------------------------- objects and trees
    def _head(self) -> bytes | None:
        try:
            return self.repo.refs[self.ref]
        except KeyError:
            return None

    def _object(self, sha: bytes) -> tuple[bytes, bytes]:
        loose = self._objects.read(sha)
        if loose is not None:
            return loose
        try:
            obj = self.repo.object_store[ObjectID(sha)]
        except KeyError:
            raise ObjectMissing(ObjectID(sha)) from None
        return obj.type_name, obj.as_raw_string()

    def _tree_of_commit(self, commit: bytes) -> bytes:
        tree = self._commit_trees.get(commit)
        if tree is None:
            type_name, body = self._object(commit)
            if type_name != b"commit" or not body.startswith(b"tree "):
                raise ObjectMissing(ObjectID(commit))
            tree = body[5:45]
            if len(self._commit_trees) >= _TREE_CACHE_SIZE:
                self._commit_trees.clear()
            self._commit_trees[commit] = tree
        return tree

    def _entries(self, tree: bytes) -> Entries:
        """Return the entries of ``tree`` (shared: copy before changing)."""
        entries = self._trees.get(tree)
        if entries is None:
            type_name, body = self._object(tree)
            if type_name != b"tree":
                raise ObjectMissing(ObjectID(tree))
            entries = {name: (mode, sha) for name, mode, sha in parse_tree(body, 20)}
            if len(self._trees) >= _TREE_CACHE_SIZE:
                self._trees.clear()
            self._trees[tree] = entries
        return entries

    def _write_tree(self, entries: Entries) -> bytes:
        items = {name: (mode, ObjectID(sha)) for name, (mode, sha) in entries.items()}
        body = b"".join(serialize_tree(sorted_tree_items(items, name_order=False)))
        sha = self._objects.write(b"tree", body)
        self._trees.setdefault(sha, entries)
        return sha

    def _key_parts(self, key: str) -> list[bytes]:
        return [*self._subdir_parts, *key.encode("utf-8").split(b"/")]

    def _path_of(self, key: str) -> str:
        return f"{self.subdir.decode('utf-8', 'replace')}/{key}" if self.subdir else key

    def _lookup_in(self, root: bytes, parts: list[bytes]) -> tuple[int, bytes] | None:
        tree = root
        for part in parts[:-1]:
            entry = self._entries(tree).get(part)
            if entry is None or not is_dir(entry[0]):
                return None
            tree = entry[1]
        entry = self._entries(tree).get(parts[-1])
        if entry is None or not is_file(entry[0]):
            return None
        return entry

    def _lookup(self, key: str) -> bytes | None:
        """Return the blob of ``key`` in the branch's current tree, or None."""
        head = self._head()
        if head is None:
            return None
        found = self._lookup_in(self._tree_of_commit(head), self._key_parts(key))
        return None if found is None else found[1]

    def _blob(self, key: str) -> bytes:
        blob = self._lookup(key)
        if blob is None:
            raise KeyNotFoundError.for_key(key, self._where)
        return blob

    def _edit(self, root: bytes | None) -> TreeEdit:
        return TreeEdit(root, self._entries, self._write_tree, self._conflict)

    def _conflict(self, key: str, name: bytes, what: str) -> KeyConflictError:
        return KeyConflictError(
            f"cannot write key {key!r} in {self._where}: {name.decode('utf-8', 'replace')!r} on "
            f"its path is {what}; a key cannot be both a value and a directory of other keys",
            key=key,
        )

    # ---------------------------------------------------------------- committing
    def _commit(
        self, keys: Sequence[str], change: Callable[[bytes | None], tuple[bytes, str]]
    ) -> bool:
        """Commit ``change(root tree or None) -> (new root tree, message)`` on the branch.

        ``change`` runs again on the branch's new commit when another writer moved it first.
        Returns False when ``change`` raised _UnchangedError (nothing committed). ``keys`` are
        the keys the commit writes, for the messages of errors.
        """
        deadline = time.monotonic() + self.lock_timeout
        pause = 0.0005
        key = keys[0] if len(keys) == 1 else None
        about = f"key {key!r}" if key is not None else f"{len(keys)} keys"
        with translated(self._where, key):
            # Looked up at each write, never kept: after a fork the child must not use a lock
            # that a thread of the parent held at that moment.
            lock = _branch_lock(self._path, self.ref)
            if not lock.acquire(timeout=self.lock_timeout):
                raise BranchLockedError(
                    f"{about} in {self._where}: another thread of this process kept the "
                    f"branch for {self.lock_timeout:g} seconds",
                    key=key,
                )
            try:
                while True:
                    head = self._head()
                    root = None if head is None else self._tree_of_commit(head)
                    try:
                        tree, message = change(root)
                    except _UnchangedError:
                        return False
                    commit = self._write_commit(tree, head, message)
                    try:
                        if head is None:
                            done = self.repo.refs.add_if_new(self.ref, ObjectID(commit))
                        else:
                            done = self.repo.refs.set_if_equals(
                                self.ref, ObjectID(head), ObjectID(commit)
                            )
                    except FileLocked:
                        if time.monotonic() > deadline:
                            raise
                        done = False
                    if done:
                        return True
                    # Another process moved the branch (or holds its lock): build on its commit.
                    if time.monotonic() > deadline:
                        raise BranchLockedError(
                            f"{about} in {self._where}: other writers kept moving the "
                            f"branch for {self.lock_timeout:g} seconds; nothing was committed",
                            key=key,
                        )
                    time.sleep(pause * random.uniform(0.5, 1.5))  # jitter
                    pause = min(pause * 2, 0.05)
            finally:
                lock.release()

    def _write_commit(self, tree: bytes, parent: bytes | None, message: str) -> bytes:
        commit = Commit()
        commit.tree = ObjectID(tree)
        commit.parents = [] if parent is None else [ObjectID(parent)]
        commit.author = self.author
        commit.committer = self.committer
        commit.author_time = commit.commit_time = int(time.time())
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = message.encode("utf-8") + b"\n"
        return self._objects.write(b"commit", commit.as_raw_string())

    def _message(self, verb: str, keys: Sequence[str]) -> str:
        """Return ``Updated key <path>``, or for several keys ``Updated 3 keys`` and the paths."""
        if len(keys) == 1:
            return f"{verb} key {self._path_of(keys[0])}"
        paths = "\n".join(self._path_of(key) for key in keys)
        return f"{verb} {len(keys)} keys\n\n{paths}"

    def _set(self, pairs: Sequence[tuple[str, bytes]]) -> None:
        """Point each key at its blob, in order, in one commit."""
        keys = [key for key, _ in pairs]
        message = self._message("Updated", keys)

        def change(root: bytes | None) -> tuple[bytes, str]:
            edit = self._edit(root)
            for key, blob in pairs:
                edit.set(self._key_parts(key), (FILE_MODE, blob), key)
            return edit.write(), message

        self._commit(keys, change)

    def _remove(self, keys: Sequence[str]) -> None:
        """Remove the keys that exist in one commit; none: no commit."""

        def change(root: bytes | None) -> tuple[bytes, str]:
            edit = self._edit(root)
            removed = [key for key in keys if edit.remove(self._key_parts(key))]
            if not removed:
                raise _UnchangedError
            return edit.write(), self._message("Deleted", removed)

        self._commit(keys, change)

    # ---------------------------------------------------------------- hooks
    def _put(self, key: str, data: bytes) -> str:
        with translated(self._where, key):
            blob = self._objects.write(b"blob", data)
        self._set([(key, blob)])
        return key

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        if not pairs:
            return []
        blobs = []
        for key, data in pairs:
            with translated(self._where, key):
                blobs.append((key, self._objects.write(b"blob", data)))
        self._set(blobs)
        return [key for key, _ in pairs]

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        first = read_chunk(file)
        second = read_chunk(file) if first else b""
        if not second:
            return self._put(key, first)
        try:
            with translated(self._where, key):
                blob = self._objects.write_blob_stream(file, [first, second])
        except CallerFileError as exc:
            raise exc.original from None  # the caller's file failed: its error, not the store's
        self._set([(key, blob)])
        return key

    def _delete(self, key: str) -> None:
        self._remove([key])

    def _delete_many(self, keys: list[str]) -> None:
        if keys:
            self._remove(keys)

    def _has_key(self, key: str) -> bool:
        with translated(self._where, key):
            return self._lookup(key) is not None

    def _get(self, key: str) -> bytes:
        with translated(self._where, key):
            _, body = self._object(self._blob(key))
        return body

    def _open(self, key: str) -> IO[bytes]:
        with translated(self._where, key):
            blob = self._blob(key)
            reader = self._objects.open_blob(blob, key, self._where)
            if reader is None:
                reader = BytesReader(self._object(blob)[1])
        return reader

    def _metadata(self, key: str) -> KeyMetadata:
        with translated(self._where, key):
            blob = self._blob(key)
            size = self._objects.blob_size(blob)
            if size is None:
                size = len(self._object(blob)[1])
        return KeyMetadata(key=key, size=size, etag=blob.decode("ascii"))

    def _copy(self, source: str, dest: str) -> str:
        self._relink(source, dest, move=False)
        return dest

    def _move(self, source: str, dest: str) -> str:
        self._relink(source, dest, move=True)
        return dest

    def _relink(self, source: str, dest: str, *, move: bool) -> None:
        """Point ``dest`` at the blob of ``source`` (and remove ``source``), in one commit."""
        source_parts, dest_parts = self._key_parts(source), self._key_parts(dest)

        verb = "Moved" if move else "Copied"
        message = f"{verb} key {self._path_of(source)} to {self._path_of(dest)}"

        def change(root: bytes | None) -> tuple[bytes, str]:
            found = None if root is None else self._lookup_in(root, source_parts)
            if found is None:
                raise KeyNotFoundError.for_key(source, self._where)
            if source == dest:
                raise _UnchangedError
            edit = self._edit(root)
            if move:
                edit.remove(source_parts)
            edit.set(dest_parts, (FILE_MODE, found[1]), dest)
            return edit.write(), message

        self._commit([source], change)

    # ---------------------------------------------------------------- listing
    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys starting with ``prefix``: the files under ``subdir``.

        The listing reads the tree of the branch as it is at the first ``next()``. Files whose
        names are not keys of the store's key space (and symbolic links, submodules) are left
        out; in the basic key space, so are the subdirectories.
        """
        check_prefix(prefix)
        return self._list(prefix)

    def _list(self, prefix: str) -> Iterator[str]:
        with translated(self._where):
            head = self._head()
            if head is None:
                return
            tree: bytes | None = self._tree_of_commit(head)
            for part in self._subdir_parts:
                entry = self._entries(tree).get(part) if tree is not None else None
                tree = entry[1] if entry is not None and is_dir(entry[0]) else None
            if tree is None:
                return
            yield from self._walk(tree, "", prefix)

    def _walk(self, tree: bytes, path: str, prefix: str) -> Iterator[str]:
        extended = self.extended_keys
        for name, (mode, sha) in self._entries(tree).items():
            try:
                key = path + name.decode("ascii")
            except UnicodeDecodeError:
                continue
            if is_file(mode):
                if key.startswith(prefix) and is_valid_key(key, extended):
                    yield key
            elif extended and is_dir(mode):
                below = key + "/"
                if below.startswith(prefix) or prefix.startswith(below):
                    yield from self._walk(sha, below, prefix)

    # ---------------------------------------------------------------- maintenance
    def remove_stale_temporaries(self, older_than: float = 3600.0) -> int:
        """Remove what killed writers left, older than ``older_than`` seconds; return how many.

        That is temporary object files (``objects/**/tmp_obj_*``) and a stale lock file of the
        branch (``refs/heads/<branch>.lock``). Run it when no writer of the repository may be
        running, or with an age no write takes (the default: an hour).
        """
        with translated(self._where):
            removed = self._objects.remove_stale_temporaries(older_than)
            lock = self._lock_file()
            try:
                if os.stat(lock).st_mtime <= time.time() - older_than:
                    os.unlink(lock)
                    removed += 1
            except FileNotFoundError:
                pass
        return removed

    def leftovers(self) -> list[str]:
        """Return the temporary object files and the branch's lock file, if any (paths)."""
        found = [os.path.join("objects", path) for path in self._objects.temporaries()]
        if os.path.exists(self._lock_file()):
            found.append(os.path.relpath(self._lock_file(), self.repo.commondir()))
        return found

    def _lock_file(self) -> str:
        return os.path.join(self.repo.commondir(), self.ref.decode("utf-8") + ".lock")


class HGitCommitStore(ExtendedKeyspaceMixin, GitCommitStore):
    """:class:`GitCommitStore` with the extended key space: ``a/b`` is file ``b`` in ``a``.

    Keys may contain ``/`` (directories of the tree) and space. Key ``a`` and key ``a/b``
    exclude each other (a path of the tree is a file or a directory): writing one while the
    other exists raises :class:`~minimalkv.git.KeyConflictError` and commits nothing.
    """

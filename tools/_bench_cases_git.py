"""Benchmark cases of minimalkv-git: GitCommitStore against a hand-written dulwich commit loop.

Both sides commit every put on a branch of their own bare repository in the fast directory:
write the blob, read the branch's commit and tree, write the tree with the key's entry and a
commit on top, and move the branch with dulwich's compare-and-swap (``set_if_equals``). A tree
is rewritten whole by each commit, so the cases work on a steady store of a few hundred keys
(every timed put replaces an existing file, as in a store in use) rather than on ever more keys.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from tools._bench_cases import Case, Settings, Target
from tools._bench_harness import Paired

__all__ = ["GIT_CASES"]

_KEYS: Final = 256
"""Distinct keys of the store (the size of the tree every commit rewrites)."""

_AUTHOR: Final = b"Git Store <minimalkv.git@localhost>"


def _raw_committer(path: Path) -> Any:
    """Return ``put(key, value)``: the leanest honest dulwich loop of one commit per put."""
    from dulwich.objects import Blob, Commit, Tree
    from dulwich.refs import Ref
    from dulwich.repo import Repo

    repo = Repo.init_bare(str(path), mkdir=True)
    store = repo.object_store
    refs = repo.refs
    ref = Ref(b"refs/heads/master")

    def put(key: str, value: bytes) -> None:
        blob = Blob.from_string(value)
        store.add_object(blob)
        while True:
            try:
                head = refs[ref]
            except KeyError:
                head = None
            if head is None:
                tree = Tree()
            else:
                parent = store[head]
                assert isinstance(parent, Commit)
                found = store[parent.tree]
                assert isinstance(found, Tree)
                tree = found
            tree[key.encode()] = (0o100644, blob.id)
            store.add_object(tree)
            commit = Commit()
            commit.tree = tree.id
            commit.parents = [] if head is None else [head]
            commit.author = commit.committer = _AUTHOR
            commit.author_time = commit.commit_time = int(time.time())
            commit.author_timezone = commit.commit_timezone = 0
            commit.message = f"Updated key {key}\n".encode()
            store.add_object(commit)
            if head is None:
                if refs.add_if_new(ref, commit.id):
                    return
            elif refs.set_if_equals(ref, head, commit.id):
                return

    return put


def _build_git_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from minimalkv.git import GitCommitStore

    base = Path(tempfile.mkdtemp(prefix="minimalkv-bench-git-", dir=settings.fast_dir))
    stack.callback(shutil.rmtree, base, True)
    raw_put = _raw_committer(base / "raw.git")
    store = GitCommitStore(base / "lib.git")
    stack.callback(store.close)
    keys = [f"key-{i:06d}" for i in range(_KEYS)]
    for key in keys:  # untimed: both trees hold every key before the first timed put
        value = os.urandom(settings.value_size)
        raw_put(key, value)
        store.put(key, value)
    operations = max(settings.values // 10, settings.chunk)
    items = [(keys[i % _KEYS], os.urandom(settings.value_size)) for i in range(operations)]
    chunks = [items[i : i + settings.chunk] for i in range(0, len(items), settings.chunk)]

    def run_raw(i: int) -> None:
        for key, value in chunks[i]:
            raw_put(key, value)

    def run_lib(i: int) -> None:
        put = store.put
        for key, value in chunks[i]:
            put(key, value)

    return Paired(run_raw, run_lib, len(chunks), settings.chunk)


GIT_CASES: Final[tuple[Case, ...]] = (
    Case(
        name="git-put",
        title=f"`GitCommitStore.put` (one commit per put; {_KEYS} keys in the tree)",
        baseline="dulwich loop: blob, tree, commit, `refs.set_if_equals`",
        target=Target(min_ratio=0.8),
        build=_build_git_put,
    ),
)
"""The git cases, registered in tools/bench.py."""

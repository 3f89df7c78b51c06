"""GitCommitStore beyond the contract: the history git reads, commits, locks, packs, types."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from minimalkv import ConfigurationError, KeyNotFoundError, StoreError, StoreNotFoundError
from minimalkv.contract import assert_mypy_diagnostics
from minimalkv.git import (
    BranchLockedError,
    CorruptRepositoryError,
    GitCommitStore,
    HGitCommitStore,
    KeyConflictError,
    normalize_subdir,
)

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="the tests read the history with git")


def git(repo: Path, *args: str) -> str:
    assert GIT is not None
    return subprocess.run(  # noqa: S603 - the system git on a test's repository
        [GIT, "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def commits(repo: Path, branch: str = "master") -> int:
    return int(git(repo, "rev-list", "--count", branch))


def test_the_system_git_reads_the_history(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    with GitCommitStore(repo, b"main", b"data") as store:
        store.put("one", b"first")
        store.put_file("two", io.BytesIO(b"second"))
        store.put("one", b"again")
        store.delete("two")
        store.copy("one", "three")
        store.move("three", "four")
    assert git(repo, "log", "--format=%an <%ae>|%cn <%ce>|%s").splitlines() == [
        f"Git Store <minimalkv.git@localhost>|Git Store <minimalkv.git@localhost>|{message}"
        for message in (
            "Moved key data/three to data/four",
            "Copied key data/one to data/three",
            "Deleted key data/two",
            "Updated key data/one",
            "Updated key data/two",
            "Updated key data/one",
        )
    ]
    assert git(repo, "show", "main:data/one") == "again"
    assert git(repo, "show", "main:data/four") == "again"
    assert git(repo, "show", "main~3:data/two") == "second"
    assert git(repo, "ls-tree", "-r", "--name-only", "main").split() == ["data/four", "data/one"]
    assert git(repo, "rev-parse", "--is-bare-repository").strip() == "true"
    git(repo, "fsck", "--strict")


def test_author_committer_and_root_messages(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    author, committer = "A U Thor <a@example.org>", b"C <c@example.org>"
    with GitCommitStore(repo, author=author, committer=committer) as store:
        store.put("key", b"v")
        store.delete("key")
    assert git(repo, "log", "--format=%an <%ae>|%cn <%ce>|%s").splitlines() == [
        "A U Thor <a@example.org>|C <c@example.org>|Deleted key key",
        "A U Thor <a@example.org>|C <c@example.org>|Updated key key",
    ]
    assert git(repo, "ls-tree", "master") == ""  # the last delete leaves the empty tree


def test_delete_of_a_missing_key_makes_no_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    with HGitCommitStore(repo) as store:
        store.delete("never")  # on a branch that does not exist yet
        assert not (repo / "refs" / "heads" / "master").exists()
        store.put("a/b", b"v")
        store.delete("missing")
        store.delete("a/b/c")  # passes through the file a/b
        store.delete("a")  # a directory of keys, not a key
        assert commits(repo) == 1
        assert store.keys() == ["a/b"]
        store.delete("a/b")
        assert commits(repo) == 2
        assert store.keys() == []


@pytest.mark.parametrize("subdir", [b"a/b", "a/b", "/a/b", "a/b/", "a//b", "//a///b//"])
def test_subdir_is_normalised(tmp_path: Path, subdir: bytes | str) -> None:
    assert normalize_subdir(subdir) == b"a/b"
    with GitCommitStore(tmp_path / "repo", subdir=subdir) as store:
        assert store.subdir == b"a/b"
        store.put("k", b"v")
    assert git(tmp_path / "repo", "show", "master:a/b/k") == "v"


@pytest.mark.parametrize("subdir", ["a/../b", ".", "a/./b", "..", b"a\0b"])
def test_bad_subdir_is_refused(tmp_path: Path, subdir: bytes | str) -> None:
    with pytest.raises(ConfigurationError, match="subdir"):
        GitCommitStore(tmp_path / "repo", subdir=subdir)


@pytest.mark.parametrize("branch", ["a..b", "with space", "end.lock", "", "-x/"])
def test_bad_branch_is_refused(tmp_path: Path, branch: str) -> None:
    with pytest.raises(ConfigurationError, match="branch"):
        GitCommitStore(tmp_path / "repo", branch=branch)


def test_same_store_from_several_threads_loses_no_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    threads, rounds = 8, 20
    errors: list[BaseException] = []

    def write(number: int) -> None:
        # Half the threads share one store, the others open their own.
        store = shared if number % 2 else GitCommitStore(repo)
        try:
            for i in range(rounds):
                store.put(f"t{number}-{i}", b"%d" % i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with GitCommitStore(repo) as shared:
        workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert errors == []
        assert commits(repo) == threads * rounds
        assert len(shared.keys()) == threads * rounds


_WRITER = """
import sys
from minimalkv.git import GitCommitStore
repo, name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
with GitCommitStore(repo) as store:
    for i in range(rounds):
        store.put(f"{name}-{i}", b"x" * i)
"""


def test_writers_in_several_processes_lose_no_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    GitCommitStore(repo).close()  # created once, so no process races to create it
    processes, rounds = 4, 25
    running = [
        subprocess.Popen(  # noqa: S603 - this interpreter, a fixed program
            [sys.executable, "-c", _WRITER, str(repo), f"p{n}", str(rounds)]
        )
        for n in range(processes)
    ]
    assert [process.wait(120) for process in running] == [0] * processes
    assert commits(repo) == processes * rounds
    with GitCommitStore(repo) as store:
        assert len(store.keys()) == processes * rounds
        assert store.get("p3-7") == b"x" * 7
    git(repo, "fsck", "--strict")


def _write_batches(store: GitCommitStore, name: str, rounds: int) -> None:
    for i in range(rounds):
        store.put_many({f"{name}-{i}-a": b"a", f"{name}-{i}-b": b"b"})


_UNPICKLING_WRITER = """
import pickle, sys
store = pickle.load(sys.stdin.buffer)
for i in range(10):
    store.put_many({f"pickled-{i}-a": b"a", f"pickled-{i}-b": b"b"})
store.close()
"""


def test_pickled_and_forked_stores_commit_batches_with_their_parent(tmp_path: Path) -> None:
    import multiprocessing
    import pickle

    repo = tmp_path / "repo"
    with HGitCommitStore(repo, "main", "data", author="A <a@example.org>") as store:
        store.put("before", b"v")
        copy = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own data
        assert isinstance(copy, HGitCommitStore)
        assert (copy.branch, copy.subdir, copy.author) == (b"main", b"data", b"A <a@example.org>")
        assert copy.get("before") == b"v"
        copy.close()
        unpickling = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed program
            [sys.executable, "-c", _UNPICKLING_WRITER], stdin=subprocess.PIPE
        )
        forked = multiprocessing.get_context("fork").Process(
            target=_write_batches, args=(store, "forked", 10)
        )
        forked.start()
        assert unpickling.stdin is not None
        unpickling.stdin.write(pickle.dumps(store))
        unpickling.stdin.close()
        _write_batches(store, "parent", 10)
        forked.join(120)
        assert (forked.exitcode, unpickling.wait(120)) == (0, 0)
        assert commits(repo, "main") == 1 + 3 * 10
        assert len(store.keys()) == 1 + 3 * 10 * 2
    git(repo, "fsck", "--strict")


def test_a_forked_child_writes_while_a_parent_thread_holds_the_branch(tmp_path: Path) -> None:
    import multiprocessing

    from minimalkv.git._store import _branch_lock

    with GitCommitStore(tmp_path / "repo", lock_timeout=5) as store:
        store.put("before", b"v")
        held = _branch_lock(os.path.realpath(tmp_path / "repo"), b"refs/heads/master")
        with held:  # as a writing thread of the parent holds it at the moment of the fork
            child = multiprocessing.get_context("fork").Process(
                target=_write_batches, args=(store, "child", 1)
            )
            child.start()
            child.join(60)
        assert child.exitcode == 0
        assert sorted(store.keys()) == ["before", "child-0-a", "child-0-b"]


def test_a_stale_lock_makes_writes_fail_in_time_until_removed(tmp_path: Path) -> None:
    with GitCommitStore(tmp_path / "repo", lock_timeout=0.2) as store:
        store.put("k", b"1")
        lock = tmp_path / "repo" / "refs" / "heads" / "master.lock"
        lock.write_bytes(b"")  # what a writer killed while committing leaves
        with pytest.raises(BranchLockedError, match=r"master\.lock") as caught:
            store.put("k", b"2")
        assert isinstance(caught.value, StoreError)
        assert store.get("k") == b"1"
        assert store.leftovers() == ["refs/heads/master.lock"]
        assert store.remove_stale_temporaries() == 0  # younger than an hour: may be in use
        assert store.remove_stale_temporaries(older_than=0) == 1
        assert store.leftovers() == []
        store.put("k", b"2")
        assert store.get("k") == b"2"


def test_values_packed_by_git_gc_stay_readable(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    big = os.urandom(3 * 1024 * 1024)
    with GitCommitStore(repo) as store:
        store.put("small", b"value")
        store.put("big", big)
    git(repo, "gc", "--prune=now", "--quiet")
    assert not any((repo / "objects").glob("??/*"))  # everything is packed
    with GitCommitStore(repo) as store:
        assert store.get("small") == b"value"
        assert store.metadata("big").size == len(big)
        with store.open("big") as file:
            file.seek(1000)
            assert file.read(10) == big[1000:1010]
        store.put("small", b"new")
        assert sorted(store.keys()) == ["big", "small"]
        assert store.get("small") == b"new"


def test_open_streams_and_seeks_a_large_loose_value(tmp_path: Path) -> None:
    value = bytes(range(256)) * (12 * 1024)  # 3 MiB that compresses well
    with GitCommitStore(tmp_path / "repo") as store:
        store.put_file("k", io.BytesIO(value))
        with store.open("k") as file:
            assert file.read(5) == value[:5]
            file.seek(2 * 1024 * 1024 + 3)
            assert file.read(100) == value[2 * 1024 * 1024 + 3 : 2 * 1024 * 1024 + 103]
            file.seek(7)  # backwards: decompression starts again
            assert file.read(9) == value[7:16]
            file.seek(0)
            assert file.read() == value
        metadata = store.metadata("k")
        assert metadata.size == len(value)
        assert metadata.etag == git(tmp_path / "repo", "rev-parse", "master:k").strip()


def test_an_existing_repository_with_a_working_tree(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "--quiet", "--initial-branch", "main")
    (work / "file.txt").write_text("untracked")
    with GitCommitStore(work, "main", "kv") as store:
        store.put("k", b"v")
        assert store.keys() == ["k"]
    assert git(work, "show", "main:kv/k") == "v"
    assert (work / "file.txt").read_text() == "untracked"  # the working tree is untouched
    assert not (work / "kv").exists()


def test_missing_parent_directories_are_created(tmp_path: Path) -> None:
    with GitCommitStore(tmp_path / "a" / "b" / "repo.git") as store:
        store.put("k", b"v")
    assert git(tmp_path / "a" / "b" / "repo.git", "show", "master:k") == "v"


def test_missing_repository_without_create_if_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        GitCommitStore(tmp_path / "missing", create_if_missing=False)
    assert not (tmp_path / "missing").exists()


def test_a_directory_that_is_no_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "file").write_bytes(b"x")
    with pytest.raises(StoreNotFoundError, match="not a git repository"):
        GitCommitStore(tmp_path / "plain")


def test_a_damaged_object_is_reported(tmp_path: Path) -> None:
    with GitCommitStore(tmp_path / "repo") as store:
        store.put("k", b"value")
        blob = git(tmp_path / "repo", "rev-parse", "master:k").strip()
        path = tmp_path / "repo" / "objects" / blob[:2] / blob[2:]
        path.chmod(0o644)
        path.write_bytes(zlib.compress(b"blob 5\0val")[:-3])
        with pytest.raises(CorruptRepositoryError, match="git fsck"):
            store.get("k")
        path.unlink()
        with pytest.raises(CorruptRepositoryError, match="damaged"):
            store.get("k")


def test_conflicting_keys_of_the_extended_key_space(tmp_path: Path) -> None:
    with HGitCommitStore(tmp_path / "repo") as store:
        store.put("a/b", b"1")
        with pytest.raises(KeyConflictError, match="directory of other keys"):
            store.put("a", b"2")
        with pytest.raises(KeyConflictError, match="is a file"):
            store.put("a/b/c", b"3")
        with pytest.raises(KeyNotFoundError):
            store.get("a")
        assert commits(tmp_path / "repo") == 1


def test_a_batch_is_one_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    with HGitCommitStore(repo, subdir="data") as store:
        assert store.put_many([]) == []
        store.delete_many([])
        assert not (repo / "refs" / "heads" / "master").exists()
        assert store.put_many([("b", b"1"), ("d/x", b"2"), ("a", b"3"), ("b", b"4")]) == [
            "b",
            "d/x",
            "a",
            "b",
        ]
        store.put_many({"only": b"5"})
        store.delete_many(["missing", "d/x", "a", "d/x"])
        store.delete_many(["missing", "d/x"])  # nothing to delete: no commit
        assert sorted(store.keys()) == ["b", "only"]
    assert [m.strip("\n") for m in git(repo, "log", "--format=%B%x00").split("\x00")[:-1]] == [
        "Deleted 2 keys\n\ndata/d/x\ndata/a",
        "Updated key data/only",
        "Updated 4 keys\n\ndata/b\ndata/d/x\ndata/a\ndata/b",
    ]
    assert git(repo, "show", "master:data/b") == "4"  # the last value of a key given twice
    assert git(repo, "ls-tree", "-r", "--name-only", "master").split() == [
        "data/b",
        "data/only",
    ]
    git(repo, "fsck", "--strict")


def test_a_batch_with_a_conflict_commits_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    with HGitCommitStore(repo) as store:
        store.put("a", b"file")
        with pytest.raises(KeyConflictError, match=r"'a/b'.*is a file") as caught:
            store.put_many([("first", b"1"), ("a/b", b"2"), ("last", b"3")])
        assert caught.value.key == "a/b"
        with pytest.raises(KeyConflictError, match="directory of other keys"):
            store.put_many([("x/y", b"1"), ("x", b"2")])  # the batch's own keys conflict
        assert store.keys() == ["a"]
        assert commits(repo) == 1
        # Each write of a batch sees the ones before it: the directory emptied by the move
        # is gone, so its name can be a key again.
        store.put("x/y", b"1")
        store.move("x/y", "x")
        assert store.get("x") == b"1"
        assert sorted(store.keys()) == ["a", "x"]


def test_basic_store_ignores_what_is_no_key_of_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    with HGitCommitStore(repo) as wide:
        wide.put("dir/inner", b"1")
        wide.put("with space", b"2")
        wide.put("plain", b"3")
    with GitCommitStore(repo) as store:
        assert store.keys() == ["plain"]
        assert "dir" not in store
        with pytest.raises(KeyNotFoundError):
            store.get("dir")


def test_the_1x_import_path_and_signature(tmp_path: Path) -> None:
    from minimalkv.git import GitCommitStore as Imported

    with Imported(str(tmp_path / "repo"), b"master", b"sub") as store:
        assert store.branch == b"master"
        assert store.subdir == b"sub"
        assert store.repo.path == str(tmp_path / "repo")


def test_types_offer_copy_and_refuse_ttl_and_urls(tmp_path: Path) -> None:
    assert_mypy_diagnostics(
        """
        from minimalkv.git import GitCommitStore

        def use(store: GitCommitStore) -> None:
            reveal_type(store.copy("a", "b"))  # N: "str"
            reveal_type(store.branch)  # N: "bytes"
            store.put("k", b"v", ttl_secs=10)  # E: call-arg
            store.url_for("k")  # E: attr-defined
        """,
        tmp_path,
    )


def test_a_large_value_damaged_inside_is_reported_while_read(tmp_path: Path) -> None:
    with GitCommitStore(tmp_path / "repo") as store:
        store.put("k", os.urandom(3 * 1024 * 1024))
        blob = git(tmp_path / "repo", "rev-parse", "master:k").strip()
        path = tmp_path / "repo" / "objects" / blob[:2] / blob[2:]
        path.chmod(0o644)
        data = bytearray(path.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
        path.write_bytes(bytes(data))
        with store.open("k") as file, pytest.raises(StoreError, match="'k'"):
            shutil.copyfileobj(file, io.BytesIO())


def test_objects_are_flushed_when_the_repository_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    GitCommitStore(repo).close()
    git(repo, "config", "core.fsyncObjectFiles", "true")
    flushed: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        flushed.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with GitCommitStore(repo) as store:
        store.put("k", b"v")
        assert len(flushed) == 4  # blob, tree, commit, and the branch's file
    git(repo, "config", "core.fsyncObjectFiles", "false")
    flushed.clear()
    with GitCommitStore(repo) as store:
        store.put("k", b"w")
        assert len(flushed) == 1  # the branch's file only


class _FailingFile(io.RawIOBase):
    """A caller's file that fails after two chunks (a large value)."""

    def __init__(self) -> None:
        self.reads = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.reads += 1
        if self.reads > 2:
            raise OSError(5, "the caller's disk failed")
        buffer[:] = bytes(len(buffer))
        return len(buffer)


def test_a_failing_callers_file_raises_its_own_error(tmp_path: Path) -> None:
    with GitCommitStore(tmp_path / "repo") as store:
        with pytest.raises(OSError, match="caller's disk") as caught:
            store.put_file("k", io.BufferedReader(_FailingFile()))
        assert not isinstance(caught.value, StoreError)
        assert "k" not in store
        assert store.leftovers() == []

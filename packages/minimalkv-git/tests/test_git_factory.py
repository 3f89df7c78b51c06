"""The git store type: get_store parameters and the git:// / hgit:// URL forms."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from minimalkv import ConfigurationError, get_store, get_store_from_url, url2dict
from minimalkv.git import GitCommitStore, HGitCommitStore


def test_url_with_branch_and_subdir(tmp_path: Path) -> None:
    url = f"git://{tmp_path}/repo?branch=main&subdir=data"
    with get_store_from_url(url) as store:
        assert type(store) is GitCommitStore
        assert (store.branch, store.subdir) == (b"main", b"data")
        store.put("key", b"value")
    git = shutil.which("git")
    if git is None:
        pytest.skip("git reads the history")
    shown = subprocess.run(  # noqa: S603 - the system git on the test's repository
        [git, "-C", str(tmp_path / "repo"), "show", "main:data/key"],
        check=True,
        capture_output=True,
    )
    assert shown.stdout == b"value"
    assert url2dict(url) == {
        "type": "git",
        "path": f"{tmp_path}/repo",
        "branch": "main",
        "subdir": "data",
    }


def test_hgit_gives_the_extended_key_space(tmp_path: Path) -> None:
    with get_store_from_url(f"hgit://{tmp_path}/repo?subdir=/a//b/") as store:
        assert type(store) is HGitCommitStore
        assert store.subdir == b"a/b"
        store.put("dir/with space", b"v")
        assert store.keys() == ["dir/with space"]


def test_get_store_with_every_option(tmp_path: Path) -> None:
    with get_store(
        "git",
        path=tmp_path / "repo",
        branch="store",
        subdir="kv",
        author="A <a@example.org>",
        committer="C <c@example.org>",
        lock_timeout=2,
    ) as store:
        assert isinstance(store, GitCommitStore)
        assert (store.author, store.committer, store.lock_timeout) == (
            b"A <a@example.org>",
            b"C <c@example.org>",
            2.0,
        )


def test_create_if_missing_false(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        get_store_from_url(f"git://{tmp_path}/missing?create_if_missing=false")
    with get_store_from_url(f"git://{tmp_path}/made") as store:
        store.put("k", b"v")
    with get_store_from_url(f"git://{tmp_path}/made?create_if_missing=false") as store:
        assert store.get("k") == b"v"


@pytest.mark.parametrize(
    "url",
    [
        "git://",
        "git:///",
        "git://example.org/repo.git",
        "git://user@/srv/repo",
        "git://:9418/srv/repo",
        "git:///srv/repo?colour=red",
        "git:///srv/repo?lock_timeout=0",
        "git:///srv/repo?lock_timeout=soon",
    ],
)
def test_bad_url(url: str) -> None:
    with pytest.raises(ConfigurationError):
        get_store_from_url(url)


def test_bad_parameters(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="colour"):
        get_store("git", path=str(tmp_path), colour="red")
    with pytest.raises(ConfigurationError, match="needs path"):
        get_store("git", branch="main")
    with pytest.raises(ConfigurationError, match="branch"):
        get_store("git", path=str(tmp_path / "repo"), branch="bad..name")

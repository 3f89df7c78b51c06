"""WebFilesystemStore and HWebFilesystemStore: url_for with a string or callable prefix."""

from __future__ import annotations

from pathlib import Path

import pytest
from minimalkv import InvalidArgumentError, InvalidKeyError
from minimalkv.fs import FilesystemStore, HWebFilesystemStore, WebFilesystemStore


def test_string_prefix(tmp_path: Path) -> None:
    store = WebFilesystemStore(tmp_path, "https://files.example/data/")
    assert store.url_for("key.1") == "https://files.example/data/key.1"
    assert store.url_for("a%#?") == "https://files.example/data/a%25%23%3F"
    assert store.url_for("never-written").endswith("never-written")  # no existence check
    with pytest.raises(InvalidKeyError):
        store.url_for("a/b")  # not in the basic key space
    assert (
        repr(store)
        == f"WebFilesystemStore({str(tmp_path)!r}, url_prefix='https://files.example/data/')"
    )


def test_callable_prefix_gets_store_and_key(tmp_path: Path) -> None:
    calls: list[tuple[object, str]] = []

    def prefix(store: WebFilesystemStore, key: str) -> str:
        calls.append((store, key))
        return f"https://shard{len(key) % 2}.example/"

    store = HWebFilesystemStore(tmp_path, prefix, perm=0o644)
    assert store.url_for("dir/a b") == "https://shard1.example/dir%2Fa%20b"
    assert store.url_for("ab") == "https://shard0.example/ab"
    assert calls == [(store, "dir/a b"), (store, "ab")]
    assert "<callable>" in repr(store)
    assert store.perm == 0o644


def test_web_store_is_a_full_filesystem_store(tmp_path: Path) -> None:
    store = HWebFilesystemStore(tmp_path, "/static/")
    assert isinstance(store, FilesystemStore)
    store.put("a/b", b"v")
    assert store.get("a/b") == b"v"
    assert (tmp_path / "a" / "b").read_bytes() == b"v"


def test_bad_prefix(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError):
        WebFilesystemStore(tmp_path, 42)  # type: ignore[arg-type]

"""Symbolic links below the root are never followed.

A link under the root is not a value (reads raise ``KeyNotFoundError``, listings skip it), a
key whose path passes through a linked directory is not a value and cannot be written
(``KeyConflictError``), and no operation reads, writes or deletes anything outside the root.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from minimalkv import KeyNotFoundError
from minimalkv.fs import FilesystemStore, HFilesystemStore, KeyConflictError


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below ``directory`` with its content and modification time."""
    return {
        str(path.relative_to(directory)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory outside every store's root, with a file and a subdirectory."""
    directory = tmp_path / "outside"
    (directory / "sub").mkdir(parents=True)
    (directory / "secret").write_bytes(b"secret")
    (directory / "sub" / "deep").write_bytes(b"deep")
    return directory


def _plant_links(root: Path, outside: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "dirlink").symlink_to(outside, target_is_directory=True)
    (root / "filelink").symlink_to(outside / "secret")


_READS: dict[str, Callable[[FilesystemStore, str, Path], object]] = {
    "get": lambda store, key, tmp: store.get(key),
    "open": lambda store, key, tmp: store.open(key),
    "get_file-path": lambda store, key, tmp: store.get_file(key, str(tmp / "out")),
    "get_file-stream": lambda store, key, tmp: store.get_file(key, io.BytesIO()),
    "copy": lambda store, key, tmp: store.copy(key, "copied"),
    "move": lambda store, key, tmp: store.move(key, "moved"),
    "metadata": lambda store, key, tmp: store.metadata(key),
}


@pytest.mark.parametrize("operation", sorted(_READS))
@pytest.mark.parametrize(
    ("store_class", "key"),
    [
        (FilesystemStore, "filelink"),
        (HFilesystemStore, "filelink"),
        (HFilesystemStore, "dirlink/secret"),
        (HFilesystemStore, "dirlink/sub/deep"),
    ],
)
def test_reads_through_a_link_find_no_key(
    store_class: type[FilesystemStore], key: str, operation: str, tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "root"
    _plant_links(root, outside)
    store = store_class(root)
    before = _snapshot(outside)
    with pytest.raises(KeyNotFoundError, match="symbolic link"):
        _READS[operation](store, key, tmp_path)
    assert key not in store
    assert not (tmp_path / "out").exists()
    assert store.keys() == []
    assert _snapshot(outside) == before
    assert (root / "filelink").is_symlink()


@pytest.mark.parametrize(
    "write",
    [
        lambda store: store.put("dirlink/new", b"x"),
        lambda store: store.put("dirlink/secret", b"x"),
        lambda store: store.put("dirlink/sub/deep", b"x"),
        lambda store: store.put("dirlink/newdir/new", b"x"),
        lambda store: store.put_file("dirlink/new", io.BytesIO(b"x")),
        lambda store: store.copy("real", "dirlink/new"),
        lambda store: store.move("real", "dirlink/new"),
        lambda store: store.put_many({"dirlink/new": b"x"}),
    ],
)
def test_writes_through_a_linked_directory_are_refused(
    write: Callable[[FilesystemStore], object], tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "root"
    _plant_links(root, outside)
    store = HFilesystemStore(root)
    store.put("real", b"value")
    before = _snapshot(outside)
    with pytest.raises(KeyConflictError, match="'dirlink' is a symbolic link"):
        write(store)
    assert _snapshot(outside) == before
    assert sorted(path.name for path in outside.iterdir()) == ["secret", "sub"]
    assert store.get("real") == b"value"


@pytest.mark.parametrize("key", ["dirlink/secret", "dirlink/sub/deep", "dirlink/missing"])
def test_deletes_through_a_linked_directory_do_nothing(
    key: str, tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "root"
    _plant_links(root, outside)
    store = HFilesystemStore(root)
    before = _snapshot(outside)
    store.delete(key)
    store.delete_many([key])
    assert _snapshot(outside) == before
    assert (root / "dirlink").is_symlink()


@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
def test_a_write_or_delete_of_a_linked_key_replaces_only_the_link(
    store_class: type[FilesystemStore], tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "root"
    _plant_links(root, outside)
    store = store_class(root)
    before = _snapshot(outside)
    store.put("filelink", b"new value")
    assert not (root / "filelink").is_symlink()
    assert store.get("filelink") == b"new value"
    assert _snapshot(outside) == before
    (root / "other").symlink_to(outside / "secret")
    store.delete("other")
    assert not (root / "other").exists()
    assert not (root / "other").is_symlink()
    assert _snapshot(outside) == before


@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
def test_links_are_never_listed(
    store_class: type[FilesystemStore], tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "root"
    _plant_links(root, outside)
    store = store_class(root)
    store.put("real", b"value")
    assert store.keys() == ["real"]
    assert store.keys("dirlink/") == []
    assert list(store.iter_prefixes("/")) == ["real"]
    assert list(store.iter_prefixes("/", "dirlink/")) == []
    assert list(store.iter_prefixes("/", "dirlink/sub/")) == []
    store.delete_many(store.keys())
    assert store.keys() == []


def test_a_link_deeper_in_the_tree_is_not_followed(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "root"
    store = HFilesystemStore(root)
    store.put("a/b", b"value")
    (root / "a" / "link").symlink_to(outside, target_is_directory=True)
    before = _snapshot(outside)
    assert store.keys() == ["a/b"]
    assert list(store.iter_prefixes("/", "a/")) == ["a/b"]
    assert "a/link/secret" not in store
    with pytest.raises(KeyNotFoundError):
        store.get("a/link/secret")
    with pytest.raises(KeyConflictError):
        store.put("a/link/secret", b"x")
    store.delete("a/link/secret")
    assert _snapshot(outside) == before


def test_the_root_itself_may_be_a_link(tmp_path: Path) -> None:
    """Only links *below* the root are refused: the root is the directory the caller chose."""
    (tmp_path / "real-root").mkdir()
    (tmp_path / "root").symlink_to(tmp_path / "real-root", target_is_directory=True)
    store = HFilesystemStore(tmp_path / "root")
    store.put("a/b", b"value")
    assert store.get("a/b") == b"value"
    assert store.keys() == ["a/b"]
    assert (tmp_path / "real-root" / "a" / "b").read_bytes() == b"value"

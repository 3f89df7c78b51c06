"""Temporary files of crashed writers: removed by ``remove_stale_temporaries``, and a
directory holding only stale ones never blocks the key of its name."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from minimalkv import InvalidArgumentError
from minimalkv.fs import FilesystemStore, HFilesystemStore, KeyConflictError

_HOUR = 3600.0


def _plant_temporary(directory: Path, name: str, age: float) -> Path:
    """A crashed writer's leftover: a temporary file last modified ``age`` seconds ago."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f".mkv;{name}"
    path.write_bytes(b"partial value")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
def test_stale_temporaries_are_removed_and_fresh_ones_kept(
    store_class: type[FilesystemStore], tmp_path: Path
) -> None:
    root = tmp_path / "root"
    store = store_class(root)
    store.put("key", b"value")
    old = _plant_temporary(root, "dead-000001-0", 2 * _HOUR)
    fresh = _plant_temporary(root, "live-000002-0", 10)
    deep = _plant_temporary(root / "a" / "b", "dead-000003-0", 2 * _HOUR)
    assert store.remove_stale_temporaries() == 2
    assert not old.exists()
    assert not deep.exists()
    assert not (root / "a").exists()  # directories emptied by the cleanup are removed
    assert fresh.exists()
    assert store.keys() == ["key"]
    assert store.get("key") == b"value"
    assert store.remove_stale_temporaries() == 0
    assert store.remove_stale_temporaries(older_than=0) == 1
    assert not fresh.exists()
    assert root.exists()
    assert sorted(p.name for p in root.iterdir()) == ["key"]


def test_cleanup_keeps_directories_that_hold_keys(tmp_path: Path) -> None:
    store = HFilesystemStore(tmp_path / "root")
    store.put("a/b", b"value")
    _plant_temporary(Path(store.root) / "a", "dead-000001-0", 2 * _HOUR)
    assert store.remove_stale_temporaries() == 1
    assert store.get("a/b") == b"value"


def test_cleanup_does_not_follow_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    leftover = _plant_temporary(outside, "dead-000001-0", 2 * _HOUR)
    store = HFilesystemStore(tmp_path / "root")
    store.put("key", b"value")
    (Path(store.root) / "link").symlink_to(outside, target_is_directory=True)
    assert store.remove_stale_temporaries(older_than=0) == 0
    assert leftover.exists()


def test_cleanup_of_a_missing_root_removes_nothing(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "never-written")
    assert store.remove_stale_temporaries() == 0
    assert not (tmp_path / "never-written").exists()


@pytest.mark.parametrize("older_than", [-1, "60", None, True, float("nan")])
def test_cleanup_refuses_a_bad_age(older_than: object, tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    with pytest.raises(InvalidArgumentError, match="older_than"):
        store.remove_stale_temporaries(older_than)  # type: ignore[arg-type]  # the wrong type is the test


def test_a_stale_temporary_never_blocks_the_key_of_its_directory(tmp_path: Path) -> None:
    store = HFilesystemStore(tmp_path / "root")
    store.put("a/b", b"value")
    _plant_temporary(Path(store.root) / "a", "dead-000001-0", 2 * _HOUR)
    _plant_temporary(Path(store.root) / "a" / "c", "dead-000002-0", 2 * _HOUR)
    store.delete("a/b")
    assert store.keys() == []
    store.put("a", b"now a value")
    assert store.get("a") == b"now a value"
    assert store.keys() == ["a"]


def test_a_fresh_temporary_may_be_a_live_writer_and_is_left_alone(tmp_path: Path) -> None:
    store = HFilesystemStore(tmp_path / "root")
    store.put("a/b", b"value")
    live = _plant_temporary(Path(store.root) / "a", "live-000001-0", 1)
    store.delete("a/b")
    with pytest.raises(KeyConflictError):
        store.put("a", b"v")
    assert live.exists()

"""Listings show exactly the keys ``get`` can serve, and prefixes of exactly those.

A file dropped into the root whose name is not a valid key of the store (``bad name`` in the
basic key space, ``x*y`` in both) is never listed, so ``delete_many(store.keys())`` always
works.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from minimalkv import InvalidKeyError, is_valid_key
from minimalkv.fs import FilesystemStore, HFilesystemStore

_FOREIGN_EVERYWHERE = ("x*y", "tab\there", "caf\u00e9", "semi;colon", "new\nline", "q|pipe")


def _plant(root: Path, names: tuple[str, ...]) -> None:
    for name in names:
        (root / name).write_bytes(b"foreign")


@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
def test_names_that_are_not_keys_are_not_listed(
    store_class: type[FilesystemStore], tmp_path: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    store = store_class(root)
    store.put("good", b"v")
    _plant(root, _FOREIGN_EVERYWHERE)
    if store_class is FilesystemStore:
        _plant(root, ("bad name",))  # space: valid only in the extended key space
    assert store.keys() == ["good"]
    assert store.keys("x") == []
    assert list(store.iter_prefixes("/")) == ["good"]
    assert [store.get(key) for key in store.iter_keys()] == [b"v"]
    store.delete_many(store.keys())
    assert store.keys() == []
    assert sorted(p.name for p in root.iterdir()) == sorted(
        _FOREIGN_EVERYWHERE + (("bad name",) if store_class is FilesystemStore else ())
    )


def test_extended_listing_skips_directories_and_files_that_are_not_key_segments(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    store = HFilesystemStore(root)
    store.put("a/b", b"v")
    store.put("bad name/ok", b"w")  # space is valid in the extended key space
    (root / "x*y").mkdir()
    (root / "x*y" / "inside").write_bytes(b"foreign")
    (root / "a" / "x*y").write_bytes(b"foreign")
    (root / "only-foreign").mkdir()
    (root / "only-foreign" / "x*y").write_bytes(b"foreign")
    assert sorted(store.keys()) == ["a/b", "bad name/ok"]
    assert sorted(store.iter_prefixes("/")) == ["a/", "bad name/"]
    assert list(store.iter_prefixes("/", "a/")) == ["a/b"]
    assert list(store.iter_prefixes("-")) == ["a/b", "bad name/ok"]
    store.delete_many(store.keys())
    assert store.keys() == []
    assert list(store.iter_prefixes("/")) == []


class _NoDashStore(HFilesystemStore):
    """A store with a stricter key rule than its key space: no '-' in keys."""

    def _check_valid_key(self, key: str) -> None:
        super()._check_valid_key(key)
        if "-" in key:
            raise InvalidKeyError(f"invalid key {key!r}: this store refuses '-'", key=key)


class _FlatNoDashStore(FilesystemStore):
    """The same stricter rule in the basic key space."""

    def _check_valid_key(self, key: str) -> None:
        super()._check_valid_key(key)
        if "-" in key:
            raise InvalidKeyError(f"invalid key {key!r}: this store refuses '-'", key=key)


def test_a_stricter_subclass_lists_only_keys_it_accepts(tmp_path: Path) -> None:
    nested = _NoDashStore(tmp_path / "nested")
    nested.put("a/b", b"v")
    (Path(nested.root) / "a" / "c-d").write_bytes(b"planted")
    (Path(nested.root) / "e-f").mkdir()
    (Path(nested.root) / "e-f" / "g").write_bytes(b"planted")
    assert nested.keys() == ["a/b"]
    assert list(nested.iter_prefixes("/")) == ["a/"]
    assert list(nested.iter_prefixes("/", "a/")) == ["a/b"]
    nested.delete_many(nested.keys())
    assert nested.keys() == []

    flat = _FlatNoDashStore(tmp_path / "flat")
    flat.put("ok", b"v")
    (Path(flat.root) / "c-d").write_bytes(b"planted")
    assert flat.keys() == ["ok"]
    flat.delete_many(flat.keys())
    assert flat.keys() == []


@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
def test_listing_agrees_with_is_valid_key_for_every_character(
    store_class: type[FilesystemStore], tmp_path: Path
) -> None:
    """Each name ``k<c>`` for every ASCII character and some others is listed exactly when
    it is a valid key; the batches of a long listing are checked the same way."""
    root = tmp_path / "root"
    root.mkdir()
    store = store_class(root)
    characters = [chr(code) for code in range(1, 128)] + [
        "\u00e9",
        "\u2028",
        "\udcff",
        "\U0001f600",
    ]
    names = {f"k{c}" for c in characters if c not in "/"} | {f"n{i:04d}" for i in range(600)}
    for name in names:
        try:
            (root / name).write_bytes(b"v")
        except (UnicodeEncodeError, ValueError, OSError):
            continue
    listed = store.keys()
    on_disk = {entry.name for entry in root.iterdir()}
    assert sorted(listed) == sorted(
        name for name in on_disk if is_valid_key(name, store.extended_keys)
    )
    store.delete_many(listed)
    assert store.keys() == []

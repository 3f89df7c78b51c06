"""The fs store type: get_store parameters and the fs:// / hfs:// URL forms."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from minimalkv import (
    ConfigurationError,
    InvalidArgumentError,
    get_store,
    get_store_from_url,
    url2dict,
)
from minimalkv.fs import (
    FilesystemStore,
    HFilesystemStore,
    HWebFilesystemStore,
    WebFilesystemStore,
)


def test_relative_url_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = get_store_from_url("fs://relative/path")
    assert type(store) is FilesystemStore
    assert store.root == str(tmp_path / "relative" / "path")
    assert os.path.isdir(store.root)  # create_if_missing defaults to true
    assert url2dict("fs://relative/path") == {"type": "fs", "path": "relative/path"}


def test_absolute_url_path_and_schemes(tmp_path: Path) -> None:
    for scheme, cls in [
        ("fs", FilesystemStore),
        ("file", FilesystemStore),
        ("filesystem", FilesystemStore),
        ("hfs", HFilesystemStore),
        ("hfile", HFilesystemStore),
        ("hfilesystem", HFilesystemStore),
    ]:
        store = get_store_from_url(f"{scheme}://{tmp_path}/{scheme}")
        assert type(store) is cls
        assert isinstance(store, FilesystemStore)
        assert store.root == str(tmp_path / scheme)


def test_extended_store_round_trip_from_url(tmp_path: Path) -> None:
    store = get_store_from_url(f"hfs://{tmp_path}/data")
    store.put("dir/with space", b"v")
    assert store.keys() == ["dir/with space"]


def test_create_if_missing_false(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(ConfigurationError, match="does not exist") as info:
        get_store_from_url(f"fs://{missing}?create_if_missing=false")
    assert str(missing) in str(info.value)
    with pytest.raises(ConfigurationError, match=str(missing)):
        get_store("fs", path=str(missing), create_if_missing=False)
    assert not missing.exists()
    missing.mkdir()
    assert isinstance(get_store("fs", path=str(missing), create_if_missing=False), FilesystemStore)


def test_path_that_is_a_file(tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_bytes(b"")
    for create in (True, False):
        with pytest.raises(ConfigurationError, match=r"not a directory|cannot create"):
            get_store("fs", path=str(afile), create_if_missing=create)


def test_perm_option(tmp_path: Path) -> None:
    for text in ("0640", "640", "0o640"):
        store = get_store_from_url(f"fs://{tmp_path}/p?perm={text}")
        assert isinstance(store, FilesystemStore)
        assert store.perm == 0o640
    assert isinstance(store := get_store("fs", path=tmp_path, perm=0o600), FilesystemStore)
    assert store.perm == 0o600
    for bad in ("9", "rw-r-----", "77777"):
        with pytest.raises(ConfigurationError, match="perm"):
            get_store_from_url(f"fs://{tmp_path}/p?perm={bad}")
    with pytest.raises(ConfigurationError, match="perm"):
        get_store("fs", path=str(tmp_path), perm=1.5)


def test_url_prefix_gives_a_web_store(tmp_path: Path) -> None:
    store = get_store_from_url(f"fs://{tmp_path}/w?url_prefix=https://cdn.example/files/")
    assert type(store) is WebFilesystemStore
    assert store.url_for("a#b") == "https://cdn.example/files/a%23b"
    hstore = get_store("hfs", path=str(tmp_path / "hw"), url_prefix=lambda s, k: "p/")
    assert type(hstore) is HWebFilesystemStore
    assert hstore.url_for("a/b") == "p/a%2Fb"
    with pytest.raises(ConfigurationError, match="url_prefix"):
        get_store("fs", path=str(tmp_path), url_prefix=42)


def test_fsync_option(tmp_path: Path) -> None:
    store = get_store_from_url(f"fs://{tmp_path}/s?fsync=true")
    assert isinstance(store, FilesystemStore)
    assert store.fsync
    with pytest.raises(ConfigurationError, match="store type 'fs': fsync must be true or false"):
        get_store_from_url(f"fs://{tmp_path}/s?fsync=maybe")


@pytest.mark.parametrize(
    ("url_query", "expected"),
    [("?fsync", True), ("?fsync=", True), ("?fsync=On", True), ("?fsync=no", False), ("", False)],
)
def test_fsync_spellings_of_urls(tmp_path: Path, url_query: str, expected: bool) -> None:
    store = get_store_from_url(f"fs://{tmp_path}/s{url_query}")
    assert isinstance(store, FilesystemStore)
    assert store.fsync is expected


@pytest.mark.parametrize(
    ("value", "expected"), [("", True), ("yes", True), ("0", False), (True, True), (False, False)]
)
def test_fsync_parameter_follows_the_one_boolean_rule(
    tmp_path: Path, value: object, expected: bool
) -> None:
    store = get_store("fs", path=str(tmp_path), fsync=value)
    assert isinstance(store, FilesystemStore)
    assert store.fsync is expected
    with pytest.raises(ConfigurationError, match="fsync"):
        get_store("fs", path=str(tmp_path), fsync=1)


def test_unknown_options_and_parameters(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown option"):
        get_store_from_url(f"fs://{tmp_path}?colour=blue")
    with pytest.raises(ConfigurationError, match=r"takes no parameter.*colour.*accepts: path"):
        get_store("fs", path=str(tmp_path), colour="blue")
    with pytest.raises(ConfigurationError, match="needs path"):
        get_store("fs")
    with pytest.raises(ConfigurationError, match="needs a directory"):
        get_store_from_url("fs://")


def test_path_with_at_sign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = get_store_from_url("fs://backup@2024/x")
    assert isinstance(store, FilesystemStore)
    assert store.root == str(tmp_path / "backup@2024" / "x")


def test_pathlike_path(tmp_path: Path) -> None:
    store = get_store("fs", path=tmp_path / "pl")
    assert isinstance(store, FilesystemStore)
    assert store.root == str(tmp_path / "pl")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("a\x00b", "null byte"), ("\ud800x", "cannot be encoded for the file system")],
)
def test_a_directory_the_file_system_cannot_name_is_refused(
    tmp_path: Path, name: str, reason: str
) -> None:
    with pytest.raises(ConfigurationError, match=reason):
        get_store_from_url(f"fs://{tmp_path}/{name}")
    with pytest.raises(ConfigurationError, match=reason):
        get_store("fs", path=f"{tmp_path}/{name}")
    with pytest.raises(InvalidArgumentError, match=reason):
        FilesystemStore(f"{tmp_path}/{name}")
    assert os.listdir(tmp_path) == []

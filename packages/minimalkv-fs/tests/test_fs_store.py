"""FilesystemStore and HFilesystemStore: key-to-path mapping, directories, conflicts, escapes."""

from __future__ import annotations

import datetime
import io
import os
import pickle
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from minimalkv import (
    InvalidArgumentError,
    InvalidKeyError,
    KeyNotFoundError,
    StoreError,
)
from minimalkv.contrib import ExtendedKeyspaceMixin
from minimalkv.fs import FilesystemStore, HFilesystemStore, KeyConflictError
from minimalkv.fs import _store as store_module
from minimalkv.memory import DictStore


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def flat(tmp_path: Path) -> FilesystemStore:
    return FilesystemStore(tmp_path / "flat")


@pytest.fixture
def nested(tmp_path: Path) -> HFilesystemStore:
    return HFilesystemStore(tmp_path / "nested")


def test_original_example_python3(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "data")
    assert store.put("key1", b"hello") == "key1"
    assert store.get("key1") == b"hello"
    source = tmp_path / "upload.bin"
    source.write_bytes(b"file content")
    assert store.put_file("key2", str(source)) == "key2"
    assert store.get("key2") == b"file content"
    assert source.read_bytes() == b"file content"  # copied, not moved


def test_key_maps_to_file_under_root(flat: FilesystemStore, nested: HFilesystemStore) -> None:
    flat.put("k.1", b"v")
    assert Path(flat.root, "k.1").read_bytes() == b"v"
    nested.put("a b/c/d", b"w")
    assert Path(nested.root, "a b", "c", "d").read_bytes() == b"w"
    assert nested.keys() == ["a b/c/d"]


def test_root_is_absolute_and_shown_in_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = FilesystemStore("rel/dir", perm=0o640)
    assert store.root == str(tmp_path / "rel" / "dir")
    assert repr(store) == f"FilesystemStore({store.root!r}, perm=0o640)"
    assert repr(HFilesystemStore(tmp_path)) == f"HFilesystemStore({str(tmp_path)!r})"


def test_missing_root_is_created_on_write(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "not" / "yet")
    assert store.keys() == []
    assert list(store.iter_keys()) == []
    assert "k" not in store
    store.put("k", b"v")
    assert store.keys() == ["k"]


def test_bad_constructor_arguments(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError):
        FilesystemStore(b"/tmp/x")  # type: ignore[arg-type]
    for perm in (-1, 0o10000, "0640", True):
        with pytest.raises(InvalidArgumentError):
            FilesystemStore(tmp_path, perm=perm)  # type: ignore[arg-type]


def test_directories_are_never_keys(nested: HFilesystemStore) -> None:
    nested.put("a/b", b"v")
    assert "a" not in nested
    assert nested.keys() == ["a/b"]
    assert list(nested.iter_prefixes("/")) == ["a/"]
    for call in (
        lambda: nested.get("a"),
        lambda: nested.open("a"),
        lambda: nested.metadata("a"),
        lambda: nested.copy("a", "x"),
        lambda: nested.move("a", "x"),
    ):
        with pytest.raises(KeyNotFoundError):
            call()
    nested.delete("a")  # a directory is not a key: nothing to delete
    assert nested.get("a/b") == b"v"
    assert "x" not in nested


def test_get_file_of_a_directory_leaves_no_file(nested: HFilesystemStore, tmp_path: Path) -> None:
    nested.put("a/b", b"v")
    target = tmp_path / "out"
    with pytest.raises(KeyNotFoundError):
        nested.get_file("a", str(target))
    assert not target.exists()


def test_flat_store_skips_foreign_directories(flat: FilesystemStore) -> None:
    flat.put("k", b"v")
    os.mkdir(os.path.join(flat.root, "subdir"))
    assert flat.keys() == ["k"]
    assert list(flat.iter_keys()) == ["k"]
    assert flat.keys("s") == []
    assert "subdir" not in flat
    with pytest.raises(KeyNotFoundError):
        flat.get("subdir")


def test_flat_keys_with_prefix(flat: FilesystemStore) -> None:
    for key in ("ab", "ac", "b"):
        flat.put(key, b"v")
    assert sorted(flat.keys("a")) == ["ab", "ac"]
    assert sorted(flat.iter_keys("a")) == ["ab", "ac"]
    with pytest.raises(InvalidArgumentError):
        flat.keys(1)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        flat.iter_keys(None)  # type: ignore[arg-type]


def test_nested_keys_with_prefix_enter_only_matching_directories(
    nested: HFilesystemStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("a/b/c", "a/b/d", "a/bc", "a/x/y", "b/z", "top"):
        nested.put(key, b"v")
    assert sorted(nested.keys("a/b")) == ["a/b/c", "a/b/d", "a/bc"]
    assert sorted(nested.keys("a/b/")) == ["a/b/c", "a/b/d"]
    assert sorted(nested.keys()) == ["a/b/c", "a/b/d", "a/bc", "a/x/y", "b/z", "top"]
    opened: list[str] = []
    real_scandir = os.scandir

    def spy(path: str) -> object:
        opened.append(os.path.relpath(path, nested.root))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", spy)
    assert sorted(nested.iter_keys("a/b/")) == ["a/b/c", "a/b/d"]
    assert sorted(opened) == [".", "a", os.path.join("a", "b")]


def test_iter_keys_streams(flat: FilesystemStore, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(50):
        flat.put(f"k{i}", b"v")
    consumed = 0
    real_scandir = os.scandir

    class Counting:
        def __init__(self, path: str) -> None:
            self.inner = real_scandir(path)

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

        def __iter__(self) -> Iterator[os.DirEntry[str]]:
            nonlocal consumed
            for entry in self.inner:
                consumed += 1
                yield entry

    monkeypatch.setattr(os, "scandir", Counting)
    keys = flat.iter_keys()
    first = next(keys)
    assert first.startswith("k")
    assert consumed == 1  # nothing was collected before the first key
    assert len([first, *keys]) == 50


def test_temporary_files_are_never_keys(flat: FilesystemStore, nested: HFilesystemStore) -> None:
    for store in (flat, nested):
        store.put("k", b"v")
        Path(store.root, ".mkv;1234-abcdef-0").write_bytes(b"stale")
        assert store.keys() == ["k"]
        assert list(store.iter_keys()) == ["k"]
        with pytest.raises(InvalidKeyError):
            _ = ".mkv;1234-abcdef-0" in store


def test_writing_over_a_directory_of_keys_conflicts(nested: HFilesystemStore) -> None:
    nested.put("a/b", b"inner")
    before = files_under(Path(nested.root))
    with pytest.raises(KeyConflictError, match="conflicts with an existing key path") as info:
        nested.put("a", b"outer")
    error = info.value
    assert isinstance(error, InvalidKeyError)
    assert isinstance(error, ValueError)
    assert isinstance(error, StoreError)
    assert isinstance(error, OSError)
    assert error.key == "a"
    assert nested.root in str(error)
    assert files_under(Path(nested.root)) == before  # nothing changed, no temporary file
    assert nested.get("a/b") == b"inner"


def test_writing_below_a_key_conflicts(nested: HFilesystemStore, tmp_path: Path) -> None:
    nested.put("a", b"outer")
    source = tmp_path / "src"
    source.write_bytes(b"x")
    writes: list[Callable[[], object]] = [
        lambda: nested.put("a/b", b"inner"),
        lambda: nested.put("a/b/c", b"inner"),
        lambda: nested.put_file("a/b", str(source)),
        lambda: nested.copy("a", "a/c"),
        lambda: nested.move("a", "a/c"),
    ]
    for write in writes:
        with pytest.raises(KeyConflictError, match="leading part"):
            write()
    assert nested.keys() == ["a"]
    assert nested.get("a") == b"outer"
    assert files_under(Path(nested.root)) == ["a"]


def test_copy_and_move_onto_a_directory_conflict(nested: HFilesystemStore) -> None:
    nested.put("a/b", b"inner")
    nested.put("src", b"value")
    with pytest.raises(KeyConflictError):
        nested.copy("src", "a")
    with pytest.raises(KeyConflictError):
        nested.move("src", "a")
    assert sorted(nested.keys()) == ["a/b", "src"]


def test_delete_prunes_emptied_directories_up_to_root(nested: HFilesystemStore) -> None:
    nested.put("a/b/c", b"1")
    nested.put("a/d", b"2")
    nested.delete("a/b/c")
    assert files_under(Path(nested.root)) == ["a", os.path.join("a", "d")]
    nested.delete("a/d")
    assert files_under(Path(nested.root)) == []
    assert os.path.isdir(nested.root)  # the root itself stays
    nested.delete("a/d")  # missing: a no-op
    nested.delete("never/was/here")


def test_move_renames_and_prunes(nested: HFilesystemStore) -> None:
    nested.put("x/y/src", b"value")
    inode = os.stat(os.path.join(nested.root, "x", "y", "src")).st_ino
    assert nested.move("x/y/src", "p/q/dest") == "p/q/dest"
    assert os.stat(os.path.join(nested.root, "p", "q", "dest")).st_ino == inode  # a rename
    assert files_under(Path(nested.root)) == ["p", os.path.join("p", "q"), "p/q/dest"]
    assert nested.move("p/q/dest", "p/q/dest") == "p/q/dest"
    assert nested.get("p/q/dest") == b"value"
    with pytest.raises(KeyNotFoundError):
        nested.move("missing", "other")
    with pytest.raises(KeyNotFoundError):
        nested.move("missing", "missing")


ESCAPES = ["..", ".", "../x", "/abs", "/", "a//b", "a/../b", "a/./b", "a/", "../../etc/passwd"]


@pytest.mark.parametrize("key", ESCAPES)
@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
def test_no_key_resolves_outside_root(
    tmp_path: Path, store_class: type[FilesystemStore], key: str
) -> None:
    store: FilesystemStore = store_class(tmp_path / "inner" / "root")
    store.put("inside", b"v")
    target = tmp_path / "out"
    for call in (
        lambda: store.put(key, b"x"),
        lambda: store.get(key),
        lambda: key in store,
        lambda: store.delete(key),
        lambda: store.open(key),
        lambda: store.copy("inside", key),
        lambda: store.move("inside", key),
        lambda: store.get_file(key, str(target)),
        lambda: store.put_file(key, str(target)),
        lambda: store.url_for(key),
        lambda: store.metadata(key),
    ):
        with pytest.raises(InvalidKeyError):
            call()
    assert files_under(tmp_path) == ["inner", os.path.join("inner", "root"), "inner/root/inside"]


def test_path_check_guards_even_if_core_rules_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulate a bug in the core key rules: the store's own path check still refuses.
    monkeypatch.setattr(store_module, "check_key", lambda key, extended=False: None)
    store = HFilesystemStore(tmp_path / "root")
    for key in ("../escaped", "a/../../escaped", "/abs", "..", "a//b"):
        with pytest.raises(InvalidKeyError, match="leave the store's directory"):
            store.put(key, b"x")
    assert not (tmp_path / "escaped").exists()


class NoDashStore(FilesystemStore):
    """A store with a stricter key rule than its key space: no '-' in keys."""

    def _check_valid_key(self, key: str) -> None:
        super()._check_valid_key(key)
        if "-" in key:
            raise InvalidKeyError(f"invalid key {key!r}: this store refuses '-'", key=key)


def test_a_stricter_subclass_refuses_keys_other_stores_accepted(tmp_path: Path) -> None:
    key = "a-b"
    # Other stores of the process validate and use the very same key first.
    plain = FilesystemStore(tmp_path / "plain")
    memory = DictStore()
    for other in (plain, memory):
        other.put(key, b"v")
        assert other.get(key) == b"v"
        assert key in other
        other.copy(key, "c")
    strict = NoDashStore(tmp_path / "strict")
    strict.put("ok", b"v")
    # Even a file of that name under the root is out of reach.
    Path(strict.root, key).write_bytes(b"planted")
    source = tmp_path / "source"
    source.write_bytes(b"x")
    target = tmp_path / "target"
    opened = source.open("rb")  # closed below, after every call has been refused
    calls: list[Callable[[], object]] = [
        lambda: strict.get(key),
        lambda: strict.put(key, b"x"),
        lambda: key in strict,
        lambda: strict.delete(key),
        lambda: strict.put_file(key, str(source)),
        lambda: strict.put_file(key, opened),
        lambda: strict.get_file(key, str(target)),
        lambda: strict.get_file(key, io.BytesIO()),
        lambda: strict.open(key),
        lambda: strict.copy("ok", key),
        lambda: strict.copy(key, "ok"),
        lambda: strict.move("ok", key),
        lambda: strict.move(key, "ok"),
        lambda: strict.metadata(key),
        lambda: strict.url_for(key),
        lambda: strict.get_many([key]),
        lambda: strict.put_many({key: b"x"}),
        lambda: strict.delete_many([key]),
    ]
    with opened:
        for call in calls:
            with pytest.raises(InvalidKeyError, match="this store refuses '-'"):
                call()
        assert opened.tell() == 0  # refused before anything was read
    assert sorted(os.listdir(strict.root)) == [key, "ok"]
    assert Path(strict.root, key).read_bytes() == b"planted"
    assert strict.get("ok") == b"v"
    assert not target.exists()


def test_long_keys(flat: FilesystemStore) -> None:
    key = "k" * 250
    flat.put(key, b"v")
    assert flat.get(key) == b"v"
    too_long = "k" * 300
    for call in (
        lambda: flat.put(too_long, b"v"),
        lambda: flat.get(too_long),
        lambda: too_long in flat,
    ):
        with pytest.raises(InvalidKeyError, match="too long"):
            call()
    assert flat.keys() == [key]  # no temporary file left behind


def test_values_of_every_size(flat: FilesystemStore) -> None:
    for size in (0, 1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 3 * 1024 * 1024 + 7):
        value = os.urandom(size)
        flat.put("k", value)
        assert flat.get("k") == value
        with flat.open("k") as file:
            assert file.read() == value


def test_open_contract(flat: FilesystemStore) -> None:
    flat.put("k", b"0123456789")
    file = flat.open("k")
    assert file.readable()
    assert file.seekable()
    assert file.read(3) == b"012"
    assert file.seek(5) == 5
    assert file.read(2) == b"56"
    with pytest.raises(OSError):  # noqa: PT011 - the contract names only OSError
        file.seek(-1)
    assert file.tell() == 7
    assert file.seek(100) == 100
    assert file.read() == b""
    file.close()
    with pytest.raises(ValueError):  # noqa: PT011
        file.read()


def test_metadata(flat: FilesystemStore) -> None:
    flat.put("k", b"12345")
    meta = flat.metadata("k")
    assert meta.key == "k"
    assert meta.size == 5
    assert meta.last_modified is not None
    assert meta.last_modified.tzinfo == datetime.timezone.utc
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - meta.last_modified).total_seconds()) < 60
    assert meta.etag
    assert flat.metadata("k").etag == meta.etag  # stable while unchanged
    flat.put("k", b"12345")
    assert flat.metadata("k").etag != meta.etag  # every write is a new file
    with pytest.raises(KeyNotFoundError):
        flat.metadata("missing")


def test_perm_applies_to_every_written_file(tmp_path: Path) -> None:
    store = HFilesystemStore(tmp_path / "root", perm=0o640)
    source = tmp_path / "source"
    source.write_bytes(b"data")
    store.put("a", b"v")
    store.put_file("b", str(source))
    with open(source, "rb") as file:
        store.put_file("c", file)
    store.copy("a", "d/e")
    for key in ("a", "b", "c", "d/e"):
        assert os.stat(os.path.join(store.root, key)).st_mode & 0o7777 == 0o640
    assert store.perm == 0o640


def test_without_perm_the_umask_decides(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "root")
    store.put("k", b"v")
    reference = tmp_path / "reference"
    reference.write_bytes(b"v")  # created like any file of this process: 0o666 minus umask
    assert os.stat(os.path.join(store.root, "k")).st_mode == reference.stat().st_mode
    assert store.perm is None


def test_url_for_is_a_file_url(nested: HFilesystemStore) -> None:
    key = "dir/a b#?%"
    nested.put(key, b"payload")
    url = nested.url_for(key)
    assert url == "file://" + urllib.parse.quote(os.path.join(nested.root, "dir", "a b#?%"))
    with urllib.request.urlopen(url) as response:  # noqa: S310 - a file:// URL we made
        assert response.read() == b"payload"
    assert nested.url_for("not/written").startswith("file://")  # existence is not checked


def test_a_user_subclass_with_the_extended_mixin_nests(tmp_path: Path) -> None:
    class MyStore(ExtendedKeyspaceMixin, FilesystemStore):
        pass

    store = MyStore(tmp_path / "root")
    store.put("a/b", b"v")
    assert store.keys() == ["a/b"]
    store.delete("a/b")
    assert files_under(Path(store.root)) == []


def test_pickle_round_trip(nested: HFilesystemStore) -> None:
    nested.put("a/b", b"v")
    copy = pickle.loads(pickle.dumps(nested))  # noqa: S301 - our own data
    assert isinstance(copy, HFilesystemStore)
    assert copy.get("a/b") == b"v"
    assert copy.root == nested.root


def test_batch_calls(nested: HFilesystemStore) -> None:
    assert nested.put_many({"a/1": b"1", "b": b"2"}) == ["a/1", "b"]
    assert nested.get_many(["a/1", "b", "missing"]) == {"a/1": b"1", "b": b"2"}
    nested.delete_many(["a/1", "missing"])
    assert nested.keys() == ["b"]


def test_iter_prefixes_lists_one_directory(
    nested: HFilesystemStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("X", "a1/b1", "a2/", "a3", "a4/b1/c1", "a4/b1/c2", "a4/b2/c1", "a4/b3"):
        if not key.endswith("/"):
            nested.put(key, b"v")
    os.makedirs(os.path.join(nested.root, "empty", "deeper"))  # holds no key: no prefix
    Path(nested.root, "a1", ".mkv;0-0-0").write_bytes(b"temporary")
    assert sorted(nested.iter_prefixes("/")) == ["X", "a1/", "a3", "a4/"]
    assert sorted(nested.iter_prefixes("/", "a4/")) == ["a4/b1/", "a4/b2/", "a4/b3"]
    assert sorted(nested.iter_prefixes("/", "a4/b1/")) == ["a4/b1/c1", "a4/b1/c2"]
    assert list(nested.iter_prefixes("/", "nothing/")) == []
    # Other prefixes and delimiters take the general path and agree with it.
    assert sorted(nested.iter_prefixes("/", "a4")) == ["a4/"]
    assert sorted(nested.iter_prefixes("b")) == ["X", "a1/b", "a3", "a4/b"]
    # A prefix is not a key, but it never reaches outside the root either.
    outside = Path(nested.root).parent / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"s")
    assert list(nested.iter_prefixes("/", "../outside/")) == []
    assert list(nested.iter_prefixes("/", "/")) == []


@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
def test_foreign_non_files_under_the_root_are_not_keys(
    store_class: type[FilesystemStore], tmp_path: Path
) -> None:
    """Only regular files are keys: not a link to a directory, not a FIFO."""
    root = tmp_path / "root"
    root.mkdir()
    store = store_class(str(root))
    store.put("real", b"value")
    (tmp_path / "elsewhere").mkdir()
    (root / "dirlink").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    os.mkfifo(root / "fifo")
    assert store.keys() == ["real"]
    assert list(store.iter_keys()) == ["real"]
    assert store.keys("d") == []
    assert "dirlink" not in store
    assert "fifo" not in store

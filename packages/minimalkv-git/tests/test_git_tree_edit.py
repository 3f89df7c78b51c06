"""TreeEdit against a model: a dict of file paths, changed one operation at a time."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from dulwich.objects import ObjectID, Tree
from hypothesis import given, settings
from hypothesis import strategies as st
from minimalkv.git._tree_edit import DIR_MODE, FILE_MODE, Entries, TreeEdit

Path = tuple[bytes, ...]


class ConflictError(Exception):
    def __init__(self, key: str, name: bytes, what: str) -> None:
        super().__init__(key, name, what)
        self.what = what


@dataclass
class Objects:
    """Trees by SHA, as the store's object database would keep them; counts the writes."""

    trees: dict[bytes, Entries] = field(default_factory=dict)
    writes: int = 0

    def read(self, sha: bytes) -> Entries:
        return self.trees[sha]

    def write(self, entries: Entries) -> bytes:
        self.writes += 1
        tree = Tree()
        for name, (mode, sha) in entries.items():
            tree.add(name, mode, ObjectID(sha))
        self.trees[tree.id] = dict(entries)
        return tree.id

    def build(self, files: dict[Path, bytes]) -> bytes:
        """The tree of ``files``, built from scratch (no TreeEdit)."""
        entries: Entries = {}
        below: dict[bytes, dict[Path, bytes]] = {}
        for path, blob in files.items():
            if len(path) == 1:
                entries[path[0]] = (FILE_MODE, blob)
            else:
                below.setdefault(path[0], {})[path[1:]] = blob
        for name, sub in below.items():
            entries[name] = (DIR_MODE, self.build(sub))
        return self.write(entries)

    def files(self, tree: bytes, prefix: Path = ()) -> dict[Path, bytes]:
        found: dict[Path, bytes] = {}
        for name, (mode, sha) in self.trees[tree].items():
            if mode == DIR_MODE:
                assert self.trees[sha], "an empty directory was written"
                found.update(self.files(sha, (*prefix, name)))
            else:
                path: Path = (*prefix, name)
                found[path] = sha
        return found


def conflicts(files: dict[Path, bytes], path: Path) -> str | None:
    """What the model says a set of ``path`` conflicts with."""
    if any(path[:depth] in files for depth in range(1, len(path))):
        return "a file"
    if any(len(other) > len(path) and other[: len(path)] == path for other in files):
        return "a directory of other keys"
    return None


paths = st.lists(st.sampled_from([b"a", b"b", b"c"]), min_size=1, max_size=3).map(tuple)
blobs = st.sampled_from([b"1" * 40, b"2" * 40, b"3" * 40])
operations = st.lists(
    st.one_of(st.tuples(st.just("set"), paths, blobs), st.tuples(st.just("remove"), paths, blobs)),
    max_size=12,
)


@settings(max_examples=400)
@given(initial=st.lists(st.tuples(paths, blobs), max_size=6), ops=operations)
def test_an_edit_matches_the_model_and_a_tree_built_from_scratch(
    initial: list[tuple[Path, bytes]], ops: list[tuple[str, Path, bytes]]
) -> None:
    objects = Objects()
    model: dict[Path, bytes] = {}
    for path, blob in initial:
        if conflicts(model, path) is None:
            model[path] = blob
    root = objects.build(model) if model else None
    edit = TreeEdit(root, objects.read, objects.write, ConflictError)
    changed = False
    for op, path, blob in ops:
        if op == "set":
            expected = conflicts(model, path)
            if expected is None:
                edit.set(list(path), (FILE_MODE, blob), "key")
                model[path] = blob
                changed = True
            else:
                with pytest.raises(ConflictError) as caught:
                    edit.set(list(path), (FILE_MODE, blob), "key")
                assert caught.value.what == expected
        else:
            assert edit.remove(list(path)) == (path in model)
            changed |= model.pop(path, None) is not None
    assert edit.changed == changed
    result = edit.write()
    assert objects.files(result) == model
    assert result == Objects().build(model)  # git trees are canonical: same files, same SHA


def test_each_changed_directory_is_written_once() -> None:
    objects = Objects()
    root = objects.build({(b"keep", b"x"): b"1" * 40, (b"dir", b"old"): b"1" * 40})
    objects.writes = 0
    edit = TreeEdit(root, objects.read, objects.write, ConflictError)
    for i in range(100):
        edit.set([b"dir", b"k%d" % i], (FILE_MODE, b"2" * 40), "key")
    edit.remove([b"dir", b"old"])
    edit.write()
    assert objects.writes == 2  # dir and the root; keep/ is untouched


def test_an_unchanged_edit_writes_nothing_but_an_empty_root() -> None:
    objects = Objects()
    root = objects.build({(b"a", b"b"): b"1" * 40})
    objects.writes = 0
    edit = TreeEdit(root, objects.read, objects.write, ConflictError)
    assert not edit.remove([b"a", b"missing"])
    assert not edit.remove([b"a"])  # a directory, not a file
    assert edit.write() == root
    assert objects.writes == 0
    assert TreeEdit(None, objects.read, objects.write, ConflictError).write() == Objects().build({})

"""TreeEdit: changes to a git tree made in memory, then written once per changed directory."""

from __future__ import annotations

import stat
from collections.abc import Callable
from typing import Final

Entries = dict[bytes, tuple[int, bytes]]
"""A tree's entries: name -> (mode, SHA-1 in hex)."""

DIR_MODE: Final = 0o040000
FILE_MODE: Final = 0o100644


def is_dir(mode: int) -> bool:
    """Whether a tree entry of ``mode`` is a directory (a subtree)."""
    return stat.S_ISDIR(mode)


def is_file(mode: int) -> bool:
    """Whether a tree entry of ``mode`` is a regular file (a blob; not a link or submodule)."""
    return stat.S_ISREG(mode)


class _Dir:
    """A directory being edited: its entries, and the subdirectories entered so far.

    While a name is in ``children``, its entry in ``entries`` (if any) is the subtree as it
    was; the child replaces it when the edit is written.
    """

    __slots__ = ("children", "dirty", "entries", "sha")

    def __init__(self, sha: bytes | None, entries: Entries) -> None:
        self.sha = sha
        self.entries = dict(entries)
        self.children: dict[bytes, _Dir] = {}
        self.dirty = False

    def empty(self) -> bool:
        """Whether nothing is left in this directory (git has no empty directories)."""
        return all(name in self.children for name in self.entries) and all(
            child.empty() for child in self.children.values()
        )


ConflictFactory = Callable[[str, bytes, str], Exception]
"""Builds the error for writing key (str) where a path component (bytes) is a file or directory."""


class TreeEdit:
    """A sequence of sets and removals of files in a root tree, applied as one change.

    Each operation sees the effect of the ones before it, as if they were separate commits;
    :meth:`write` then writes each changed directory once (a batch of N keys in one directory
    writes one tree, not N) and returns the new root. Directories left empty disappear.
    ``read`` returns a tree's entries, ``write`` stores entries as a tree and returns its SHA.
    """

    def __init__(
        self,
        root: bytes | None,
        read: Callable[[bytes], Entries],
        write: Callable[[Entries], bytes],
        conflict: ConflictFactory,
    ) -> None:
        self._read = read
        self._write = write
        self._conflict = conflict
        self._root = _Dir(root, {} if root is None else read(root))
        self.changed = False
        """Whether any operation changed the tree."""

    def _enter(self, node: _Dir, name: bytes) -> _Dir | None:
        """Return subdirectory ``name`` of ``node`` to edit; None if it is missing or a file."""
        child = node.children.get(name)
        if child is None:
            current = node.entries.get(name)
            if current is None or not is_dir(current[0]):
                return None
            child = node.children[name] = _Dir(current[1], self._read(current[1]))
        return child

    def set(self, parts: list[bytes], entry: tuple[int, bytes], key: str) -> None:
        """Make ``entry`` the file at path ``parts``, creating the directories on the way.

        Raises the ``conflict`` error when the path passes through a file or ends at a
        directory that holds other files; nothing of this operation is applied then.
        """
        node = self._root
        for name in parts[:-1]:
            child = self._enter(node, name)
            if child is None:
                if name in node.entries:
                    raise self._conflict(key, name, "a file")
                child = node.children[name] = _Dir(None, {})
            node = child
        name = parts[-1]
        child = node.children.get(name)
        if child is not None:
            if not child.empty():
                raise self._conflict(key, name, "a directory of other keys")
            del node.children[name]  # emptied by an earlier operation: gone from the tree
        else:
            current = node.entries.get(name)
            if current is not None and is_dir(current[0]):
                raise self._conflict(key, name, "a directory of other keys")
        node.entries[name] = entry
        node.dirty = self.changed = True

    def remove(self, parts: list[bytes]) -> bool:
        """Remove the file at path ``parts``; return False (and change nothing) if there is none."""
        node = self._root
        for name in parts[:-1]:
            child = self._enter(node, name)
            if child is None:
                return False
            node = child
        name = parts[-1]
        current = node.entries.get(name)
        if name in node.children or current is None or not is_file(current[0]):
            return False
        del node.entries[name]
        node.dirty = self.changed = True
        return True

    def write(self) -> bytes:
        """Write the changed directories; return the new root tree (empty if nothing is left)."""
        sha = self._write_dir(self._root)
        return self._write({}) if sha is None else sha

    def _write_dir(self, node: _Dir) -> bytes | None:
        changed = node.dirty
        for name, child in node.children.items():
            sha = self._write_dir(child)
            if sha == child.sha:
                continue
            changed = True
            if sha is None:
                node.entries.pop(name, None)
            else:
                node.entries[name] = (DIR_MODE, sha)
        node.children = {}
        if not changed:
            return node.sha
        return self._write(node.entries) if node.entries else None

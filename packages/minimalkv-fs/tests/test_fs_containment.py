"""Path containment: no key and no planted link makes a filesystem store touch a path outside
its root, checked on the paths the kernel resolves.

An audit hook (``sys.addaudithook``) sees every path the store hands to the operating system
while a store call runs: ``open`` (and ``os.open``), ``os.scandir``/``os.listdir``,
``os.mkdir``, ``os.rmdir``, ``os.remove``, ``os.rename``/``os.replace``, ``os.chmod``,
``os.utime``, ``os.truncate``, ``os.link``, ``os.symlink``. Each path is resolved as the kernel
would: through every symbolic link, except the last component where the call does not follow
it (``O_NOFOLLOW``, unlink, rename, mkdir, rmdir). A resolved path outside the root fails the
test, as does any change below the outside directory or any value read that is an outside
file's content. Hypothesis draws the links planted under the root (to a directory and a file
outside, to ``..`` and to ``/``) and the keys and calls made.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from minimalkv import MinimalKVError
from minimalkv.contract import RELIABILITY_MARK
from minimalkv.fs import FilesystemStore, HFilesystemStore

pytestmark = RELIABILITY_MARK

OUTSIDE_VALUES: Final = {"secret": b"OUTSIDE-SECRET", "sub/deep": b"OUTSIDE-DEEP"}


class _Guard:
    """Records every OS path outside ``root`` that this thread touches while armed."""

    def __init__(self) -> None:
        self.root = ""
        self.thread: int | None = None
        self.touched: list[str] = []

    def arm(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.touched = []
        self.thread = threading.get_ident()

    def disarm(self) -> None:
        self.thread = None

    def inside(self, path: object, follow_last: bool, dir_fd: object = None) -> None:
        if isinstance(path, int) or path is None:
            return  # a file descriptor: its path was checked when it was opened
        if not isinstance(path, (str, bytes, os.PathLike)):
            return
        text = os.fsdecode(path)
        if isinstance(dir_fd, int) and not os.path.isabs(text):
            text = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), text)
        absolute = os.path.abspath(text)
        if follow_last:
            resolved = os.path.realpath(absolute)
        else:
            parent = os.path.realpath(os.path.dirname(absolute))
            resolved = os.path.join(parent, os.path.basename(absolute))
        if resolved != self.root and not resolved.startswith(self.root + os.sep):
            self.touched.append(f"{text} -> {resolved}")

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.thread != threading.get_ident():
            return
        if event == "open":
            path, _mode, flags = args
            follow = not (isinstance(flags, int) and flags & os.O_NOFOLLOW)
            self.inside(path, follow)
        elif event in ("os.scandir", "os.listdir"):
            self.inside(args[0], True)
        elif event in ("os.mkdir", "os.rmdir", "os.remove"):
            self.inside(args[0], False, args[-1])
        elif event == "os.rename":
            self.inside(args[0], False, args[2])
            self.inside(args[1], False, args[3])
        elif event in ("os.chmod", "os.utime", "os.truncate"):
            self.inside(args[0], True)
        elif event in ("os.link", "os.symlink"):
            self.inside(args[1], False)


GUARD: Final = _Guard()
sys.addaudithook(GUARD)

# Where links are planted (relative to the root) and where they point.
LINK_PLACES: Final = ("dirlink", "filelink", "a/dirlink", "a/b/filelink", "a", "up", "top")
LINK_TARGETS: Final = ("outside", "outside/secret", "outside/sub", "..", "/", "../outside/secret")
PARTS: Final = ("dirlink", "filelink", "a", "b", "up", "top", "..", ".", "secret", "sub", "deep")

KEYS: Final = st.one_of(
    st.lists(st.sampled_from(PARTS), min_size=1, max_size=4).map("/".join),
    st.text(st.sampled_from("ab./_-%~"), min_size=1, max_size=8),
)

_Call = Callable[[FilesystemStore, str, str], object]


def _read_open(store: FilesystemStore, key: str, other: str) -> object:
    with store.open(key) as handle:
        return handle.read()


def _get_file(store: FilesystemStore, key: str, other: str) -> object:
    target = io.BytesIO()
    store.get_file(key, target)
    return target.getvalue()


CALLS: Final[dict[str, _Call]] = {
    "put": lambda s, k, o: s.put(k, b"inside"),
    "put_file": lambda s, k, o: s.put_file(k, io.BytesIO(b"inside-stream")),
    "put_many": lambda s, k, o: s.put_many([(k, b"inside-many"), (o, b"other")]),
    "get": lambda s, k, o: s.get(k),
    "get_many": lambda s, k, o: list(s.get_many([k, o]).values()),
    "get_file": _get_file,
    "open": _read_open,
    "metadata": lambda s, k, o: s.metadata(k),
    "in": lambda s, k, o: k in s,
    "delete": lambda s, k, o: s.delete(k),
    "delete_many": lambda s, k, o: s.delete_many([k, o]),
    "copy": lambda s, k, o: s.copy(k, o),
    "move": lambda s, k, o: s.move(k, o),
    "keys": lambda s, k, o: s.keys(k),
    "iter_keys": lambda s, k, o: list(s.iter_keys()),
    "iter_prefixes": lambda s, k, o: list(s.iter_prefixes("/", k)),
    "url_for": lambda s, k, o: s.url_for(k),
    "remove_stale_temporaries": lambda s, k, o: s.remove_stale_temporaries(older_than=0),
}

STEPS: Final = st.lists(st.tuples(st.sampled_from(sorted(CALLS)), KEYS, KEYS), max_size=8)
LINKS: Final = st.lists(
    st.tuples(st.sampled_from(LINK_PLACES), st.sampled_from(LINK_TARGETS)), max_size=4
)


def _snapshot(directory: Path) -> dict[str, object]:
    return {
        str(path.relative_to(directory)): (
            path.read_bytes() if path.is_file() else None,
            path.lstat().st_mtime_ns,
        )
        for path in sorted(directory.rglob("*"))
    }


def _plant(root: Path, base: Path, links: list[tuple[str, str]]) -> None:
    for place, target in links:
        link = root / place
        if os.path.lexists(link) or any(parent.is_symlink() for parent in link.parents):
            continue  # planting through a planted link would write outside the root itself
        link.parent.mkdir(parents=True, exist_ok=True)
        if target.startswith("outside"):
            link.symlink_to(base / target)
        else:
            link.symlink_to(target)


_roots = itertools.count()


@pytest.mark.parametrize("store_class", [FilesystemStore, HFilesystemStore])
def test_no_key_and_no_planted_link_reaches_outside_the_root(
    store_class: type[FilesystemStore], tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    for name, value in OUTSIDE_VALUES.items():
        (outside / name).write_bytes(value)
    before = _snapshot(outside)
    # Every call once, outside the guard: lazy imports open files of their own.
    warm = store_class(tmp_path / "warm")
    for call in CALLS.values():
        with contextlib.suppress(MinimalKVError):
            call(warm, "warm", "other")

    @settings(
        deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150
    )
    @given(links=LINKS, steps=STEPS)
    def run(links: list[tuple[str, str]], steps: list[tuple[str, str, str]]) -> None:
        root = tmp_path / f"root-{next(_roots)}"
        root.mkdir()
        _plant(root, tmp_path, links)
        store = store_class(root)
        for name, key, other in steps:
            GUARD.arm(str(root))
            try:
                result: object = CALLS[name](store, key, other)
            except (MinimalKVError, TypeError):
                result = None
            finally:
                GUARD.disarm()
            assert not GUARD.touched, (
                f"{store_class.__name__}.{name}({key!r}, {other!r}) with links {links} touched "
                f"paths outside the root: {GUARD.touched[:5]}"
            )
            values = result if isinstance(result, list) else [result]
            leaked = [value for value in values if value in OUTSIDE_VALUES.values()]
            assert not leaked, (
                f"{store_class.__name__}.{name}({key!r}) with links {links} read {leaked[0]!r} "
                "from outside the root"
            )
            assert _snapshot(outside) == before, (
                f"{store_class.__name__}.{name}({key!r}, {other!r}) with links {links} changed "
                "the directory outside the root"
            )

    run()


def test_the_guard_sees_a_path_outside_the_root(tmp_path: Path) -> None:
    """The hook is live: a plain open of a file through a link out of the root is recorded."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "f").write_bytes(b"x")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path / "outside")
    GUARD.arm(str(root))
    try:
        (root / "link" / "f").read_bytes()
        (root / "inside").write_bytes(b"fine")
    finally:
        GUARD.disarm()
    assert len(GUARD.touched) == 1
    assert GUARD.touched[0].endswith(str(tmp_path / "outside" / "f"))

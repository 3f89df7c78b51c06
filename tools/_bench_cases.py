"""The cases of tools/bench.py: each builds a raw baseline and the minimalkv call, side by side."""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from tools._bench_baselines import MinimalDict, raw_atomic_put, raw_list_files, raw_read
from tools._bench_harness import Paired, paired_calls, paired_pair_calls

__all__ = [
    "CASES",
    "MB",
    "Case",
    "MiB",
    "Settings",
    "Target",
    "filesystem_store_class",
    "fs_type",
    "large_source",
    "unlink_quietly",
]

MiB: Final = 1 << 20
MB: Final = 1_000_000


@dataclass(frozen=True)
class Settings:
    """Sizes and repetitions of one benchmark run."""

    rounds: int
    values: int
    value_size: int
    chunk: int
    listed_keys: int
    listings_per_round: int
    large_size: int
    large_rounds: int
    fast_dir: Path
    disk_dir: Path


@dataclass(frozen=True)
class Target:
    """A case's target: a minimum throughput ratio, or a maximum time ratio and memory bound."""

    min_ratio: float | None = None
    max_time_ratio: float | None = None
    max_rss_growth: int | None = None

    @property
    def is_reference(self) -> bool:
        """Whether the case has no target: it measures a bound for reading the others."""
        bounds = (self.min_ratio, self.max_time_ratio, self.max_rss_growth)
        return all(bound is None for bound in bounds)

    def describe(self) -> str:
        """Return the target as table text."""
        if self.is_reference:
            return "none"
        if self.min_ratio is not None:
            return f"≥ {self.min_ratio:.2f}x"
        parts = []
        if self.max_time_ratio is not None:
            parts.append(f"time ≤ {self.max_time_ratio:.2f}x")
        if self.max_rss_growth is not None:
            parts.append(f"peak RSS growth < {self.max_rss_growth // MB} MB")
        return ", ".join(parts)


@dataclass(frozen=True)
class Case:
    """One benchmark case."""

    name: str
    title: str
    baseline: str
    target: Target
    build: Callable[[Settings, contextlib.ExitStack], Paired]
    unit: str = "ops/s"
    needs_fs: bool = False
    large: bool = False
    size: int | None = None
    """Bytes moved per operation of a large case, when not ``Settings.large_size``."""


def filesystem_store_class() -> type[Any] | None:
    """Return ``minimalkv.fs.FilesystemStore`` if that package provides it yet, else ``None``."""
    try:
        module = importlib.import_module("minimalkv.fs")
    except ImportError:
        return None
    cls = getattr(module, "FilesystemStore", None)
    return cls if isinstance(cls, type) else None


def fs_type(path: Path) -> str:
    """Return the file system type (``ext4``, ``tmpfs``, ...) holding ``path``, or ``?``."""
    target = os.path.realpath(path)
    best, best_type = "", "?"
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return best_type
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount = fields[1].replace("\\040", " ")
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, best_type = mount, fields[2]
    return best_type


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _values(count: int, size: int) -> list[bytes]:
    # Distinct values (not one shared object) so no side profits from a hot cache line.
    return [os.urandom(size) for _ in range(count)]


def _keys(count: int) -> list[str]:
    return [f"key-{i:06d}" for i in range(count)]


def _new_store(root: Path) -> Any:
    cls = filesystem_store_class()
    if cls is None:
        raise RuntimeError("minimalkv.fs.FilesystemStore is not available")
    return cls(str(root))


def _scratch(parent: Path, stack: contextlib.ExitStack) -> Path:
    path = Path(tempfile.mkdtemp(prefix="minimalkv-bench-", dir=parent))
    stack.callback(shutil.rmtree, path, True)
    return path


# ---------------------------------------------------------------------------- DictStore
def _build_dict_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from minimalkv.memory import DictStore

    keys = _keys(settings.values)
    values = _values(settings.values, settings.value_size)
    raw = MinimalDict()
    store = DictStore()
    for key, value in zip(keys, values, strict=True):
        raw.put(key, value)
        store.put(key, value)
    return paired_calls(raw.get, store.get, _chunks(keys, settings.chunk), settings.chunk)


def _build_dict_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    from minimalkv.memory import DictStore

    items = list(
        zip(_keys(settings.values), _values(settings.values, settings.value_size), strict=True)
    )
    raw = MinimalDict()
    store = DictStore()
    return paired_pair_calls(raw.put, store.put, _chunks(items, settings.chunk), settings.chunk)


# ---------------------------------------------------------------------------- FilesystemStore
def _build_fs_put(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    base = _scratch(settings.fast_dir, stack)
    raw_dir, lib_dir = base / "raw", base / "lib"
    raw_dir.mkdir()
    lib_dir.mkdir()
    directory = str(raw_dir)
    store = _new_store(lib_dir)
    items = list(
        zip(_keys(settings.values), _values(settings.values, settings.value_size), strict=True)
    )
    # Every timed put replaces an existing file on both sides, as in a steady-state store.
    for key, value in items:
        raw_atomic_put(directory, key, value)
        store.put(key, value)
    chunks = _chunks(items, settings.chunk)

    def run_raw(i: int) -> None:
        for key, value in chunks[i]:
            raw_atomic_put(directory, key, value)

    def run_lib(i: int) -> None:
        put = store.put
        for key, value in chunks[i]:
            put(key, value)

    return Paired(run_raw, run_lib, len(chunks), settings.chunk)


def _build_fs_get(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    root = _scratch(settings.fast_dir, stack)
    store = _new_store(root)
    keys = _keys(settings.values)
    for key, value in zip(keys, _values(settings.values, settings.value_size), strict=True):
        store.put(key, value)
    # Both sides read the very same files.
    chunks = _chunks(keys, settings.chunk)
    path_chunks = [[f"{root}/{key}" for key in chunk] for chunk in chunks]
    sizes = {len(raw_read(path)) for chunk in path_chunks for path in chunk}
    if sizes != {settings.value_size}:
        raise RuntimeError(f"FilesystemStore does not store a key as the file root/key: {sizes}")

    def run_raw(i: int) -> None:
        for path in path_chunks[i]:
            raw_read(path)

    def run_lib(i: int) -> None:
        get = store.get
        for key in chunks[i]:
            get(key)

    return Paired(run_raw, run_lib, len(chunks), settings.chunk)


def _build_fs_keys(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    root = _scratch(settings.fast_dir, stack)
    store = _new_store(root)
    value = os.urandom(settings.value_size)
    for key in _keys(settings.listed_keys):
        store.put(key, value)
    directory = str(root)
    if sorted(raw_list_files(directory)) != sorted(store.keys()):
        raise RuntimeError("FilesystemStore.keys() and the raw listing disagree")

    def run_raw(i: int) -> None:
        raw_list_files(directory)

    def run_lib(i: int) -> None:
        store.keys()

    return Paired(run_raw, run_lib, settings.listings_per_round, settings.listed_keys)


# ---------------------------------------------------------------------------- large files
def large_source(
    settings: Settings, stack: contextlib.ExitStack, size: int | None = None
) -> tuple[Path, Path]:
    """Write ``size`` bytes (default ``settings.large_size``) to a file in a scratch directory
    of the disk dir, removed with ``stack``; return the directory and the file."""
    base = _scratch(settings.disk_dir, stack)
    source = base / "source.bin"
    block = os.urandom(MiB)
    with source.open("wb") as out:
        for _ in range((settings.large_size if size is None else size) // MiB):
            out.write(block)
    return base, source


def unlink_quietly(*paths: Path) -> None:
    """Remove ``paths``; a missing one is fine."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _build_get_file(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    base, source = large_source(settings, stack)
    store = _new_store(base / "store")
    with source.open("rb") as src:
        store.put_file("big", src)
    stored = base / "store" / "big"
    if stored.stat().st_size != settings.large_size:
        raise RuntimeError("FilesystemStore does not store a key as the file root/key")
    raw_out, lib_out = base / "raw-out.bin", base / "lib-out.bin"
    lib_target = str(lib_out)

    def before() -> None:
        # Unlinking a just-written file drops its dirty pages, so no side pays for the other's
        # write-back; sync flushes anything else still pending before the clock starts.
        unlink_quietly(raw_out, lib_out)
        os.sync()

    def run_raw(i: int) -> None:
        shutil.copyfile(stored, raw_out)

    def run_lib(i: int) -> None:
        store.get_file("big", lib_target)

    os.sync()
    return Paired(run_raw, run_lib, 1, 1, before_chunk=before, track_rss=True)


def _build_put_file(settings: Settings, stack: contextlib.ExitStack) -> Paired:
    base, source = large_source(settings, stack)
    store = _new_store(base / "store")
    raw_out = base / "raw-out.bin"

    def before() -> None:
        store.delete("big")
        unlink_quietly(raw_out)
        os.sync()

    def run_raw(i: int) -> None:
        with source.open("rb") as src, raw_out.open("wb") as out:
            shutil.copyfileobj(src, out)

    def run_lib(i: int) -> None:
        with source.open("rb") as src:
            store.put_file("big", src)

    os.sync()
    return Paired(run_raw, run_lib, 1, 1, before_chunk=before, track_rss=True)


CASES: Final[tuple[Case, ...]] = (
    Case(
        name="dict-get",
        title="`DictStore.get` (ns per call, no target)",
        baseline="the dict-wrapper floor: `return self.d[k]` in a one-line method",
        target=Target(),
        build=_build_dict_get,
    ),
    Case(
        name="dict-put",
        title="`DictStore.put` (ns per call, no target)",
        baseline="the dict-wrapper floor: `self.d[k] = v` in a one-line method",
        target=Target(),
        build=_build_dict_put,
    ),
    Case(
        name="fs-put",
        title="`FilesystemStore.put` (atomic), tmpfs",
        baseline="`os.open(tmp, O_EXCL)` + `os.write` + `os.close` + `os.replace`",
        target=Target(min_ratio=0.8),
        needs_fs=True,
        build=_build_fs_put,
    ),
    Case(
        name="fs-get",
        title="`FilesystemStore.get`, tmpfs",
        baseline="`os.open` + `os.read` (64 KiB asked) + `os.close`",
        target=Target(min_ratio=0.9),
        needs_fs=True,
        build=_build_fs_get,
    ),
    Case(
        name="fs-keys",
        title="`FilesystemStore.keys()`, flat, tmpfs",
        baseline="`[e.name for e in os.scandir(d) if e.is_file()]`",
        unit="keys/s",
        target=Target(min_ratio=0.67),
        needs_fs=True,
        build=_build_fs_keys,
    ),
    Case(
        name="fs-get-file",
        title="`FilesystemStore.get_file` to a path, disk",
        baseline="`shutil.copyfile`",
        unit="B/s",
        target=Target(max_time_ratio=1.2, max_rss_growth=32 * MB),
        needs_fs=True,
        large=True,
        build=_build_get_file,
    ),
    Case(
        name="fs-put-file",
        title="`FilesystemStore.put_file` from a file object, disk",
        baseline="`shutil.copyfileobj` (open source and target files)",
        unit="B/s",
        target=Target(max_time_ratio=1.2, max_rss_growth=32 * MB),
        needs_fs=True,
        large=True,
        build=_build_put_file,
    ),
)

"""Small helpers shared by the contract tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minimalkv import BlobStore

__all__ = [
    "SENTINEL_KEY",
    "SENTINEL_VALUE",
    "file_equals_pattern",
    "snapshot",
    "stream_equals_pattern",
    "untyped",
    "write_pattern",
]

SENTINEL_KEY = "sentinel"
SENTINEL_VALUE = b"sentinel value"


def snapshot(store: BlobStore) -> dict[str, bytes]:
    """Return every key and value of a (small) store, to prove that a call changed nothing."""
    return {key: store.get(key) for key in store.iter_keys()}


def write_pattern(path: Path, size: int, block: bytes) -> None:
    """Write ``size`` bytes to ``path``: ``block`` repeated (the last copy cut short)."""
    with open(path, "wb") as out:
        remaining = size
        while remaining > 0:
            out.write(block[:remaining])
            remaining -= len(block)


def file_equals_pattern(path: Path | str, size: int, block: bytes) -> bool:
    """Return whether the file at ``path`` is exactly what :func:`write_pattern` wrote."""
    if os.path.getsize(path) != size:
        return False
    with open(path, "rb") as source:
        return stream_equals_pattern(source.read, size, block)


def stream_equals_pattern(read: Callable[[int], bytes], size: int, block: bytes) -> bool:
    """Return whether reading ``read`` to its end gives ``block`` repeated up to ``size``."""
    doubled = block + block
    width = len(block)
    offset = 0
    while True:
        chunk = read(width)
        if not chunk:
            return offset == size
        start = offset % width
        offset += len(chunk)
        if offset > size or chunk != doubled[start : start + len(chunk)]:
            return False


def untyped(value: object) -> Any:
    """Return ``value`` typed as ``Any``: the tests call methods with wrong argument types."""
    return value

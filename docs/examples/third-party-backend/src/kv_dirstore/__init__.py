"""kv-dirstore-example: a minimalkv store keeping one file per key in a directory."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from minimalkv import CopyMixin, KeyNotFoundError, KeyValueStore
from minimalkv.backend import BytesReader, ReadableBinary, copy_stream

__all__ = ["DirStore"]


class DirStore(CopyMixin, KeyValueStore):
    """One file per key under ``root/values``; writes go through ``root/staging`` atomically.

    Keys of the basic key space are valid file names as they are (``.`` and ``..`` are not
    keys), so a key is its own file name.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.values = Path(root, "values")
        self.staging = Path(root, "staging")
        self.values.mkdir(parents=True, exist_ok=True)
        self.staging.mkdir(exist_ok=True)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys starting with ``prefix``, streaming the directory."""
        with os.scandir(self.values) as entries:
            for entry in entries:
                if entry.name.startswith(prefix):
                    yield entry.name

    def _has_key(self, key: str) -> bool:
        return (self.values / key).is_file()

    def _open(self, key: str) -> IO[bytes]:
        try:
            return open(self.values / key, "rb")
        except FileNotFoundError:
            raise KeyNotFoundError.for_key(key) from None

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        fd, staged = tempfile.mkstemp(dir=self.staging)
        try:
            with open(fd, "wb") as out:
                copy_stream(file, out.write)
            os.replace(staged, self.values / key)
        except BaseException:
            Path(staged).unlink(missing_ok=True)
            raise
        return key

    def _put(self, key: str, data: bytes) -> str:
        return self._put_file(key, BytesReader(data))

    def _delete(self, key: str) -> None:
        (self.values / key).unlink(missing_ok=True)

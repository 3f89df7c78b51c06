"""Hashing a stream while keeping a copy of it, in memory when small and on disk when large."""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Final, Protocol

from minimalkv.backend import CHUNK_SIZE, ReadableBinary, read_chunk

__all__ = ["SPOOL_MEMORY_LIMIT", "HashObject", "spool_hashing"]

SPOOL_MEMORY_LIMIT: Final = CHUNK_SIZE
"""Values up to this size (1 MiB) are spooled in memory; larger ones go to a temporary file."""


class HashObject(Protocol):
    """What a ``hashfunc`` returns: an object fed with ``update`` that gives ``hexdigest()``."""

    def update(self, data: bytes, /) -> None:
        """Feed ``data`` into the hash."""
        ...

    def hexdigest(self) -> str:
        """Return the digest as a string of hexadecimal digits."""
        ...


@contextlib.contextmanager
def spool_hashing(
    source: ReadableBinary, hasher: HashObject, directory: str | None = None
) -> Iterator[bytes | IO[bytes]]:
    """Read ``source`` to its end, feeding ``hasher``; yield the content read.

    The content is ``bytes`` when it fits in :data:`SPOOL_MEMORY_LIMIT`, otherwise an
    anonymous temporary file (in ``directory``, default the system's) positioned at its start,
    which is removed when the block exits. Memory stays bounded by the limit plus one chunk.
    """
    head = io.BytesIO()
    spill: IO[bytes] | None = None
    try:
        while True:
            data = read_chunk(source)
            if not data:
                break
            hasher.update(data)
            if spill is None and head.tell() + len(data) <= SPOOL_MEMORY_LIMIT:
                head.write(data)
                continue
            if spill is None:
                spill = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed below
                spill.write(head.getbuffer())
                head = io.BytesIO()
            spill.write(data)
        if spill is None:
            yield head.getvalue()
        else:
            spill.flush()
            spill.seek(0)
            yield spill
    finally:
        if spill is not None:
            spill.close()

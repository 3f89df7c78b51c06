r"""Loose objects of a git repository, written and read in chunks.

A loose object is ``objects/xx/yyyy...``: zlib of ``b"<type> <size>\0" + body``, named by the
SHA-1 of the uncompressed bytes. :class:`LooseObjects` writes each object to a temporary file
beside its final name and renames it into place (a reader never sees part of an object, and
two writers of the same object both succeed). A large value is spooled to a temporary file
first (its size goes into the header, before the first byte of the body), then hashed and
compressed from there: at most one chunk of it is in memory at any time. Objects that
``git gc`` packed are read through dulwich (see the store).

Temporary files are named ``tmp_obj_*``, as git names its own, so ``git gc`` and
:meth:`LooseObjects.remove_stale_temporaries` clean what a killed writer left.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import time
import zlib
from collections.abc import Callable
from typing import IO, Final

from minimalkv import MinimalKVError
from minimalkv.backend import CHUNK_SIZE, BytesReader, RangeReader, ReadableBinary, read_chunk

from ._errors import translated

__all__ = [
    "COMPRESSION_LEVEL",
    "TEMP_PREFIX",
    "CallerFileError",
    "LooseBlobReader",
    "LooseObjects",
]

COMPRESSION_LEVEL: Final = 1
"""zlib level of the loose objects written: git's own default (``core.looseCompression``)."""

TEMP_PREFIX: Final = "tmp_obj_"
"""Start of the names of temporary files in ``objects/`` (as git's own)."""

_HEADER_MAX: Final = 32  # b"blob " + up to 20 digits + b"\0", with room to spare


class CallerFileError(Exception):
    """The caller's file failed while read (``original``): not an error of the store."""

    def __init__(self, original: OSError) -> None:
        super().__init__(str(original))
        self.original = original


def _read_callers(file: ReadableBinary) -> bytes:
    try:
        return read_chunk(file)
    except MinimalKVError:
        raise
    except OSError as exc:
        raise CallerFileError(exc) from exc


class LooseObjects:
    """The loose objects under ``objects_dir`` (the ``objects`` directory of a repository).

    With ``fsync``, every object is flushed to disk before it is renamed into place.
    """

    def __init__(self, objects_dir: str, *, fsync: bool = False) -> None:
        self.directory = objects_dir
        self.fsync = fsync

    def path(self, sha: bytes) -> str:
        """Return the path of the loose object ``sha`` (40 hexadecimal digits, bytes)."""
        name = sha.decode("ascii")
        return os.path.join(self.directory, name[:2], name[2:])

    # ------------------------------------------------------------------ writing
    def write(self, type_name: bytes, body: bytes) -> bytes:
        """Write an object held in memory; return its SHA-1 (hex, bytes)."""
        header = b"%s %d\0" % (type_name, len(body))
        digest = hashlib.sha1(header, usedforsecurity=False)
        digest.update(body)
        sha = digest.hexdigest().encode("ascii")
        target = self.path(sha)
        if os.path.exists(target):
            return sha
        compressor = zlib.compressobj(COMPRESSION_LEVEL)
        data = compressor.compress(header) + compressor.compress(body) + compressor.flush()
        self._install(target, lambda out: out.write(data))
        return sha

    def write_blob_stream(self, file: ReadableBinary, head: list[bytes]) -> bytes:
        """Write a blob of the chunks ``head`` then the rest of ``file``; return its SHA-1.

        The value goes to a temporary file in chunks, then is hashed and compressed from there.
        """
        fd, spool_path = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.directory)
        try:
            size = 0
            with open(fd, "w+b") as spool:
                for chunk in head:
                    spool.write(chunk)
                    size += len(chunk)
                while chunk := _read_callers(file):
                    spool.write(chunk)
                    size += len(chunk)
                header = b"blob %d\0" % size
                digest = hashlib.sha1(header, usedforsecurity=False)
                spool.seek(0)
                while block := spool.read(CHUNK_SIZE):
                    digest.update(block)
                sha = digest.hexdigest().encode("ascii")
                target = self.path(sha)
                if os.path.exists(target):
                    return sha

                def fill(out: IO[bytes]) -> None:
                    compressor = zlib.compressobj(COMPRESSION_LEVEL)
                    out.write(compressor.compress(header))
                    spool.seek(0)
                    while block := spool.read(CHUNK_SIZE):
                        out.write(compressor.compress(block))
                    out.write(compressor.flush())

                self._install(target, fill)
                return sha
        finally:
            os.unlink(spool_path)

    def _install(self, target: str, fill: Callable[[IO[bytes]], object]) -> None:
        """Write a temporary file beside ``target`` with ``fill`` and rename it to ``target``."""
        directory = os.path.dirname(target)
        try:
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
        except FileNotFoundError:
            os.makedirs(directory, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
        try:
            with open(fd, "wb") as out:
                fill(out)
                if self.fsync:
                    out.flush()
                    os.fsync(out.fileno())
            os.chmod(temp, 0o444)  # git's loose objects are read-only
            os.replace(temp, target)  # the same content under the same name: replacing is safe
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    def remove_stale_temporaries(self, older_than: float) -> int:
        """Remove ``tmp_obj_*`` files older than ``older_than`` seconds; return how many."""
        removed = 0
        limit = time.time() - older_than
        for root, _, files in os.walk(self.directory):
            for name in files:
                if name.startswith(TEMP_PREFIX):
                    path = os.path.join(root, name)
                    try:
                        if os.stat(path).st_mtime <= limit:
                            os.unlink(path)
                            removed += 1
                    except FileNotFoundError:
                        continue
        return removed

    def temporaries(self) -> list[str]:
        """Return the paths of the ``tmp_obj_*`` files (relative to the objects directory)."""
        found = []
        for root, _, files in os.walk(self.directory):
            found += [
                os.path.relpath(os.path.join(root, name), self.directory)
                for name in files
                if name.startswith(TEMP_PREFIX)
            ]
        return sorted(found)

    # ------------------------------------------------------------------ reading
    def read(self, sha: bytes) -> tuple[bytes, bytes] | None:
        """Return ``(type, body)`` of the loose object ``sha``, or None if it is not loose."""
        try:
            with open(self.path(sha), "rb") as file:
                raw = file.read()
        except FileNotFoundError:
            return None
        data = zlib.decompress(raw)
        end = data.index(b"\0", 0, _HEADER_MAX)
        type_name = data[: data.index(b" ", 0, end)]
        return type_name, data[end + 1 :]

    def open_blob(self, sha: bytes, key: str, where: str) -> IO[bytes] | None:
        """Open the loose blob ``sha``; None if it is not loose. Large blobs stream.

        ``key`` and ``where`` (the store) name the value in the errors of later reads.
        """
        try:
            file = open(self.path(sha), "rb")  # noqa: SIM115 - the reader owns it
        except FileNotFoundError:
            return None
        try:
            reader = LooseBlobReader(file, key, where)
        except BaseException:
            file.close()
            raise
        if reader.size <= CHUNK_SIZE:
            with reader:
                return BytesReader(reader.read_all_small())
        return io.BufferedReader(reader, buffer_size=64 * 1024)

    def blob_size(self, sha: bytes) -> int | None:
        """Return the size of the loose blob ``sha`` from its header; None if it is not loose."""
        try:
            file = open(self.path(sha), "rb")  # noqa: SIM115 - closed by the reader
        except FileNotFoundError:
            return None
        with LooseBlobReader(file, None, "") as reader:
            return reader.size


class LooseBlobReader(RangeReader):
    """A loose blob decompressed as it is read; a seek backwards starts again from the top.

    The loose object is immutable (named by its content), so the value read is one version.
    A damaged object raises :class:`~minimalkv.git.CorruptRepositoryError` naming ``key`` and
    ``where`` (the store).
    """

    def __init__(self, file: IO[bytes], key: str | None, where: str) -> None:
        self._file = file
        self._where = where
        self._decompressor = zlib.decompressobj()
        self._pending = b""  # decompressed bytes not yet returned, starting at self._at
        self._at = 0  # offset in the value of self._pending's first byte
        size = self._start()
        super().__init__(size, key=key)

    def _start(self) -> int:
        """(Re)start decompression at the top; return the size the header gives."""
        self._file.seek(0)
        self._decompressor = zlib.decompressobj()
        head = b""
        while b"\0" not in head:
            more = self._more(_HEADER_MAX)
            if not more:
                raise zlib.error("loose object ends inside its header")
            head += more
            if len(head) > _HEADER_MAX:
                raise zlib.error("loose object header too long")
        end = head.index(b"\0")
        type_name, _, size = head[:end].partition(b" ")
        if type_name != b"blob" or not size.isdigit():
            raise zlib.error(f"not a blob: {head[:end]!r}")
        self._pending = head[end + 1 :]
        self._at = 0
        return int(size)

    def _more(self, wanted: int) -> bytes:
        """Decompress up to ``wanted`` more bytes (fewer at the end of the object)."""
        decompressor = self._decompressor
        while True:
            source = decompressor.unconsumed_tail
            if not source:
                if decompressor.eof:
                    return b""
                source = self._file.read(CHUNK_SIZE)
                if not source:
                    return decompressor.flush()
            out = decompressor.decompress(source, wanted)
            if out:
                return out

    def read_all_small(self) -> bytes:
        """Return the whole (small) value."""
        parts = [self._pending]
        total = len(self._pending)
        while total < self.size:
            more = self._more(self.size - total)
            if not more:
                break
            parts.append(more)
            total += len(more)
        return b"".join(parts)

    def _read_range(self, start: int, wanted: int) -> bytes:
        with translated(self._where, self._key):
            return self._read_at(start, wanted)

    def _read_at(self, start: int, wanted: int) -> bytes:
        if start < self._at:
            self._start()
        while True:
            end = self._at + len(self._pending)
            if start < end:
                offset = start - self._at
                chunk = self._pending[offset : offset + wanted]
                self._pending = self._pending[offset + len(chunk) :]
                self._at = start + len(chunk)
                return chunk
            self._at = end
            self._pending = self._more(min(max(wanted, CHUNK_SIZE), CHUNK_SIZE * 4))
            if not self._pending:
                return b""

    def _release(self) -> None:
        self._file.close()

"""FilesystemStore: one file per key under a root directory, every write atomic."""

from __future__ import annotations

import contextlib
import datetime
import errno
import io
import itertools
import os
import random
import re
import stat
import string
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import IO, Final

from minimalkv import (
    CopyMixin,
    ExtendedKeyspaceMixin,
    InvalidArgumentError,
    InvalidKeyError,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
    MinimalKVError,
    StoreError,
    UrlMixin,
    check_key,
    is_valid_key,
)
from minimalkv.backend import (
    CHUNK_SIZE,
    KEY_PUNCTUATION,
    ReadableBinary,
    WritableBinary,
    check_prefix,
    copy_stream,
    create_exclusive,
    write_atomically,
)

from ._copy import copy_fd, write_all
from ._errors import KeyConflictError, Operation, translate_os_error
from ._temp import STALE_AFTER, TEMP_START, next_temp_name

__all__ = ["FilesystemStore", "HFilesystemStore"]

_READ_FLAGS: Final = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
# How a value's file is opened: O_NONBLOCK so that a FIFO (or a device) under the root cannot
# block the open; fstat then refuses anything but a regular file. O_NONBLOCK has no effect on
# the reads of a regular file, so descriptors read only here keep it; a file object handed
# to the caller has it cleared.
# O_NOFOLLOW: a symbolic link below the root is never followed (see _linked_part).
_VALUE_FLAGS: Final = _READ_FLAGS | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
# The first read of a value asks for this much: a value shorter than that is read by one call
# (a short read of a regular file means end of file); a longer one is read again at its size.
_FIRST_READ: Final = 16 * 1024
# How long a write keeps recreating its key's directory while concurrent deletes remove it
# again (a delete prunes the directories it empties). Writer and pruner can keep meeting in
# the same instant on a loaded machine: after the first few attempts the writer waits a
# random moment, growing with each attempt, so that one of them gets through.
_CREATE_PATIENCE: Final = 10.0
_CREATE_QUICK_ATTEMPTS: Final = 4


def _directory_attempts() -> Iterator[int]:
    """Count the attempts of a write into a directory that concurrent deletes may prune.

    The first few follow each other at once; later ones wait a random moment first, and none
    starts after ``_CREATE_PATIENCE`` seconds (the caller then reports the failure).
    """
    deadline = time.monotonic() + _CREATE_PATIENCE
    for attempt in itertools.count(1):
        if attempt > _CREATE_QUICK_ATTEMPTS:
            if time.monotonic() > deadline:
                return
            time.sleep(random.uniform(0, 0.001 * min(attempt, 50)))
        yield attempt


# Errors of opening a special file (a socket, a device without a driver) for reading.
# ELOOP: the key's file is a symbolic link (O_NOFOLLOW).
_SPECIAL_OPEN_ERRORS: Final = frozenset({errno.ENXIO, errno.ENODEV, errno.EOPNOTSUPP, errno.ELOOP})
# Directory entries listed per batch (see _iter_flat).
_LIST_BATCH: Final = 256
# Finds a character that no basic key holds, in names joined by NUL (which no file name
# holds). A name free of them is a valid basic key: scandir never yields "", "." or "..".
_foreign_basic: Final = re.compile(
    "[^" + re.escape(string.ascii_letters + string.digits + KEY_PUNCTUATION) + "\0]"
).search
_DOT_NAMES: Final = frozenset({"", ".", ".."})
# Whether "/" is the only path separator (POSIX): then a key without "/" is a single name.
_SLASH_ONLY: Final = os.sep == "/" and os.altsep is None
# File objects whose descriptor can be handed to the kernel's copy.
_BUFFERED: Final = (io.BufferedReader, io.BufferedWriter, io.BufferedRandom)


class FilesystemStore(CopyMixin, UrlMixin, KeyValueStore):
    """Stores each value in a file: key ``k`` is the file ``root/k``.

    Every write (``put``, ``put_file``, ``copy``) goes to a temporary file in the key's
    directory and is renamed over the key (``os.replace``): a reader sees the old value or the
    new one, never part of one, and a failure or a crash leaves no key half written. Temporary
    names contain ``;``, which no key may contain, and are never listed.

    ``root`` is made absolute once, here; it is created (with any directory a key needs) when
    a value is written. ``perm`` (e.g. ``0o640``) is applied to every file written; without it
    the process umask decides, as for any new file. ``fsync=True`` flushes each value and its
    directory to the disk before a write returns (durable across power loss, much slower).

    ``put_file`` with a path *copies* the file (through the kernel where it can); the caller's
    file is never moved or changed. See the package README for the whole contract.
    """

    def __init__(
        self, root: str | os.PathLike[str], perm: int | None = None, *, fsync: bool = False
    ) -> None:
        raw_root: object = root
        if isinstance(raw_root, bytes) or not isinstance(raw_root, (str, os.PathLike)):
            raise InvalidArgumentError(
                f"root must be a str or os.PathLike path, not {type(raw_root).__name__}"
            )
        raw_perm: object = perm
        if raw_perm is not None and (
            isinstance(raw_perm, bool)
            or not isinstance(raw_perm, int)
            or not 0 <= raw_perm <= 0o7777
        ):
            raise InvalidArgumentError(f"perm must be an int mode such as 0o640, got {perm!r}")
        unusable = unusable_path(os.fspath(root))
        if unusable:
            raise InvalidArgumentError(f"root {os.fspath(root)!r} {unusable}")
        self.root: str = os.path.abspath(os.fspath(root))
        """The absolute path of the store's directory (resolved once, at construction)."""
        self._perm = perm
        self._fsync = bool(fsync)
        # root + separator, to which a key is appended: "/" stays "/", "/srv" becomes "/srv/".
        self._prefix = os.path.join(self.root, "")
        # Derived from extended_keys, so that any subclass mixing in ExtendedKeyspaceMixin
        # gets nested directories.
        self._nested = bool(self.extended_keys)
        self._path_check = self._nested or not _SLASH_ONLY
        # Whether a written file needs anything (chmod, fsync) before it is renamed over its key.
        self._finish_file = perm is not None or self._fsync

    @property
    def perm(self) -> int | None:
        """Mode applied to every file written, or None for the umask default."""
        return self._perm

    @property
    def fsync(self) -> bool:
        """Whether each write is flushed to the disk before it returns."""
        return self._fsync

    def __repr__(self) -> str:
        extra = f", perm={self.perm:#o}" if self.perm is not None else ""
        extra += ", fsync=True" if self.fsync else ""
        return f"{type(self).__name__}({self.root!r}{extra})"

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys that start with ``prefix``, streaming from ``os.scandir``.

        Nothing is collected first: keys are yielded as directory entries are read (a key
        written or deleted during the iteration may or may not be seen). Only what ``get``
        can serve is listed: never a directory, a temporary file, a special file, or a name
        that is not a valid key of the store (such as ``bad name`` in the basic key space).
        """
        check_prefix(prefix)
        if self._nested:
            return self._iter_tree(prefix)
        return self._iter_flat(prefix)

    def _listable(self) -> Callable[[str], bool] | None:
        """Return the test of a whole listed key for a subclass with stricter key rules.

        Listing checks each name with the key space's rules (so every listed key is one
        ``get`` accepts); a subclass that overrides ``_check_valid_key`` also gets each key
        checked by it. None: the name checks are the whole rule.
        """
        if type(self)._check_valid_key is FilesystemStore._check_valid_key:
            return None
        check = self._check_valid_key

        def listable(key: str) -> bool:
            try:
                check(key)
            except InvalidKeyError:
                return False
            return True

        return listable

    # ----------------------------------------------------------------- key and path checks
    def _check_valid_key(self, key: str) -> None:
        """Check ``key`` with the core rules, then check that its path stays under the root."""
        check_key(key, self._nested)
        # A basic key is one name without a separator (on POSIX): only a key that can hold a
        # separator needs its path checked.
        if self._path_check and not _stays_under_root(key):
            # Unreachable while the core rules hold; kept as a second line of defence.
            raise InvalidKeyError(
                f"invalid key {key!r}: its path would leave the store's directory {self.root!r}",
                key=key,
            )

    def _error(self, exc: OSError, key: str | None, operation: Operation) -> MinimalKVError:
        return translate_os_error(exc, key=key, root=self.root, operation=operation)

    # ----------------------------------------------------------------- reading
    def _get(self, key: str) -> bytes:
        if self._nested and "/" in key:
            self._refuse_linked_read(key)
        try:
            fd = os.open(self._prefix + key, _VALUE_FLAGS)
        except OSError as exc:
            return self._get_checked(key, exc)
        try:
            # The common case without an fstat (which costs more than the read): a value
            # shorter than the first read, read by one pread (a short read of a regular file
            # means its end). What else could answer it: a link is refused by O_NOFOLLOW, a
            # socket cannot be opened, pread fails on a FIFO or terminal (ESPIPE), and the
            # devices a link could have led to fill the read (/dev/zero) or give nothing
            # (/dev/null). Those, long values and errors are decided by the full check, which
            # refuses anything but a regular file.
            data = os.pread(fd, _FIRST_READ, 0)
            if 0 < len(data) < _FIRST_READ:
                return data
        except OSError:
            pass
        finally:
            os.close(fd)
        return self._get_checked(key, None)

    def _get_checked(self, key: str, error: OSError | None) -> bytes:
        """Read ``key`` after checking that its path is a regular file."""
        if error is not None and error.errno not in _SPECIAL_OPEN_ERRORS:
            raise self._error(error, key, Operation.READ) from error
        fd, size = self._open_regular(key)
        try:
            return _read_whole(fd, size)
        except OSError as exc:
            raise self._error(exc, key, Operation.READ) from exc
        finally:
            os.close(fd)

    def _open(self, key: str) -> IO[bytes]:
        # A plain buffered file keeps the open() contract: seek returns the position, a
        # negative position raises OSError (EINVAL), any call after close raises ValueError.
        fd, _ = self._open_regular(key)
        try:
            os.set_blocking(fd, True)  # the caller's file behaves as open() would make it
            file = open(fd, "rb")  # noqa: SIM115 -- returned open, the caller closes it
        except BaseException:
            os.close(fd)
            raise
        file.raw.name = self._prefix + key  # type: ignore[attr-defined]  # FileIO.name is writable
        return file

    def _has_key(self, key: str) -> bool:
        if self._nested and "/" in key and self._linked_part(key) is not None:
            return False
        try:
            mode = os.lstat(self._prefix + key).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError as exc:
            raise self._error(exc, key, Operation.READ) from exc
        return stat.S_ISREG(mode)

    def _metadata(self, key: str) -> KeyMetadata:
        if self._nested and "/" in key:
            self._refuse_linked_read(key)
        try:
            info = os.lstat(self._prefix + key)
        except OSError as exc:
            raise self._error(exc, key, Operation.READ) from exc
        if not stat.S_ISREG(info.st_mode):
            raise self._not_a_value(key, info.st_mode)
        return KeyMetadata(
            key=key,
            size=info.st_size,
            # A cheap tag, not a content hash: every write creates a new file (inode), so the
            # tag changes with each write; equal content written twice gets different tags.
            etag=f"{info.st_ino:x}-{info.st_mtime_ns:x}-{info.st_size:x}",
            last_modified=datetime.datetime.fromtimestamp(
                info.st_mtime_ns / 1e9, tz=datetime.timezone.utc
            ),
        )

    def _get_file(self, key: str, file: WritableBinary) -> None:
        source, size = self._open_regular(key)
        try:
            target = _regular_fd(file, writable=True)
            if target is None:
                while chunk := os.read(source, CHUNK_SIZE):
                    file.write(chunk)
                return
            assert isinstance(file, (io.FileIO, *_BUFFERED))
            file.flush()
            copy_fd(source, target, 0, size)
            # The descriptor moved underneath the file object: tell it where it now is.
            file.seek(os.lseek(target, 0, os.SEEK_CUR))
        finally:
            os.close(source)

    def _get_filename(self, key: str, filename: str) -> None:
        # The value is opened first: a missing key raises before the target is touched.
        # Errors about the caller's target are the caller's OSErrors, left as they are.
        source, size = self._open_regular(key)
        try:
            write_atomically(
                filename,
                lambda out: copy_fd(source, out.fileno(), 0, size),
                temp_name=next_temp_name,
            )
        finally:
            os.close(source)

    def _open_regular(self, key: str) -> tuple[int, int]:
        """Open the value of ``key`` as a descriptor; return it and the value's size.

        Only a regular file is a value: a directory, FIFO, socket, device or symbolic link
        raises :class:`KeyNotFoundError` at once, without blocking and without reading.
        """
        if self._nested and "/" in key:
            self._refuse_linked_read(key)
        try:
            fd = os.open(self._prefix + key, _VALUE_FLAGS)
        except OSError as exc:
            if exc.errno in _SPECIAL_OPEN_ERRORS:  # a socket, a device without a driver
                raise self._not_a_value(key, _mode_or_zero(self._prefix + key)) from exc
            raise self._error(exc, key, Operation.READ) from exc
        try:
            info = os.fstat(fd)
        except OSError as exc:
            os.close(fd)
            raise self._error(exc, key, Operation.READ) from exc
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise self._not_a_value(key, info.st_mode)
        return fd, info.st_size

    def _linked_part(self, key: str) -> str | None:
        """Return the leading part of ``key`` that is a symbolic link, or None.

        Links below the root are never followed: a key whose path passes through one is not
        a value, and nothing is written through it. Each existing leading directory is
        checked with ``lstat`` before the key's file is used.
        """
        parts = key.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            part = "/".join(parts[:end])
            try:
                mode = os.lstat(self._prefix + part).st_mode
            except OSError:
                return None  # missing (or unreadable): the operation itself reports it
            if stat.S_ISLNK(mode):
                return part
            if not stat.S_ISDIR(mode):
                return None
        return None

    def _refuse_linked_read(self, key: str) -> None:
        """Raise KeyNotFoundError if the path of ``key`` passes through a symbolic link."""
        part = self._linked_part(key)
        if part is not None:
            raise KeyNotFoundError(
                f"key {key!r} not found in {self._where()}: {part!r} is a symbolic link, and "
                "links below the store's directory are never followed",
                key=key,
            )

    def _refuse_linked_write(self, key: str) -> None:
        """Raise KeyConflictError if the path of ``key`` passes through a symbolic link."""
        part = self._linked_part(key)
        if part is not None:
            raise KeyConflictError(
                f"cannot write key {key!r} in {self._where()}: {part!r} is a symbolic link, "
                "and links below the store's directory are never followed; remove the link "
                "or use another key",
                key=key,
            )

    def _not_a_value(self, key: str, mode: int) -> KeyNotFoundError:
        """Return the error for a key whose path exists but is not a regular file."""
        return KeyNotFoundError(
            f"key {key!r} not found in {self._where()}: its path is {_kind(mode)}, and only "
            "regular files are values",
            key=key,
        )

    # ----------------------------------------------------------------- writing
    def _put(self, key: str, data: bytes) -> str:
        return self._write(key, lambda out: write_all(out, data))

    def _put_file(self, key: str, file: ReadableBinary) -> str:
        source = _regular_fd(file, writable=False)
        if source is None:
            return self._write(
                key, lambda out: copy_stream(file, lambda chunk: write_all(out, chunk))
            )
        assert isinstance(file, (io.FileIO, *_BUFFERED))
        # Copy from the file object's position on; the kernel reads at explicit offsets, so
        # the descriptor's position is untouched and the object is moved to the end after.
        position = file.tell()
        size = os.fstat(source).st_size - position
        copied = 0

        def fill(out: int) -> None:
            nonlocal copied
            copied = copy_fd(source, out, position, size)

        self._write(key, fill)
        file.seek(position + copied)
        return key

    def _put_filename(self, key: str, filename: str) -> str:
        # Copied, never moved or modified: the kernel copies it (reflink where possible).
        source = os.open(filename, _READ_FLAGS)  # the caller's errors stay the caller's
        try:
            mode = os.fstat(source)
            if stat.S_ISDIR(mode.st_mode):
                raise IsADirectoryError(21, "put_file needs a file, not a directory", filename)
            if stat.S_ISREG(mode.st_mode):
                return self._write(key, lambda out: copy_fd(source, out, 0, mode.st_size))
            with open(source, "rb", closefd=False) as stream:  # a FIFO, a device...
                return self._write(
                    key, lambda out: copy_stream(stream, lambda chunk: write_all(out, chunk))
                )
        finally:
            os.close(source)

    def _copy(self, source: str, dest: str) -> str:
        fd, size = self._open_regular(source)
        try:
            return self._write(dest, lambda out: copy_fd(fd, out, 0, size))
        finally:
            os.close(fd)

    def _move(self, source: str, dest: str) -> str:
        source_path = self._prefix + source
        if self._nested:
            if "/" in source:
                self._refuse_linked_read(source)
            if "/" in dest:
                self._refuse_linked_write(dest)
        try:
            mode = os.lstat(source_path).st_mode
        except OSError as exc:
            raise self._error(exc, source, Operation.READ) from exc
        if not stat.S_ISREG(mode):  # a directory of keys (or a FIFO...) is never moved
            raise self._not_a_value(source, mode)
        if source == dest:
            return dest
        dest_path = self._prefix + dest
        for _ in _directory_attempts():
            try:
                os.replace(source_path, dest_path)  # atomic, same filesystem
                break
            except FileNotFoundError as exc:
                if not os.path.lexists(source_path):
                    raise self._error(exc, source, Operation.READ) from exc
                self._make_directories(_directory_prefix(self._prefix, dest), dest)
            except OSError as exc:
                if exc.errno == errno.EXDEV:  # the root spans filesystems: copy instead
                    self._copy(source, dest)
                    self._delete(source)
                    return dest
                raise self._error(exc, dest, Operation.WRITE) from exc
        else:
            raise StoreError(f"could not move key {source!r} to {dest!r} in {self._where()}")
        if "/" in source:
            self._prune_directories(source)
        if self.fsync:
            self._sync_directory(dest)
        return dest

    def _write(self, key: str, fill: Callable[[int], object]) -> str:
        """Write ``key`` atomically: ``fill`` writes the value into a temporary descriptor.

        The one commit path of every write: the temporary file is renamed over the key's path
        only once ``fill`` has returned (and ``perm``/``fsync`` are applied); on any error it
        is removed and the key keeps its old value.
        """
        tmp, fd = self._create_temp(key)
        try:
            try:
                try:
                    fill(fd)
                except OSError as exc:
                    if isinstance(exc, MinimalKVError):
                        raise
                    raise self._error(exc, key, Operation.FILL) from exc
                if self._finish_file:
                    self._finish(fd)
            finally:
                os.close(fd)
            try:
                os.replace(tmp, self._prefix + key)
            except IsADirectoryError:
                # A directory left holding only stale temporaries (its keys are gone) does
                # not block the key of its name: clear it and try once more.
                if not self._clear_stale_directory(key):
                    raise
                os.replace(tmp, self._prefix + key)
        except BaseException as exc:
            _discard(tmp)
            if isinstance(exc, OSError) and not isinstance(exc, MinimalKVError):
                raise self._error(exc, key, Operation.WRITE) from exc
            raise
        if self._fsync:
            self._sync_directory(key)
        return key

    def remove_stale_temporaries(self, older_than: float = STALE_AFTER) -> int:
        """Remove temporary files of crashed writers; return how many were removed.

        A write that is killed between creating its temporary file (``.mkv;...``, never a
        key) and renaming it over its key leaves the file behind. Every temporary file below
        the root not modified for ``older_than`` seconds (default one hour) is removed, and
        directories that this leaves empty are removed too (never the root), as is an empty
        directory not modified for as long (a writer killed right after creating it). A
        writer still filling a temporary file keeps its modification time fresh; pass a
        smaller ``older_than`` (``0`` removes every temporary file) only when no writer can be
        running.
        Links below the root are not followed.
        """
        raw: object = older_than
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not raw >= 0:
            raise InvalidArgumentError(
                f"older_than must be a number of seconds >= 0, got {older_than!r}"
            )
        cutoff = time.time() - float(older_than)
        try:
            return _remove_temporaries(self.root, cutoff, top=True)[0]
        except FileNotFoundError:
            return 0  # no root yet: nothing was ever written
        except OSError as exc:
            raise self._error(exc, None, Operation.DELETE) from exc

    def _clear_stale_directory(self, key: str) -> bool:
        """Remove the directory at ``key``'s path if it holds only stale temporary files."""
        try:
            _, emptied = _remove_temporaries(
                self._prefix + key, time.time() - STALE_AFTER, top=False, only_if_all=True
            )
        except OSError:
            return False
        return emptied

    def _finish(self, fd: int) -> None:
        """Apply ``perm`` and ``fsync`` to a written temporary file."""
        if self._perm is not None:
            os.fchmod(fd, self._perm)
        if self._fsync:
            os.fsync(fd)

    def _create_temp(self, key: str) -> tuple[str, int]:
        """Create an empty temporary file next to ``key``'s path; return its path and fd."""
        if self._nested and "/" in key:
            self._refuse_linked_write(key)
        directory = _directory_prefix(self._prefix, key)
        for _ in _directory_attempts():
            try:
                return create_exclusive(directory, next_temp_name)
            except FileNotFoundError:
                # The key's directory (or the root) does not exist (yet, or any more: a
                # concurrent delete may remove it again before the next attempt).
                self._make_directories(directory, key)
            except FileExistsError as exc:  # every fresh name was taken
                raise StoreError(
                    f"cannot write key {key!r} in {self._where()}: {exc.strerror} (temporary "
                    f"files '{TEMP_START}...' that no running writer uses may be deleted)",
                    key=key,
                ) from exc
            except OSError as exc:
                raise self._error(exc, key, Operation.WRITE) from exc
        raise StoreError(
            f"could not create the directory of key {key!r} in {self._where()}: concurrent "
            f"deletes removed it again for {_CREATE_PATIENCE:.0f} s; retry the write",
            key=key,
        )

    def _make_directories(self, directory: str, key: str) -> None:
        try:
            os.makedirs(directory, exist_ok=True)
        except FileNotFoundError:
            pass  # a concurrent delete pruned a parent just created: the caller tries again
        except (FileExistsError, NotADirectoryError) as exc:
            # Either a leading part of the key is a file (a conflict), or a concurrent delete
            # removed a directory between makedirs' mkdir and its check: then try again.
            if self._file_in_the_way(key):
                raise self._error(exc, key, Operation.WRITE) from exc
        except OSError as exc:
            raise self._error(exc, key, Operation.WRITE) from exc

    def _file_in_the_way(self, key: str) -> bool:
        """Return whether a leading part of ``key`` exists as something not a directory."""
        parts = key.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            try:
                mode = os.lstat(self._prefix + "/".join(parts[:end])).st_mode
            except OSError:
                return False
            if not stat.S_ISDIR(mode):
                return True
        return False

    def _sync_directory(self, key: str) -> None:
        fd = os.open(_directory_prefix(self._prefix, key), _READ_FLAGS)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    # ----------------------------------------------------------------- deleting
    def _delete(self, key: str) -> None:
        if self._nested and "/" in key and self._linked_part(key) is not None:
            return  # not a key: nothing is deleted through a link
        try:
            os.unlink(self._prefix + key)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return  # missing, or a directory of other keys: either way not a key
        except PermissionError as exc:
            if os.path.isdir(self._prefix + key):  # some systems say EPERM for directories
                return
            raise self._error(exc, key, Operation.DELETE) from exc
        except OSError as exc:
            raise self._error(exc, key, Operation.DELETE) from exc
        if "/" in key:
            self._prune_directories(key)

    def _prune_directories(self, key: str) -> None:
        """Remove the directories of ``key`` that are now empty, up to (not including) root."""
        parts = key.split("/")[:-1]
        while parts:
            try:
                os.rmdir(self._prefix + "/".join(parts))
            except OSError:
                return  # not empty (or gone): every directory above is not empty either
            parts.pop()

    # ----------------------------------------------------------------- listing
    def _iter_flat(self, prefix: str) -> Iterator[str]:
        # Only names that are valid keys are listed (a temporary name never is: it holds ';').
        # Entries are checked a batch at a time (1, 2, 4... up to _LIST_BATCH entries): one
        # regex search over the batch's names proves them all valid (the common case); a
        # batch with a foreign character is checked name by name with the key space's rules.
        listable = self._listable()
        try:
            entries = os.scandir(self.root)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._error(exc, None, Operation.LIST) from exc
        try:
            with entries:
                size = 1  # the first key comes after one entry; batches then grow to the cap
                while batch := list(itertools.islice(entries, size)):
                    size = min(size * 2, _LIST_BATCH)
                    names = [entry.name for entry in batch]
                    if listable is None and _foreign_basic("\0".join(names)) is None:
                        for entry, name in zip(batch, names, strict=True):
                            if name.startswith(prefix) and entry.is_file(follow_symlinks=False):
                                yield name
                        continue
                    valid = is_valid_key if listable is None else listable
                    for entry, name in zip(batch, names, strict=True):
                        if (
                            name.startswith(prefix)
                            and valid(name)
                            and entry.is_file(follow_symlinks=False)
                        ):
                            yield name
        except OSError as exc:
            raise self._error(exc, None, Operation.LIST) from exc

    def _iter_tree(self, prefix: str) -> Iterator[str]:
        # Depth-first with an explicit stack of pending directories: one directory is open at
        # a time, and only directories that can hold keys with ``prefix`` are entered.
        # A name that is not a valid key segment is neither a key nor a directory of keys.
        listable = self._listable()
        pending: list[tuple[str, str]] = [(self.root, "")]
        while pending:
            directory, base = pending.pop()
            try:
                entries = os.scandir(directory)
            except (FileNotFoundError, NotADirectoryError):
                continue  # removed since it was seen
            except OSError as exc:
                raise self._error(exc, None, Operation.LIST) from exc
            try:
                with entries:
                    for entry in entries:
                        name = entry.name
                        if not is_valid_key(name, True):
                            continue
                        key = base + name
                        if entry.is_dir(follow_symlinks=False):
                            below = key + "/"
                            if below.startswith(prefix) or prefix.startswith(below):
                                pending.append((entry.path, below))
                        elif (
                            key.startswith(prefix)
                            and entry.is_file(follow_symlinks=False)
                            and (listable is None or listable(key))
                        ):
                            yield key
            except OSError as exc:
                raise self._error(exc, None, Operation.LIST) from exc

    def _iter_prefixes(self, delimiter: str, prefix: str) -> Iterator[str]:
        # With '/' as delimiter and a directory as prefix, the answer is one directory listing
        # (each subdirectory that holds a key, each file) instead of a walk over every key.
        if (
            self._nested
            and delimiter == "/"
            and (not prefix or (prefix.endswith("/") and _is_directory_prefix(prefix)))
        ):
            return self._iter_directory(prefix)
        return super()._iter_prefixes(delimiter, prefix)

    def _iter_directory(self, prefix: str) -> Iterator[str]:
        if prefix and self._linked_part(prefix) is not None:
            return  # links below the root are never followed
        try:
            entries = os.scandir(self._prefix + prefix)
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            raise self._error(exc, None, Operation.LIST) from exc
        listable = self._listable()
        try:
            with entries:
                for entry in entries:
                    name = entry.name
                    if not is_valid_key(name, True):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        if _holds_a_key(entry.path, f"{prefix}{name}/", listable):
                            yield f"{prefix}{name}/"
                    elif entry.is_file(follow_symlinks=False) and (
                        listable is None or listable(prefix + name)
                    ):
                        yield prefix + name
        except OSError as exc:
            raise self._error(exc, None, Operation.LIST) from exc

    # ----------------------------------------------------------------- URLs
    def _url_for(self, key: str) -> str:
        """Return ``file://`` and the quoted absolute path of the key's file."""
        return "file://" + urllib.parse.quote(self._prefix + key)

    def _where(self) -> str:
        return f"filesystem store at {self.root!r}"


class HFilesystemStore(ExtendedKeyspaceMixin, FilesystemStore):
    """A :class:`FilesystemStore` whose keys may contain ``/`` and space (``hfs://``).

    ``a/b`` is the file ``root/a/b``: directories are created on write and removed when a
    delete empties them. A key cannot be both a file and a directory: while ``a/b`` exists,
    writing ``a`` raises :class:`~minimalkv.fs.KeyConflictError`, and the other way round.
    """


def unusable_path(path: str) -> str | None:
    """Say why the file system cannot take ``path`` (a null byte, text it cannot encode).

    None when it can; the reason completes a sentence about the path.
    """
    if "\x00" in path:
        return "contains a null byte, which no file system path may contain"
    try:
        os.fsencode(path)
    except UnicodeEncodeError as exc:
        return f"cannot be encoded for the file system ({exc.reason})"
    return None


def _stays_under_root(key: str) -> bool:
    """Return whether the path of ``key`` is a plain relative path inside the root."""
    if _SLASH_ONLY and "/" not in key:  # one name, and nothing else separates paths
        return key not in _DOT_NAMES
    if os.path.isabs(key):
        return False
    return not any(part in _DOT_NAMES for part in key.replace(os.sep, "/").split("/"))


def _is_directory_prefix(prefix: str) -> bool:
    """Return whether ``prefix`` (ending in '/') names a directory a key could be in."""
    directory = prefix[:-1]
    return is_valid_key(directory, True) and _stays_under_root(directory)


def _holds_a_key(directory: str, base: str, listable: Callable[[str], bool] | None) -> bool:
    """Return whether ``directory`` (keys ``base...``) or one below it holds a listed key."""
    pending = [(directory, base)]
    while pending:
        path, below = pending.pop()
        try:
            entries = os.scandir(path)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if not is_valid_key(name, True):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{below}{name}/"))
                elif entry.is_file(follow_symlinks=False) and (
                    listable is None or listable(below + name)
                ):
                    return True
    return False


def _remove_temporaries(
    directory: str, cutoff: float, *, top: bool, only_if_all: bool = False
) -> tuple[int, bool]:
    """Remove temporary files older than ``cutoff`` below ``directory``.

    Return how many were removed and whether ``directory`` itself was removed (never when
    ``top``). With ``only_if_all`` nothing is removed unless everything below ``directory``
    is a stale temporary file or a directory of them.
    """
    stale: list[str] = []
    subdirectories: list[str] = []
    seen = 0
    with os.scandir(directory) as entries:
        for entry in entries:
            seen += 1
            if entry.is_dir(follow_symlinks=False):
                subdirectories.append(entry.path)
            elif (
                entry.name.startswith(TEMP_START)
                and entry.is_file(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime < cutoff
            ):
                stale.append(entry.path)
            elif only_if_all:
                return 0, False
    removed = 0
    emptied = 0
    for subdirectory in subdirectories:
        count, gone = _remove_temporaries(subdirectory, cutoff, top=False, only_if_all=only_if_all)
        if only_if_all and not gone:
            return removed, False
        removed += count
        emptied += gone
    for path in stale:
        with contextlib.suppress(FileNotFoundError):  # a concurrent cleaner was first
            os.unlink(path)
            removed += 1
    # A directory that holds nothing at all, unchanged since the cutoff, is what a writer
    # killed between creating its key's directory and its temporary file leaves: removed too.
    # (A writer that finds its directory gone creates it again.)
    abandoned = not seen and not top and _unchanged_since(directory, cutoff)
    if top or not (stale or emptied or only_if_all or abandoned):
        return removed, False
    try:
        os.rmdir(directory)
    except OSError:
        return removed, False  # not empty: it holds keys (or a writer's fresh file)
    return removed, True


def _unchanged_since(path: str, cutoff: float) -> bool:
    """Return whether ``path`` was last modified before ``cutoff`` (False if it is gone)."""
    try:
        return os.lstat(path).st_mtime < cutoff
    except OSError:
        return False


def _directory_prefix(root_prefix: str, key: str) -> str:
    """Return the directory of ``key``'s file, ending in a separator."""
    return root_prefix + key[: key.rfind("/") + 1]


def _read_whole(fd: int, size: int) -> bytes:
    """Read a value of about ``size`` bytes (from ``fstat``) from its start to its end."""
    chunks: list[bytes] = []
    position = 0
    while True:
        # Asking for one byte more than the size lets a short read prove the end of the file.
        chunk = os.pread(fd, max(size + 1 - position, _FIRST_READ), position)
        if not chunk:
            break
        chunks.append(chunk)
        position += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _mode_or_zero(path: str) -> int:
    """Return the mode of ``path`` (0 if it cannot be read), for messages."""
    try:
        return os.lstat(path).st_mode
    except OSError:
        return 0


def _kind(mode: int) -> str:
    """Name the kind of a file that is not a regular file, for messages."""
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _regular_fd(file: object, *, writable: bool) -> int | None:
    """Return the descriptor of ``file`` if it is a binary file object on a regular file."""
    if isinstance(file, _BUFFERED):
        if not isinstance(file.raw, io.FileIO):
            return None
    elif not isinstance(file, io.FileIO):
        return None
    try:
        usable = file.writable() if writable else file.readable()
        if not usable:
            return None
        fd = file.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError):
        return None
    return fd if stat.S_ISREG(mode) else None


def _discard(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)

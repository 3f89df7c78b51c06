"""OS errors become minimalkv errors in one place, keeping errno and naming key and root."""

from __future__ import annotations

import errno
import os
import pickle
from pathlib import Path

import pytest
from minimalkv import InvalidKeyError, KeyNotFoundError, StoreError
from minimalkv.fs import FilesystemPermissionError, FilesystemStore, KeyConflictError
from minimalkv.fs._errors import Operation, translate_os_error

ROOT = "/srv/store"


@pytest.mark.parametrize(
    ("code", "operation", "expected"),
    [
        (errno.ENOENT, Operation.READ, KeyNotFoundError),
        (errno.ENOTDIR, Operation.READ, KeyNotFoundError),
        (errno.EISDIR, Operation.READ, KeyNotFoundError),
        (errno.ENAMETOOLONG, Operation.READ, InvalidKeyError),
        (errno.ENAMETOOLONG, Operation.WRITE, InvalidKeyError),
        (errno.EISDIR, Operation.WRITE, KeyConflictError),
        (errno.ENOTDIR, Operation.WRITE, KeyConflictError),
        (errno.EEXIST, Operation.WRITE, KeyConflictError),
        (errno.EACCES, Operation.READ, FilesystemPermissionError),
        (errno.EPERM, Operation.DELETE, FilesystemPermissionError),
        (errno.ENOSPC, Operation.WRITE, StoreError),
        (errno.EIO, Operation.READ, StoreError),
        (errno.EROFS, Operation.DELETE, StoreError),
        (errno.ENOENT, Operation.FILL, StoreError),
    ],
)
def test_translation_table(code: int, operation: Operation, expected: type[Exception]) -> None:
    original = OSError(code, os.strerror(code), "/srv/store/some-key")
    error = translate_os_error(original, key="some-key", root=ROOT, operation=operation)
    assert type(error) is expected
    assert "'some-key'" in str(error)
    if expected is not KeyNotFoundError:
        assert ROOT in str(error)
    if isinstance(error, OSError):
        assert error.errno == code
        assert error.filename == "/srv/store/some-key"
        # Whole across processes: a worker's error keeps errno and filename in the parent.
        clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own data
        assert type(clone) is expected
        assert isinstance(clone, OSError)
        assert (clone.errno, clone.strerror, clone.filename) == (
            code,
            os.strerror(code),
            "/srv/store/some-key",
        )


def test_listing_errors_name_the_root() -> None:
    error = translate_os_error(
        OSError(errno.EIO, "Input/output error"), key=None, root=ROOT, operation=Operation.LIST
    )
    assert type(error) is StoreError
    assert "list the keys" in str(error)
    assert ROOT in str(error)


def test_permission_error_is_a_permission_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FilesystemStore(tmp_path)
    store.put("k", b"v")

    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", denied)
    for call in (lambda: store.get("k"), lambda: store.put("k", b"w")):
        with pytest.raises(FilesystemPermissionError) as info:
            call()
        assert isinstance(info.value, PermissionError)
        assert isinstance(info.value, StoreError)
        assert info.value.errno == errno.EACCES
        assert isinstance(info.value.__cause__, PermissionError)
        assert str(tmp_path) in str(info.value)
    monkeypatch.undo()
    assert store.get("k") == b"v"


def test_missing_key_errors_are_key_errors(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    for call in (
        lambda: store.get("missing"),
        lambda: store.open("missing"),
        lambda: store.metadata("missing"),
        lambda: store.copy("missing", "x"),
    ):
        with pytest.raises(KeyError) as info:
            call()
        assert type(info.value) is KeyNotFoundError
        assert "'missing'" in str(info.value)
        assert str(tmp_path) in str(info.value)


def test_a_refused_file_is_a_store_permission_error() -> None:
    from minimalkv import StorePermissionError
    from minimalkv.fs import FilesystemPermissionError

    assert issubclass(FilesystemPermissionError, StorePermissionError)
    assert issubclass(FilesystemPermissionError, PermissionError)

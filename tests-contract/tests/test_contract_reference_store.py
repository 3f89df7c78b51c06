"""The contract suite over reference stores written here, with every capability.

``ReferenceStore`` keeps values in files (so streaming and the memory bound are meaningful),
offers ``copy``, ``url_for`` (``file://`` URLs) and time-to-live, and exists to prove that the
capability tests of the suite run and pass on a correct store.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from minimalkv import (
    CopyMixin,
    ExtendedKeyspaceMixin,
    KeyNotFoundError,
    KeyValueStore,
    TimeToLiveMixin,
    UrlMixin,
    capabilities_of,
)
from minimalkv.backend import BytesReader, ReadableBinary, copy_stream
from minimalkv.contract import ContractSuite, StoreFactory


class ReferenceStore(CopyMixin, UrlMixin, TimeToLiveMixin, KeyValueStore):
    """Values in files named by the SHA-256 of the key; an in-memory index of keys and expiries."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._deadlines: dict[str, float | None] = {}

    def _path(self, key: str) -> Path:
        return self.root / hashlib.sha256(key.encode()).hexdigest()

    def _alive(self, key: str) -> bool:
        with self._lock:
            if key not in self._deadlines:
                return False
            deadline = self._deadlines[key]
            if deadline is None or time.monotonic() < deadline:
                return True
            del self._deadlines[key]
        self._path(key).unlink(missing_ok=True)
        return False

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        with self._lock:
            candidates = [key for key in self._deadlines if key.startswith(prefix)]
        return iter([key for key in candidates if self._alive(key)])

    def _has_key(self, key: str) -> bool:
        return self._alive(key)

    def _open(self, key: str) -> IO[bytes]:
        if not self._alive(key):
            raise KeyNotFoundError.for_key(key)
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise KeyNotFoundError.for_key(key) from None

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        return self._put_file(key, BytesReader(data), ttl_secs)

    def _put_file(self, key: str, file: ReadableBinary, ttl_secs: float | None = None) -> str:
        fd, staging = tempfile.mkstemp(dir=self.root, suffix=".tmp")
        try:
            with open(fd, "wb") as out:
                copy_stream(file, out.write)
            os.replace(staging, self._path(key))
        except BaseException:
            Path(staging).unlink(missing_ok=True)
            raise
        with self._lock:
            self._deadlines[key] = None if ttl_secs is None else time.monotonic() + ttl_secs
        return key

    def _delete(self, key: str) -> None:
        with self._lock:
            self._deadlines.pop(key, None)
            self._path(key).unlink(missing_ok=True)

    def _url_for(self, key: str) -> str:
        return self._path(key).as_uri()


class ExtendedReferenceStore(ExtendedKeyspaceMixin, ReferenceStore):
    """The reference store in the extended key space."""


class TestReferenceStoreContract(ContractSuite):
    capabilities = capabilities_of(ReferenceStore)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: ReferenceStore(tmp_path_factory.mktemp("reference"))


class TestExtendedReferenceStoreContract(ContractSuite):
    capabilities = capabilities_of(ExtendedReferenceStore)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: ExtendedReferenceStore(tmp_path_factory.mktemp("hreference"))


def test_reference_capabilities_cover_every_optional_feature() -> None:
    declared = TestExtendedReferenceStoreContract.capabilities
    assert (declared.copy, declared.url, declared.ttl, declared.extended_keys) == (
        True,
        True,
        True,
        True,
    )

"""The contract suite over HashDecorator and UUIDDecorator: with explicit keys they are stores.

The one deviation is designed: ``None`` as the key of ``put``, ``put_file`` and ``put_many``
generates a key instead of being refused, so the invalid-key test is run with ``None`` left out
for those three calls (``test_idgen_hash.py`` and ``test_idgen_uuid.py`` cover ``None``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from minimalkv import BlobStore, StoreCapabilities
from minimalkv.contract import ContractSuite, StoreFactory
from minimalkv.contract._semantics import KEY_METHODS, invalid_keys_for
from minimalkv.fs import FilesystemStore
from minimalkv.idgen import HashDecorator, UUIDDecorator
from minimalkv.memory import DictStore

_GENERATING_CALLS = {"put", "put_file-path", "put_file-fileobj", "put_many"}


class _ExplicitKeySuite(ContractSuite):
    @pytest.mark.parametrize("method", sorted(KEY_METHODS))
    def test_invalid_key_raises_value_error(
        self, store: BlobStore, tmp_path: Path, method: str
    ) -> None:
        store.put("sentinel", b"value")
        call = KEY_METHODS[method]
        for key in invalid_keys_for(store):
            if key is None and method in _GENERATING_CALLS:
                continue
            with pytest.raises(ValueError, match=r".") as info:
                call(store, key, tmp_path)
            assert not isinstance(info.value, KeyError), f"{method}({key!r}) raised a KeyError"
        assert {key: store.get(key) for key in store} == {"sentinel": b"value"}


class TestHashDecoratorDictContract(_ExplicitKeySuite):
    capabilities = StoreCapabilities(copy=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: HashDecorator(DictStore())


class TestUUIDDecoratorDictContract(_ExplicitKeySuite):
    capabilities = StoreCapabilities(copy=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: UUIDDecorator(DictStore(), template="u-{}")


class TestHashDecoratorFilesystemContract(_ExplicitKeySuite):
    capabilities = StoreCapabilities(copy=True, url=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: HashDecorator(FilesystemStore(tmp_path_factory.mktemp("hash")))


class TestUUIDDecoratorFilesystemContract(_ExplicitKeySuite):
    capabilities = StoreCapabilities(copy=True, url=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: UUIDDecorator(FilesystemStore(tmp_path_factory.mktemp("uuid")))

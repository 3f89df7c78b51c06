"""The contract suite over HashDecorator and UUIDDecorator: with explicit keys they are stores.

The one deviation is designed: ``None`` as the key of ``put``, ``put_file`` and ``put_many``
generates a key instead of being refused, so the suite's ``must_refuse_key`` hook leaves
``None`` out of the invalid-key test for those three calls (``test_idgen_hash.py`` and
``test_idgen_uuid.py`` cover ``None``).
"""

from __future__ import annotations

import pytest
from minimalkv import StoreCapabilities
from minimalkv.contract import ContractSuite, HostileInputContract, StoreFactory
from minimalkv.fs import FilesystemStore
from minimalkv.idgen import HashDecorator, UUIDDecorator
from minimalkv.memory import DictStore

# The invalid-key test names put_file "put_file-fileobj", the hostile-input test "put_file-stream".
_GENERATING_CALLS = {"put", "put_file-path", "put_file-fileobj", "put_file-stream", "put_many"}


class _ExplicitKeySuite(ContractSuite):
    def must_refuse_key(self, method: str, key: object) -> bool:
        return not (key is None and method in _GENERATING_CALLS)


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


# The reliability suite's hostile-input test: every key the key space rejects is refused with
# nothing written, except None where a call generates the key.


class _GeneratingHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True)

    def must_refuse_key(self, method: str, key: object) -> bool:
        return not (key is None and method in _GENERATING_CALLS)


class TestHashDecoratorHostileInput(_GeneratingHostileInput):
    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: HashDecorator(DictStore())


class TestUUIDDecoratorHostileInput(_GeneratingHostileInput):
    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: UUIDDecorator(DictStore(), template="u-{}")

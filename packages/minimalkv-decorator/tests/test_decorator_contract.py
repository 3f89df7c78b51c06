"""The contract suite over the decorators that take writes, on DictStore and FilesystemStore,
and the reliability suite's hostile-input test over them.

ReadOnlyDecorator refuses every write the suite needs; its behaviour is covered by
``test_decorator_readonly.py``.

URLEncodeKeysDecorator has a key space of its own (any text without control characters): its
suites judge keys by that space through the suite's ``key_is_valid`` hook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from minimalkv import BlobStore, InvalidKeyError, StoreCapabilities
from minimalkv.contract import WEIRD_KEYS, ContractSuite, HostileInputContract, StoreFactory
from minimalkv.decorator import (
    PrefixDecorator,
    StoreDecorator,
    URLEncodeKeysDecorator,
    encode_key,
)
from minimalkv.fs import FilesystemStore, HFilesystemStore
from minimalkv.memory import DictStore, HDictStore


def _valid_text_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    try:
        encode_key(key)
    except InvalidKeyError:
        return False
    return True


class TextKeySpace(ContractSuite):
    """The suite with keys judged by URLEncodeKeysDecorator's rules."""

    def key_is_valid(self, store: BlobStore, key: object) -> bool:
        """Any non-empty text without control characters, except '.' and '..'."""
        return _valid_text_key(key)

    def test_text_key_space_of_the_table(self) -> None:
        refused = {case.key for case in WEIRD_KEYS if not _valid_text_key(case.key)}
        assert refused == {"", ".", "..", "\x00", "a\tb", "a\rb", "\x7f", "a\n", "\na"}


class TestStoreDecoratorContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: StoreDecorator(DictStore())


class TestPrefixDecoratorContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        # Another tenant's keys live in the same dict: the suite must never see them.
        def make() -> PrefixDecorator[DictStore]:
            shared = DictStore({"other_tenant_key": b"x", "tenant": b"y"})
            return PrefixDecorator("tenant_", shared)

        return make


class TestPrefixDecoratorExtendedContract(ContractSuite):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        def make() -> PrefixDecorator[HDictStore]:
            shared = HDictStore({"other/key": b"x", "tenant": b"y", "tenant/": b"z"})
            return PrefixDecorator("tenant/", shared)

        return make


class TestURLEncodeKeysDecoratorContract(TextKeySpace):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: URLEncodeKeysDecorator(DictStore())


class TestThreeDeepStackContract(TextKeySpace):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)
    values_in_memory = True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: PrefixDecorator(
            "outer_", URLEncodeKeysDecorator(PrefixDecorator("inner/", HDictStore()))
        )


# ----------------------------------------------------------------- over FilesystemStore
_NAME_MAX = 255
# The decorators' logic gets the full state machine over DictStore above, and FilesystemStore
# its own in minimalkv-fs; here a shorter run checks that the two work together.
_FS_STATE_MACHINE: dict[str, Any] = {"max_examples": 30}


def _fs_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("decorated-fs")


class TestStoreDecoratorFilesystemContract(ContractSuite):
    state_machine_settings = _FS_STATE_MACHINE
    capabilities = StoreCapabilities(copy=True, url=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: StoreDecorator(FilesystemStore(_fs_root(tmp_path_factory)))


class TestPrefixDecoratorFilesystemContract(ContractSuite):
    state_machine_settings = _FS_STATE_MACHINE
    capabilities = StoreCapabilities(copy=True, url=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        def make() -> PrefixDecorator[FilesystemStore]:
            shared = FilesystemStore(_fs_root(tmp_path_factory))
            shared.put("other_tenant_key", b"x")
            shared.put("t1", b"y")
            # A file name holds 255 bytes: a flat prefix of up to 5 characters keeps keys of
            # 250 characters possible (a directory prefix, below, costs nothing).
            return PrefixDecorator("t1_", shared)

        return make


class TestPrefixDecoratorHFilesystemContract(ContractSuite):
    state_machine_settings = _FS_STATE_MACHINE
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    hierarchical_keys = True

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        def make() -> PrefixDecorator[HFilesystemStore]:
            shared = HFilesystemStore(_fs_root(tmp_path_factory))
            shared.put("other/key", b"x")
            shared.put("tenant2", b"y")
            return PrefixDecorator("tenant/", shared)

        return make


class FilesystemTextKeySpace(TextKeySpace):
    """Text keys whose stored (encoded) file name fits in 255 bytes."""

    state_machine_settings = _FS_STATE_MACHINE

    outer_prefix = ""

    def key_is_valid(self, store: BlobStore, key: object) -> bool:
        """A text key whose encoded form (after ``outer_prefix``) is a file name of 255 bytes."""
        return (
            isinstance(key, str)
            and _valid_text_key(key)
            and len(encode_key(self.outer_prefix + key)) <= _NAME_MAX
        )


class TestURLEncodeKeysDecoratorFilesystemContract(FilesystemTextKeySpace):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: URLEncodeKeysDecorator(FilesystemStore(_fs_root(tmp_path_factory)))


class TestThreeDeepStackFilesystemContract(FilesystemTextKeySpace):
    capabilities = StoreCapabilities(copy=True, url=True, extended_keys=True)
    outer_prefix = "o_"

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: PrefixDecorator(
            self.outer_prefix,
            URLEncodeKeysDecorator(
                PrefixDecorator("inner/", HFilesystemStore(_fs_root(tmp_path_factory)))
            ),
        )


# ------------------------------------------------- the reliability suite: hostile input
# ReadOnlyDecorator is left out: the test writes a sentinel value first, which it refuses; that it
# refuses every write is test_decorator_readonly.py's subject.


class TestStoreDecoratorHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True)

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: StoreDecorator(DictStore())


class TestPrefixDecoratorHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: PrefixDecorator("tenant/", HDictStore({"other/key": b"x"}))

    def hostile_state(self, store: BlobStore) -> object:
        """The decorated keys and values, and the wrapped store's (another tenant's key too)."""
        assert isinstance(store, PrefixDecorator)
        return super().hostile_state(store), super().hostile_state(store.store)


class TestURLEncodeKeysDecoratorHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True, extended_keys=True)

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return lambda: URLEncodeKeysDecorator(DictStore())

    def key_is_valid(self, store: BlobStore, key: object) -> bool:
        """Any non-empty text without control characters, except '.' and '..'."""
        return _valid_text_key(key)

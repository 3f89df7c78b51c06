"""The minimalkv contract suite over the example backend: one class, one fixture, one rule more."""

from __future__ import annotations

import pytest
from hypothesis.stateful import invariant, rule
from kv_dirstore import DirStore
from minimalkv import capabilities_of
from minimalkv.contract import ContractSuite, StoreFactory, StoreStateMachine


class DirStoreMachine(StoreStateMachine):
    """The contract's state machine plus what only a DirStore promises: one file per key."""

    def dir_store(self) -> DirStore:
        assert isinstance(self.store, DirStore)
        return self.store

    @rule(key=StoreStateMachine.KEYS, value=StoreStateMachine.VALUES)
    def put_writes_the_key_file(self, key: str, value: bytes) -> None:
        self.write(key, value, lambda: self.store.put(key, value))
        assert (self.dir_store().values / key).read_bytes() == value

    @invariant()
    def staging_is_empty_between_calls(self) -> None:
        assert not any(self.dir_store().staging.iterdir())


class TestExampleStore(ContractSuite):
    capabilities = capabilities_of(DirStore)
    state_machine = DirStoreMachine

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: DirStore(tmp_path_factory.mktemp("dirstore"))

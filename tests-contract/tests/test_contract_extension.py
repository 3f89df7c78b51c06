"""The suite's extension points: a subclassed state machine, a store that is only a BlobStore.

``ForwardingStore`` satisfies the ``minimalkv.BlobStore`` protocol without subclassing
``KeyValueStore`` (it forwards to one), so the whole suite running on it proves that the
fixtures and helpers ask for the protocol only. The state-machine tests run the suite's hook
(``state_machine = ...``) with a subclass that adds a rule and an invariant, and prove both
ran, and that a failing invariant of the subclass fails the contract test.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import IO, Any, ClassVar

import pytest
from hypothesis.stateful import invariant, rule
from minimalkv import (
    BlobStore,
    FileSource,
    FileTarget,
    KeyMetadata,
    KeyValueStore,
    capabilities_of,
)
from minimalkv.contract import (
    ContractSuite,
    PlainStore,
    StateMachineContract,
    StoreFactory,
    StoreStateMachine,
)


class ForwardingStore:
    """A BlobStore by structure only: every call goes to a wrapped store."""

    def __init__(self, inner: BlobStore) -> None:
        self._inner = inner

    def __enter__(self) -> ForwardingStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __contains__(self, key: str, /) -> bool:
        return key in self._inner

    def __iter__(self) -> Iterator[str]:
        return iter(self._inner)

    def get(self, key: str) -> bytes:
        return self._inner.get(key)

    def put(self, key: str, data: bytes) -> str:
        return self._inner.put(key, data)

    def put_file(self, key: str, file: FileSource) -> str:
        return self._inner.put_file(key, file)

    def get_file(self, key: str, file: FileTarget) -> str:
        return self._inner.get_file(key, file)

    def open(self, key: str) -> IO[bytes]:
        return self._inner.open(key)

    def delete(self, key: str) -> None:
        self._inner.delete(key)

    def keys(self, prefix: str = "") -> list[str]:
        return self._inner.keys(prefix)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return self._inner.iter_keys(prefix)

    def iter_prefixes(self, delimiter: str, prefix: str = "") -> Iterator[str]:
        return self._inner.iter_prefixes(delimiter, prefix)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return self._inner.get_many(keys)

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        return self._inner.put_many(items)

    def delete_many(self, keys: Iterable[str]) -> None:
        self._inner.delete_many(keys)

    def metadata(self, key: str) -> KeyMetadata:
        return self._inner.metadata(key)

    def close(self) -> None:
        self._inner.close()


def forwarding_store() -> ForwardingStore:
    return ForwardingStore(PlainStore())


RUNS: dict[str, int] = {"rule": 0, "invariant": 0}


class CountingMachine(StoreStateMachine):
    """The contract's machine plus one rule and one invariant, each counting its runs."""

    @rule(key=StoreStateMachine.KEYS, value=StoreStateMachine.VALUES)
    def put_then_get_many(self, key: str, value: bytes) -> None:
        self.write(key, value, lambda: self.store.put(key, value))
        assert self.store.get_many([key]) == {key: value}
        RUNS["rule"] += 1

    @invariant()
    def every_key_is_in_the_store(self) -> None:
        for key in self.model:
            assert key in self.store
        RUNS["invariant"] += 1


class AtMostOneKeyMachine(StoreStateMachine):
    """An invariant no store keeps: the contract test must fail on it."""

    @invariant()
    def at_most_one_key(self) -> None:
        assert len(self.model) <= 1, "more than one key (a deliberately failing invariant)"


DETERMINISTIC: dict[str, Any] = {
    "max_examples": 10,
    "stateful_step_count": 30,
    "derandomize": True,
    "database": None,
}


class CountingSuite(StateMachineContract):
    __test__ = False  # run by the tests below, with a factory they choose
    state_machine = CountingMachine
    state_machine_settings: ClassVar[dict[str, Any]] = DETERMINISTIC


class AtMostOneKeySuite(StateMachineContract):
    __test__ = False
    state_machine = AtMostOneKeyMachine
    state_machine_settings: ClassVar[dict[str, Any]] = DETERMINISTIC


def test_forwarding_store_is_a_blob_store_and_not_a_key_value_store() -> None:
    store = forwarding_store()
    assert isinstance(store, BlobStore)
    assert not isinstance(store, KeyValueStore)


def test_suite_runs_the_subclass_rule_and_invariant() -> None:
    RUNS.update(rule=0, invariant=0)
    CountingSuite().test_state_machine_agrees_with_dict_model(forwarding_store)
    assert RUNS["rule"] > 0, "the subclass's rule never ran"
    assert RUNS["invariant"] > RUNS["rule"], "the subclass's invariant did not run every step"


def test_failing_invariant_of_a_subclass_fails_the_contract() -> None:
    with pytest.raises(AssertionError, match="deliberately failing invariant"):
        AtMostOneKeySuite().test_state_machine_agrees_with_dict_model(forwarding_store)


def test_unbound_machine_says_how_to_bind_it() -> None:
    with pytest.raises(TypeError, match=r"for_store\(store_factory\)"):
        StoreStateMachine()


def test_bound_machine_is_a_subclass_with_the_store_capabilities() -> None:
    bound = CountingMachine.for_store(forwarding_store)
    assert issubclass(bound, CountingMachine)
    assert bound.capabilities == capabilities_of(forwarding_store())


class TestForwardingStoreContract(ContractSuite):
    """The whole contract on a store that only satisfies the protocol, with the extra rules."""

    state_machine = CountingMachine
    values_in_memory = True
    large_value_size = 4 * 1024 * 1024
    memory_test_size = 16 * 1024 * 1024

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        return forwarding_store

"""``ContractSuite``: every part of the contract in one class to subclass."""

from __future__ import annotations

from ._capability_tests import CopyContract, TtlContract, UrlContract
from ._concurrency import ConcurrencyContract
from ._large_values import LargeValueContract, MemoryBoundContract
from ._semantics import SemanticsContract
from ._state_machine import StateMachineContract
from ._weird_keys import WeirdKeyContract

__all__ = ["ContractSuite"]


class ContractSuite(
    SemanticsContract,
    WeirdKeyContract,
    StateMachineContract,
    LargeValueContract,
    MemoryBoundContract,
    ConcurrencyContract,
    CopyContract,
    UrlContract,
    TtlContract,
):
    """The whole minimalkv contract; subclass it and provide one fixture.

    For example::

        class TestMyStore(ContractSuite):
            capabilities = capabilities_of(MyStore)  # only if it offers copy, url or ttl

            @pytest.fixture
            def store_factory(self, tmp_path_factory):
                return lambda: MyStore(tmp_path_factory.mktemp("store"))

    ``store_factory`` returns a zero-argument callable that makes a fresh, empty store on every
    call. The class attributes of :class:`~minimalkv.contract.ContractBase` tune sizes and
    describe the store; the copy, URL and TTL tests are generated only for the capabilities
    declared in :attr:`capabilities`.
    """

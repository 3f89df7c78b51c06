"""The base of every contract class: the fixtures and the knobs a suite subclass may set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from minimalkv import BlobStore, StoreCapabilities, capabilities_of, is_valid_key

__all__ = ["ContractBase", "StoreFactory"]

StoreFactory = Callable[[], BlobStore]
"""A zero-argument callable that returns a fresh, empty store on every call."""

MiB = 1024 * 1024


class ContractBase:
    """Fixtures and settings shared by every part of the contract suite.

    Subclasses provide the ``store_factory`` fixture and may override the class attributes
    below to describe the store (capabilities) or to tune sizes for slow backends.
    """

    capabilities: ClassVar[StoreCapabilities] = StoreCapabilities()
    """The optional capabilities the store offers (``copy``, ``url``, ``ttl``).

    Tests of a capability are only generated (collected) when it is declared here; a test that
    always runs compares this declaration with :func:`minimalkv.capabilities_of` of a real
    store, so a wrong declaration fails loudly instead of leaving a capability untested. For a
    plain store class ``capabilities = capabilities_of(MyStore)`` is enough. ``extended_keys`` is
    read off the store at run time and need not be declared.
    """

    large_value_size: ClassVar[int] = 50 * MiB
    """Size of the large value that must round-trip through every read and write path."""

    memory_test_size: ClassVar[int] = 200 * MiB
    """Size of the file streamed through ``put_file`` and ``get_file`` by the memory-bound tests."""

    memory_bound_bytes: ClassVar[int] = 32 * MiB
    """How much peak RSS may grow while streaming :attr:`memory_test_size` bytes."""

    values_in_memory: ClassVar[bool] = False
    """True for stores that keep every value in this process's memory (``DictStore``).

    For them ``put_file`` may grow peak RSS by the value's own size plus
    :attr:`memory_bound_bytes` (one copy: the stored value), never more; ``get_file`` is held
    to :attr:`memory_bound_bytes` like every other store.
    """

    hierarchical_keys: ClassVar[bool] = False
    """True for extended-key stores that map ``/`` to directories (a filesystem).

    Such a store may refuse, with an ``OSError`` and no change, a key that would turn an existing
    key into a directory or the reverse (``a`` and ``a/b``). Any other store holds both.
    """

    url_fetchable: ClassVar[bool] = False
    """True when every URL from ``url_for`` can be fetched with ``urllib`` from the tests.

    ``file://`` URLs are always fetched and compared with the value.
    """

    ttl_short_secs: ClassVar[float] = 0.5
    """The short time-to-live used by the TTL tests."""

    ttl_grace_secs: ClassVar[float] = 2.0
    """How long after its TTL a value may still be readable (clock and server granularity)."""

    concurrency_writers: ClassVar[int] = 4
    """Writer threads in the concurrent-writers test."""

    concurrency_rounds: ClassVar[int] = 6
    """Values each writer thread writes."""

    concurrency_value_size: ClassVar[int] = 1 * MiB
    """Size of each value written by the concurrent writers."""

    state_machine_settings: ClassVar[dict[str, Any]] = {}
    """Hypothesis settings applied to the state machine over the active profile."""

    unstorable_characters: ClassVar[str] = ""
    """Key characters the *server under test* mangles, though the store must accept them.

    For an emulator's known gap only (SeaweedFS stores ``\\`` in an object name as ``/``),
    never for a store's own limits: those belong in :meth:`key_is_valid`. Keys containing
    these characters are left out of the weird-key table (its cases are deselected, not
    skipped) and of the state machine's keys, so the rest of the suite still runs against that
    server; run the suite on a server without the gap as well, or those keys go untested.
    """

    def server_stores_key(self, key: str) -> bool:
        """Return whether the server under test stores ``key`` faithfully.

        False when ``key`` contains one of :attr:`unstorable_characters`.
        """
        return not any(char in key for char in self.unstorable_characters)

    def key_is_valid(self, store: BlobStore, key: object) -> bool:
        """Return whether ``store`` must accept ``key``; the suite judges keys by this.

        The default is the key space the store reports, basic or extended
        (``minimalkv.is_valid_key(key, capabilities_of(store).extended_keys)``). A store with a
        key space of its own (``URLEncodeKeysDecorator`` accepts any text without control
        characters) overrides it with its own rules: the weird-key table, the invalid keys
        tried on every method and the state machine's keys are then judged by them.
        """
        return is_valid_key(key, capabilities_of(store).extended_keys)

    def must_refuse_key(self, method: str, key: object) -> bool:
        """Return whether ``method`` must refuse ``key``, a key :meth:`key_is_valid` rejects.

        ``method`` names a call of the invalid-key test (``get``, ``put``, ``put_file-path``,
        ...). The default is True for every call. A store whose API gives a key a designed
        meaning in some calls (the id-generating decorators take ``None`` as "make a key" in
        ``put``, ``put_file`` and ``put_many``) returns False there, and is tested with every
        other invalid key.
        """
        return True

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """Return a callable that makes a fresh, empty store. Every suite subclass overrides it."""
        raise NotImplementedError(
            f"{type(self).__name__} must define the fixture store_factory: "
            "@pytest.fixture def store_factory(self): return lambda: MyStore(...)"
        )

    @pytest.fixture
    def store(self, store_factory: StoreFactory) -> Iterator[BlobStore]:
        """Yield a fresh store from ``store_factory`` and close it afterwards."""
        store = store_factory()
        try:
            yield store
        finally:
            store.close()

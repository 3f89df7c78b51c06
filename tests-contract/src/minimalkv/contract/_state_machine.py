"""A Hypothesis state machine that runs every operation on the store and on a dict model.

:class:`StoreStateMachine` is public so that a store's own suite can subclass it, add rules and
invariants of its own, and have the contract run the subclass (see
:attr:`StateMachineContract.state_machine`).
"""

from __future__ import annotations

import io
import os
import shutil
import string
import tempfile
from collections.abc import Callable
from typing import Any, ClassVar, cast

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from minimalkv import (
    BlobStore,
    KeyNotFoundError,
    StoreCapabilities,
    SupportsCopy,
    capabilities_of,
    is_valid_key,
)
from minimalkv.backend import KEY_PUNCTUATION

from ._base import ContractBase, StoreFactory
from ._support import untyped

__all__ = ["StateMachineContract", "StoreStateMachine", "build_state_machine", "key_strategy"]

_BASIC_POOL = ("a", "b", "aXb", "aXbXc", "aXc", "X", "a.b", "a-b", "~", "A", "a" * 250)
_EXTENDED_POOL = ("a/b", "a/b c", "a/c", "x y", "c..d/e", "q/r/s", "aX/b")

KeyJudge = Callable[[BlobStore, object], bool]
"""A suite's ``key_is_valid(store, key)``: whether ``store`` must accept ``key``."""

OpenStep = tuple[str, int, int]
"""One step of an open-and-read session: ("read", size, 0), ("seek", offset, whence), ("tell")."""


def key_strategy(extended: bool) -> st.SearchStrategy[str]:
    """Keys of the store's key space: a small shared pool (so keys collide) plus generated ones."""
    alphabet = string.ascii_letters + string.digits + KEY_PUNCTUATION + (" /" if extended else "")
    pool = _BASIC_POOL + (_EXTENDED_POOL if extended else ())
    generated = st.text(alphabet, min_size=1, max_size=12).filter(
        lambda key: is_valid_key(key, extended)
    )
    return st.one_of(st.sampled_from(pool), generated)


def _machine_keys(machine: object) -> st.SearchStrategy[str]:
    return cast(StoreStateMachine, machine).key_space


def _machine_prefixes(machine: object) -> st.SearchStrategy[str]:
    return cast(StoreStateMachine, machine).prefix_space


def _machine_delimiters(machine: object) -> st.SearchStrategy[str]:
    return cast(StoreStateMachine, machine).delimiter_space


_values = st.binary(max_size=40)
_open_steps: st.SearchStrategy[list[OpenStep]] = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(-1, 50), st.just(0)),
        st.tuples(st.just("seek"), st.integers(-60, 60), st.sampled_from([0, 1, 2])),
        st.tuples(st.just("tell"), st.just(0), st.just(0)),
    ),
    max_size=8,
)


def _seek_target(position: int, size: int, offset: int, whence: int) -> int:
    base = (0, position, size)[whence]
    return base + offset


class StoreStateMachine(RuleBasedStateMachine):
    """Store versus ``dict``: every operation runs on both, and after every step they agree.

    The rules put (value, file object from its current position, path, many), delete (one,
    many), get, test ``in``, read metadata, open and read with seeks, get_file (path, file
    object), get_many, list keys with a prefix and iterate prefixes; ``copy`` and ``move`` run
    when the store offers them. The invariant :meth:`same_keys` compares the listings.

    The class is not run directly: :meth:`for_store` returns a subclass bound to a store
    factory, and :class:`StateMachineContract` runs the class named in its ``state_machine``
    attribute that way. To check more of a store, subclass this class and add Hypothesis rules
    and invariants; draw keys and values from :attr:`KEYS` and :attr:`VALUES` (the store's own
    key space), use :attr:`store` and :attr:`model` (what the store must hold), and write
    through :meth:`write` so the model stays right::

        class AuditedMachine(StoreStateMachine):
            @rule(key=StoreStateMachine.KEYS)
            def audit_entry_exists(self, key: str) -> None:
                self.write(key, b"x", lambda: self.store.put(key, b"x"))
                assert key in self.store.audit_log

            @invariant()
            def audit_log_is_bounded(self) -> None:
                assert len(self.store.audit_log) <= 1000

        class TestAuditedStore(ContractSuite):
            state_machine = AuditedMachine
            ...
    """

    KEYS: ClassVar[st.SearchStrategy[str]] = st.runner().flatmap(_machine_keys)
    """Keys of the running store's key space (judged by the suite's ``key_is_valid``)."""

    VALUES: ClassVar[st.SearchStrategy[bytes]] = _values
    """Small values, the empty one included."""

    PREFIXES: ClassVar[st.SearchStrategy[str]] = st.runner().flatmap(_machine_prefixes)
    """Prefixes for ``keys``/``iter_keys``/``iter_prefixes``: ``""``, short ones and keys."""

    DELIMITERS: ClassVar[st.SearchStrategy[str]] = st.runner().flatmap(_machine_delimiters)
    """Delimiters for ``iter_prefixes``, ``/`` and space included in the extended key space."""

    # Set by for_store() on the subclass it returns.
    store_factory: ClassVar[StoreFactory | None] = None
    capabilities: ClassVar[StoreCapabilities] = StoreCapabilities()
    hierarchical_keys: ClassVar[bool] = False
    key_space: ClassVar[st.SearchStrategy[str]] = st.nothing()
    prefix_space: ClassVar[st.SearchStrategy[str]] = st.nothing()
    delimiter_space: ClassVar[st.SearchStrategy[str]] = st.nothing()

    @classmethod
    def for_store(
        cls,
        factory: StoreFactory,
        *,
        hierarchical_keys: bool = False,
        key_is_valid: KeyJudge | None = None,
        unstorable_characters: str = "",
    ) -> type[StoreStateMachine]:
        """Return a subclass of ``cls`` whose runs each test a fresh store from ``factory``.

        One store is made (and closed) here to learn its capabilities and key space. With
        ``key_is_valid`` (a suite's :meth:`~minimalkv.contract.ContractBase.key_is_valid`,
        called with that closed store) only the keys it accepts are drawn. With
        ``hierarchical_keys`` a write that would make a key both a value and a directory
        (``a`` and ``a/b``) may be refused with an ``OSError``. Keys containing one of
        ``unstorable_characters`` (a gap of the server under test) are never drawn.
        """
        probe = factory()
        try:
            capabilities = capabilities_of(probe)
        finally:
            probe.close()
        keys = key_strategy(capabilities.extended_keys)
        if unstorable_characters:  # a gap of the server under test, see ContractBase
            keys = keys.filter(lambda key: not any(c in key for c in unstorable_characters))
        if key_is_valid is not None:
            judge = key_is_valid
            keys = keys.filter(lambda key: judge(probe, key))
        prefixes = st.one_of(st.just(""), st.sampled_from(["a", "aX", "X", "a/", "~", "A"]), keys)
        delimiters = st.sampled_from(
            ["X", "-", ".", "ab"] + (["/", " "] if capabilities.extended_keys else [])
        )
        namespace: dict[str, Any] = {
            "__doc__": cls.__doc__,
            "__module__": cls.__module__,
            "store_factory": staticmethod(factory),
            "capabilities": capabilities,
            "hierarchical_keys": hierarchical_keys,
            "key_space": keys,
            "prefix_space": prefixes,
            "delimiter_space": delimiters,
        }
        return type(cls.__name__, (cls,), namespace)

    def __init__(self) -> None:
        super().__init__()
        factory = type(self).store_factory
        if factory is None:
            raise TypeError(
                f"{type(self).__name__} has no store: run {type(self).__name__}.for_store("
                "store_factory), or name it in a suite's state_machine attribute"
            )
        self.store: BlobStore = factory()
        """The store under test, fresh and empty for every run."""
        self.model: dict[str, bytes] = {}
        """What the store must hold now."""
        self.scratch = tempfile.mkdtemp(prefix="minimalkv-contract-")
        """A private directory for the files of ``put_file``/``get_file``."""
        self.counter = 0

    def teardown(self) -> None:
        """Close the store and remove the scratch directory."""
        try:
            self.store.close()
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)

    # ------------------------------------------------------------ helpers
    def conflicts(self, key: str, ignore: str | None = None) -> bool:
        """Whether a hierarchical store may refuse ``key`` (a parent or child path exists)."""
        if not self.hierarchical_keys:
            return False
        return any(
            other != ignore and (other.startswith(key + "/") or key.startswith(other + "/"))
            for other in self.model
        )

    def write(self, key: str, value: bytes, call: Callable[[], object]) -> None:
        """Run ``call``, which writes ``value`` under ``key``; record it in the model.

        ``call`` must return ``key``. A hierarchical store may refuse a conflicting key
        (see :meth:`conflicts`) with an ``OSError``; the model then stays as it was.
        """
        if self.conflicts(key):
            try:
                result = call()
            except OSError:
                return
        else:
            result = call()
        assert result == key, f"write of {key!r} returned {result!r}"
        self.model[key] = value

    def path(self) -> str:
        """Return a fresh file name in :attr:`scratch`."""
        self.counter += 1
        return os.path.join(self.scratch, f"f{self.counter}")

    # ------------------------------------------------------------ writes
    @rule(key=KEYS, value=VALUES)
    def put(self, key: str, value: bytes) -> None:
        """``put`` stores the value and returns the key."""
        self.write(key, value, lambda: self.store.put(key, value))

    @rule(key=KEYS, value=VALUES, junk=st.binary(max_size=5))
    def put_file_object(self, key: str, value: bytes, junk: bytes) -> None:
        """``put_file`` reads a file object from its current position."""
        source = io.BytesIO(junk + value)
        source.seek(len(junk))
        self.write(key, value, lambda: self.store.put_file(key, source))

    @rule(key=KEYS, value=VALUES)
    def put_file_path(self, key: str, value: bytes) -> None:
        """``put_file`` reads a path."""
        path = self.path()
        with open(path, "wb") as out:
            out.write(value)
        self.write(key, value, lambda: self.store.put_file(key, path))

    @rule(items=st.lists(st.tuples(KEYS, VALUES), max_size=4))
    def put_many(self, items: list[tuple[str, bytes]]) -> None:
        """``put_many`` stores every pair (the last one of a repeated key wins)."""
        pending: dict[str, bytes] = {}
        for key, value in items:
            if not self.conflicts(key) and not any(
                other.startswith(key + "/") or key.startswith(other + "/")
                for other in pending
                if self.hierarchical_keys
            ):
                pending[key] = value
        pairs = list(pending.items())
        assert self.store.put_many(pairs) == [key for key, _ in pairs]
        self.model.update(pending)

    @rule(key=KEYS)
    def delete(self, key: str) -> None:
        """``delete`` removes the key, a missing one silently."""
        assert untyped(self.store).delete(key) is None
        self.model.pop(key, None)

    @rule(doomed=st.lists(KEYS, max_size=4))
    def delete_many(self, doomed: list[str]) -> None:
        """``delete_many`` removes every key."""
        self.store.delete_many(doomed)
        for key in doomed:
            self.model.pop(key, None)

    # ------------------------------------------------------------ reads
    @rule(key=KEYS)
    def get(self, key: str) -> None:
        """``get`` returns the value, or raises ``KeyNotFoundError``."""
        if key in self.model:
            assert self.store.get(key) == self.model[key]
        else:
            try:
                value = self.store.get(key)
            except KeyNotFoundError:
                return
            raise AssertionError(f"get({key!r}) of a missing key returned {value!r}")

    @rule(key=KEYS)
    def contains(self, key: str) -> None:
        """``in`` agrees with the model."""
        assert (key in self.store) == (key in self.model)

    @rule(key=KEYS)
    def metadata(self, key: str) -> None:
        """``metadata`` gives the value's size, or raises ``KeyNotFoundError``."""
        if key in self.model:
            assert self.store.metadata(key).size == len(self.model[key])
        else:
            try:
                self.store.metadata(key)
            except KeyNotFoundError:
                return
            raise AssertionError(f"metadata({key!r}) of a missing key did not raise")

    @rule(key=KEYS, steps=_open_steps)
    def open_and_read(self, key: str, steps: list[OpenStep]) -> None:
        """``open`` gives a file that reads, seeks and tells like one over the value."""
        if key not in self.model:
            try:
                self.store.open(key).close()
            except KeyNotFoundError:
                return
            raise AssertionError(f"open({key!r}) of a missing key did not raise")
        value = self.model[key]
        position = 0
        with self.store.open(key) as file:
            for action, number, whence in steps:
                if action == "read":
                    expected = (
                        value[position:] if number < 0 else value[position : position + number]
                    )
                    assert file.read(number) == expected
                    position += len(expected)
                elif action == "seek":
                    target = _seek_target(position, len(value), number, whence)
                    if target < 0:
                        try:
                            file.seek(number, whence)
                        except OSError:
                            assert file.tell() == position
                            continue
                        raise AssertionError(f"seek to {target} did not raise OSError")
                    assert file.seek(number, whence) == target
                    position = target
                else:
                    assert file.tell() == position
            assert file.read() == value[position:]

    @rule(key=KEYS)
    def get_file_path(self, key: str) -> None:
        """``get_file`` to a path writes the value, and creates nothing for a missing key."""
        path = self.path()
        if key not in self.model:
            try:
                self.store.get_file(key, path)
            except KeyNotFoundError:
                assert not os.path.exists(path)
                return
            raise AssertionError(f"get_file({key!r}) of a missing key did not raise")
        assert self.store.get_file(key, path) == key
        with open(path, "rb") as result:
            assert result.read() == self.model[key]

    @rule(key=KEYS)
    def get_file_object(self, key: str) -> None:
        """``get_file`` to a file object writes the value, and nothing for a missing key."""
        buffer = io.BytesIO()
        if key not in self.model:
            try:
                self.store.get_file(key, buffer)
            except KeyNotFoundError:
                assert buffer.getvalue() == b""
                return
            raise AssertionError(f"get_file({key!r}) of a missing key did not raise")
        assert self.store.get_file(key, buffer) == key
        assert buffer.getvalue() == self.model[key]

    @rule(wanted=st.lists(KEYS, max_size=5))
    def get_many(self, wanted: list[str]) -> None:
        """``get_many`` returns the existing values among the keys asked for."""
        expected = {key: self.model[key] for key in wanted if key in self.model}
        assert self.store.get_many(wanted) == expected

    @rule(prefix=PREFIXES)
    def keys_with_prefix(self, prefix: str) -> None:
        """``keys`` and ``iter_keys`` list exactly the keys with the prefix."""
        expected = sorted(key for key in self.model if key.startswith(prefix))
        assert sorted(self.store.keys(prefix)) == expected
        assert sorted(self.store.iter_keys(prefix)) == expected

    @rule(delimiter=DELIMITERS, prefix=PREFIXES)
    def iter_prefixes(self, delimiter: str, prefix: str) -> None:
        """``iter_prefixes`` gives each key cut after the first delimiter past the prefix."""
        expected: set[str] = set()
        for key in self.model:
            if key.startswith(prefix):
                end = key.find(delimiter, len(prefix))
                expected.add(key if end < 0 else key[: end + len(delimiter)])
        found = list(self.store.iter_prefixes(delimiter, prefix))
        assert len(found) == len(set(found)), f"duplicates in {found!r}"
        assert set(found) == expected

    # ------------------------------------------------------------ copy and move
    def transfer(self, source: str, dest: str, *, move: bool) -> None:
        """Copy or move ``source`` to ``dest`` on the store and the model."""
        store = cast(SupportsCopy, self.store)
        call = store.move if move else store.copy
        if source not in self.model:
            try:
                call(source, dest)
            except KeyNotFoundError:
                return
            raise AssertionError(f"copy/move from missing {source!r} did not raise")
        value = self.model[source]
        if self.conflicts(dest):
            try:
                result = call(source, dest)
            except OSError:
                return
        else:
            result = call(source, dest)
        assert result == dest
        if move and source != dest:
            del self.model[source]
        self.model[dest] = value

    @precondition(lambda self: self.capabilities.copy)
    @rule(source=KEYS, dest=KEYS)
    def copy(self, source: str, dest: str) -> None:
        """``copy`` (when offered) returns the destination and keeps the source."""
        self.transfer(source, dest, move=False)

    @precondition(lambda self: self.capabilities.copy)
    @rule(source=KEYS, dest=KEYS)
    def move(self, source: str, dest: str) -> None:
        """``move`` (when offered) returns the destination and removes the source."""
        self.transfer(source, dest, move=True)

    # ------------------------------------------------------------ invariants
    @invariant()
    def same_keys(self) -> None:
        """Check that the store lists exactly the model's keys."""
        assert sorted(self.store.keys()) == sorted(self.model)


def build_state_machine(
    factory: StoreFactory,
    *,
    hierarchical_keys: bool = False,
    key_is_valid: KeyJudge | None = None,
    unstorable_characters: str = "",
) -> type[StoreStateMachine]:
    """Return :class:`StoreStateMachine` bound to ``factory`` (see its ``for_store``)."""
    return StoreStateMachine.for_store(
        factory,
        hierarchical_keys=hierarchical_keys,
        key_is_valid=key_is_valid,
        unstorable_characters=unstorable_characters,
    )


class StateMachineContract(ContractBase):
    """Runs :attr:`state_machine` under the active Hypothesis profile."""

    state_machine: ClassVar[type[StoreStateMachine]] = StoreStateMachine
    """The state machine to run: :class:`StoreStateMachine` or a subclass with more rules."""

    def test_state_machine_agrees_with_dict_model(self, store_factory: StoreFactory) -> None:
        machine = self.state_machine.for_store(
            store_factory,
            hierarchical_keys=self.hierarchical_keys,
            key_is_valid=self.key_is_valid,
            unstorable_characters=self.unstorable_characters,
        )
        overrides: dict[str, Any] = dict(self.state_machine_settings)
        run_state_machine_as_test(machine, settings=settings(settings(), **overrides))

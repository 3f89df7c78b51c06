"""A Hypothesis state machine that runs every operation on the store and on a dict model."""

from __future__ import annotations

import io
import os
import shutil
import string
import tempfile
from collections.abc import Callable
from typing import Any, cast

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from minimalkv import (
    KeyNotFoundError,
    KeyValueStore,
    SupportsCopy,
    capabilities_of,
    is_valid_key,
)
from minimalkv.backend import KEY_PUNCTUATION

from ._base import ContractBase, StoreFactory
from ._support import untyped

__all__ = ["StateMachineContract", "build_state_machine", "key_strategy"]

_BASIC_POOL = ("a", "b", "aXb", "aXbXc", "aXc", "X", "a.b", "a-b", "~", "A", "a" * 250)
_EXTENDED_POOL = ("a/b", "a/b c", "a/c", "x y", "c..d/e", "q/r/s", "aX/b")

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


def build_state_machine(
    factory: StoreFactory,
    *,
    hierarchical_keys: bool = False,
    key_is_valid: Callable[[KeyValueStore, object], bool] | None = None,
) -> type[RuleBasedStateMachine]:
    """Return a state machine class for the stores ``factory`` makes.

    Each run (example) gets a fresh store from ``factory``. Copy and move rules are included
    when the store offers them. Keys come from the store's basic or extended key space; with
    ``key_is_valid`` (a suite's :meth:`~minimalkv.contract.ContractBase.key_is_valid`, called
    with a closed store from ``factory``) only the keys it accepts are used.
    """
    probe = factory()
    try:
        capabilities = capabilities_of(probe)
    finally:
        probe.close()
    keys = key_strategy(capabilities.extended_keys)
    if key_is_valid is not None:
        judge = key_is_valid
        keys = keys.filter(lambda key: judge(probe, key))
    prefixes = st.one_of(st.just(""), st.sampled_from(["a", "aX", "X", "a/", "~", "A"]), keys)
    delimiters = st.sampled_from(
        ["X", "-", ".", "ab"] + (["/", " "] if capabilities.extended_keys else [])
    )

    class StoreModelMachine(RuleBasedStateMachine):
        """Store versus ``dict``: after every step both must agree."""

        def __init__(self) -> None:
            super().__init__()
            self.store = factory()
            self.model: dict[str, bytes] = {}
            self.scratch = tempfile.mkdtemp(prefix="minimalkv-contract-")
            self.counter = 0

        def teardown(self) -> None:
            try:
                self.store.close()
            finally:
                shutil.rmtree(self.scratch, ignore_errors=True)

        # ------------------------------------------------------------ helpers
        def conflicts(self, key: str, ignore: str | None = None) -> bool:
            """Whether a hierarchical store may refuse ``key`` (a parent or child path exists)."""
            if not hierarchical_keys:
                return False
            return any(
                other != ignore and (other.startswith(key + "/") or key.startswith(other + "/"))
                for other in self.model
            )

        def write(self, key: str, value: bytes, call: Callable[[], object]) -> None:
            """Run a writing ``call``; a hierarchical conflict may refuse it with OSError."""
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
            self.counter += 1
            return os.path.join(self.scratch, f"f{self.counter}")

        # ------------------------------------------------------------ writes
        @rule(key=keys, value=_values)
        def put(self, key: str, value: bytes) -> None:
            self.write(key, value, lambda: self.store.put(key, value))

        @rule(key=keys, value=_values, junk=st.binary(max_size=5))
        def put_file_object(self, key: str, value: bytes, junk: bytes) -> None:
            source = io.BytesIO(junk + value)
            source.seek(len(junk))
            self.write(key, value, lambda: self.store.put_file(key, source))

        @rule(key=keys, value=_values)
        def put_file_path(self, key: str, value: bytes) -> None:
            path = self.path()
            with open(path, "wb") as out:
                out.write(value)
            self.write(key, value, lambda: self.store.put_file(key, path))

        @rule(items=st.lists(st.tuples(keys, _values), max_size=4))
        def put_many(self, items: list[tuple[str, bytes]]) -> None:
            pending: dict[str, bytes] = {}
            for key, value in items:
                if not self.conflicts(key) and not any(
                    other.startswith(key + "/") or key.startswith(other + "/")
                    for other in pending
                    if hierarchical_keys
                ):
                    pending[key] = value
            pairs = list(pending.items())
            assert self.store.put_many(pairs) == [key for key, _ in pairs]
            self.model.update(pending)

        @rule(key=keys)
        def delete(self, key: str) -> None:
            assert untyped(self.store).delete(key) is None
            self.model.pop(key, None)

        @rule(doomed=st.lists(keys, max_size=4))
        def delete_many(self, doomed: list[str]) -> None:
            self.store.delete_many(doomed)
            for key in doomed:
                self.model.pop(key, None)

        # ------------------------------------------------------------ reads
        @rule(key=keys)
        def get(self, key: str) -> None:
            if key in self.model:
                assert self.store.get(key) == self.model[key]
            else:
                try:
                    value = self.store.get(key)
                except KeyNotFoundError:
                    return
                raise AssertionError(f"get({key!r}) of a missing key returned {value!r}")

        @rule(key=keys)
        def contains(self, key: str) -> None:
            assert (key in self.store) == (key in self.model)

        @rule(key=keys)
        def metadata(self, key: str) -> None:
            if key in self.model:
                assert self.store.metadata(key).size == len(self.model[key])
            else:
                try:
                    self.store.metadata(key)
                except KeyNotFoundError:
                    return
                raise AssertionError(f"metadata({key!r}) of a missing key did not raise")

        @rule(key=keys, steps=_open_steps)
        def open_and_read(self, key: str, steps: list[OpenStep]) -> None:
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

        @rule(key=keys)
        def get_file_path(self, key: str) -> None:
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

        @rule(key=keys)
        def get_file_object(self, key: str) -> None:
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

        @rule(wanted=st.lists(keys, max_size=5))
        def get_many(self, wanted: list[str]) -> None:
            expected = {key: self.model[key] for key in wanted if key in self.model}
            assert self.store.get_many(wanted) == expected

        @rule(prefix=prefixes)
        def keys_with_prefix(self, prefix: str) -> None:
            expected = sorted(key for key in self.model if key.startswith(prefix))
            assert sorted(self.store.keys(prefix)) == expected
            assert sorted(self.store.iter_keys(prefix)) == expected

        @rule(delimiter=delimiters, prefix=prefixes)
        def iter_prefixes(self, delimiter: str, prefix: str) -> None:
            expected: set[str] = set()
            for key in self.model:
                if key.startswith(prefix):
                    end = key.find(delimiter, len(prefix))
                    expected.add(key if end < 0 else key[: end + len(delimiter)])
            found = list(self.store.iter_prefixes(delimiter, prefix))
            assert len(found) == len(set(found)), f"duplicates in {found!r}"
            assert set(found) == expected

        @invariant()
        def same_keys(self) -> None:
            assert sorted(self.store.keys()) == sorted(self.model)

    if not capabilities.copy:
        return StoreModelMachine

    class CopyingStoreModelMachine(StoreModelMachine):
        """The same machine with ``copy`` and ``move``."""

        def copying(self) -> SupportsCopy:
            return cast(SupportsCopy, self.store)

        def transfer(self, source: str, dest: str, *, move: bool) -> None:
            store = self.copying()
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

        @rule(source=keys, dest=keys)
        def copy(self, source: str, dest: str) -> None:
            self.transfer(source, dest, move=False)

        @rule(source=keys, dest=keys)
        def move(self, source: str, dest: str) -> None:
            self.transfer(source, dest, move=True)

    return CopyingStoreModelMachine


class StateMachineContract(ContractBase):
    """Runs :func:`build_state_machine` under the active Hypothesis profile."""

    def test_state_machine_agrees_with_dict_model(self, store_factory: StoreFactory) -> None:
        machine = build_state_machine(
            store_factory, hierarchical_keys=self.hierarchical_keys, key_is_valid=self.key_is_valid
        )
        overrides: dict[str, Any] = dict(self.state_machine_settings)
        run_state_machine_as_test(machine, settings=settings(settings(), **overrides))

"""The fault contract finds what it is there to find: a call that hangs on a paused server.

A ``GatedStore`` keeps its values in memory behind a ``Gate`` that stands for the server: a
stopped gate refuses every call at once (``StoreConnectionError``), a paused one holds every call
until it resumes. With a timeout the store raises ``StoreTimeoutError`` after it, as a network
store must; without one it waits for ever, which the contract must report as a hang.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from minimalkv import StoreConnectionError, StoreTimeoutError
from minimalkv.contract import ControllableServer, PlainStore, ServerFaultContract


class Gate:
    """A stand-in server: running, stopped or paused."""

    def __init__(self) -> None:
        self.running = True
        self.answering = threading.Event()
        self.answering.set()

    def stop(self) -> None:
        self.running = False

    def start(self) -> None:
        self.running = True

    def pause(self) -> None:
        self.answering.clear()

    def resume(self) -> None:
        self.answering.set()

    def pass_through(self, timeout: float | None) -> None:
        if not self.running:
            raise StoreConnectionError("connection refused (the gate is stopped)")
        if not self.answering.wait(timeout):
            raise StoreTimeoutError(f"no answer within {timeout} s (the gate is paused)")


class GatedStore(PlainStore):
    """PlainStore whose every hook passes the gate first."""

    def __init__(self, gate: Gate, timeout: float | None) -> None:
        super().__init__()
        self._gate = gate
        self._timeout = timeout

    def _get(self, key: str) -> bytes:
        self._gate.pass_through(self._timeout)
        return super()._get(key)

    def _put(self, key: str, data: bytes) -> str:
        self._gate.pass_through(self._timeout)
        return super()._put(key, data)

    def _delete(self, key: str) -> None:
        self._gate.pass_through(self._timeout)
        super()._delete(key)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        self._gate.pass_through(self._timeout)
        return super().iter_keys(prefix)


class _GatedFaults(ServerFaultContract):
    fault_timeout = 0.1
    fault_margin = 0.2
    hang_seconds = 0.3
    timeout: ClassVar[float | None] = 0.1

    @pytest.fixture
    def gate(self) -> Gate:
        return Gate()

    @pytest.fixture
    def fault_server(self, gate: Gate) -> ControllableServer:
        return gate

    @pytest.fixture
    def store_factory(self, gate: Gate) -> Callable[[], GatedStore]:
        return lambda: GatedStore(gate, self.timeout)


def test_the_gate_is_a_controllable_server() -> None:
    assert isinstance(Gate(), ControllableServer)


def test_a_store_with_timeouts_passes_the_stopped_and_paused_server_tests(tmp_path: Path) -> None:
    gate = Gate()
    suite = _GatedFaults()
    suite.test_paused_server_times_out_every_call_then_the_store_recovers(
        GatedStore(gate, 0.1), gate, tmp_path
    )
    suite.test_stopped_server_fails_every_call_in_time_then_the_store_recovers(
        GatedStore(gate, 0.1), gate, tmp_path
    )


def test_a_store_without_a_read_timeout_is_reported_as_hanging(tmp_path: Path) -> None:
    gate = Gate()
    suite = _GatedFaults()
    store = GatedStore(gate, None)
    with pytest.raises(AssertionError, match="hangs"):
        suite.test_paused_server_times_out_every_call_then_the_store_recovers(store, gate, tmp_path)
    gate.resume()  # lets the abandoned calls finish

"""Server faults: a stopped or paused server makes every call fail in time, and nothing is lost.

A server backend's test class hands the suite a server it controls (a
:class:`ControllableServer`) and a ``store_factory`` whose stores talk to that server with short
timeouts (:attr:`ServerFaultContract.fault_timeout`). The suite stops the server, and separately
pauses it (SIGSTOP: connections stay open, nothing answers), in the middle of a run and
requires that every public method raises an error of the hierarchy within the timeout plus
:attr:`ServerFaultContract.fault_margin`, that nothing hangs, that no partial value ever
becomes visible, and that the same store object works again once the server is back.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Final, Protocol, runtime_checkable

import pytest
from minimalkv import (
    BlobStore,
    StoreConnectionError,
    StoreError,
    StoreTimeoutError,
    capabilities_of,
)

from ._base import ContractBase
from ._marks import RELIABILITY_MARK

__all__ = ["ControllableServer", "FaultOutcome", "ServerFaultContract", "call_with_deadline"]

KiB: Final = 1024

_ABSENT: Final = None
"""Stands for "the key does not exist" in the sets of values a key may have after a fault."""


@runtime_checkable
class ControllableServer(Protocol):
    """A server of the backend that the test run owns and may take away and give back.

    Every method returns when the change is complete: :meth:`start` and :meth:`resume` once
    the server answers again, :meth:`stop` once its process is gone. Data committed before
    :meth:`stop` must still be there after :meth:`start` (a fast, clean shutdown, or a server
    that persists what it acknowledged).
    """

    def stop(self) -> None:
        """Shut the server down: its port refuses connections, open connections are closed."""

    def start(self) -> None:
        """Start the stopped server again on the same address, with the same data."""

    def pause(self) -> None:
        """Stop every process of the server with SIGSTOP: connections stay open, unanswered."""

    def resume(self) -> None:
        """Continue a paused server (SIGCONT)."""


class FaultOutcome:
    """What one call did during a fault: its result or error and how long it took."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.error: BaseException | None = None
        self.result: object = None
        self.seconds = 0.0
        self.hung = False

    def describe(self) -> str:
        """Return a line for an assertion message."""
        if self.hung:
            return f"{self.name}: still running after {self.seconds:.1f} s (hangs)"
        if self.error is None:
            return f"{self.name}: returned {self.result!r:.60} after {self.seconds:.2f} s"
        return f"{self.name}: {type(self.error).__name__}: {self.error} ({self.seconds:.2f} s)"


def call_with_deadline(name: str, call: Callable[[], object], limit: float) -> FaultOutcome:
    """Run ``call`` in a daemon thread and wait at most ``limit`` seconds for it.

    A call still running then is reported as hung (``outcome.hung``); the thread is left to
    finish on its own once the server is back, so the test itself never hangs.
    """
    outcome = FaultOutcome(name)
    began = time.monotonic()

    def run() -> None:
        try:
            outcome.result = call()
        except BaseException as error:  # reported to the test thread
            outcome.error = error
        outcome.seconds = time.monotonic() - began

    thread = threading.Thread(target=run, name=f"fault-{name}", daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        outcome.hung = True
        outcome.seconds = time.monotonic() - began
    return outcome


def _read_open(store: Any, key: str) -> bytes:
    with store.open(key) as handle:
        data: bytes = handle.read()
        return data


class ServerFaultContract(ContractBase):
    """Stopped and paused servers: documented errors in time, no partial value, recovery.

    Besides ``store_factory`` (stores that talk to the controlled server with a connect and a
    read timeout of :attr:`fault_timeout` at most), the backend's test class provides the
    fixture ``fault_server``, a :class:`ControllableServer`. The suite leaves the server
    running after every test, also after a failure.
    """

    fault_timeout: ClassVar[float] = 2.0
    """The longest timeout the stores of ``store_factory`` are configured with (seconds).

    A call to a stopped or paused server must raise within this plus :attr:`fault_margin`.
    """

    fault_margin: ClassVar[float] = 2.0
    """Seconds a failing call may take beyond :attr:`fault_timeout` (retries, cleanup, a loaded
    test machine)."""

    hang_seconds: ClassVar[float] = 10.0
    """How long the suite waits for one call before it reports the call as hung (it waits at
    least :attr:`fault_timeout` plus :attr:`fault_margin`)."""

    stopped_errors: ClassVar[tuple[type[StoreError], ...]] = (
        StoreConnectionError,
        StoreTimeoutError,
    )
    """What a call to a stopped server may raise: refused or lost connections, or a timeout."""

    paused_errors: ClassVar[tuple[type[StoreError], ...]] = (StoreTimeoutError,)
    """What a call to a paused server may raise (a server that accepts but never answers)."""

    in_flight_value_size: ClassVar[int] = 256 * KiB
    """Size of the values the writer thread of the in-flight tests puts, one after another."""

    @pytest.fixture
    def fault_server(self) -> ControllableServer:
        """Return the server the stores of ``store_factory`` use. Every subclass overrides it."""
        raise NotImplementedError(
            f"{type(self).__name__} must define the fixture fault_server, returning a "
            "ControllableServer (stop, start, pause, resume) that store_factory's stores use"
        )

    # ----------------------------------------------------------------- helpers
    def _bound(self) -> float:
        return self.fault_timeout + self.fault_margin

    def _patience(self) -> float:
        return max(self.hang_seconds, self._bound())

    def _calls(self, store: BlobStore, scratch: Path) -> dict[str, Callable[[], object]]:
        """Every public method once, on keys :meth:`_before` wrote; writes use keys of their own."""
        source = scratch / "put_file-source"
        source.write_bytes(b"F" * 1000)
        s: Any = store
        calls: dict[str, Callable[[], object]] = {
            "get": lambda: s.get("kept-0"),
            "open-read": lambda: _read_open(s, "kept-1"),
            "get_file": lambda: s.get_file("kept-0", io.BytesIO()),
            "in": lambda: "kept-0" in s,
            "keys": lambda: s.keys(),
            "iter_keys": lambda: list(s.iter_keys("kept-")),
            "iter_prefixes": lambda: list(s.iter_prefixes("-")),
            "get_many": lambda: s.get_many(["kept-0", "kept-1"]),
            "metadata": lambda: s.metadata("kept-0"),
            "put": lambda: s.put("new-put", b"P" * 1000),
            "put_file": lambda: s.put_file("new-file", str(source)),
            "put_many": lambda: s.put_many({"new-many-a": b"A" * 10, "new-many-b": b"B" * 10}),
            "delete": lambda: s.delete("doomed-0"),
            "delete_many": lambda: s.delete_many(["doomed-1"]),
        }
        if capabilities_of(store).copy:
            calls["copy"] = lambda: s.copy("kept-0", "new-copy")
        return calls

    @staticmethod
    def _before() -> dict[str, bytes]:
        return {
            "kept-0": b"kept value zero " * 100,
            "kept-1": bytes(range(256)) * 40,
            "kept-2": b"",
            "doomed-0": b"to be deleted",
            "doomed-1": b"to be deleted too",
        }

    def _allowed(self, store: BlobStore, before: dict[str, bytes]) -> dict[str, set[bytes | None]]:
        """Return, per key, the values it may hold after the fault calls that may have landed."""
        allowed: dict[str, set[bytes | None]] = {key: {value} for key, value in before.items()}
        allowed["new-put"] = {_ABSENT, b"P" * 1000}
        allowed["new-file"] = {_ABSENT, b"F" * 1000}
        allowed["new-many-a"] = {_ABSENT, b"A" * 10}
        allowed["new-many-b"] = {_ABSENT, b"B" * 10}
        allowed["doomed-0"].add(_ABSENT)
        allowed["doomed-1"].add(_ABSENT)
        if capabilities_of(store).copy:
            allowed["new-copy"] = {_ABSENT, before["kept-0"]}
        return allowed

    def _check_contents(
        self, store: BlobStore, allowed: dict[str, set[bytes | None]], strict: dict[str, bytes]
    ) -> None:
        """Assert the store holds only allowed keys, each with an allowed, whole value."""
        keys = store.keys()
        unexpected = sorted(set(keys) - set(allowed))
        assert not unexpected, f"keys nobody wrote appeared: {unexpected}"
        values = store.get_many(list(allowed))
        wrong = []
        for key, options in allowed.items():
            value = values.get(key)
            if value not in options:
                shown = None if value is None else f"{len(value)} bytes {value[:16]!r}"
                wrong.append(f"{key!r} holds {shown}")
        assert not wrong, "after the fault: " + "; ".join(wrong)
        for key, value in strict.items():
            assert values.get(key) == value, f"{key!r} lost its value written before the fault"

    def _run_calls(
        self, store: BlobStore, scratch: Path, expected: tuple[type[StoreError], ...], fault: str
    ) -> list[FaultOutcome]:
        outcomes = [
            call_with_deadline(name, call, self._patience())
            for name, call in self._calls(store, scratch).items()
        ]
        problems = [
            outcome.describe()
            for outcome in outcomes
            if outcome.hung
            or not isinstance(outcome.error, expected)
            or outcome.seconds > self._bound()
        ]
        names = ", ".join(cls.__name__ for cls in expected)
        assert not problems, (
            f"with the server {fault}, every call must raise {names} within "
            f"{self._bound():.1f} s:\n  " + "\n  ".join(problems)
        )
        return outcomes

    def _wait_until_works(self, store: BlobStore) -> None:
        """Give the recovered server the time a pool needs to notice (bounded), then require it."""
        deadline = time.monotonic() + self._bound()
        while True:
            try:
                "kept-0" in store  # noqa: B015 - the call is the point: it must not raise
                return
            except StoreError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    # ----------------------------------------------------------------- tests
    @RELIABILITY_MARK
    def test_stopped_server_fails_every_call_in_time_then_the_store_recovers(
        self, store: BlobStore, fault_server: ControllableServer, tmp_path: Path
    ) -> None:
        before = self._before()
        store.put_many(before)
        store.get("kept-0")  # the store holds a connection to the server now
        fault_server.stop()
        try:
            self._run_calls(store, tmp_path, self.stopped_errors, "stopped")
        finally:
            fault_server.start()
        # The same store object works again, and nothing a failed call tried was applied: the
        # server was down before any of them started.
        assert store.get("kept-0") == before["kept-0"]
        self._check_contents(store, {key: {value} for key, value in before.items()}, before)
        store.put("after", b"works")
        assert store.get("after") == b"works"

    @RELIABILITY_MARK
    def test_server_restarted_while_the_store_idles_every_next_call_works(
        self, store: BlobStore, fault_server: ControllableServer, tmp_path: Path
    ) -> None:
        # The store's connections were closed by the server while nobody used them: the first
        # calls afterwards must not fail for that (reconnect, or check a connection first).
        before = self._before()
        store.put_many(before)
        # Every call at once, so that a pooling store holds several connections, each of which
        # the restart ends.
        errors: list[BaseException] = []

        def run(call: Callable[[], object]) -> None:
            try:
                call()
            except BaseException as error:  # reported to the test thread
                errors.append(error)

        threads = [
            threading.Thread(target=run, args=(call,), daemon=True)
            for call in self._calls(store, tmp_path).values()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(self._patience())
        assert not errors, f"calls to a running server failed: {errors!r}"
        store.put_many(before)
        fault_server.stop()
        fault_server.start()
        failed = [
            outcome.describe()
            for outcome in (
                call_with_deadline(name, call, self._patience())
                for name, call in self._calls(store, tmp_path).items()
            )
            if outcome.hung or outcome.error is not None
        ]
        assert not failed, "after a restart while idle:\n  " + "\n  ".join(failed)

    @RELIABILITY_MARK
    def test_paused_server_times_out_every_call_then_the_store_recovers(
        self, store: BlobStore, fault_server: ControllableServer, tmp_path: Path
    ) -> None:
        before = self._before()
        store.put_many(before)
        store.get("kept-0")
        fault_server.pause()
        try:
            self._run_calls(store, tmp_path, self.paused_errors, "paused (SIGSTOP)")
        finally:
            fault_server.resume()
        self._wait_until_works(store)
        # A write that timed out may still have been carried out when the server continued:
        # then wholly, never in part.
        self._check_contents(store, self._allowed(store, before), {"kept-2": b""})
        store.put("after", b"works")
        assert store.get("after") == b"works"

    def _in_flight(
        self, store: BlobStore, fault: Callable[[], None], heal: Callable[[], None]
    ) -> tuple[list[int], list[int], list[BaseException], list[float]]:
        """Write values one after another; hit the server with ``fault`` while a put runs."""
        size = self.in_flight_value_size
        done: list[int] = []
        attempted: list[int] = []
        stop = threading.Event()
        failure: list[BaseException] = []
        elapsed: list[float] = []

        def writer() -> None:
            number = 0
            while not stop.is_set():
                number = number % 255 + 1  # each value is one byte, 1 to 255, repeated
                attempted.append(number)
                began = time.monotonic()
                try:
                    store.put("in-flight", bytes([number]) * size)
                except BaseException as error:
                    elapsed.append(time.monotonic() - began)
                    failure.append(error)
                    return
                done.append(number)

        thread = threading.Thread(target=writer, name="fault-writer", daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while len(done) < 3 and thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.005)
            assert len(done) >= 3, f"the writer did not get going: {failure!r}"
            fault()
            thread.join(self._patience())
            hung = thread.is_alive()
        finally:
            stop.set()
            heal()
        thread.join(self._patience())
        assert not hung, "a put in flight when the fault hit hangs"
        return done, attempted, failure, elapsed

    def _check_in_flight(
        self,
        store: BlobStore,
        done: list[int],
        attempted: list[int],
        failure: list[BaseException],
        elapsed: list[float],
        expected: tuple[type[StoreError], ...],
    ) -> None:
        assert failure, "no put failed although the server went away while they ran"
        assert isinstance(failure[0], expected), (
            f"the put in flight raised {type(failure[0]).__name__}: {failure[0]}"
        )
        assert elapsed[0] <= self._bound(), (
            f"the put in flight took {elapsed[0]:.1f} s to fail (bound {self._bound():.1f} s)"
        )
        self._wait_until_works(store)
        value = store.get("in-flight")
        size = self.in_flight_value_size
        whole = len(value) == size and not value.strip(value[:1])
        assert whole, f"a partial value is visible: {len(value)} bytes, {value[:8]!r}..."
        # The last completed put, or the one that failed (carried out before the fault hit).
        assert value[0] in (done[-1], attempted[-1]), (
            f"'in-flight' holds value {value[0]}, not the last written ({done[-1]}) or the "
            f"one in flight ({attempted[-1]})"
        )
        store.put("in-flight", b"works")
        assert store.get("in-flight") == b"works"

    @RELIABILITY_MARK
    def test_put_in_flight_when_the_server_stops_is_whole_or_absent(
        self, store: BlobStore, fault_server: ControllableServer
    ) -> None:
        outcome = self._in_flight(store, fault_server.stop, fault_server.start)
        self._check_in_flight(store, *outcome, self.stopped_errors)

    @RELIABILITY_MARK
    def test_put_in_flight_when_the_server_pauses_is_whole_or_absent(
        self, store: BlobStore, fault_server: ControllableServer
    ) -> None:
        outcome = self._in_flight(store, fault_server.pause, fault_server.resume)
        self._check_in_flight(store, *outcome, self.paused_errors)

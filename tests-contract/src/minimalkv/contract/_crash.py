"""Crash safety: writers killed at random moments leave whole values and no listed temporaries."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

import pytest
from minimalkv import BlobStore

from ._base import ContractBase, MiB
from ._marks import RELIABILITY_MARK
from ._recipe import StoreRecipe

__all__ = ["CrashSafetyContract"]

_ANSWER_SECONDS = 120.0
"""How long the test waits for any answer of the launcher before it calls it hung."""
_ValueId = tuple[int, int]
"""A written value: (writer, write number)."""


@dataclass
class _KeyState:
    """What a key may hold after a kill."""

    completed: _ValueId | None = None
    """The value of the last write of the key that returned (or that a check found)."""
    pending: set[_ValueId] = field(default_factory=set)
    """Writes of the key that were killed since: each may or may not have landed."""

    def allows(self, found: _ValueId | None) -> bool:
        if found is None:
            return self.completed is None
        return found == self.completed or found in self.pending

    def describe(self) -> str:
        text = "absent" if self.completed is None else _name(self.completed)
        if self.pending:
            text += " or " + " or ".join(_name(value) for value in sorted(self.pending))
        return text


def _name(value: _ValueId) -> str:
    return f"the value of writer {value[0]}, write {value[1]}"


class _Launcher:
    """The launcher process (see ``_crash_process``), spoken to in JSON lines."""

    def __init__(self, recipe: StoreRecipe, scratch: Path) -> None:
        self._stderr_path = scratch / "launcher.stderr"
        self._stderr = self._stderr_path.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "minimalkv.contract._crash_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._buffer = b""
        try:
            self.send({"recipe": recipe.to_json(), "path": sys.path})
            answer = self.receive()
            assert "ready" in answer, f"the launcher cannot prepare {recipe}: {answer.get('error')}"
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> _Launcher:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, message: dict[str, Any]) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(json.dumps(message).encode() + b"\n")
        stdin.flush()

    def receive(self) -> dict[str, Any]:
        stdout = self._process.stdout
        assert stdout is not None
        deadline = time.monotonic() + _ANSWER_SECONDS
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready = select.select([stdout], [], [], max(remaining, 0))[0] if remaining > 0 else []
            if not ready:
                raise AssertionError(
                    f"the crash-test launcher gave no answer in {_ANSWER_SECONDS:.0f} s"
                    f"{self.stderr_tail()}"
                )
            chunk = os.read(stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"the crash-test launcher ended{self.stderr_tail()}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(line)
        return message

    def stderr_tail(self) -> str:
        self._stderr.flush()
        text = self._stderr_path.read_bytes()[-2000:].decode(errors="replace").strip()
        return f"; its error output: {text}" if text else ""

    def close(self) -> None:
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._stderr.close()


@dataclass
class _Round:
    """One writer's run, read back from its log after the kill."""

    completed: list[tuple[int, str, list[str]]]
    in_flight: tuple[int, str, list[str]] | None
    error: str | None


def _read_log(path: Path) -> _Round:
    completed: list[tuple[int, str, list[str]]] = []
    started: tuple[int, str, list[str]] | None = None
    error = None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    # A record the kill cut short has no line end: that call was not logged as begun (it had
    # not started) or as ended (it may have landed), which is what the lack of it means.
    for line in data.split(b"\n")[:-1]:
        entry = json.loads(line)
        if entry[0] == "B":
            started = (entry[1], entry[2], entry[3])
        elif entry[0] == "E":
            assert started is not None, f"log out of order: {entry}"
            assert started[0] == entry[1], f"log out of order: {entry}"
            completed.append(started)
            started = None
        else:
            error = str(entry[1])
    return _Round(completed, started, error)


class CrashSafetyContract(ContractBase):
    """Writers killed with SIGKILL at random moments never leave a torn value (opt-in).

    Marked ``reliability``. A fresh process (forked from a launcher that has imported the
    store's modules and opened nothing) opens the store from :meth:`store_recipe`, writes and
    overwrites :attr:`crash_keys` through ``put``, ``put_file`` (a stream and a path) and
    ``put_many`` with values of :attr:`crash_value_sizes`, and is killed after a random delay;
    :attr:`crash_kills` times. After each kill another fresh process opens the store and
    checks that:

    - only keys of :attr:`crash_keys` are listed (no temporary), each listed key is readable
      and each readable key is listed;
    - every value is whole: exactly a value the writers put under that key;
    - no write that returned is lost or undone: a key holds the value of its last write that
      returned, or of a killed write that began after it (which may or may not have landed);
      a key whose every write was killed may be absent.

    Then :meth:`clean_leftovers` runs on a store the test opens, and :meth:`leftovers` must be
    empty. The delays are drawn from :attr:`crash_seed` (random when None); a failure names
    the seed, the kill, the delay, the key and what was found.
    """

    crash_kills: ClassVar[int] = 200
    """Writers killed per run."""

    crash_keys: ClassVar[tuple[str, ...]] = ("crash-a", "crash-b", "crash-c", "crash-d")
    """The keys the writers write and overwrite (valid keys of the store)."""

    crash_max_delay: ClassVar[float] = 0.05
    """Seconds after its start at which a writer is killed, at most (the delay is uniform)."""

    crash_value_sizes: ClassVar[tuple[int, int]] = (64, 4 * MiB)
    """Smallest and largest value written; sizes between are log-uniform."""

    crash_min_in_flight: ClassVar[float] = 0.5
    """Share of the kills that must land inside a writing call, or the test is not testing.

    Raise :attr:`crash_max_delay` or the value sizes if a store's calls are too short to be
    hit this often.
    """

    crash_seed: ClassVar[int | None] = None
    """Seed of the delays and of the writers' choices; None draws one per run."""

    @pytest.fixture
    def store_recipe(self) -> StoreRecipe:
        """Return how another process opens the store. Every crash suite overrides it.

        The store must be empty at the start and must be the same store for every process
        that follows the recipe (a directory, a database file, a server's database).
        """
        raise NotImplementedError(
            f"{type(self).__name__} must define the fixture store_recipe: "
            "@pytest.fixture def store_recipe(self, tmp_path): "
            "return StoreRecipe.from_url(f'fs://{tmp_path}/store')"
        )

    def clean_leftovers(self, store: BlobStore) -> None:
        """Remove what killed writers left behind, as an operator would; default: nothing.

        A filesystem store removes its temporary files here
        (``remove_stale_temporaries(older_than=0)``). It runs after every kill, when no
        writer is running.
        """

    def leftovers(self, store: BlobStore) -> list[str]:
        """Name what killed writers left behind (temporary files, rows, keys); default: none.

        Read before :meth:`clean_leftovers` (counted) and after it (must be empty).
        """
        return []

    @RELIABILITY_MARK
    def test_killed_writers_leave_whole_values(
        self,
        store_recipe: StoreRecipe,
        tmp_path: Path,
        request: pytest.FixtureRequest,
    ) -> None:
        if not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"):
            pytest.skip("the crash-safety test forks writers and kills them with SIGKILL")
        seed = self.crash_seed
        if seed is None:
            seed = random.SystemRandom().randrange(2**32)
        scratch = tmp_path / "crash-scratch"
        scratch.mkdir()
        started = time.monotonic()
        with _Launcher(store_recipe, scratch) as launcher:
            stats = self._run_kills(store_recipe, launcher, scratch, seed)
        # Quiet figures for reports (junit XML properties): kills, kills inside a call, ...
        properties = request.node.user_properties
        properties.append(("crash_seed", seed))
        properties.append(("crash_seconds", round(time.monotonic() - started, 2)))
        properties.extend((f"crash_{name}", value) for name, value in stats.items())
        share = stats["in_flight"] / stats["kills"]
        assert share >= self.crash_min_in_flight, (
            f"only {stats['in_flight']} of {stats['kills']} kills landed inside a writing call "
            f"(seed {seed}); raise crash_max_delay or crash_value_sizes"
        )

    def _run_kills(
        self, recipe: StoreRecipe, launcher: _Launcher, scratch: Path, seed: int
    ) -> dict[str, int]:
        rng = random.Random(seed)
        keys = list(self.crash_keys)
        states = {key: _KeyState() for key in keys}
        stats = {"kills": 0, "in_flight": 0, "writes": 0, "leftovers": 0}
        for kill in range(1, self.crash_kills + 1):
            delay = rng.uniform(0, self.crash_max_delay)
            log = scratch / f"writer-{kill}.log"
            launcher.send(
                {
                    "write": {
                        "round": kill,
                        "seed": rng.getrandbits(32),
                        "keys": keys,
                        "sizes": list(self.crash_value_sizes),
                        "log": str(log),
                        "scratch": str(scratch),
                    }
                }
            )
            where = (
                f"seed {seed} (set crash_seed = {seed} to replay), kill {kill} of "
                f"{self.crash_kills}, due {delay * 1000:.1f} ms after the writer's start"
            )
            answer = launcher.receive()
            if "started" not in answer:
                if "failed" in answer:
                    launcher.send({"reap": answer["failed"]})
                    launcher.receive()
                raise AssertionError(
                    f"{where}: the writer did not start: {answer.get('error', answer)}"
                )
            pid = int(answer["started"])
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)
            launcher.send({"reap": pid})
            reaped = launcher.receive()
            run = _read_log(log)
            log.unlink(missing_ok=True)
            for source in scratch.glob("source-*"):
                source.unlink()
            assert run.error is None, f"{where}: the writer failed before the kill:\n{run.error}"
            assert reaped.get("signal") == signal.SIGKILL, (
                f"{where}: the writer was not ended by the kill: {reaped}"
            )
            stats["kills"] += 1
            stats["writes"] += len(run.completed)
            stats["in_flight"] += run.in_flight is not None
            self._record(run, kill, states)
            launcher.send({"check": keys})
            answer = launcher.receive()
            assert "checked" in answer, f"{where}: the checker did not answer: {answer}"
            self._judge(answer["checked"], states, where, run)
            stats["leftovers"] += self._clean(recipe, where)
        return stats

    @staticmethod
    def _record(run: _Round, kill: int, states: dict[str, _KeyState]) -> None:
        for seq, _, keys in run.completed:
            for key in keys:
                states[key].completed = (kill, seq)
                states[key].pending.clear()
        if run.in_flight is not None:
            seq, _, keys = run.in_flight
            for key in keys:
                states[key].pending.add((kill, seq))

    def _judge(
        self, checked: dict[str, Any], states: dict[str, _KeyState], where: str, run: _Round
    ) -> None:
        assert "error" not in checked, f"{where}: checking the store failed:\n{checked['error']}"
        doing = (
            f"the writer was in {run.in_flight[1]} of {run.in_flight[2]} (write {run.in_flight[0]})"
            if run.in_flight is not None
            else "the writer was between calls"
        ) + f" after {len(run.completed)} writes that returned"
        listed: list[str] = checked["listed"]
        found: dict[str, list[int] | str | None] = checked["found"]
        foreign = sorted(set(listed) - set(states))
        assert not foreign, f"{where}: keys() lists {foreign}, which no writer wrote; {doing}"
        present = sorted(key for key, value in found.items() if value is not None)
        assert sorted(listed) == present, (
            f"{where}: keys() lists {sorted(listed)} but get finds {present}; {doing}"
        )
        for key, value in found.items():
            state = states[key]
            assert not isinstance(value, str), (
                f"{where}: key {key!r} holds a value that is not whole: {value}; it may hold "
                f"{state.describe()}; {doing}"
            )
            seen = None if value is None else (int(value[0]), int(value[1]))
            assert state.allows(seen), (
                f"{where}: key {key!r} holds {'nothing' if seen is None else _name(seen)}, but "
                f"it may hold only {state.describe()}; {doing}"
            )
            if seen is not None and seen != state.completed:
                # A killed write that landed is the value from now on; killed writes older
                # than it can no longer land (writes are numbered in the order they began).
                state.completed = seen
                state.pending = {value for value in state.pending if value > seen}

    def _clean(self, recipe: StoreRecipe, where: str) -> int:
        store = recipe.open()
        try:
            before = self.leftovers(store)
            self.clean_leftovers(store)
            after = self.leftovers(store)
        finally:
            store.close()
        assert not after, f"{where}: after clean_leftovers these are left: {after}"
        return len(before)

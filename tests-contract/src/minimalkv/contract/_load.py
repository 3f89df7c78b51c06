"""Load: threads (and processes) doing mixed operations for a while, checked against a model.

Every worker thread owns a set of keys and keeps a model of them (the value it last wrote, or
nothing): each read of an owned key must agree with the model at once, and at the end the store
must hold exactly the union of every worker's model. All workers also write and read a few
shared keys whose values describe themselves, so a read that mixes two writes is detected.
A second process (for stores that another process can open, see :class:`StoreRecipe`) runs the same
workers on keys of its own and reports its model back.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from minimalkv import BlobStore, KeyNotFoundError, SupportsCopy, capabilities_of

from ._base import ContractBase, StoreFactory
from ._marks import RELIABILITY_MARK
from ._recipe import StoreRecipe

__all__ = ["LOAD_SECONDS_VARIABLE", "LoadContract", "LoadFigures"]

LOAD_SECONDS_VARIABLE: Final = "MINIMALKV_LOAD_SECONDS"
"""Environment variable that overrides :attr:`LoadContract.load_seconds` (for quick local runs)."""

REPORT_VARIABLE: Final = "MINIMALKV_RELIABILITY_REPORT"
"""When set, the load test appends its figures as one JSON line to the file it names."""

SHARED_KEYS: Final = ("load-shared-0", "load-shared-1", "load-shared-2")


@dataclass
class LoadFigures:
    """What a load run did: operations by kind, errors, and the model each worker kept."""

    operations: Counter[str] = field(default_factory=Counter)
    """Completed calls by operation name."""

    errors: list[str] = field(default_factory=list)
    """One line per unexpected exception or wrong answer, with operation and key."""

    model: dict[str, str] = field(default_factory=dict)
    """SHA-256 (hex) of the value each owned key must hold at the end."""

    def merge(self, other: LoadFigures) -> None:
        """Add ``other``'s operations, errors and model to this one."""
        self.operations.update(other.operations)
        self.errors.extend(other.errors)
        self.model.update(other.model)

    def to_json(self) -> str:
        """Return the figures as one line of JSON (what a child process prints)."""
        return json.dumps(
            {"operations": dict(self.operations), "errors": self.errors, "model": self.model}
        )

    @classmethod
    def from_json(cls, text: str) -> LoadFigures:
        """Read figures printed by :meth:`to_json`."""
        data = json.loads(text)
        return cls(Counter(data["operations"]), list(data["errors"]), dict(data["model"]))


def _digest(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


def _shared_value(worker: str, sequence: int, size: int) -> bytes:
    """Return a value that describes itself: ``worker:sequence:size:``, ``size`` equal bytes."""
    return f"{worker}:{sequence}:{size}:".encode() + bytes([sequence % 251]) * size


def _shared_value_is_whole(value: bytes) -> bool:
    parts = value.split(b":", 3)
    if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit():
        return False
    sequence, size, body = int(parts[1]), int(parts[2]), parts[3]
    return len(body) == size and body == bytes([sequence % 251]) * size


class _Worker:
    """One thread's share of the load: its own keys, its model, its counters."""

    def __init__(
        self,
        store: BlobStore,
        name: str,
        *,
        seed: int,
        keys: int,
        max_value: int,
        copy: bool,
    ) -> None:
        self.store = store
        self.name = name
        self.prefix = f"load-{name}-"
        self.keys = [f"{self.prefix}{index:03d}" for index in range(keys)]
        self.random = random.Random(seed)
        self.max_value = max_value
        self.model: dict[str, bytes] = {}
        self.figures = LoadFigures()
        self.sequence = 0
        self.copier = store if copy and isinstance(store, SupportsCopy) else None
        operations: list[tuple[Callable[[], None], int]] = [
            (self.put, 20),
            (self.put_file, 8),
            (self.put_many, 5),
            (self.get, 20),
            (self.open, 6),
            (self.contains, 6),
            (self.delete, 6),
            (self.delete_many, 2),
            (self.get_many, 6),
            (self.list_keys, 4),
            (self.metadata, 4),
            (self.put_shared, 5),
            (self.get_shared, 5),
        ]
        if self.copier is not None:
            operations += [(self.copy, 3), (self.move, 2)]
        self.operations = [operation for operation, _ in operations]
        self.weights = [weight for _, weight in operations]

    def _value(self) -> bytes:
        self.sequence += 1
        size = self.random.choice((0, 1, 100, 4096, self.random.randrange(self.max_value + 1)))
        return f"{self.name}:{self.sequence}:".encode() + os.urandom(size)

    def _key(self) -> str:
        return self.random.choice(self.keys)

    def _wrong(self, operation: str, key: object, found: object, expected: object) -> None:
        self.figures.errors.append(
            f"{self.name} {operation}({key!r}): got {_short(found)}, model says {_short(expected)}"
        )

    def _check_read(self, operation: str, key: str, read: Callable[[], bytes]) -> None:
        expected = self.model.get(key)
        try:
            found: bytes | None = read()
        except KeyNotFoundError:
            found = None
        if found != expected:
            self._wrong(operation, key, found, expected)

    def put(self) -> None:
        key, value = self._key(), self._value()
        self.store.put(key, value)
        self.model[key] = value

    def put_file(self) -> None:
        key, value = self._key(), self._value()
        self.store.put_file(key, io.BytesIO(value))
        self.model[key] = value

    def put_many(self) -> None:
        items = {key: self._value() for key in self.random.sample(self.keys, 3)}
        self.store.put_many(items)
        self.model.update(items)

    def get(self) -> None:
        key = self._key()
        self._check_read("get", key, lambda: self.store.get(key))

    def open(self) -> None:
        key = self._key()

        def read() -> bytes:
            with self.store.open(key) as handle:
                return handle.read()

        self._check_read("open", key, read)

    def contains(self) -> None:
        key = self._key()
        found = key in self.store
        if found != (key in self.model):
            self._wrong("in", key, found, key in self.model)

    def delete(self) -> None:
        key = self._key()
        self.store.delete(key)
        self.model.pop(key, None)

    def delete_many(self) -> None:
        keys = self.random.sample(self.keys, 3)
        self.store.delete_many(keys)
        for key in keys:
            self.model.pop(key, None)

    def get_many(self) -> None:
        keys = self.random.sample(self.keys, 4)
        found = self.store.get_many(keys)
        expected = {key: self.model[key] for key in keys if key in self.model}
        if found != expected:
            self._wrong("get_many", keys, sorted(found), sorted(expected))

    def list_keys(self) -> None:
        found = sorted(self.store.keys(self.prefix))
        if found != sorted(self.model):
            self._wrong("keys", self.prefix, found, sorted(self.model))

    def metadata(self) -> None:
        key = self._key()
        expected = self.model.get(key)
        try:
            size: int | None = self.store.metadata(key).size
        except KeyNotFoundError:
            size = None
        if size != (None if expected is None else len(expected)):
            self._wrong("metadata", key, size, None if expected is None else len(expected))

    def copy(self) -> None:
        source, dest = self.random.sample(self.keys, 2)
        if source not in self.model:
            self._check_read("copy", source, lambda: self.store.get(source))
            return
        assert self.copier is not None
        self.copier.copy(source, dest)
        self.model[dest] = self.model[source]

    def move(self) -> None:
        source, dest = self.random.sample(self.keys, 2)
        if source not in self.model:
            self._check_read("move", source, lambda: self.store.get(source))
            return
        assert self.copier is not None
        self.copier.move(source, dest)
        self.model[dest] = self.model.pop(source)

    def put_shared(self) -> None:
        self.sequence += 1
        size = self.random.choice((0, 10, 4096, 65536))
        self.store.put(
            self.random.choice(SHARED_KEYS), _shared_value(self.name, self.sequence, size)
        )

    def get_shared(self) -> None:
        key = self.random.choice(SHARED_KEYS)
        try:
            value = self.store.get(key)
        except KeyNotFoundError:
            return
        if not _shared_value_is_whole(value):
            self.figures.errors.append(f"{self.name} get({key!r}): torn value {_short(value)}")

    def run(self, deadline: float) -> LoadFigures:
        """Do random operations until ``deadline`` (``time.monotonic``); return the figures."""
        while time.monotonic() < deadline:
            operation = self.random.choices(self.operations, self.weights)[0]
            try:
                operation()
            except Exception as error:  # every failure is a finding of the load test
                self.figures.errors.append(
                    f"{self.name} {operation.__name__}: {type(error).__module__}."
                    f"{type(error).__qualname__}: {error}"
                )
                # the call may or may not have taken effect: resynchronise with the store
                self._resync()
            else:
                self.figures.operations[operation.__name__] += 1
        self.figures.model = {key: _digest(value) for key, value in self.model.items()}
        return self.figures

    def _resync(self) -> None:
        try:
            self.model = self.store.get_many(self.keys)
        except Exception as error:  # reported; the next operation will tell more
            self.figures.errors.append(f"{self.name} resync: {type(error).__name__}: {error}")


def run_workers(
    store: BlobStore,
    *,
    process: int,
    threads: int,
    seconds: float,
    seed: int,
    keys: int,
    max_value: int,
) -> LoadFigures:
    """Run ``threads`` workers named ``p{process}t{n}`` on ``store`` for ``seconds``."""
    copy = capabilities_of(store).copy
    workers = [
        _Worker(
            store,
            f"p{process}t{number}",
            seed=seed * 1000 + process * 100 + number,
            keys=keys,
            max_value=max_value,
            copy=copy,
        )
        for number in range(threads)
    ]
    deadline = time.monotonic() + seconds
    results: list[LoadFigures] = []
    crashes: list[str] = []

    def run(worker: _Worker) -> None:
        try:
            results.append(worker.run(deadline))
        except BaseException as error:  # a worker must never die silently
            crashes.append(f"{worker.name} died: {type(error).__name__}: {error}")

    pool = [threading.Thread(target=run, args=(worker,), daemon=True) for worker in workers]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=seconds + 300)
    figures = LoadFigures(errors=crashes)
    figures.errors.extend(f"{t.name} still running" for t in pool if t.is_alive())
    for result in results:
        figures.merge(result)
    return figures


def _child_main() -> None:
    """Entry of a second load process: arguments as JSON on argv[1], figures on stdout."""
    arguments = json.loads(sys.argv[1])
    with StoreRecipe.from_json(arguments.pop("recipe")).open() as store:
        figures = run_workers(store, **arguments)
    sys.stdout.write(figures.to_json())


class LoadContract(ContractBase):
    """Many threads (and, for shared stores, two processes) under mixed load (opt-in).

    Marked ``reliability``. For :attr:`load_seconds`, :attr:`load_threads` threads per process
    call every public method (copy and move when offered) on keys of their own and on shared
    keys. The test fails on any exception, on any read that disagrees with the thread's model,
    on any torn shared value, and unless the store ends holding exactly every thread's model:
    zero errors, zero lost writes.
    """

    load_seconds: ClassVar[float] = 60.0
    """How long the load runs (``MINIMALKV_LOAD_SECONDS`` overrides it for quick runs)."""

    load_threads: ClassVar[int] = 8
    """Worker threads in each process."""

    load_processes: ClassVar[int] = 1
    """Processes doing the load; more than one needs :meth:`load_recipe`."""

    load_keys_per_thread: ClassVar[int] = 12
    """Keys each worker owns."""

    load_max_value: ClassVar[int] = 64 * 1024
    """Largest random value size (besides 0, 1, 100 and 4096 bytes)."""

    def load_recipe(self, store: BlobStore) -> StoreRecipe:
        """Return how another process opens ``store`` itself (the same directory, file, ...).

        Needed when :attr:`load_processes` is more than 1, e.g.
        ``StoreRecipe.from_url(f"fs://{store.root}")``. The default raises.
        """
        raise NotImplementedError(
            f"{type(self).__name__} sets load_processes={self.load_processes} and must "
            "override load_recipe(store) to say how another process opens the same store"
        )

    @RELIABILITY_MARK
    def test_mixed_load_loses_nothing(
        self, store_factory: StoreFactory, record_property: Callable[[str, object], None]
    ) -> None:
        seconds = float(os.environ.get(LOAD_SECONDS_VARIABLE, self.load_seconds))
        seed = random.randrange(1 << 30)
        store = store_factory()
        try:
            figures = self._run_load(store, seconds, seed)
            self._check_final_state(store, figures)
        finally:
            store.close()
        record_property("load_operations", sum(figures.operations.values()))
        _report(type(self).__name__, seconds, self.load_threads, self.load_processes, figures)
        assert not figures.errors, (
            f"{len(figures.errors)} errors under load (seed {seed}); first ones:\n"
            + "\n".join(figures.errors[:10])
        )
        assert figures.operations, "the load did nothing"

    def _run_load(self, store: BlobStore, seconds: float, seed: int) -> LoadFigures:
        common: dict[str, Any] = {
            "threads": self.load_threads,
            "seconds": seconds,
            "seed": seed,
            "keys": self.load_keys_per_thread,
            "max_value": self.load_max_value,
        }
        recipe = self.load_recipe(store) if self.load_processes > 1 else None
        children = [
            subprocess.Popen(  # noqa: S603 - this interpreter running this module
                [
                    sys.executable,
                    "-c",
                    "from minimalkv.contract._load import _child_main; _child_main()",
                    json.dumps({"recipe": recipe.to_json(), "process": number, **common}),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for number in range(1, self.load_processes)
            if recipe is not None
        ]
        try:
            figures = run_workers(store, process=0, **common)
            for number, child in enumerate(children, start=1):
                out, err = child.communicate(timeout=seconds + 300)
                if child.returncode != 0:
                    figures.errors.append(
                        f"load process {number} exited with {child.returncode}: "
                        f"{err.decode(errors='replace')[-2000:]}"
                    )
                    continue
                figures.merge(LoadFigures.from_json(out.decode()))
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
        return figures

    def _check_final_state(self, store: BlobStore, figures: LoadFigures) -> None:
        """Record an error unless the store holds every model exactly and whole shared values."""
        listed = set(store.keys("load-"))
        owned = listed - set(SHARED_KEYS)
        if owned != set(figures.model):
            lost = sorted(set(figures.model) - owned)
            extra = sorted(owned - set(figures.model))
            figures.errors.append(
                f"at the end: lost keys {lost[:10]}, unexpected keys {extra[:10]}"
            )
        for key, digest in sorted(figures.model.items()):
            try:
                found = _digest(store.get(key))
            except KeyNotFoundError:
                continue  # reported as lost above
            if found != digest:
                figures.errors.append(f"at the end: {key!r} does not hold its last written value")
        for key in sorted(listed & set(SHARED_KEYS)):
            if not _shared_value_is_whole(store.get(key)):
                figures.errors.append(f"at the end: shared key {key!r} holds a torn value")


def _report(suite: str, seconds: float, threads: int, processes: int, figures: LoadFigures) -> None:
    path = os.environ.get(REPORT_VARIABLE)
    if not path:
        return
    line = {
        "test": "load",
        "suite": suite,
        "seconds": seconds,
        "threads": threads,
        "processes": processes,
        "operations": sum(figures.operations.values()),
        "by_operation": dict(sorted(figures.operations.items())),
        "errors": len(figures.errors),
    }
    with open(path, "a", encoding="utf-8") as report:
        report.write(json.dumps(line) + "\n")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."

"""Concurrent writers and readers: every value read is one value written, whole."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

from minimalkv import BlobStore, KeyNotFoundError

from ._base import ContractBase

__all__ = ["ConcurrencyContract"]

SHARED_KEYS = ("shared-0", "shared-1", "shared-2")


def _run_threads(targets: list[Callable[[], None]]) -> list[BaseException]:
    """Start every target at once (a barrier), join them, return what they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def wrap(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                barrier.wait()
                target()
            except BaseException as exc:  # reported to the test thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=wrap(target), daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    return errors


class ConcurrencyContract(ContractBase):
    """Threads writing the same keys never produce a mixed or truncated value."""

    def test_concurrent_writers_leave_whole_values(self, store: BlobStore) -> None:
        size = self.concurrency_value_size
        writers = self.concurrency_writers
        rounds = self.concurrency_rounds
        assert writers * rounds <= 255, "every written value needs its own byte"
        plans: list[list[tuple[str, int]]] = [
            [
                (SHARED_KEYS[(writer + turn) % len(SHARED_KEYS)], 1 + writer * rounds + turn)
                for turn in range(rounds)
            ]
            for writer in range(writers)
        ]
        written: dict[str, set[int]] = {key: set() for key in SHARED_KEYS}
        for plan in plans:
            for key, byte in plan:
                written[key].add(byte)
        bad: list[str] = []
        done = threading.Event()

        def check(key: str, value: bytes, how: str) -> None:
            if len(value) != size or value.strip(value[:1]) or value[0] not in written[key]:
                head = value[:8]
                bad.append(f"{how}({key!r}) gave {len(value)} bytes starting {head!r}")

        def writer_task(number: int) -> Callable[[], None]:
            def write() -> None:
                for key, byte in plans[number]:
                    value = bytes([byte]) * size
                    if number % 2:
                        store.put_file(key, io.BytesIO(value))
                    else:
                        store.put(key, value)

            return write

        def reader() -> None:
            while not done.is_set():
                for key in SHARED_KEYS:
                    try:
                        check(key, store.get(key), "get")
                        with store.open(key) as file:
                            check(key, file.read(), "open")
                    except KeyNotFoundError:
                        continue

        write_tasks = [writer_task(number) for number in range(writers)]

        def all_writers() -> None:
            try:
                errors = _run_threads(write_tasks)
                if errors:
                    raise errors[0]
            finally:
                done.set()

        errors = _run_threads([all_writers, reader, reader])
        assert not errors, f"threads raised: {errors!r}"
        assert not bad, "; ".join(bad[:5])
        for key in SHARED_KEYS:
            check(key, store.get(key), "final get")
        assert not bad, "; ".join(bad[:5])
        assert sorted(store.keys()) == sorted(SHARED_KEYS)

    def test_concurrent_writers_on_distinct_keys_lose_nothing(self, store: BlobStore) -> None:
        per_writer = 10

        def writer(number: int) -> Callable[[], None]:
            def write() -> None:
                for index in range(per_writer):
                    store.put(f"w{number}-{index}", f"{number}:{index}".encode())

            return write

        errors = _run_threads([writer(number) for number in range(self.concurrency_writers)])
        assert not errors, f"threads raised: {errors!r}"
        expected = {
            f"w{number}-{index}": f"{number}:{index}".encode()
            for number in range(self.concurrency_writers)
            for index in range(per_writer)
        }
        assert sorted(store.keys()) == sorted(expected)
        assert store.get_many(list(expected)) == expected

"""secret_texts collects the store's log records, not those of threads already running."""

from __future__ import annotations

import logging
import threading

from minimalkv import BlobStore
from minimalkv.contract import secret_texts


def test_records_of_threads_already_running_are_not_the_stores() -> None:
    stop = threading.Event()
    started = threading.Event()

    def heartbeat() -> None:  # another client's monitor, logging all the time
        while not stop.is_set():
            logging.getLogger("other.client").debug("heartbeat 48000000")
            started.set()
            stop.wait(0.001)

    def operate(store: BlobStore) -> None:
        logging.getLogger("store.caller").warning("from the caller")
        worker = threading.Thread(
            target=lambda: logging.getLogger("store.worker").warning("from a worker")
        )
        worker.start()
        worker.join()
        stop.wait(0.05)  # heartbeats happen meanwhile

    monitor = threading.Thread(target=heartbeat, daemon=True)
    monitor.start()
    started.wait(5)
    try:
        texts = secret_texts("memory://", operate)
    finally:
        stop.set()
        monitor.join()
    joined = "\n".join(texts)
    assert "store.caller WARNING from the caller" in joined
    assert "store.worker WARNING from a worker" in joined
    assert "heartbeat" not in joined


def test_a_digit_piece_inside_another_number_is_no_leak() -> None:
    from minimalkv.contract._secrets import _shows

    forms = ("0000", "0000")
    assert not _shows("0000", "Timeout: 0.298712660000092s", forms)
    assert _shows("0000", "redis://:0000@host", forms)
    assert _shows("0000", "password 0000", forms)
    long_secret = ("x00001234y", "x00001234y")
    assert _shows("0000", "the password was 00001234", long_secret)  # part of the secret
    assert not _shows("0000", "id 900001", long_secret)
    assert _shows("x000", "x0000", ("x000",))  # not digits only: always counts

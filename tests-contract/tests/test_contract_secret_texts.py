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

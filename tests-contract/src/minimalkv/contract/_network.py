"""Network peers that fail on purpose, for fault tests of server backends."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

__all__ = ["closed_port", "silent_server"]


def closed_port() -> int:
    """Return a loopback TCP port nothing listens on (connecting to it is refused).

    The port was free a moment ago; another process could take it, which a test on a busy
    machine may accept as a rare, loud failure rather than a silent one.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """Run a loopback TCP server that accepts connections and never answers; yield its port.

    It stands for a paused or overloaded database server: a client connects, then waits for
    an answer that never comes, so only its timeouts can end the wait. Everything it opened is
    closed when the block exits.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []

    def accept() -> None:
        try:
            while True:
                accepted.append(listener.accept()[0])
        except OSError:
            return  # the listener was closed

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        thread.join(timeout=5)
        for connection in accepted:
            connection.close()

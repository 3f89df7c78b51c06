"""A client-side deadline on each call's use of a connection, for drivers without a read timeout.

psycopg (and libpq) can bound connecting (``connect_timeout``) but not waiting for an answer:
``statement_timeout`` is enforced by the server, which a hung or SIGSTOPped server never does,
and TCP keepalives and ``tcp_user_timeout`` never fire against a paused server, because its
kernel still acknowledges every packet. So the store bounds the time itself.

:func:`install_deadline` arms a deadline whenever the engine's pool hands out a connection and
disarms it when the connection comes back: the whole exchange of one store call (its queries,
the commit or rollback) must end within ``seconds``. One watchdog thread per process checks the
armed deadlines every :data:`TICK` seconds; when one passes, it shuts the connection's socket
down (``shutdown(SHUT_RDWR)`` on a duplicate of its descriptor, taken when the deadline was
armed, so a descriptor number reused meanwhile is never touched). The driver's wait then ends at
once with a lost connection, SQLAlchemy discards the connection, and the error translation
reports a :class:`~minimalkv.StoreTimeoutError` because :func:`expired_deadline` says the
calling thread's deadline fired. A transaction cut off this way is never committed.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from typing import Any, Final

from sqlalchemy import Engine, event

from ._stale import socket_of

__all__ = ["TICK", "expired_deadline", "forget_deadline", "install_deadline"]

TICK: Final = 0.05
"""Seconds between two checks of the watchdog while a deadline is armed (its lateness bound)."""

_IDLE_AFTER: Final = 1.0
"""Seconds without an armed deadline after which the watchdog stops ticking and waits."""
_RECORD_KEY: Final = "minimalkv_deadline"


class _Watch:
    """One armed deadline: a duplicate of the connection's socket and the time it is due."""

    __slots__ = ("due", "fd", "fired", "seconds")

    def __init__(self, fd: int, seconds: float) -> None:
        self.fd = fd
        self.seconds = seconds
        self.due = time.monotonic() + seconds
        self.fired = False


class _Watchdog:
    """Cuts off the connections whose deadline has passed; sleeps while none is armed."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget every deadline and the thread (in a forked child, neither is real)."""
        self._condition = threading.Condition()
        self._live: dict[int, _Watch] = {}
        self._idle = True
        self._last_armed = 0.0
        self._thread: threading.Thread | None = None

    def arm(self, fd: int, seconds: float) -> _Watch:
        watch = _Watch(os.dup(fd), seconds)
        with self._condition:
            self._live[id(watch)] = watch
            self._last_armed = watch.due - seconds
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="minimalkv-sql-deadline", daemon=True
                )
                self._thread.start()
            elif self._idle:
                self._condition.notify()
        return watch

    def disarm(self, watch: _Watch) -> None:
        with self._condition:
            owned = self._live.pop(id(watch), None) is not None
        if owned:  # otherwise the watchdog took it and closes the duplicate itself
            os.close(watch.fd)

    def _run(self) -> None:
        while True:
            with self._condition:
                now = time.monotonic()
                if not self._live and now - self._last_armed > _IDLE_AFTER:
                    # Nothing armed for a while: sleep until arm() wakes us. While calls keep
                    # coming, the thread keeps ticking instead, so arm() need not wake it.
                    self._idle = True
                    while not self._live:
                        self._condition.wait()
                    self._idle = False
                    now = time.monotonic()
                expired = [watch for watch in self._live.values() if watch.due <= now]
                for watch in expired:
                    del self._live[id(watch)]
                    watch.fired = True
            for watch in expired:
                _cut(watch.fd)
            time.sleep(TICK)


def _cut(fd: int) -> None:
    """Shut the socket behind ``fd`` down in both directions and close ``fd``."""
    try:
        sock = socket.socket(fileno=fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.close(fd)
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


_WATCHDOG: Final = _Watchdog()
_local = threading.local()


def _after_fork_in_child() -> None:
    """Start the child with no watchdog thread and no armed deadline of the parent's.

    The parent's thread does not exist in the child, and its lock may have been held at the
    fork; the child's first checkout starts a thread of its own.
    """
    global _local
    _WATCHDOG.reset()
    _local = threading.local()


os.register_at_fork(after_in_child=_after_fork_in_child)


def expired_deadline() -> float | None:
    """Return the seconds of this thread's last deadline if it fired, else None.

    "Last" counts from the latest :func:`forget_deadline` in this thread.
    """
    watch: _Watch | None = getattr(_local, "watch", None)
    return watch.seconds if watch is not None and watch.fired else None


def forget_deadline() -> None:
    """Forget the calling thread's last deadline: a new store call begins."""
    _local.watch = None


def install_deadline(engine: Engine, seconds: float) -> None:
    """Bound each checkout of ``engine``'s connections to ``seconds`` (see the module docstring).

    The driver's connection must show its socket (see :func:`._stale.socket_of`).
    """

    def arm(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        fd = socket_of(dbapi_connection)
        if fd is None or fd < 0:  # a connection without a socket (closed): nothing to bound
            return
        watch = _WATCHDOG.arm(fd, seconds)
        record.record_info[_RECORD_KEY] = watch
        _local.watch = watch

    def disarm(dbapi_connection: Any, record: Any) -> None:
        watch = record.record_info.pop(_RECORD_KEY, None)
        if watch is not None:
            _WATCHDOG.disarm(watch)

    event.listen(engine, "checkout", arm)
    event.listen(engine, "checkin", disarm)

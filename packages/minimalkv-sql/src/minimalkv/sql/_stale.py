"""Discard a pooled connection the server has closed, before a call uses it.

A server that shuts down or restarts closes every session; the pool still holds those
connections, and the first call on each would fail. An idle, healthy connection has nothing to
read, while one the server closed has its end-of-file (and often a farewell message) waiting.
:func:`install_stale_check` looks for that with a zero-timeout ``poll`` each time the pool
hands out a connection (no round trip, so a paused server cannot make it hang) and makes
SQLAlchemy replace such a connection by a fresh one. A connection that is readable for another
reason (an asynchronous notice) is replaced too, which costs only a reconnect.
"""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

__all__ = ["install_stale_check", "socket_of"]


def socket_of(dbapi_connection: Any) -> int | None:
    """Return the file descriptor of a driver connection's socket, or None if unknown.

    psycopg (and psycopg2) connections have ``fileno()``; PyMySQL keeps its socket in ``_sock``.
    """
    try:
        fileno = getattr(dbapi_connection, "fileno", None)
        if fileno is not None:
            return int(fileno())
        sock = getattr(dbapi_connection, "_sock", None)
        return None if sock is None else int(sock.fileno())
    except Exception:  # a closed connection has no socket
        return None


def install_stale_check(engine: Engine) -> None:
    """Make ``engine``'s pool replace a connection the server has closed (see the module)."""

    def check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        fd = socket_of(dbapi_connection)
        if fd is None or fd < 0:
            return
        # poll, not select: select cannot watch a descriptor numbered 1024 or above, which a
        # busy process easily has, and would then make every checkout reconnect.
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        try:
            readable = poller.poll(0)
        except OSError:
            readable = [(fd, select.POLLERR)]
        if readable:
            raise DisconnectionError("the server closed this pooled connection")

    event.listen(engine, "checkout", check)

"""Translation of pymongo's exceptions into the minimalkv error hierarchy, in one place.

::

    pymongo.errors.NetworkTimeout, ExecutionTimeout, WTimeoutError, any error whose
      ``timeout`` is true, calls pymongo cancelled after a heartbeat timed out,
      ServerSelectionTimeoutError of a server that accepts but never answers
                                          -> minimalkv.StoreTimeoutError    (TimeoutError)
    pymongo.errors.ConnectionFailure (refused or lost connections, no server to select)
                                          -> minimalkv.StoreConnectionError (ConnectionError)
    OperationFailure of a refused login or a missing privilege (codes 13, 18)
                                          -> minimalkv.StorePermissionError (PermissionError)
    pymongo.errors.DocumentTooLarge       -> ValueTooLargeError             (StoreError)
    gridfs.errors.NoFile, CorruptGridFile -> minimalkv.StoreError (the value's GridFS file is
                                             gone: overwritten or deleted while it was read)
    any other pymongo.errors.PyMongoError -> minimalkv.StoreError           (OSError)

Every message names the store as ``mongodb://host:port/database?collection=name``, built from
the client's seed addresses: never with a user name or password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gridfs import errors as gridfs_errors
from minimalkv import (
    MinimalKVError,
    StoreConnectionError,
    StoreError,
    StorePermissionError,
    StoreTimeoutError,
)
from pymongo import errors as mongo_errors

__all__ = ["ValueTooLargeError", "describe_collection", "translate_error", "translated"]

_PERMISSION_CODES = frozenset({13, 18})  # Unauthorized, AuthenticationFailed
# What pymongo raises in calls it interrupts when a heartbeat to their server timed out
# (private in pymongo; an AutoReconnect, so without it such calls count as lost connections).
_CANCELLED: tuple[type[Exception], ...] = tuple(
    cls for cls in (getattr(mongo_errors, "_OperationCancelled", None),) if isinstance(cls, type)
)


class ValueTooLargeError(StoreError):
    """The value does not fit into what the MongoDB server accepts; nothing was stored."""


def describe_collection(collection: Any) -> str:
    """Return ``mongodb://host:port/database?collection=name`` for a pymongo collection.

    Built from the client's seed addresses and the names of the database and collection, so
    no credential ever appears.
    """
    try:
        database = collection.database
        client = database.client
        addresses = client.topology_description.server_descriptions()
        hosts = ",".join(
            f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
            for host, port in sorted(addresses, key=str)
        )
        return f"mongodb://{hosts}/{database.name}?collection={collection.name}"
    except Exception:  # a description must never fail
        return f"<{type(collection).__name__}>"


def _is_paused_server(exc: mongo_errors.ServerSelectionTimeoutError) -> bool:
    """Whether a failed server selection met a server that accepts but does not answer."""
    text = str(exc).lower()
    return "timed out" in text and "refused" not in text


def translate_error(exc: BaseException, where: str, key: str | None = None) -> Exception:
    """Return the minimalkv error for ``exc`` (a pymongo or GridFS error), to raise from it.

    ``where`` describes the store (see :func:`describe_collection`); ``key`` the key involved.
    Anything that is not a pymongo error is returned unchanged.
    """
    about = f" (key {key!r})" if key is not None else ""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, MinimalKVError) or not isinstance(exc, mongo_errors.PyMongoError):
        if isinstance(exc, Exception):
            return exc
        raise exc  # KeyboardInterrupt and friends pass through untouched
    if isinstance(exc, gridfs_errors.GridFSError):
        return StoreError(
            f"the GridFS file of the value{about} in {where} is gone or incomplete (the key was "
            f"overwritten or deleted while it was read): read the key again. {detail}",
            key=key,
        )
    if isinstance(exc, mongo_errors.ServerSelectionTimeoutError):
        if _is_paused_server(exc):
            return StoreTimeoutError(
                f"MongoDB at {where} did not answer in time{about}: {detail}", key=key
            )
        return StoreConnectionError(
            f"cannot reach MongoDB at {where}{about}: is the server running? {detail}", key=key
        )
    if isinstance(exc, mongo_errors.NetworkTimeout | mongo_errors.ExecutionTimeout):
        return StoreTimeoutError(
            f"MongoDB at {where} did not answer in time{about}: {detail}", key=key
        )
    if isinstance(exc, mongo_errors.WTimeoutError):
        return StoreTimeoutError(
            f"MongoDB at {where} did not confirm a write in time{about}: {detail}", key=key
        )
    if exc.timeout or isinstance(exc, _CANCELLED):
        # A deadline passed (a pool checkout, a server, a write concern), or pymongo cancelled
        # the call because its monitor found the server not answering in time.
        return StoreTimeoutError(
            f"MongoDB at {where} did not answer in time{about}: {detail}", key=key
        )
    if isinstance(exc, mongo_errors.ConnectionFailure):
        return StoreConnectionError(f"cannot talk to MongoDB at {where}{about}: {detail}", key=key)
    if isinstance(exc, mongo_errors.DocumentTooLarge):
        return ValueTooLargeError(
            f"the value{about} is larger than MongoDB at {where} accepts in one document: "
            f"lower the store's inline_limit so that it goes to GridFS. {detail}",
            key=key,
        )
    if isinstance(exc, mongo_errors.OperationFailure) and exc.code in _PERMISSION_CODES:
        return StorePermissionError(
            f"MongoDB at {where} refused the store's user{about}: check the user name, the "
            f"password and the user's roles on the database. {detail}",
            key=key,
        )
    return StoreError(f"MongoDB at {where} refused a command{about}: {detail}", key=key)


@contextmanager
def translated(where: str, key: str | None = None) -> Iterator[None]:
    """Raise pymongo's failures in the block as minimalkv errors naming ``key``, ``where``."""
    try:
        yield
    except mongo_errors.PyMongoError as exc:
        raise translate_error(exc, where, key) from exc

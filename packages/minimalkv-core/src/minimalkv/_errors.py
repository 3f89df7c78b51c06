"""The minimalkv error hierarchy.

Every class also inherits the built-in exception that users of the original library already
catch, so ``except KeyError`` keeps working while ``except MinimalKVError`` catches everything
minimalkv raises on purpose::

    MinimalKVError (Exception)
    ├── KeyNotFoundError (KeyError)          a key that does not exist
    ├── InvalidKeyError (ValueError)         a key outside the store's key space
    ├── InvalidValueError (TypeError, OSError)  a value that is not bytes / not a binary file
    ├── InvalidArgumentError (ValueError)    any other bad argument (TTL, delimiter, ...)
    ├── ReadOnlyError (PermissionError)      a write through a read-only store
    ├── ConfigurationError (ValueError)      a bad store URL or factory parameters
    │   └── UnknownStoreError                a store type or decorator nobody registered
    │       └── BackendNotInstalledError (ImportError)  known type, distribution missing
    └── StoreError (OSError)                 the backend failed (I/O, server, permissions)
        ├── StoreConnectionError (ConnectionError)
        ├── StoreTimeoutError (TimeoutError)
        ├── StorePermissionError (PermissionError)  credentials refused, access denied
        ├── StoreNotFoundError (FileNotFoundError)  the bucket, container or root is missing
        ├── StoreBusyError                   the service throttles requests (retries spent)
        └── BatchError                       some keys of a batch call failed (``failures``)

Messages never contain credentials: URLs are shown through :func:`minimalkv.redact_url`.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BackendNotInstalledError",
    "BatchError",
    "ConfigurationError",
    "InvalidArgumentError",
    "InvalidKeyError",
    "InvalidValueError",
    "KeyNotFoundError",
    "MinimalKVError",
    "ReadOnlyError",
    "StoreBusyError",
    "StoreConnectionError",
    "StoreError",
    "StoreNotFoundError",
    "StorePermissionError",
    "StoreTimeoutError",
    "UnknownStoreError",
]


class MinimalKVError(Exception):
    """Root of every error minimalkv raises on purpose."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # The attributes travel as state: a subclass's own (BatchError.failures), the notes,
        # and for an OSError its errno, strerror and filenames, which live outside __dict__.
        state = dict(self.__dict__)
        fields = _get_os_fields(self)
        if fields is not None:
            state[_OS_FIELDS] = fields
        return (_rebuild, (type(self), self.message, self.key), state)

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        state = dict(state or {})
        fields = state.pop(_OS_FIELDS, None)
        self.__dict__.update(state)
        if fields is not None:
            _set_os_fields(self, fields)


_OS_FIELDS = "_minimalkv_os_fields"
_OsFields = tuple[Any, Any, Any, Any]


def _get_os_fields(error: BaseException) -> _OsFields | None:
    if isinstance(error, OSError):
        return (error.errno, error.strerror, error.filename, error.filename2)
    return None


def _set_os_fields(error: BaseException, fields: _OsFields) -> None:
    if isinstance(error, OSError):
        error.errno, error.strerror, error.filename, error.filename2 = fields


def _rebuild(cls: type[MinimalKVError], message: str, key: str | None) -> MinimalKVError:
    return cls(message, key=key)


class KeyNotFoundError(MinimalKVError, KeyError):
    """The key does not exist in the store (a :class:`KeyError`)."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message, key=key)

    @classmethod
    def for_key(cls, key: str, where: str = "") -> KeyNotFoundError:
        """Build the standard message for a missing ``key`` (optionally naming the store)."""
        place = f" in {where}" if where else ""
        return cls(f"key {key!r} not found{place}", key=key)


class InvalidKeyError(MinimalKVError, ValueError):
    """The key is not a valid key for this store (a :class:`ValueError`)."""


class InvalidValueError(MinimalKVError, TypeError, OSError):
    """The value is not ``bytes`` or the file is not a binary file.

    It is a :class:`TypeError` (the natural error) and an :class:`OSError` (what the original
    library raised), so code written for either keeps working.
    """


class InvalidArgumentError(MinimalKVError, ValueError):
    """An argument other than key or value is wrong (a :class:`ValueError`)."""


class ReadOnlyError(MinimalKVError, PermissionError):
    """A mutating call reached a read-only store (a :class:`PermissionError`)."""


class ConfigurationError(MinimalKVError, ValueError):
    """A store URL or factory parameters cannot be used (a :class:`ValueError`)."""


class UnknownStoreError(ConfigurationError):
    """No installed distribution provides the requested store type or decorator."""


class BackendNotInstalledError(UnknownStoreError, ImportError):
    """The store type is known but its distribution is not installed (also an ImportError)."""


class StoreError(MinimalKVError, OSError):
    """The backend failed to carry out an operation (an :class:`OSError`)."""


class StoreConnectionError(StoreError, ConnectionError):
    """The backend could not be reached or the connection was lost."""


class StoreTimeoutError(StoreError, TimeoutError):
    """The backend did not answer in time."""


class StorePermissionError(StoreError, PermissionError):
    """The backend refused the credentials or denied access (a :class:`PermissionError`)."""


class StoreNotFoundError(StoreError, FileNotFoundError):
    """The place the store keeps its values (bucket, container) does not exist.

    A :class:`FileNotFoundError`, never a :class:`KeyError`: it is not about one key.
    """


class StoreBusyError(StoreError):
    """The backend kept throttling requests (slow down) after the configured retries."""


class BatchError(StoreError):
    """Some keys of a batch call failed while the others succeeded.

    :attr:`failures` maps each failed key to the reason the backend gave; every key not in it
    was carried out.
    """

    def __init__(
        self, message: str, *, key: str | None = None, failures: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, key=key)
        self.failures: dict[str, str] = dict(failures or {})
        """Failed key -> the backend's reason."""

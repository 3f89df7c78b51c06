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
        └── StoreTimeoutError (TimeoutError)

Messages never contain credentials: URLs are shown through :func:`minimalkv.redact_url`.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BackendNotInstalledError",
    "ConfigurationError",
    "InvalidArgumentError",
    "InvalidKeyError",
    "InvalidValueError",
    "KeyNotFoundError",
    "MinimalKVError",
    "ReadOnlyError",
    "StoreConnectionError",
    "StoreError",
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
        return (_rebuild, (type(self), self.message, self.key))


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

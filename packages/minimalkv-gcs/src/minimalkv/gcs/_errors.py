"""Translation of google-cloud-storage's exceptions into minimalkv's errors, in one place.

::

    404 on an object                       -> minimalkv.KeyNotFoundError    (KeyError)
    404 on the bucket (or without a key)   -> minimalkv.StoreNotFoundError  (FileNotFoundError)
    401, 403, refused token refresh        -> minimalkv.StorePermissionError (PermissionError)
    412 (a generation precondition)        -> minimalkv.StoreError, "replaced meanwhile"
    429, 503 after every retry             -> minimalkv.StoreBusyError      (StoreError)
    500, 502, 504 after every retry        -> minimalkv.StoreConnectionError (ConnectionError)
    connect and read timeouts              -> minimalkv.StoreTimeoutError   (TimeoutError)
    unreachable endpoint, dropped connection -> minimalkv.StoreConnectionError (ConnectionError)
    no credentials anywhere                -> minimalkv.ConfigurationError  (ValueError)
    any other SDK error                    -> minimalkv.StoreError          (OSError)

A retry deadline that ran out (``RetryError``) is translated as the last error it retried.
Messages name the bucket and the endpoint (``bucket 'b' at http://host:port``) and the key when
there is one; never credentials (the SDK's messages hold URLs and status texts, no tokens).
"""

from __future__ import annotations

import contextlib
import http.client
from collections.abc import Iterator
from typing import Final

import requests
from google.api_core import exceptions as api_errors
from google.auth import exceptions as auth_errors
from minimalkv import (
    ConfigurationError,
    KeyNotFoundError,
    MinimalKVError,
    StoreBusyError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StorePermissionError,
    StoreTimeoutError,
)

__all__ = ["ReplacedError", "is_missing", "translate_error", "translated"]

_SDK_ERRORS: Final = (
    api_errors.GoogleAPIError,
    auth_errors.GoogleAuthError,
    requests.exceptions.RequestException,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
)


class ReplacedError(StoreError):
    """The value changed between two requests of one read or copy (a 412 on its generation)."""


def is_missing(exc: BaseException) -> bool:
    """Return whether ``exc`` is a 404 answer."""
    return isinstance(exc, api_errors.NotFound)


def _bucket_missing(exc: api_errors.GoogleAPICallError) -> bool:
    """Whether a 404 says the bucket is missing (GCS says so; emulators may not)."""
    text = str(exc.message or "").lower()
    return "bucket" in text and ("not exist" in text or "not found" in text)


@contextlib.contextmanager
def translated(where: str, key: str | None = None) -> Iterator[None]:
    """Raise every SDK error of the block as its minimalkv error: the one place.

    The SDK's error stays chained as the cause (its text holds request URLs, never a token).
    """
    try:
        yield
    except MinimalKVError:
        raise
    except _SDK_ERRORS as exc:
        raise translate_error(exc, where, key) from exc


def _unwrap(exc: BaseException) -> BaseException:
    """Return the error behind a ``RetryError`` or a google-auth ``TransportError``."""
    for _ in range(5):
        if isinstance(exc, api_errors.RetryError) and exc.cause is not None:
            exc = exc.cause
        elif isinstance(exc, auth_errors.TransportError) and exc.args:
            inner = exc.args[0]
            if not isinstance(inner, BaseException):
                break
            exc = inner
        else:
            break
    return exc


def translate_error(exc: BaseException, where: str, key: str | None = None) -> Exception:
    """Return the minimalkv error for ``exc`` (an SDK error), to be raised from it.

    ``where`` describes the bucket (``bucket 'b' at http://host:port``); ``key`` is the key of
    the call, if any. Other errors are returned unchanged; ``BaseException`` subclasses that
    are not ``Exception`` (``KeyboardInterrupt``) are re-raised.
    """
    about = f" (key {key!r})" if key is not None else ""
    retried = isinstance(exc, api_errors.RetryError)
    cause = _unwrap(exc)
    after = " after every retry" if retried else ""
    if isinstance(cause, api_errors.GoogleAPICallError):
        return _call_error(cause, where, key, about, after)
    name = type(cause).__name__
    if isinstance(cause, (requests.exceptions.Timeout, TimeoutError)) or (retried and cause is exc):
        return StoreTimeoutError(
            f"GCS {where} did not answer in time{about}{after} ({name}); raise read_timeout, "
            "connect_timeout or retry_deadline if the service is just slow",
            key=key,
        )
    if isinstance(
        cause,
        (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            http.client.HTTPException,
            ConnectionError,
            auth_errors.TransportError,
        ),
    ):
        return StoreConnectionError(
            f"cannot talk to GCS {where}{about}{after}: {name}: {_short(cause)}", key=key
        )
    if isinstance(cause, auth_errors.RefreshError):
        return StorePermissionError(
            f"GCS {where} refused the credentials{about}: they could not be refreshed "
            f"({name}); check the service account and its key",
            key=key,
        )
    if isinstance(cause, auth_errors.DefaultCredentialsError):
        return ConfigurationError(
            f"no usable GCS credentials for {where}: give a service-account JSON or set "
            "GOOGLE_APPLICATION_CREDENTIALS (or an emulator endpoint)",
            key=key,
        )
    if isinstance(cause, Exception) and isinstance(cause, _SDK_ERRORS):
        return StoreError(f"GCS {where} failed{about}: {name}: {_short(cause)}", key=key)
    if isinstance(exc, Exception):
        return exc
    raise exc  # KeyboardInterrupt and friends pass through untouched


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:300] + "..."


def _call_error(
    exc: api_errors.GoogleAPICallError, where: str, key: str | None, about: str, after: str
) -> Exception:
    code = int(exc.code or 0)
    message = str(exc.message or type(exc).__name__)[:300]
    if code == 404:
        if key is not None and not _bucket_missing(exc):
            return KeyNotFoundError.for_key(key, f"GCS {where}")
        return StoreNotFoundError(
            f"GCS {where} does not exist: create it, or open the store with "
            "create_if_missing=True (the default)",
            key=key,
        )
    if code in (401, 403):
        return StorePermissionError(
            f"GCS {where} refused access{about}: {code} {message}; check the credentials, "
            "the project and the bucket's permissions",
            key=key,
        )
    if code == 412:
        return ReplacedError(
            f"the value of key {key!r} in GCS {where} was replaced during the call: read or "
            "copy it again",
            key=key,
        )
    if code in (429, 503):
        return StoreBusyError(
            f"GCS {where} kept throttling requests{about}{after} ({code}): make fewer "
            "parallel requests (max_concurrency) or allow a longer retry_deadline",
            key=key,
        )
    if code in (500, 502, 504):
        return StoreConnectionError(
            f"GCS {where} failed on its side{about}{after} ({code} {message}): the service is "
            "failing or restarting; try again later",
            key=key,
        )
    if code == 408:
        return StoreTimeoutError(f"GCS {where} timed out a request{about}: {message}", key=key)
    return StoreError(f"GCS {where} refused a request{about}: {code} {message}", key=key)

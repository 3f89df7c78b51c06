"""Translation of the Azure SDK's exceptions into the minimalkv error hierarchy, in one place.

::

    BlobNotFound (404 on a blob)             -> minimalkv.KeyNotFoundError    (KeyError)
    ContainerNotFound (404 on the container) -> minimalkv.StoreNotFoundError  (FileNotFoundError)
    AuthenticationFailed, 401, 403           -> minimalkv.StorePermissionError (PermissionError)
    ServerBusy, 503, 429                     -> minimalkv.StoreBusyError      (StoreError)
    500, 502, 504 (after every retry)        -> minimalkv.StoreConnectionError (ConnectionError)
    connect and read timeouts                -> minimalkv.StoreTimeoutError   (TimeoutError)
    unreachable endpoint, dropped connection -> minimalkv.StoreConnectionError (ConnectionError)
    ConditionNotMet (412) while reading      -> minimalkv.StoreError: the value was replaced
    any other Azure error                    -> minimalkv.StoreError          (OSError)

Messages name the container and the endpoint (``container 'c' at http://host:port/account``),
and the key when there is one. They never hold a secret: every account key and SAS token a
store was given is masked in the SDK's errors (the chained cause and everything it chains) and
in the records of the SDK's and urllib3's loggers, and so is the query string of every URL
quoted there (a request URL carries the SAS signature).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterator
from typing import Any, Final

from minimalkv import (
    KeyNotFoundError,
    StoreBusyError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StorePermissionError,
    StoreTimeoutError,
)
from minimalkv.backend import SECRET_MASK

from azure.core import exceptions as azure_errors

__all__ = ["error_code", "mask_secrets", "protect_secrets", "translate_error", "translated"]

_URL_QUERY: Final = re.compile(r"(https?://[^\s'\"?]*|/[^\s'\"?]*)\?[^\s'\"<>)]+")
_MIN_SECRET: Final = 4  # shorter strings would mask ordinary words
_BUSY_CODES: Final = frozenset({"ServerBusy", "OperationTimedOut", "TooManyRequests"})
_DENIED_CODES: Final = frozenset(
    {
        "AuthenticationFailed",
        "AuthorizationFailure",
        "AuthorizationPermissionMismatch",
        "AuthorizationResourceTypeMismatch",
        "AuthorizationProtocolMismatch",
        "AuthorizationSourceIPMismatch",
        "InsufficientAccountPermissions",
        "NoAuthenticationInformation",
        "PublicAccessNotPermitted",
    }
)


def error_code(exc: BaseException) -> str:
    """Return the storage error code of an HTTP error (``BlobNotFound``), else ``""``."""
    code: Any = getattr(exc, "error_code", None)
    if code is None:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None) or {}
        code = headers.get("x-ms-error-code")
    return str(code or "")


def _status(exc: BaseException) -> int:
    status: Any = getattr(exc, "status_code", None)
    return int(status or 0)


# ----------------------------------------------------------------------- secrets
class _Secrets:
    def __init__(self) -> None:
        self.forms: tuple[str, ...] = ()  # longest first: a secret's longer forms win
        self.lock = threading.Lock()


_SECRETS: Final = _Secrets()


def mask_secrets(text: str) -> str:
    """Return ``text`` with every protected secret and every URL query string as ``***``."""
    for secret in _SECRETS.forms:
        if secret in text:
            text = text.replace(secret, SECRET_MASK)
    return _URL_QUERY.sub(lambda m: f"{m.group(1)}?{SECRET_MASK}", text)


def _forms(secret: str) -> set[str]:
    from urllib.parse import quote, unquote

    found = {secret, quote(secret, safe=""), quote(secret), unquote(secret)}
    if "=" in secret or "&" in secret:  # a SAS token: also as the store sends it
        from ._connection import normalize_sas

        found.add(normalize_sas(secret))
    found |= {repr(form)[1:-1] for form in list(found)}
    return {form for form in found if len(form) >= _MIN_SECRET}


def protect_secrets(*secrets: str | None) -> None:
    """Mask ``secrets`` in SDK errors and in the SDK's and urllib3's log records from now on."""
    wanted: set[str] = set()
    for secret in secrets:
        if secret:
            wanted |= _forms(secret)
    with _SECRETS.lock:
        if wanted - set(_SECRETS.forms):
            # Replaced whole, so readers need no lock.
            merged = set(_SECRETS.forms) | wanted
            _SECRETS.forms = tuple(sorted(merged, key=len, reverse=True))
    _install_log_filter()


def scrub_secrets(error: BaseException) -> None:
    """Mask secrets in the texts of ``error`` and of every error it holds or chains.

    The chain is kept (it says what went wrong), only its texts change: a failed request's
    error quotes its URL, whose query holds the SAS signature.
    """
    seen: set[int] = set()
    pending: list[Any] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, BaseException):
            args = []
            for arg in current.args:
                if isinstance(arg, str):
                    arg = mask_secrets(arg)
                elif isinstance(arg, BaseException):
                    pending.append(arg)
                args.append(arg)
            current.args = tuple(args)
            pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        attributes = getattr(current, "__dict__", None)
        if isinstance(attributes, dict):
            for name, value in list(attributes.items()):
                if isinstance(value, str):
                    attributes[name] = mask_secrets(value)
                elif isinstance(value, BaseException):
                    pending.append(value)
        if isinstance(current, BaseException):
            # urllib3 keeps the failed URL on the error and its reason as an error.
            for name in ("reason", "inner_exception"):
                value = getattr(current, name, None)
                if isinstance(value, BaseException):
                    pending.append(value)


class _MaskingFilter(logging.Filter):
    _formatter: Final = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a record that cannot format itself is left to logging
            return True
        masked = mask_secrets(text)
        if masked != text or record.args:
            record.msg, record.args = masked, None
        if record.exc_info:  # a traceback quotes the error's message: format it masked, once
            shown = self._formatter.formatException(record.exc_info)
            record.exc_text, record.exc_info = mask_secrets(shown), None
        return True


_FILTER: Final = _MaskingFilter()
_FILTERED: Final[set[str]] = set()


_LOGGERS: Final = (
    "azure.core.pipeline.policies.http_logging_policy",
    "azure.core.pipeline.policies._retry",
    "azure.core.pipeline.transport._requests_basic",
    "azure.storage.blob._shared.policies",
    "azure.storage.blob._shared.response_handlers",
    "urllib3.connectionpool",
    "urllib3.util.retry",
)


def _install_log_filter() -> None:
    """Put the masking filter on every logger of the SDK, requests and urllib3.

    A logger's filter only sees its own records, not its children's: each logger that exists
    gets it (called again whenever a client is built, for loggers made since).
    """
    existing = [
        name
        for name in list(logging.root.manager.loggerDict)
        if name.startswith(("azure", "urllib3", "requests"))
    ]
    for name in (*_LOGGERS, *existing):
        if name not in _FILTERED:
            logging.getLogger(name).addFilter(_FILTER)
            _FILTERED.add(name)


# ----------------------------------------------------------------------- translation
@contextlib.contextmanager
def translated(where: str, key: str | None = None) -> Iterator[None]:
    """Raise every Azure SDK error of the block as its minimalkv error: the one place.

    The SDK's error stays chained as the cause, with its secrets masked (see the module).
    """
    try:
        yield
    except azure_errors.AzureError as exc:
        scrub_secrets(exc)
        raise translate_error(exc, where, key) from exc
    except ValueError as exc:
        # azure-core's word for a request on a client closed meanwhile (by another thread).
        if "transport has already been closed" not in str(exc):
            raise
        about = f" (key {key!r})" if key is not None else ""
        raise StoreConnectionError(
            f"the store of Azure {where} was closed while a call ran{about}: call again (a "
            "closed store reopens at its next call)",
            key=key,
        ) from exc


def _summary(exc: BaseException) -> str:
    code = error_code(exc)
    if isinstance(exc, azure_errors.HttpResponseError):
        reason = getattr(exc, "reason", None) or ""
        status = _status(exc)
        text = f"HTTP {status} {code or reason}".strip()
    else:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return mask_secrets(text)


def translate_error(exc: BaseException, where: str, key: str | None = None) -> Exception:
    """Return the minimalkv error for ``exc`` (an Azure SDK error), to be raised from it.

    ``where`` describes the container (``container 'c' at http://host/account``); ``key`` is
    the key of the call, if any. Errors that are not the SDK's are returned unchanged.
    """
    about = f" (key {key!r})" if key is not None else ""
    text = _summary(exc)
    code = error_code(exc)
    status = _status(exc)
    if isinstance(
        exc, (azure_errors.ServiceRequestTimeoutError, azure_errors.ServiceResponseTimeoutError)
    ):
        return StoreTimeoutError(
            f"Azure {where} did not answer in time{about}: {text}; raise read_timeout or "
            "connect_timeout (socket_timeout) if the service is just slow",
            key=key,
        )
    if isinstance(exc, (azure_errors.ServiceRequestError, azure_errors.ServiceResponseError)):
        if "timed out" in str(exc).lower() or "timeout" in type(exc.__cause__).__name__.lower():
            return StoreTimeoutError(
                f"Azure {where} did not answer in time{about}: {text}; raise read_timeout or "
                "connect_timeout (socket_timeout) if the service is just slow",
                key=key,
            )
        return StoreConnectionError(f"cannot talk to Azure {where}{about}: {text}", key=key)
    if not isinstance(exc, azure_errors.HttpResponseError):
        if isinstance(exc, azure_errors.AzureError):
            return StoreError(f"Azure {where} failed{about}: {type(exc).__name__}: {text}", key=key)
        return exc if isinstance(exc, Exception) else StoreError(str(exc))
    if code == "ContainerNotFound" or (status == 404 and key is None):
        return StoreNotFoundError(
            f"Azure {where} does not exist: create it, or open the store with "
            "create_if_missing=true (the factory's default without use_sas)",
            key=key,
        )
    if status == 404 and key is not None:
        return KeyNotFoundError.for_key(key, f"Azure {where}")
    if code in _DENIED_CODES or status in (401, 403):
        return StorePermissionError(
            f"Azure {where} refused access{about}: {text}; check the account name, the "
            "account key or SAS token (its permissions, start and expiry) and the container's "
            "access policy",
            key=key,
        )
    if code == "ConditionNotMet" or status == 412:
        return StoreError(
            f"the value{about} in Azure {where} was replaced while it was being read: read it "
            "again to get the new value",
            key=key,
        )
    if code in _BUSY_CODES or status in (429, 503):
        return StoreBusyError(
            f"Azure {where} kept throttling requests{about} ({text}) after every retry: make "
            "fewer parallel requests (max_connections) or allow more attempts (max_attempts)",
            key=key,
        )
    if status in (500, 502, 504):
        return StoreConnectionError(
            f"Azure {where} failed on its side{about} ({text}) after every retry: the service "
            "is failing or restarting; try again later",
            key=key,
        )
    return StoreError(f"Azure {where} refused a request{about}: {text}", key=key)

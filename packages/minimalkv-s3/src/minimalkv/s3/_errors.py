"""Translation of botocore's exceptions into the minimalkv error hierarchy, in one place.

::

    NoSuchKey, 404 on an object            -> minimalkv.KeyNotFoundError    (KeyError)
    KeyTooLongError                        -> minimalkv.InvalidKeyError     (ValueError)
    NoSuchBucket, 404 on the bucket        -> minimalkv.StoreNotFoundError  (FileNotFoundError)
    AccessDenied, InvalidAccessKeyId,
      SignatureDoesNotMatch, expired token -> minimalkv.StorePermissionError (PermissionError)
    SlowDown, Throttling, 503              -> minimalkv.StoreBusyError      (StoreError)
    InternalError, 500, 502, 504           -> minimalkv.StoreConnectionError (ConnectionError)
      (after every retry: the service failed on its side, or is restarting)
    connect and read timeouts              -> minimalkv.StoreTimeoutError   (TimeoutError)
    unreachable endpoint, dropped connection -> minimalkv.StoreConnectionError (ConnectionError)
    no credentials anywhere, bad parameters -> minimalkv.ConfigurationError (ValueError)
    any other botocore error               -> minimalkv.StoreError          (OSError)

Messages name the bucket and the endpoint (``bucket 'b' at http://host:port``), and the key
when there is one; never a secret key or session token (botocore's messages hold neither).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Final

from botocore import exceptions as boto_errors
from minimalkv import (
    ConfigurationError,
    InvalidKeyError,
    KeyNotFoundError,
    StoreBusyError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StorePermissionError,
    StoreTimeoutError,
)

from ._log_redaction import mask_secrets, scrub_secrets

__all__ = ["error_code", "is_missing", "translate_error", "translated"]

_DENIED: Final = frozenset(
    {
        "AccessDenied",
        "AllAccessDisabled",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "TokenRefreshRequired",
        "AuthorizationHeaderMalformed",
        "InvalidSecurity",
        "403",
        "Forbidden",
    }
)
_BUSY: Final = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "TooManyRequests",
        "ServiceUnavailable",
        "503",
        "429",
    }
)
_TIMEOUTS: Final = (
    boto_errors.ConnectTimeoutError,
    boto_errors.ReadTimeoutError,
)
_CONNECTION: Final = (
    boto_errors.EndpointConnectionError,
    boto_errors.ConnectionClosedError,
    boto_errors.ConnectionError,
    boto_errors.HTTPClientError,
)


def error_code(exc: BaseException) -> str:
    """Return the S3 error code of a ``ClientError`` (``NoSuchKey``, ``404``), else ``""``."""
    if isinstance(exc, boto_errors.ClientError):
        code: Any = exc.response.get("Error", {}).get("Code", "")
        return str(code)
    return ""


def _status(exc: boto_errors.ClientError) -> int:
    status: Any = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return int(status or 0)


def is_missing(exc: BaseException) -> bool:
    """Return whether ``exc`` says an object does not exist (``NoSuchKey`` or a bare 404)."""
    return error_code(exc) in ("NoSuchKey", "404", "NotFound")


@contextlib.contextmanager
def translated(where: str, key: str | None = None) -> Iterator[None]:
    """Raise every botocore error of the block as its minimalkv error: the one place.

    The botocore error stays chained as the cause, with every secret the store was given
    masked in its texts and in those of the errors it chains (``http.client`` quotes an
    invalid header value, a session token among them).
    """
    try:
        yield
    except (boto_errors.BotoCoreError, boto_errors.ClientError) as exc:
        scrub_secrets(exc)
        raise translate_error(exc, where, key) from exc


def translate_error(exc: BaseException, where: str, key: str | None = None) -> Exception:
    """Return the minimalkv error for ``exc`` (a botocore error), to be raised from it.

    ``where`` describes the bucket (``bucket 'b' at http://host:port``); ``key`` is the key of
    the call, if any. Errors that are not botocore's are returned unchanged; ``BaseException``
    subclasses that are not ``Exception`` (``KeyboardInterrupt``) are re-raised.
    """
    about = f" (key {key!r})" if key is not None else ""
    if isinstance(exc, boto_errors.ClientError):
        return _client_error(exc, where, key, about)
    text = mask_secrets(str(exc))
    if isinstance(exc, _TIMEOUTS):
        return StoreTimeoutError(
            f"S3 {where} did not answer in time{about}: {text}; raise read_timeout or "
            "connect_timeout if the service is just slow",
            key=key,
        )
    if isinstance(exc, _CONNECTION):
        return StoreConnectionError(
            f"cannot talk to S3 {where}{about}: {type(exc).__name__}: {text}", key=key
        )
    if isinstance(exc, (boto_errors.NoCredentialsError, boto_errors.PartialCredentialsError)):
        return ConfigurationError(
            f"no usable AWS credentials for S3 {where}: {text}; give them in the store URL "
            "(s3://access_key:secret_key@endpoint/bucket), the environment "
            "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or an AWS profile",
            key=key,
        )
    if isinstance(exc, boto_errors.ParamValidationError):
        return ConfigurationError(f"S3 {where} refused the request's parameters{about}: {text}")
    if isinstance(exc, boto_errors.BotoCoreError):
        return StoreError(f"S3 {where} failed{about}: {type(exc).__name__}: {text}", key=key)
    if isinstance(exc, Exception):
        return exc
    raise exc  # KeyboardInterrupt and friends pass through untouched


def _client_error(
    exc: boto_errors.ClientError, where: str, key: str | None, about: str
) -> Exception:
    code = error_code(exc)
    status = _status(exc)
    message = mask_secrets(str(exc.response.get("Error", {}).get("Message", "") or code))
    if key is not None and is_missing(exc):
        return KeyNotFoundError.for_key(key, f"S3 {where}")
    if code == "KeyTooLongError":
        return InvalidKeyError(
            f"S3 {where} refused the object name of key {key!r} as too long ({message}); "
            "use a shorter key or prefix (S3 allows 1,024 bytes, some servers less per "
            "'/'-separated segment)",
            key=key,
        )
    if code == "NoSuchBucket" or (key is None and status == 404):
        return StoreNotFoundError(
            f"S3 {where} does not exist: create it, or open the store with "
            "create_if_missing=true (the factory's default)",
            key=key,
        )
    if code in _DENIED or status == 403:
        return StorePermissionError(
            f"S3 {where} refused access{about}: {code}: {message}; check the access key, "
            "secret key, session token and the bucket's policy",
            key=key,
        )
    if code in _BUSY or status in (429, 503):
        return StoreBusyError(
            f"S3 {where} kept throttling requests{about} ({code}) after every retry: make "
            "fewer parallel requests (max_concurrency) or allow more attempts (max_attempts)",
            key=key,
        )
    if code in ("InternalError", "BadGateway", "GatewayTimeout") or status in (500, 502, 504):
        return StoreConnectionError(
            f"S3 {where} failed on its side{about} ({code}: {message}) after every retry: the "
            "service is failing or restarting; try again later",
            key=key,
        )
    if code in ("RequestTimeout", "RequestTimeoutException"):
        return StoreTimeoutError(f"S3 {where} timed out a request{about}: {message}", key=key)
    return StoreError(f"S3 {where} refused a request{about}: {code}: {message}", key=key)

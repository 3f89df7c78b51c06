"""Registration of the ``gcs`` store type (``gcs://`` and ``hgcs://``).

URL form, as in minimalkv 1.x: ``gcs://<credentials>@bucket[?options]``, where
``<credentials>`` is a service-account JSON key encoded with URL-safe base64
(``base64.urlsafe_b64encode(json_bytes)``). An empty or absent user-info
(``hgcs://@bucket``, ``gcs://bucket``) means application default credentials, or anonymous
requests with an emulator. ``hgcs://`` selects the extended key space.

Options: ``create_if_missing`` (default true: a missing bucket is created at the first call),
``bucket_creation_location`` (default ``EUROPE-WEST3``), ``project``, ``endpoint`` (an emulator
such as ``http://127.0.0.1:4443``; ``STORAGE_EMULATOR_HOST`` works too), ``anonymous``,
``connect_timeout``, ``read_timeout``, ``retry_deadline`` (seconds; 0: no retries),
``chunk_size``, ``max_concurrency``, ``url_valid_time``.

``get_store("gcs", bucket_name=..., credentials=..., ...)`` takes the same settings as keyword
parameters (``bucket`` is accepted for ``bucket_name``); ``credentials`` may be a dict, a file
path, the URL-safe base64 text, or a ``google.auth`` Credentials object.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from typing import Any, Final

from minimalkv import ConfigurationError, KeyValueStore
from minimalkv.backend import (
    StoreType,
    StoreUrl,
    check_params,
    parse_bool,
    parse_number,
    parse_str,
)

from ._connection import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRY_DEADLINE,
    GcsConnection,
    service_account_info,
)
from ._store import (
    DEFAULT_BUCKET_LOCATION,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_URL_VALID_TIME,
    GoogleCloudStore,
    HGoogleCloudStore,
)

__all__ = ["STORE_TYPE", "decode_credentials"]

_URL_OPTIONS: Final = (
    "bucket_creation_location",
    "project",
    "endpoint",
    "anonymous",
    "connect_timeout",
    "read_timeout",
    "retry_deadline",
    "chunk_size",
    "max_concurrency",
    "url_valid_time",
)
_PARAMS: Final = ("bucket_name", "bucket", "credentials", *_URL_OPTIONS)


def decode_credentials(text: str) -> dict[str, Any]:
    """Decode the URL-safe base64 service-account JSON of a ``gcs://`` URL into a dict.

    Padding may be left out; standard base64 (``+`` ``/``) is accepted too. On failure the
    message says what is wrong without quoting any of the text.
    """
    compact = "".join(text.split())
    padded = compact + "=" * (-len(compact) % 4)
    failure: str | None = None
    raw = b""
    try:
        raw = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError) as exc:
        failure = type(exc).__name__
    if failure is not None or not raw.lstrip().startswith(b"{"):
        raise ConfigurationError(
            "the credentials of a gcs:// URL must be a service-account JSON key in URL-safe "
            f"base64 ({failure or 'it does not decode to a JSON object'}); make it with "
            "base64.urlsafe_b64encode(open('key.json', 'rb').read()).decode()"
        )
    return service_account_info(raw)


def _number(name: str, value: object, default: float, *, integer: bool = False) -> Any:
    parsed = parse_number(name, value, integer=integer)
    return default if parsed is None else parsed


def _credentials(value: object, where: str) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.startswith("{"):
            return service_account_info(text)
        if text.startswith("ey"):  # base64 of '{"'
            return decode_credentials(text)
        return text  # a file path
    if value is None or isinstance(value, Mapping):
        return value
    from google.auth.credentials import Credentials

    if isinstance(value, Credentials):
        return value
    raise ConfigurationError(
        f"{where}: credentials must be a service-account dict, a file path, URL-safe base64 "
        f"JSON or a google.auth Credentials object, got {type(value).__name__}"
    )


def _create(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    where = "store type 'gcs'"
    check_params("gcs", params, _PARAMS)
    if "bucket_name" in params and "bucket" in params:
        raise ConfigurationError(f"{where}: give bucket_name or bucket, not both")
    bucket = parse_str("bucket_name", params.get("bucket_name", params.get("bucket")), where=where)
    if not bucket:
        raise ConfigurationError(
            f"{where}: no bucket given; e.g. gcs://<base64 key>@bucket or bucket_name='name'"
        )
    anonymous = params.get("anonymous")
    connection = GcsConnection(
        credentials=_credentials(params.get("credentials"), where),
        project=parse_str("project", params.get("project"), where=where) or None,
        endpoint=parse_str("endpoint", params.get("endpoint"), where=where) or None,
        anonymous=None if anonymous is None else parse_bool("anonymous", anonymous, where=where),
        connect_timeout=float(
            _number("connect_timeout", params.get("connect_timeout"), DEFAULT_CONNECT_TIMEOUT)
        ),
        read_timeout=float(
            _number("read_timeout", params.get("read_timeout"), DEFAULT_READ_TIMEOUT)
        ),
        retry_deadline=float(
            _number("retry_deadline", params.get("retry_deadline"), DEFAULT_RETRY_DEADLINE)
        ),
    )
    cls = HGoogleCloudStore if extended_keys else GoogleCloudStore
    return cls(
        None,
        bucket,
        create_if_missing,
        parse_str("bucket_creation_location", params.get("bucket_creation_location"), where=where)
        or DEFAULT_BUCKET_LOCATION,
        connection=connection,
        chunk_size=_number(
            "chunk_size", params.get("chunk_size"), DEFAULT_CHUNK_SIZE, integer=True
        ),
        max_concurrency=_number(
            "max_concurrency", params.get("max_concurrency"), DEFAULT_MAX_CONCURRENCY, integer=True
        ),
        url_valid_time=_number(
            "url_valid_time", params.get("url_valid_time"), DEFAULT_URL_VALID_TIME, integer=True
        ),
    )


def _params_from_url(url: StoreUrl) -> dict[str, Any]:
    url.check_options(*_URL_OPTIONS)
    params: dict[str, Any] = dict(url.query)
    if url.port is not None or url.path.strip("/"):
        raise ConfigurationError(
            f"store URL {url.redacted}: the form is gcs://<base64 credentials>@bucket[?options] "
            "(no port, no path; an emulator goes in ?endpoint=http://host:port)"
        )
    if url.host:
        params["bucket_name"] = url.host
    if url.userinfo:
        params["credentials"] = decode_credentials(url.userinfo)
    return params


STORE_TYPE: Final = StoreType(name="gcs", create=_create, params_from_url=_params_from_url)
"""The ``gcs`` store type (``gcs://``, ``hgcs://``)."""

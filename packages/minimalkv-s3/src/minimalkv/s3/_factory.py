"""Registration of the ``s3`` store type (``hs3://`` too) and of ``boto`` (extended keys).

URL form: ``s3://[access_key:secret_key@]endpoint[:port]/bucket[/prefix/][?options]``, with
the keys percent-encoded (``:`` ``/`` ``+`` ``@`` in a secret are written ``%3A`` ``%2F``
``%2B`` ``%40``; an unencoded secret is read up to the last ``@``). Without keys in the URL,
boto3's credential chain applies (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``, the shared files under ``~/.aws``, an instance role). An empty endpoint
(``s3:///bucket``) means AWS itself; any other is reached over HTTPS unless
``is_secure=false``. Path segments after the bucket are an object prefix (``/bucket/a/b/``
stores key ``k`` as object ``a/b/k``).

Options: ``create_if_missing`` (default true: a missing bucket is created; false: it is an
error at the first call and is never created), ``force_bucket_suffix`` (default true, as in
minimalkv 1.x: with keys in the URL the bucket name gets ``-<access key, lower case>``
appended unless it already ends so), ``region_name`` (or ``region``), ``is_secure``,
``verify`` (true, false or a CA bundle path), ``session_token``, ``profile_name``, ``prefix``,
``url_valid_time``, ``reduced_redundancy``, ``public``, ``part_size``, ``max_concurrency``,
``connect_timeout``, ``read_timeout``, ``max_attempts``, ``retry_mode``, ``addressing_style``.

``get_store("s3", bucket=..., host=..., access_key=..., secret_key=..., ...)`` takes the same
settings as keyword parameters, plus ``endpoint_url`` (a whole URL) and ``metadata`` (a dict).
"""

from __future__ import annotations

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
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_READ_TIMEOUT,
    S3Connection,
)
from ._store import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_PART_SIZE,
    DEFAULT_URL_VALID_TIME,
    HS3Store,
    S3Store,
)

__all__ = ["STORE_TYPE", "STORE_TYPE_BOTO"]

_URL_OPTIONS: Final = (
    "force_bucket_suffix",
    "region_name",
    "region",
    "is_secure",
    "verify",
    "session_token",
    "profile_name",
    "prefix",
    "url_valid_time",
    "reduced_redundancy",
    "public",
    "part_size",
    "max_concurrency",
    "connect_timeout",
    "read_timeout",
    "max_attempts",
    "retry_mode",
    "addressing_style",
)
_PARAMS: Final = (
    "bucket",
    "host",
    "port",
    "access_key",
    "secret_key",
    "endpoint_url",
    "metadata",
    *_URL_OPTIONS,
)


def _number(name: str, value: object, default: float, *, integer: bool = False) -> Any:
    """:func:`~minimalkv.backend.parse_number`, with ``default`` for a missing value."""
    parsed = parse_number(name, value, integer=integer)
    return default if parsed is None else parsed


def _verify(value: object, where: str) -> bool | str | None:
    if value is None or isinstance(value, bool):
        return value
    text = parse_str("verify", value, where=where)
    assert text is not None
    if text.strip().lower() in ("true", "false", "1", "0", "yes", "no", "on", "off"):
        return parse_bool("verify", text, where=where)
    return text  # a CA bundle path


def _bucket_name(params: Mapping[str, Any], where: str) -> str:
    bucket = parse_str("bucket", params.get("bucket"), where=where)
    if not bucket:
        raise ConfigurationError(
            f"{where}: no bucket given; e.g. s3://key:secret@host/bucket or bucket='name'"
        )
    access_key = params.get("access_key")
    if access_key and parse_bool(
        "force_bucket_suffix", params.get("force_bucket_suffix", True), where=where
    ):
        suffix = f"-{str(access_key).lower()}"
        if not bucket.endswith(suffix):
            bucket += suffix
    return bucket


def _endpoint(params: Mapping[str, Any], where: str) -> str | None:
    endpoint = parse_str("endpoint_url", params.get("endpoint_url"), where=where)
    host = parse_str("host", params.get("host"), where=where)
    if endpoint:
        if host:
            raise ConfigurationError(f"{where}: give host or endpoint_url, not both")
        return endpoint
    if not host:
        return None
    secure = parse_bool("is_secure", params.get("is_secure", True), where=where)
    port = params.get("port")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{_number('port', port, 0, integer=True)}"
    return f"{'https' if secure else 'http'}://{netloc}"


def _create(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    where = "store type 's3'"
    check_params("s3", params, _PARAMS)
    region = params.get("region_name", params.get("region"))
    access_key = parse_str("access_key", params.get("access_key"), where=where)
    secret_key = parse_str("secret_key", params.get("secret_key"), where=where)
    if (access_key is None) != (secret_key is None):
        raise ConfigurationError(
            f"{where}: give access_key and secret_key together (s3://key:secret@host/bucket), "
            "or neither for boto3's credential chain"
        )
    connection = S3Connection(
        endpoint_url=_endpoint(params, where),
        region_name=parse_str("region_name", region, where=where),
        access_key_id=access_key,
        secret_access_key=secret_key,
        session_token=parse_str("session_token", params.get("session_token"), where=where),
        profile_name=parse_str("profile_name", params.get("profile_name"), where=where),
        verify=_verify(params.get("verify"), where),
        connect_timeout=float(
            _number("connect_timeout", params.get("connect_timeout"), DEFAULT_CONNECT_TIMEOUT)
        ),
        read_timeout=float(
            _number("read_timeout", params.get("read_timeout"), DEFAULT_READ_TIMEOUT)
        ),
        max_attempts=_number(
            "max_attempts", params.get("max_attempts"), DEFAULT_MAX_ATTEMPTS, integer=True
        ),
        retry_mode=params.get("retry_mode") or "standard",
        addressing_style=params.get("addressing_style"),
    )
    metadata = params.get("metadata")
    if metadata is not None and not isinstance(metadata, Mapping):
        raise ConfigurationError(f"{where}: metadata must be a dict of str, got {metadata!r}")
    cls = HS3Store if extended_keys else S3Store
    return cls(
        _bucket_name(params, where),
        parse_str("prefix", params.get("prefix"), where=where) or "",
        _number(
            "url_valid_time", params.get("url_valid_time"), DEFAULT_URL_VALID_TIME, integer=True
        ),
        parse_bool("reduced_redundancy", params.get("reduced_redundancy", False), where=where),
        parse_bool("public", params.get("public", False), where=where),
        metadata,
        connection=connection,
        part_size=_number("part_size", params.get("part_size"), DEFAULT_PART_SIZE, integer=True),
        max_concurrency=_number(
            "max_concurrency", params.get("max_concurrency"), DEFAULT_MAX_CONCURRENCY, integer=True
        ),
        create_if_missing=create_if_missing,
    )


def _create_boto(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    # minimalkv 1.x: "boto" is "hs3" (keys in the extended key space).
    return _create(params, extended_keys=True, create_if_missing=create_if_missing)


def _params_from_url(url: StoreUrl) -> dict[str, Any]:
    url.check_options(*_URL_OPTIONS)
    params: dict[str, Any] = dict(url.query)
    if url.host:
        params["host"] = url.host
    if url.port is not None:
        params["port"] = url.port
    bucket, _, prefix = url.path.lstrip("/").partition("/")
    if bucket:
        params["bucket"] = bucket
    if prefix:
        if "prefix" in params:
            raise ConfigurationError(
                f"store URL {url.redacted}: the prefix is given twice (path and ?prefix=)"
            )
        params["prefix"] = prefix
    if url.userinfo is not None:
        if url.password is None:
            raise ConfigurationError(
                f"store URL {url.redacted}: credentials must be access_key:secret_key "
                "(percent-encode ':' '/' '+' '@' inside them)"
            )
        params["access_key"] = url.user
        params["secret_key"] = url.password
    return params


STORE_TYPE: Final = StoreType(name="s3", create=_create, params_from_url=_params_from_url)
"""The ``s3`` store type (``s3://``, ``hs3://``)."""

STORE_TYPE_BOTO: Final = StoreType(
    name="boto", create=_create_boto, params_from_url=_params_from_url
)
"""The ``boto`` store type of minimalkv 1.x: ``s3`` with the extended key space."""

"""Registration of the ``azure`` store type (``hazure://`` too).

URL forms (minimalkv 1.x's, options chained with ``&`` or ``?``)::

    azure://account_name:account_key@container[?options]
    azure://account_name:SAS@container?use_sas&create_if_missing=false[&options]

The account key is base64 (``/`` ``+`` ``=`` may be written as they are or percent-encoded);
a SAS token may be given as the portal shows it (encoded) or decoded. ``hazure://`` gives
:class:`~minimalkv.azure.HAzureBlockBlobStore` (keys may contain ``/`` and space).

Options: ``create_if_missing`` (default true; with ``use_sas`` it must be false: a SAS
cannot be trusted to create containers), ``use_sas``, ``max_connections`` (default 2),
``socket_timeout`` (seconds, or ``(connect,read)``; default ``(20,100)``), ``max_block_size``
(default 4 MiB; products such as ``4*1024*1024`` allowed), ``max_single_put_size`` (default
64 MiB), ``checksum`` (default true), ``public``, ``endpoint`` (also ``blob_endpoint``: the
blob service's URL, e.g. ``http://127.0.0.1:10000/devstoreaccount1`` for Azurite or a
sovereign cloud's endpoint), ``url_valid_time``, ``max_attempts``, ``max_concurrency``,
``connect_timeout`` and ``read_timeout`` (instead of ``socket_timeout``).

``get_store("azure", account_name=..., account_key=..., container=...)`` takes the same
settings as keyword parameters, plus ``sas_token`` and ``connection_string`` (a whole Azure
connection string, ``BlobEndpoint=`` included).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from minimalkv import ConfigurationError, KeyValueStore
from minimalkv.backend import StoreType, StoreUrl, check_params, parse_bool, parse_str

from ._connection import DEFAULT_MAX_ATTEMPTS, AzureConnection
from ._store import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_URL_VALID_TIME,
    AzureBlockBlobStore,
    HAzureBlockBlobStore,
)

__all__ = ["STORE_TYPE"]

FACTORY_MAX_CONNECTIONS: Final = 2
FACTORY_SOCKET_TIMEOUT: Final = (20.0, 100.0)
FACTORY_MAX_BLOCK_SIZE: Final = 4 * 1024 * 1024
FACTORY_MAX_SINGLE_PUT_SIZE: Final = 64 * 1024 * 1024

_URL_OPTIONS: Final = (
    "use_sas",
    "max_connections",
    "socket_timeout",
    "max_block_size",
    "max_single_put_size",
    "checksum",
    "public",
    "endpoint",
    "blob_endpoint",
    "url_valid_time",
    "max_attempts",
    "max_concurrency",
    "connect_timeout",
    "read_timeout",
)
_PARAMS: Final = (
    "account_name",
    "account_key",
    "sas_token",
    "connection_string",
    "container",
    *_URL_OPTIONS,
)
_PRODUCT: Final = re.compile(r"\s*\d+(\s*\*\s*\d+)*\s*")
_NUMBER: Final = r"\s*(\d+(?:\.\d*)?|\.\d+)\s*"
_PAIR: Final = re.compile(rf"\s*\(?{_NUMBER},{_NUMBER}\)?\s*")
_WHERE: Final = "store type 'azure'"


def _whole(name: str, value: object, default: int) -> int:
    """Return a whole number of at least 1 (``default`` for None); text may be ``4*1024*1024``."""
    if value is None:
        return default
    if isinstance(value, str):
        if not _PRODUCT.fullmatch(value):
            raise ConfigurationError(
                f"{_WHERE}: {name} must be a whole number or a product of them "
                f"(e.g. 4*1024*1024), got {value!r}"
            )
        result = 1
        for factor in value.split("*"):
            result *= int(factor)
        value = result
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{_WHERE}: {name} must be a whole number above 0, got {value!r}")
    return value


def _seconds(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ConfigurationError(
                f"{_WHERE}: {name} must be a number of seconds, got {value!r}"
            ) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigurationError(f"{_WHERE}: {name} must be seconds above 0, got {value!r}")
    if value == float("inf"):
        raise ConfigurationError(f"{_WHERE}: {name} must be finite, got {value!r}")
    return float(value)


def _socket_timeout(value: object) -> tuple[float, float]:
    """``20``, ``(20,100)`` or a pair: (connect, read) seconds."""
    if value is None:
        return FACTORY_SOCKET_TIMEOUT
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ConfigurationError(
                f"{_WHERE}: socket_timeout must be seconds or a (connect, read) pair, got {value!r}"
            )
        connect, read = (_seconds("socket_timeout", part) for part in value)
        assert connect is not None
        assert read is not None
        return connect, read
    if isinstance(value, str):
        pair = _PAIR.fullmatch(value)
        if pair:
            return float(pair.group(1)), float(pair.group(2))
    seconds = _seconds("socket_timeout", value)
    assert seconds is not None
    return seconds, seconds


def _create(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    check_params("azure", params, _PARAMS)
    text = {name: parse_str(name, params.get(name), where=_WHERE) for name in _PARAMS[:5]}
    container = text["container"]
    if not container:
        raise ConfigurationError(
            f"{_WHERE}: no container given; e.g. azure://account:key@container or container='name'"
        )
    use_sas = parse_bool("use_sas", params.get("use_sas", False), where=_WHERE)
    secret = text["account_key"]
    sas = text["sas_token"]
    if use_sas:
        if sas is not None:
            raise ConfigurationError(f"{_WHERE}: with use_sas the SAS is the account key part")
        sas, secret = secret, None
    if sas is not None and create_if_missing:
        raise ConfigurationError(
            f"{_WHERE}: a SAS token (use_sas) cannot be combined with create_if_missing=true: "
            "create the container beforehand and add create_if_missing=false"
        )
    endpoint = parse_str("endpoint", params.get("endpoint"), where=_WHERE)
    blob_endpoint = parse_str("blob_endpoint", params.get("blob_endpoint"), where=_WHERE)
    if endpoint and blob_endpoint and endpoint != blob_endpoint:
        raise ConfigurationError(f"{_WHERE}: give endpoint or blob_endpoint, not both")
    connect, read = _socket_timeout(params.get("socket_timeout"))
    connect = _seconds("connect_timeout", params.get("connect_timeout")) or connect
    read = _seconds("read_timeout", params.get("read_timeout")) or read
    connection_string = text["connection_string"]
    if connection_string is not None and (text["account_name"] or secret or sas):
        raise ConfigurationError(
            f"{_WHERE}: give connection_string, or account_name with account_key or a SAS, not both"
        )
    if connection_string is None and not text["account_name"]:
        raise ConfigurationError(
            f"{_WHERE}: no account given; e.g. azure://account_name:account_key@container"
        )
    connection = AzureConnection(
        account_name=text["account_name"],
        account_key=secret or None,
        sas_token=sas or None,
        connection_string=connection_string,
        blob_endpoint=endpoint or blob_endpoint,
        connect_timeout=connect,
        read_timeout=read,
        max_attempts=_whole("max_attempts", params.get("max_attempts"), DEFAULT_MAX_ATTEMPTS),
    )
    cls = HAzureBlockBlobStore if extended_keys else AzureBlockBlobStore
    return cls(
        container=container,
        public=parse_bool("public", params.get("public", False), where=_WHERE),
        create_if_missing=create_if_missing,
        max_connections=_whole(
            "max_connections", params.get("max_connections"), FACTORY_MAX_CONNECTIONS
        ),
        max_block_size=_whole(
            "max_block_size", params.get("max_block_size"), FACTORY_MAX_BLOCK_SIZE
        ),
        max_single_put_size=_whole(
            "max_single_put_size", params.get("max_single_put_size"), FACTORY_MAX_SINGLE_PUT_SIZE
        ),
        checksum=parse_bool("checksum", params.get("checksum", True), where=_WHERE),
        connection=connection,
        url_valid_time=_whole(
            "url_valid_time", params.get("url_valid_time"), DEFAULT_URL_VALID_TIME
        ),
        max_concurrency=_whole(
            "max_concurrency", params.get("max_concurrency"), DEFAULT_MAX_CONCURRENCY
        ),
    )


def _params_from_url(url: StoreUrl) -> dict[str, Any]:
    url.check_options(*_URL_OPTIONS)
    params: dict[str, Any] = dict(url.query)
    if url.host:
        params["container"] = url.host
    if url.path.strip("/"):
        raise ConfigurationError(
            f"store URL {url.redacted}: the container is the host part "
            "(azure://account:key@container); a path is not allowed"
        )
    if url.userinfo is not None:
        if url.password is None:
            raise ConfigurationError(
                f"store URL {url.redacted}: credentials must be account_name:account_key "
                "(or account_name:SAS with ?use_sas)"
            )
        params["account_name"] = url.user
        params["account_key"] = url.password
    if "use_sas" in params and params["use_sas"] == "":
        params["use_sas"] = True  # a bare flag
    return params


STORE_TYPE: Final = StoreType(name="azure", create=_create, params_from_url=_params_from_url)
"""The ``azure`` store type (``azure://``, ``hazure://``)."""

"""Registration of the ``fs`` store type (``fs://``, ``hfs://``; also ``file``, ``filesystem``).

URL forms: ``fs://relative/path`` (relative to the working directory), ``fs:///absolute/path``,
``hfs://...`` for the extended key space. Options: ``create_if_missing`` (default true),
``perm`` (octal, ``?perm=0640``), ``url_prefix`` (gives a WebFilesystemStore), ``fsync``.
Parameters of ``get_store("fs", ...)``: ``path`` (required), ``perm``, ``url_prefix``,
``fsync``, ``create_if_missing``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final

from minimalkv import ConfigurationError, KeyValueStore
from minimalkv.backend import StoreType, StoreUrl, check_params, parse_bool

from ._store import FilesystemStore, HFilesystemStore, unusable_path
from ._web import HWebFilesystemStore, WebFilesystemStore

__all__ = ["STORE_TYPE"]

_PARAMS: Final = ("path", "perm", "url_prefix", "fsync")
_WHERE: Final = "store type 'fs'"


def _create(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    check_params("fs", params, _PARAMS)
    path = params.get("path")
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise ConfigurationError(
            f"{_WHERE} needs path, the directory of the store, as a str (got {path!r})"
        )
    perm = _parse_perm(params.get("perm"))
    fsync = parse_bool("fsync", params.get("fsync", False), where=_WHERE)
    url_prefix = params.get("url_prefix")
    _prepare_directory(path, create_if_missing)
    if url_prefix is None:
        cls = HFilesystemStore if extended_keys else FilesystemStore
        return cls(path, perm, fsync=fsync)
    if not isinstance(url_prefix, str) and not callable(url_prefix):
        raise ConfigurationError(
            f"{_WHERE}: url_prefix must be a str or a callable, got {url_prefix!r}"
        )
    web = HWebFilesystemStore if extended_keys else WebFilesystemStore
    return web(path, url_prefix, perm, fsync=fsync)


def _prepare_directory(path: str, create_if_missing: bool) -> None:
    unusable = unusable_path(path)
    if unusable:
        raise ConfigurationError(f"the directory {path!r} of the filesystem store {unusable}")
    if create_if_missing:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot create the directory {path!r} of the filesystem store: "
                f"{exc.strerror or exc}"
            ) from exc
    elif not os.path.exists(path):
        raise ConfigurationError(
            f"the directory {path!r} of the filesystem store does not exist "
            "(and create_if_missing is false)"
        )
    if not os.path.isdir(path):
        raise ConfigurationError(f"the path {path!r} of the filesystem store is not a directory")


def _parse_perm(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().lower().removeprefix("0o")
        try:
            value = int(text, 8)
        except ValueError:
            raise ConfigurationError(
                f"{_WHERE}: perm must be an octal file mode such as 0640, got {value!r}"
            ) from None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0o7777:
        raise ConfigurationError(
            f"{_WHERE}: perm must be a file mode from 0 to 0o7777, got {value!r}"
        )
    return value


def _params_from_url(url: StoreUrl) -> dict[str, Any]:
    url.check_options("perm", "url_prefix", "fsync")
    path = url.host + url.path
    if url.userinfo is not None:  # "fs://dir@2024/x": an '@' that belongs to the path
        path = f"{url.userinfo}@{path}"
    if url.port is not None:
        raise ConfigurationError(f"store URL {url.redacted!r}: fs:// paths take no port")
    if not path:
        raise ConfigurationError(
            f"store URL {url.redacted!r}: fs:// needs a directory, e.g. fs://relative/dir or "
            "fs:///absolute/dir"
        )
    params: dict[str, Any] = {"path": path}
    for option in ("perm", "url_prefix", "fsync"):
        if option in url.query:
            params[option] = url.query[option]
    return params


STORE_TYPE = StoreType(name="fs", create=_create, params_from_url=_params_from_url)
"""The ``fs`` store type (entry points ``fs``, ``file``, ``filesystem``)."""

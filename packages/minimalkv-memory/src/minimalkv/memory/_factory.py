"""Registration of the ``memory`` store type (``memory://``, ``hmemory://``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minimalkv import ConfigurationError, KeyValueStore
from minimalkv.backend import StoreType, StoreUrl, check_params

from ._dict_store import DictStore, HDictStore

__all__ = ["STORE_TYPE"]


def _create(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    check_params("memory", params, ("d",))
    d = params.get("d")
    return HDictStore(d) if extended_keys else DictStore(d)


def _params_from_url(url: StoreUrl) -> dict[str, Any]:
    url.check_options()
    if url.host or url.path.strip("/") or url.userinfo is not None:
        raise ConfigurationError(f"store URL {url.redacted!r}: memory:// takes no host or path")
    return {}


STORE_TYPE = StoreType(name="memory", create=_create, params_from_url=_params_from_url)

"""minimalkv: store binary values under string keys, on any backend, with one typed API.

Backends and decorators are separate distributions that share this namespace
(``minimalkv.fs``, ``minimalkv.memory``, ``minimalkv.redis``, ...); install only those you use.
This module is the application API; what backend authors build on is :mod:`minimalkv.backend`.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)

from ._capabilities import StoreCapabilities, capabilities_of
from ._constants import (
    FOREVER,
    NOT_SET,
    PORTABLE_KEY_LENGTH,
    VALID_KEY_RE,
    VALID_KEY_RE_EXTENDED,
    VALID_KEY_REGEXP,
    VALID_KEY_REGEXP_EXTENDED,
)
from ._errors import (
    BackendNotInstalledError,
    BatchError,
    ConfigurationError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidValueError,
    KeyNotFoundError,
    MinimalKVError,
    ReadOnlyError,
    StoreBusyError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StorePermissionError,
    StoreTimeoutError,
    UnknownStoreError,
)
from ._factory import decorate_store, get_store, get_store_from_url, url2dict
from ._key_value_store import KeyValueStore
from ._keys import check_key, is_valid_key
from ._metadata import KeyMetadata
from ._mixins import (
    CopyMixin,
    ExtendedKeyspaceMixin,
    TimeToLiveMixin,
    UrlKeyValueStore,
    UrlMixin,
)
from ._protocols import BlobStore, SupportsCopy, SupportsTtl, SupportsUrl
from ._streams import FileSource, FileTarget
from ._ttl import TtlArgument
from ._url import redact_url
from ._version import __version__

__all__ = [
    "FOREVER",
    "NOT_SET",
    "PORTABLE_KEY_LENGTH",
    "VALID_KEY_RE",
    "VALID_KEY_REGEXP",
    "VALID_KEY_REGEXP_EXTENDED",
    "VALID_KEY_RE_EXTENDED",
    "BackendNotInstalledError",
    "BatchError",
    "BlobStore",
    "ConfigurationError",
    "CopyMixin",
    "ExtendedKeyspaceMixin",
    "FileSource",
    "FileTarget",
    "InvalidArgumentError",
    "InvalidKeyError",
    "InvalidValueError",
    "KeyMetadata",
    "KeyNotFoundError",
    "KeyValueStore",
    "MinimalKVError",
    "ReadOnlyError",
    "StoreBusyError",
    "StoreCapabilities",
    "StoreConnectionError",
    "StoreError",
    "StoreNotFoundError",
    "StorePermissionError",
    "StoreTimeoutError",
    "SupportsCopy",
    "SupportsTtl",
    "SupportsUrl",
    "TimeToLiveMixin",
    "TtlArgument",
    "UnknownStoreError",
    "UrlKeyValueStore",
    "UrlMixin",
    "__version__",
    "capabilities_of",
    "check_key",
    "decorate_store",
    "get_store",
    "get_store_from_url",
    "is_valid_key",
    "redact_url",
    "url2dict",
]


def __getattr__(name: str) -> object:
    # A name of the backend API looked up here gets told where it lives.
    from . import backend

    if name in backend.__all__:
        raise AttributeError(
            f"minimalkv.{name} is part of the backend API: import it from minimalkv.backend",
            name=name,
            obj=None,
        )
    raise AttributeError(f"module 'minimalkv' has no attribute {name!r}", name=name, obj=None)

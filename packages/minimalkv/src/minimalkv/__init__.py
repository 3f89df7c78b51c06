"""minimalkv: store binary values under string keys, on any backend, with one typed API.

Backends and decorators are separate distributions that share this namespace
(``minimalkv.fs``, ``minimalkv.memory``, ``minimalkv.redis``, ...); install only those you use.
This module is the application API; what backend authors build on is :mod:`minimalkv.backend`.
It belongs to the ``minimalkv`` distribution, which owns every path minimalkv 1.x installed; the
implementation is minimalkv-core's.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)


from . import _minimalkv1
from ._capabilities import StoreCapabilities, capabilities_of
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
from ._keys import check_key, is_valid_key
from ._metadata import KeyMetadata
from ._protocols import BlobStore, SupportsCopy, SupportsTtl, SupportsUrl
from ._public_constants import (
    FOREVER,
    NOT_SET,
    PORTABLE_KEY_LENGTH,
    VALID_KEY_RE,
    VALID_KEY_RE_EXTENDED,
    VALID_KEY_REGEXP,
    VALID_KEY_REGEXP_EXTENDED,
)
from ._store import KeyValueStore
from ._store_mixins import (
    CopyMixin,
    ExtendedKeyspaceMixin,
    TimeToLiveMixin,
    UrlKeyValueStore,
    UrlMixin,
)
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

# Files of minimalkv 1.x beside these would mix its modules with ours: refuse, and say why.
_minimalkv1.check_no_minimalkv1_files(__path__, __version__)


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

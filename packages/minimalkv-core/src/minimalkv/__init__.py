"""minimalkv: store binary values under string keys, on any backend, with one typed API.

Backends and decorators are separate distributions that share this namespace
(``minimalkv.fs``, ``minimalkv.memory``, ``minimalkv.redis``, ...); install only those you use.
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
    ConfigurationError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidValueError,
    KeyNotFoundError,
    MinimalKVError,
    ReadOnlyError,
    StoreConnectionError,
    StoreError,
    StoreTimeoutError,
    UnknownStoreError,
)
from ._factory import (
    DECORATOR_GROUP,
    STORE_GROUP,
    DecoratorFactory,
    StoreCreator,
    StoreType,
    decorate_store,
    get_store,
    get_store_from_url,
    url2dict,
)
from ._key_value_store import KeyValueStore
from ._keys import BASIC_KEY_CACHE, EXTENDED_KEY_CACHE, check_key, check_prefix, is_valid_key
from ._metadata import KeyMetadata
from ._mixins import (
    CopyMixin,
    ExtendedKeyspaceMixin,
    TimeToLiveMixin,
    UrlKeyValueStore,
    UrlMixin,
)
from ._protocols import BlobStore, SupportsCopy, SupportsTtl, SupportsUrl
from ._streams import (
    CHUNK_SIZE,
    BytesReader,
    FileSource,
    FileTarget,
    ReadableBinary,
    WritableBinary,
    copy_stream,
    read_all,
    seek_target,
    write_atomically,
)
from ._ttl import TtlArgument, normalize_ttl
from ._url import StoreUrl, parse_store_url, redact_url
from ._version import __version__

__all__ = [
    "BASIC_KEY_CACHE",
    "CHUNK_SIZE",
    "DECORATOR_GROUP",
    "EXTENDED_KEY_CACHE",
    "FOREVER",
    "NOT_SET",
    "PORTABLE_KEY_LENGTH",
    "STORE_GROUP",
    "VALID_KEY_RE",
    "VALID_KEY_REGEXP",
    "VALID_KEY_REGEXP_EXTENDED",
    "VALID_KEY_RE_EXTENDED",
    "BackendNotInstalledError",
    "BlobStore",
    "BytesReader",
    "ConfigurationError",
    "CopyMixin",
    "DecoratorFactory",
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
    "ReadableBinary",
    "StoreCapabilities",
    "StoreConnectionError",
    "StoreCreator",
    "StoreError",
    "StoreTimeoutError",
    "StoreType",
    "StoreUrl",
    "SupportsCopy",
    "SupportsTtl",
    "SupportsUrl",
    "TimeToLiveMixin",
    "TtlArgument",
    "UnknownStoreError",
    "UrlKeyValueStore",
    "UrlMixin",
    "WritableBinary",
    "__version__",
    "capabilities_of",
    "check_key",
    "check_prefix",
    "copy_stream",
    "decorate_store",
    "get_store",
    "get_store_from_url",
    "is_valid_key",
    "normalize_ttl",
    "parse_store_url",
    "read_all",
    "redact_url",
    "seek_target",
    "url2dict",
    "write_atomically",
]

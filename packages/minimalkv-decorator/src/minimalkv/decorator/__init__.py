"""Store decorators: stores that wrap another store and change one thing about it.

- :class:`PrefixDecorator` keeps every key under a prefix (a namespace in a shared store);
- :class:`URLEncodeKeysDecorator` accepts any text key and stores it percent-encoded;
- :class:`ReadOnlyDecorator` lets reads through and refuses every write;
- :class:`StoreDecorator` is their base: it forwards every call and capability to the
  wrapped store's public methods.

In store URLs they are ``prefix(text)``, ``urlencode`` and ``readonly``:
``memory+readonly://`` or ``memory://#wrap:urlencode+readonly``.
"""

from ._errors import UnsupportedCapabilityError
from ._prefix import PrefixDecorator
from ._protocols import ReadOnlyStoreCannotWrite, WrappedStoreCannotCopy, WrappedStoreHasNoUrls
from ._readonly import ReadOnlyDecorator
from ._store_decorator import StoreDecorator, WrappedStore, key_rules
from ._urlencode import URLEncodeKeysDecorator, decode_key, encode_key

__all__ = [
    "PrefixDecorator",
    "ReadOnlyDecorator",
    "ReadOnlyStoreCannotWrite",
    "StoreDecorator",
    "URLEncodeKeysDecorator",
    "UnsupportedCapabilityError",
    "WrappedStore",
    "WrappedStoreCannotCopy",
    "WrappedStoreHasNoUrls",
    "decode_key",
    "encode_key",
    "key_rules",
]

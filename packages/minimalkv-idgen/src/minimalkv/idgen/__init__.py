"""Decorators that generate keys: ``put(None, data)`` stores a value and returns its new key.

- :class:`HashDecorator` uses the hash of the value (content addressing, deduplication);
- :class:`UUIDDecorator` uses a fresh random UUID.

Both take a ``template`` (``"{}"`` by default, e.g. ``"img-{}.png"``) that turns the generated id
into the key. An explicit key is used exactly as given, without the template, in both; with
explicit keys the decorators behave as the store they wrap.
"""

from ._generating import IdGeneratingDecorator
from ._hash import HashDecorator
from ._spool import SPOOL_MEMORY_LIMIT, HashObject
from ._uuid import UUIDDecorator

__all__ = [
    "SPOOL_MEMORY_LIMIT",
    "HashDecorator",
    "HashObject",
    "IdGeneratingDecorator",
    "UUIDDecorator",
]

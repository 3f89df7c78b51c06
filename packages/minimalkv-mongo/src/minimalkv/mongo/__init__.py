"""MongoDB store for minimalkv (pymongo): :class:`MongoStore` and :class:`HMongoStore`.

One document per key; values are BSON binary, never pickled; values above ``inline_limit``
go to GridFS. URLs ``mongodb://`` and ``hmongodb://`` (extended key space).
"""

from ._errors import ValueTooLargeError
from ._factory import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_SERVER_SELECTION_TIMEOUT,
    DEFAULT_TIMEOUT,
)
from ._reader import GridFSRangeReader, ValueGoneError
from ._store import DEFAULT_INLINE_LIMIT, MAX_INLINE_LIMIT, HMongoStore, MongoStore

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_INLINE_LIMIT",
    "DEFAULT_SERVER_SELECTION_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "MAX_INLINE_LIMIT",
    "GridFSRangeReader",
    "HMongoStore",
    "MongoStore",
    "ValueGoneError",
    "ValueTooLargeError",
]

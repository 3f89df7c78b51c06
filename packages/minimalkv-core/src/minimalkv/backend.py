"""What backend and decorator authors build on: the API a store implementation uses.

Applications need only the top-level :mod:`minimalkv`. A backend (ours or a third party's)
imports its building blocks from here, and only from here: readers (``RangeReader`` for values
fetched in ranges) and stream helpers, atomic file writes, batch calls run as parallel single
calls, value and TTL checks, the error of a store that cannot be pickled, and what a store
type needs to register with the factory (option parsing, URLs, entry-point groups).
Everything here is documented and stable.
"""

from ._atomic import create_exclusive, write_atomically
from ._factory import (
    DECORATOR_GROUP,
    STORE_GROUP,
    DecoratorFactory,
    StoreCreator,
    StoreType,
    UrlParamParser,
)
from ._keys import check_prefix
from ._options import check_params, parse_bool, parse_number, parse_str, parse_timeout
from ._parallel import batch_error, delete_in_batches, get_each, put_each, wait_all
from ._pickling import pickling_refused
from ._public_constants import KEY_PUNCTUATION
from ._range_reader import RangeReader
from ._streams import (
    CHUNK_SIZE,
    BytesReader,
    ReadableBinary,
    WritableBinary,
    copy_stream,
    file_source,
    file_target,
    read_all,
    read_chunk,
    seek_target,
)
from ._ttl import normalize_ttl
from ._url import SECRET_MASK, StoreUrl, is_secret_option, parse_store_url
from ._values import check_value

__all__ = [
    "CHUNK_SIZE",
    "DECORATOR_GROUP",
    "KEY_PUNCTUATION",
    "SECRET_MASK",
    "STORE_GROUP",
    "BytesReader",
    "DecoratorFactory",
    "RangeReader",
    "ReadableBinary",
    "StoreCreator",
    "StoreType",
    "StoreUrl",
    "UrlParamParser",
    "WritableBinary",
    "batch_error",
    "check_params",
    "check_prefix",
    "check_value",
    "copy_stream",
    "create_exclusive",
    "delete_in_batches",
    "file_source",
    "file_target",
    "get_each",
    "is_secret_option",
    "normalize_ttl",
    "parse_bool",
    "parse_number",
    "parse_store_url",
    "parse_str",
    "parse_timeout",
    "pickling_refused",
    "put_each",
    "read_all",
    "read_chunk",
    "seek_target",
    "wait_all",
    "write_atomically",
]

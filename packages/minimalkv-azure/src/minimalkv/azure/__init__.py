"""Azure Blob Storage store for minimalkv (azure-storage-blob): :class:`AzureBlockBlobStore`.

``azure://`` and ``hazure://``, for Azure and Azurite: atomic puts of staged blocks, ranged and
parallel reads, server-side copy, batch deletes, read-only SAS URLs and optional MD5
checksums. minimalkv 1.x's import path ``minimalkv.net.azurestore`` is kept.
"""

from ._connection import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_READ_TIMEOUT,
    AzureConnection,
)
from ._reader import AzureReader
from ._store import (
    DEFAULT_MAX_BLOCK_SIZE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_SINGLE_PUT_SIZE,
    DEFAULT_URL_VALID_TIME,
    DELETE_BATCH,
    AzureBlockBlobStore,
    HAzureBlockBlobStore,
)
from ._transfer import MAX_BLOCKS

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_BLOCK_SIZE",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_SINGLE_PUT_SIZE",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_URL_VALID_TIME",
    "DELETE_BATCH",
    "MAX_BLOCKS",
    "AzureBlockBlobStore",
    "AzureConnection",
    "AzureReader",
    "HAzureBlockBlobStore",
]

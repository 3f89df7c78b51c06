"""Google Cloud Storage store for minimalkv (google-cloud-storage).

:class:`GoogleCloudStore` (``gcs://``) and :class:`HGoogleCloudStore` (``hgcs://``, the extended
key space): atomic resumable uploads, ranged reads of one generation, server-side copy, V4
signed URLs and parallel batch calls, against GCS or an emulator (fake-gcs-server). minimalkv
1.x's import path ``minimalkv.net.gcstore`` is kept.
"""

from ._connection import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_POOL_CONNECTIONS,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRY_DEADLINE,
    EMULATOR_VARIABLE,
    GcsConnection,
)
from ._factory import decode_credentials
from ._reader import READ_AHEAD, GcsReader
from ._store import (
    DEFAULT_BUCKET_LOCATION,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_URL_VALID_TIME,
    MAX_OBJECT_NAME_BYTES,
    SNAPSHOT_SIZE,
    GoogleCloudStore,
    HGoogleCloudStore,
)

__all__ = [
    "DEFAULT_BUCKET_LOCATION",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_POOL_CONNECTIONS",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RETRY_DEADLINE",
    "DEFAULT_URL_VALID_TIME",
    "EMULATOR_VARIABLE",
    "MAX_OBJECT_NAME_BYTES",
    "READ_AHEAD",
    "SNAPSHOT_SIZE",
    "GcsConnection",
    "GcsReader",
    "GoogleCloudStore",
    "HGoogleCloudStore",
    "decode_credentials",
]

"""Amazon S3 store for minimalkv (boto3): :class:`S3Store` and :class:`HS3Store`.

``s3://`` and ``hs3://`` (``boto://`` is ``hs3://``), for AWS and every S3-compatible service:
atomic puts, streamed multipart uploads, ranged and parallel reads, server-side copy,
presigned URLs and batch calls. The names of minimalkv 1.x (``BotoStore``, ``Boto3Store``,
``S3FSStore``) are kept here and under ``minimalkv.net``.
"""

from ._connection import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_READ_TIMEOUT,
    S3Connection,
)
from ._legacy import Boto3Store, BotoStore, HBoto3Store, HBotoStore, HS3FSStore, S3FSStore
from ._reader import S3Reader
from ._store import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_PART_SIZE,
    DEFAULT_URL_VALID_TIME,
    MAX_OBJECT_NAME_BYTES,
    TRANSFER_BUFFER,
    HS3Store,
    S3Store,
)
from ._transfer import MAX_PARTS, MIN_PART_SIZE

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_PART_SIZE",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_URL_VALID_TIME",
    "MAX_OBJECT_NAME_BYTES",
    "MAX_PARTS",
    "MIN_PART_SIZE",
    "TRANSFER_BUFFER",
    "Boto3Store",
    "BotoStore",
    "HBoto3Store",
    "HBotoStore",
    "HS3FSStore",
    "HS3Store",
    "S3Connection",
    "S3FSStore",
    "S3Reader",
    "S3Store",
]

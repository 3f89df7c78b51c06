"""minimalkv 1.x's import path ``minimalkv.net.s3fsstore``; the store lives in ``minimalkv.s3``."""

from minimalkv.s3 import HS3FSStore, S3FSStore

__all__ = ["HS3FSStore", "S3FSStore"]

"""minimalkv 1.x's import path ``minimalkv.net.botostore``; the store lives in ``minimalkv.s3``."""

from minimalkv.s3 import BotoStore, HBotoStore

__all__ = ["BotoStore", "HBotoStore"]

"""minimalkv 1.x's import path ``minimalkv.net.boto3store``; the store lives in ``minimalkv.s3``."""

from minimalkv.s3 import Boto3Store, HBoto3Store

__all__ = ["Boto3Store", "HBoto3Store"]

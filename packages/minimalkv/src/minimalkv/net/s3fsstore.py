"""minimalkv 1.x's import path ``minimalkv.net.s3fsstore``; the store lives in ``minimalkv.s3``."""

from minimalkv._moved import backend_missing

try:
    from minimalkv.s3 import HS3FSStore, S3FSStore
except ModuleNotFoundError as error:  # pragma: no cover - depends on what is installed
    if error.name not in ("minimalkv.s3", "minimalkv"):
        raise
    raise backend_missing(__name__, "minimalkv.s3", "s3") from error

__all__ = ["HS3FSStore", "S3FSStore"]

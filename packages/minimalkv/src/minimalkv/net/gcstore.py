"""minimalkv 1.x's import path ``minimalkv.net.gcstore``; the store lives in ``minimalkv.gcs``."""

from minimalkv._moved import backend_missing

try:
    from minimalkv.gcs import GoogleCloudStore, HGoogleCloudStore
except ModuleNotFoundError as error:  # pragma: no cover - depends on what is installed
    if error.name not in ("minimalkv.gcs", "minimalkv"):
        raise
    raise backend_missing(__name__, "minimalkv.gcs", "gcs") from error

__all__ = ["GoogleCloudStore", "HGoogleCloudStore"]

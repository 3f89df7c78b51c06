"""minimalkv 1.x's import path ``minimalkv.net.gcstore``; the store lives in ``minimalkv.gcs``."""

from minimalkv.gcs import GoogleCloudStore, HGoogleCloudStore

__all__ = ["GoogleCloudStore", "HGoogleCloudStore"]

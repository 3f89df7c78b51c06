"""minimalkv 1.x's import path ``minimalkv.net.azurestore``; the store is in ``minimalkv.azure``."""

from minimalkv._moved import backend_missing

try:
    from minimalkv.azure import AzureBlockBlobStore, HAzureBlockBlobStore
except ModuleNotFoundError as error:  # pragma: no cover - depends on what is installed
    if error.name not in ("minimalkv.azure", "minimalkv"):
        raise
    raise backend_missing(__name__, "minimalkv.azure", "azure") from error

__all__ = ["AzureBlockBlobStore", "HAzureBlockBlobStore"]

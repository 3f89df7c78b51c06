"""minimalkv 1.x's import path ``minimalkv.net.azurestore``; the store is in ``minimalkv.azure``."""

from minimalkv.azure import AzureBlockBlobStore, HAzureBlockBlobStore

__all__ = ["AzureBlockBlobStore", "HAzureBlockBlobStore"]

"""Azure Blob Storage store for minimalkv (azure-storage-blob)."""

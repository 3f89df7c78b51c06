"""Google Cloud Storage store for minimalkv (google-cloud-storage)."""

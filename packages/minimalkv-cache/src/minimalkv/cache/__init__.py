"""minimalkv.cache (under construction)."""

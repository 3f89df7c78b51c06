"""minimalkv.redis (under construction)."""

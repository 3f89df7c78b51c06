"""minimalkv.crypt (under construction)."""

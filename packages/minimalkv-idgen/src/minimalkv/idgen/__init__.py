"""minimalkv.idgen (under construction)."""

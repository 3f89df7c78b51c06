"""minimalkv.sql (under construction)."""

"""Version of the minimalkv-core distribution."""

__version__ = "2.0.0.dev0"

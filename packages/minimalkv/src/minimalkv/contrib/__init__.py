"""Compatibility home of :class:`ExtendedKeyspaceMixin` (``minimalkv.contrib``)."""

from minimalkv._store_mixins import ExtendedKeyspaceMixin

__all__ = ["ExtendedKeyspaceMixin"]

"""Compatibility home of :class:`ExtendedKeyspaceMixin` (``minimalkv.contrib``)."""

from minimalkv._mixins import ExtendedKeyspaceMixin

__all__ = ["ExtendedKeyspaceMixin"]

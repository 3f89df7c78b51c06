"""Compatibility home of :class:`ExtendedKeyspaceMixin` (``minimalkv.contrib``)."""

from .._mixins import ExtendedKeyspaceMixin

__all__ = ["ExtendedKeyspaceMixin"]

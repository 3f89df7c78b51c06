"""The capability mixins under the module path the original documentation uses."""

from ._store_mixins import CopyMixin, ExtendedKeyspaceMixin, TimeToLiveMixin, UrlMixin

__all__ = ["CopyMixin", "ExtendedKeyspaceMixin", "TimeToLiveMixin", "UrlMixin"]

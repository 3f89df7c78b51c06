"""The capability mixins under the module path the original documentation uses."""

from ._mixins import CopyMixin, ExtendedKeyspaceMixin, TimeToLiveMixin, UrlMixin

__all__ = ["CopyMixin", "ExtendedKeyspaceMixin", "TimeToLiveMixin", "UrlMixin"]

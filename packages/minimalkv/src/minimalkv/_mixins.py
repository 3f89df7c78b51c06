"""minimalkv 1.x's module path of the store mixins; they live in minimalkv-core."""

from minimalkv._store_mixins import (
    CopyMixin,
    ExtendedKeyspaceMixin,
    TimeToLiveMixin,
    UrlKeyValueStore,
    UrlMixin,
)

__all__ = [
    "CopyMixin",
    "ExtendedKeyspaceMixin",
    "TimeToLiveMixin",
    "UrlKeyValueStore",
    "UrlMixin",
]

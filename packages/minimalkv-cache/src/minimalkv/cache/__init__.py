"""A read-through cache decorator: :class:`CacheDecorator` puts a fast store in front of a slow one.

Reads try the cache first and fill it on a miss; writes go to the backing store and drop the
cached entry; a failing cache never fails a read. See :class:`CacheDecorator` for the rules.
"""

from ._cache_decorator import CacheDecorator, CacheInvalidationError

__all__ = ["CacheDecorator", "CacheInvalidationError"]

"""Typing checks mypy --strict must accept: the cache keeps the backing store's capabilities.

Not a pytest module; ``hatch run mypy`` checks it.
"""

from __future__ import annotations

from minimalkv import SupportsCopy, SupportsTtl, TimeToLiveMixin
from minimalkv.cache import CacheDecorator
from minimalkv.decorator import PrefixDecorator
from minimalkv.memory import DictStore
from typing_extensions import assert_type


class TtlStore(TimeToLiveMixin, DictStore):
    """A TTL store built on the mixin."""

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.d[key] = data
        return key


def wants_copy(store: SupportsCopy) -> str:
    """Application code that copies."""
    return store.copy("a", "b")


def wants_ttl(store: SupportsTtl) -> str:
    """Application code that needs expiring values."""
    return store.put("k", b"v", ttl_secs=60)


def check_capabilities_follow_the_backing_store() -> None:
    """Generic over the backing store, not the cache."""
    cached = CacheDecorator(DictStore(), TtlStore())
    assert_type(cached, CacheDecorator[TtlStore])
    assert_type(cached.put("k", b"v", ttl_secs=60), str)
    assert_type(PrefixDecorator("p_", cached).put("k", b"v", ttl_secs=60), str)
    wants_copy(cached)
    wants_ttl(cached)

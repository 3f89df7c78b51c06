"""Typing checks mypy --strict must accept: id generators keep the wrapped store's capabilities.

Not a pytest module; ``hatch run mypy`` checks it.
"""

from __future__ import annotations

import io

from minimalkv import SupportsCopy, SupportsTtl, TimeToLiveMixin
from minimalkv.idgen import HashDecorator, UUIDDecorator
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


def check_generated_keys_and_ttl() -> None:
    """``put(None, ...)`` returns ``str``; ``ttl_secs`` type-checks over a TTL store only."""
    hashed = HashDecorator(TtlStore())
    assert_type(hashed, HashDecorator[TtlStore])
    assert_type(hashed.put(None, b"v", ttl_secs=60), str)
    assert_type(hashed.put_file(None, io.BytesIO(b"v"), 60), str)
    assert_type(UUIDDecorator(hashed).put(None, b"v", ttl_secs=5), str)
    assert_type(UUIDDecorator(DictStore()).store, DictStore)
    wants_ttl(hashed)
    wants_copy(HashDecorator(DictStore()))

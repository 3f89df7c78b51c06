"""Typing tests for HMACDecorator: mypy --strict must accept this module as it is.

It is not a pytest module; ``hatch run mypy`` checks it (the cases mypy must reject are in
``test_crypt_typing.py``). HMACDecorator keeps the wrapped store's type, forwards ``ttl_secs``
to a TTL store, always copies, and never offers URLs.
"""

from __future__ import annotations

import hashlib
import io
from typing import IO

from minimalkv import (
    BlobStore,
    KeyMetadata,
    KeyValueStore,
    SupportsCopy,
    SupportsTtl,
    TimeToLiveMixin,
)
from minimalkv.crypt import HMACDecorator
from minimalkv.decorator import PrefixDecorator, ReadOnlyDecorator
from minimalkv.memory import DictStore
from typing_extensions import assert_type


class TtlStore(TimeToLiveMixin, DictStore):
    """A TTL store built on the mixin."""

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.d[key] = data
        return key


class PlainStore(KeyValueStore):
    """A store without copy."""


def wants_ttl(store: SupportsTtl) -> str:
    """Application code that needs expiring values."""
    return store.put("k", b"v", ttl_secs=60)


def wants_copy(store: SupportsCopy) -> str:
    """Application code that copies."""
    return store.copy("a", "b")


def check_types_follow_the_wrapped_store() -> None:
    """The type parameter is the wrapped store's type; the API keeps the core types."""
    signed = HMACDecorator(b"secret", DictStore())
    assert_type(signed, HMACDecorator[DictStore])
    assert_type(signed.store, DictStore)
    assert_type(signed.get("k"), bytes)
    assert_type(signed.open("k"), IO[bytes])
    assert_type(signed.get_many(["k"]), dict[str, bytes])
    assert_type(signed.metadata("k"), KeyMetadata)
    assert_type(signed.hmac_digestsize, int)
    assert_type(HMACDecorator(b"s", DictStore(), hashlib.sha512), HMACDecorator[DictStore])
    assert_type(HMACDecorator(b"s", DictStore(), "sha1"), HMACDecorator[DictStore])
    blob: BlobStore = ReadOnlyDecorator(signed)
    assert blob is not signed


def check_ttl_passes_through() -> None:
    """A signed TTL store accepts ttl_secs, also under other decorators."""
    signed = HMACDecorator(b"secret", TtlStore())
    assert_type(signed.put("k", b"v", ttl_secs=10), str)
    assert_type(signed.put_file("k", io.BytesIO(b"v"), 5), str)
    wants_ttl(signed)
    wants_ttl(PrefixDecorator("p_", signed))


def check_copy_always() -> None:
    """Copy is the decorator's own (verified re-signing): it works over any store."""
    plain = HMACDecorator(b"secret", PlainStore())
    assert_type(plain.copy("a", "b"), str)
    assert_type(plain.move("a", "b"), str)
    wants_copy(plain)
    wants_copy(PrefixDecorator("p_", plain))

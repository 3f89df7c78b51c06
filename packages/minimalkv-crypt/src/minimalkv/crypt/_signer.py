"""The MAC arithmetic of HMACDecorator: one place that knows the storage format.

A stored value is ``data + HMAC(key_bytes + secret_key, data, hashfunc).digest()``, where
``key_bytes`` is the key encoded as UTF-8 (identical to minimalkv 1.x's ASCII encoding for
every key of the basic and extended key spaces, which are ASCII).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeAlias

from typing_extensions import Buffer

from ._errors import VerificationException

__all__ = ["HashFunction", "Signer"]

HashFunction: TypeAlias = "str | Callable[..., Any] | ModuleType"
"""What :func:`hmac.new` accepts as ``digestmod``: ``hashlib.sha256``, ``"sha256"``, ..."""


class Signer:
    """Computes and checks the MAC of values for one secret key and hash function."""

    __slots__ = ("_digest_size", "_hashfunc", "_secret_key")

    def __init__(self, secret_key: bytes, hashfunc: HashFunction) -> None:
        self._secret_key = secret_key
        self._hashfunc = hashfunc
        self._digest_size = hmac.new(b"probe", digestmod=hashfunc).digest_size

    def __repr__(self) -> str:
        # Never the secret.
        return f"<{type(self).__name__} {self.hash_name}>"

    def __getstate__(self) -> tuple[bytes, HashFunction, int]:
        return self._secret_key, self._hashfunc, self._digest_size

    def __setstate__(self, state: tuple[bytes, HashFunction, int]) -> None:
        self._secret_key, self._hashfunc, self._digest_size = state

    @property
    def digest_size(self) -> int:
        """Length of the MAC appended to every value, in bytes."""
        return self._digest_size

    @property
    def hash_name(self) -> str:
        """Name of the hash function (``sha256``)."""
        return hmac.new(b"probe", digestmod=self._hashfunc).name.removeprefix("hmac-")

    def mac_key(self, key: str) -> bytes:
        """Return the HMAC key for values stored under ``key``: the key name salts the secret."""
        return key.encode("utf-8") + self._secret_key

    def digest(self, key: str, data: Buffer) -> bytes:
        """Return the MAC of ``data`` stored under ``key``."""
        return hmac.digest(self.mac_key(key), data, self._hashfunc)

    def new(self, key: str) -> hmac.HMAC:
        """Return a fresh incremental HMAC for a value stored under ``key``."""
        return hmac.new(self.mac_key(key), digestmod=self._hashfunc)

    def sign(self, key: str, data: bytes) -> bytes:
        """Return the stored form of ``data`` under ``key``: data followed by its MAC."""
        return data + self.digest(key, data)

    def unsign(self, key: str, stored: bytes) -> bytes:
        """Return the data of a stored value after checking its MAC; raise if it fails."""
        size = self._digest_size
        if len(stored) < size:
            raise too_short(key, len(stored), size)
        with memoryview(stored) as view:
            data = view[: len(stored) - size]
            check(key, self.digest(key, data), view[len(stored) - size :])
        return stored[: len(stored) - size]


def check(key: str, computed: Buffer, stored_mac: Buffer) -> None:
    """Compare two MACs in constant time; raise :class:`VerificationException` if they differ."""
    # Looked up on the module at each call (not imported by name), so it is the one function
    # every comparison goes through.
    if not hmac.compare_digest(computed, stored_mac):
        raise VerificationException(
            f"value of key {key!r} failed HMAC verification: it was modified, cut short "
            "or stored under another key",
            key=key,
        )


def too_short(key: str, size: int, digest_size: int) -> VerificationException:
    """Return the error for a stored value too short to hold a MAC."""
    return VerificationException(
        f"value of key {key!r} failed HMAC verification: {size} bytes stored, "
        f"shorter than the {digest_size}-byte MAC",
        key=key,
    )

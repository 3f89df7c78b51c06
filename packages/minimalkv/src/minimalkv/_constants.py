"""minimalkv 1.x's module path of the TTL sentinels and key patterns (now in minimalkv-core)."""

from minimalkv._public_constants import (
    FOREVER,
    KEY_PUNCTUATION,
    NOT_SET,
    PORTABLE_KEY_LENGTH,
    VALID_KEY_RE,
    VALID_KEY_RE_EXTENDED,
    VALID_KEY_REGEXP,
    VALID_KEY_REGEXP_EXTENDED,
    TtlSentinel,
)

__all__ = [
    "FOREVER",
    "KEY_PUNCTUATION",
    "NOT_SET",
    "PORTABLE_KEY_LENGTH",
    "VALID_KEY_RE",
    "VALID_KEY_REGEXP",
    "VALID_KEY_REGEXP_EXTENDED",
    "VALID_KEY_RE_EXTENDED",
    "TtlSentinel",
]

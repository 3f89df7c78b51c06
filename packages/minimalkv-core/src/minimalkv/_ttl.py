"""Validation of time-to-live arguments."""

from __future__ import annotations

import math

from ._errors import InvalidArgumentError
from ._public_constants import FOREVER, NOT_SET, TtlSentinel

__all__ = ["TtlArgument", "normalize_ttl"]

TtlArgument = float | int | TtlSentinel | None
"""What a ``ttl_secs`` parameter accepts: seconds, ``FOREVER``, ``NOT_SET`` or ``None``.

Other text (``"5"``) is a type error; ``bool`` cannot be told from ``int`` by type checkers and
is refused at run time."""


def normalize_ttl(ttl_secs: object, default: object = NOT_SET) -> float | None:
    """Turn a ``ttl_secs`` argument into seconds (``float``) or ``None`` for no expiry.

    ``None`` stands for ``default``; ``FOREVER`` and ``NOT_SET`` mean no expiry. Zero, negative,
    infinite, NaN, booleans and anything not a number raise :class:`InvalidArgumentError`
    (a ``ValueError``) before any backend is asked.
    """
    if ttl_secs is None:
        ttl_secs = default
        if ttl_secs is None:
            return None
    if ttl_secs in (FOREVER, NOT_SET):
        return None
    if isinstance(ttl_secs, bool) or not isinstance(ttl_secs, (int, float)):
        raise InvalidArgumentError(
            f"ttl_secs must be a positive number of seconds, FOREVER or NOT_SET, got {ttl_secs!r}"
        )
    try:
        finite = math.isfinite(ttl_secs)
    except OverflowError:  # an int beyond any float: no store keeps a value that long
        finite = False
    if not finite or ttl_secs <= 0:
        raise InvalidArgumentError(
            f"ttl_secs must be a positive, finite number of seconds, got {ttl_secs!r} "
            "(use FOREVER for no expiry)"
        )
    return float(ttl_secs)

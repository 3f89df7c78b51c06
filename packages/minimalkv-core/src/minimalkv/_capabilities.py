"""The run-time record of what optional features a store offers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StoreCapabilities", "capabilities_of"]


@dataclass(frozen=True, slots=True)
class StoreCapabilities:
    """Which optional features a store offers; see :func:`capabilities_of`."""

    copy: bool = False
    """``copy`` and ``move`` are available."""
    url: bool = False
    """``url_for`` is available."""
    ttl: bool = False
    """``put`` and ``put_file`` accept ``ttl_secs``."""
    extended_keys: bool = False
    """Keys may contain ``/`` and space."""


def capabilities_of(store: object) -> StoreCapabilities:
    """Return the capabilities of ``store``.

    A store (or decorator) may declare them as a ``capabilities`` attribute; otherwise they are
    read off the methods and flags it has.
    """
    declared = getattr(store, "capabilities", None)
    if isinstance(declared, StoreCapabilities):
        return declared
    return StoreCapabilities(
        copy=callable(getattr(store, "copy", None)) and callable(getattr(store, "move", None)),
        url=callable(getattr(store, "url_for", None)),
        ttl=getattr(store, "ttl_support", False) is True,
        extended_keys=getattr(store, "extended_keys", False) is True,
    )

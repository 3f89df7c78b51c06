"""The run-time record of what optional features a store offers."""

from __future__ import annotations

from dataclasses import dataclass

from ._protocols import SupportsCopy, SupportsTtl, SupportsUrl

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

    The answer agrees with the protocols: ``capabilities_of(s).copy`` is
    ``isinstance(s, SupportsCopy)``, ``.url`` is ``isinstance(s, SupportsUrl)`` and ``.ttl``
    is ``isinstance(s, SupportsTtl)`` with ``s.ttl_support`` true. A store (or decorator) may
    declare them as a ``capabilities`` attribute instead; then it must offer exactly the
    methods of what it declares (the contract suite checks that both answers agree).
    """
    declared = getattr(store, "capabilities", None)
    if isinstance(declared, StoreCapabilities):
        return declared
    return StoreCapabilities(
        copy=isinstance(store, SupportsCopy),
        url=isinstance(store, SupportsUrl),
        ttl=isinstance(store, SupportsTtl) and getattr(store, "ttl_support", False) is True,
        extended_keys=getattr(store, "extended_keys", False) is True,
    )

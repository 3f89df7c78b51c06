"""The error a decorator raises for a capability its wrapped store lacks."""

from __future__ import annotations

from minimalkv import MinimalKVError

__all__ = ["MissingCapabilityError", "UnsupportedCapabilityError"]


class UnsupportedCapabilityError(MinimalKVError, TypeError):
    """The decorator lacks the capability a call needs (copy, URLs or TTL).

    Raised by a decorator for ``copy``, ``move``, ``url_for``, ``ttl_support`` and
    ``default_ttl_secs`` when it does not offer them (the wrapped store cannot, or the
    decorator removes the capability), and by ``put``/``put_file`` with a ``ttl_secs`` over a
    store without TTL. It is a :class:`TypeError`, the run-time twin of the error mypy reports
    for the same call, and a :class:`minimalkv.MinimalKVError`. Check
    :func:`minimalkv.capabilities_of` first to avoid it.
    """


class MissingCapabilityError(UnsupportedCapabilityError, AttributeError):
    """A capability's attribute read on a decorator that does not offer it.

    Also an :class:`AttributeError`: the attribute does not exist, so ``hasattr`` and
    ``getattr(store, name, default)`` answer as for any store without it, and so do the
    run-time checks of :class:`minimalkv.SupportsCopy`, ``SupportsUrl`` and ``SupportsTtl``.
    """

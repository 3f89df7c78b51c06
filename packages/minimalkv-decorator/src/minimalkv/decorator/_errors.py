"""The error a decorator raises for a capability its wrapped store lacks."""

from __future__ import annotations

from minimalkv import MinimalKVError

__all__ = ["UnsupportedCapabilityError"]


class UnsupportedCapabilityError(MinimalKVError, TypeError):
    """The wrapped store lacks the capability a call needs (copy, URLs or TTL).

    Raised by a decorator's ``copy``, ``move``, ``url_for``, or ``put``/``put_file`` with a
    ``ttl_secs``, when the store it wraps cannot do that. It is a :class:`TypeError`, the
    run-time twin of the error mypy reports for the same call, and a
    :class:`minimalkv.MinimalKVError`. Check :func:`minimalkv.capabilities_of` first to avoid it.
    """

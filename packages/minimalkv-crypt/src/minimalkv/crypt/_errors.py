"""The error this distribution adds to the minimalkv hierarchy.

::

    MinimalKVError (Exception)
    └── VerificationException (ValueError)   a stored value failed its HMAC check
"""

from __future__ import annotations

from minimalkv import MinimalKVError

__all__ = ["VerificationException"]


class VerificationException(MinimalKVError, ValueError):  # noqa: N818 - minimalkv 1.x's name
    """A value read through :class:`HMACDecorator` failed verification.

    Raised when the stored MAC does not match the data and key (the value was changed, cut
    short, or copied from another key) or the stored value is shorter than a MAC. It is a
    :class:`minimalkv.MinimalKVError` and a :class:`ValueError`. The message names the key,
    never the secret.
    """

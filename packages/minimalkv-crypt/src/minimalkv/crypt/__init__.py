"""Signed values: :class:`HMACDecorator` stores each value with an HMAC and checks it on reads.

A value changed in the wrapped store, cut short, or copied under another key raises
:class:`VerificationException` on ``get``, ``get_many``, ``open`` (before the reader reaches
the end), ``get_file``, ``copy`` and ``move``. The storage format is minimalkv 1.x's:
``data + HMAC(key + secret_key, data)``.
"""

from ._errors import VerificationException
from ._hmac_decorator import HMACDecorator
from ._signer import HashFunction

__all__ = ["HMACDecorator", "HashFunction", "VerificationException"]

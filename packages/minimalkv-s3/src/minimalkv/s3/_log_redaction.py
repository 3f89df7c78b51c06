"""Keeping credentials out of botocore's debug logs.

At ``DEBUG`` botocore logs every request with its headers and canonical request, which hold
the session token (``X-Amz-Security-Token``). A filter on the loggers that do so replaces every
secret a store was given (session token, secret key) with ``***`` before any handler sees the
record, so turning on debug logging never leaks them.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

from minimalkv.backend import SECRET_MASK

__all__ = ["protect_secrets"]

# The botocore loggers that write request or response headers, or signing input.
_LOGGERS: Final = (
    "botocore.auth",
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.hooks",
    "botocore.httpsession",
    "botocore.retryhandler",
    "botocore.utils",
)
_MIN_SECRET: Final = 4  # shorter strings would mask ordinary words


class _SecretFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.secrets
        if not secrets:
            return True
        try:
            text = record.getMessage()
        except Exception:  # a record that cannot format itself is left to logging
            return True
        masked = text
        for secret in secrets:
            if secret in masked:
                masked = masked.replace(secret, SECRET_MASK)
        if masked is not text:
            record.msg, record.args = masked, None
        return True


_FILTER: Final = _SecretFilter()
_installed = False


def protect_secrets(*secrets: str | None) -> None:
    """Mask ``secrets`` in every record of botocore's request-logging loggers from now on."""
    global _installed
    wanted: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET:
            # As written, and as botocore shows it inside a repr of str or bytes headers.
            wanted |= {secret, repr(secret)[1:-1], repr(secret.encode())[2:-1]}
    if not wanted:
        return
    with _FILTER.lock:
        _FILTER.secrets = _FILTER.secrets | wanted  # replaced whole: readers need no lock
        if not _installed:
            for name in _LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
            _installed = True

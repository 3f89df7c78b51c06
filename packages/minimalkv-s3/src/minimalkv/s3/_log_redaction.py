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

__all__ = ["mask_secrets", "protect_secrets", "scrub_secrets"]

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


def mask_secrets(text: str) -> str:
    """Return ``text`` with every protected secret (in any of its shown forms) as ``***``."""
    for secret in _FILTER.secrets:
        if secret in text:
            text = text.replace(secret, SECRET_MASK)
    return text


def scrub_secrets(error: BaseException) -> None:
    """Mask protected secrets in the arguments of ``error`` and of every error it chains.

    The chain is kept (it says what went wrong), only its texts change: ``http.client``
    quotes an invalid header value, a session token among them, in its message.
    """
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.args = tuple(
            mask_secrets(arg) if isinstance(arg, str) else arg for arg in current.args
        )
        extra = getattr(current, "kwargs", None)  # botocore keeps its message's fields here
        if isinstance(extra, dict):
            for name, value in extra.items():
                if isinstance(value, str):
                    extra[name] = mask_secrets(value)
                elif isinstance(value, BaseException):
                    pending.append(value)
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]


class _SecretFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: tuple[str, ...] = ()  # longest first: a secret's longer forms win
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            text = record.getMessage()
        except Exception:  # a record that cannot format itself is left to logging
            return True
        masked = mask_secrets(text)
        if masked != text:
            record.msg, record.args = masked, None
        if record.exc_info:  # a traceback quotes the error's message: format it masked, once
            shown = _FORMATTER.formatException(record.exc_info)
            record.exc_text, record.exc_info = mask_secrets(shown), None
        return True


_FILTER: Final = _SecretFilter()
_FORMATTER: Final = logging.Formatter()
_installed = False


def protect_secrets(*secrets: str | None) -> None:
    """Mask ``secrets`` in every record of botocore's request-logging loggers from now on."""
    global _installed
    wanted: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        # As written, and as botocore's canonical request writes a header value (stripped,
        # inner whitespace collapsed); each also as a repr of str or bytes shows it.
        forms: set[str] = set()
        for base in (secret, " ".join(secret.split())):
            forms |= {base, repr(base)[1:-1], repr(base.encode())[2:-1]}
        # A short form is masked only when it cannot be ordinary text (it holds a control
        # character): masking "0000" everywhere would garble logs, "\x1900" never occurs.
        wanted |= {f for f in forms if f and (len(f) >= _MIN_SECRET or not f.isprintable())}
    if not wanted:
        return
    with _FILTER.lock:
        # Replaced whole, so readers need no lock.
        _FILTER.secrets = tuple(sorted(set(_FILTER.secrets) | wanted, key=len, reverse=True))
        if not _installed:
            for name in _LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
            _installed = True

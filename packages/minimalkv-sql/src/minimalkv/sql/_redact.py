"""How a SQL store shows a URL: never with its password, nor with an option that holds a secret.

Driver options pass through a store URL's query (``?sslpassword=...``), so hiding the password
of the user-info is not enough: every option whose name looks like it holds a secret is shown
as ``***`` in reprs and messages.
"""

from __future__ import annotations

import re
from typing import Final

from sqlalchemy import URL

__all__ = ["MASK", "is_secret_option", "redact_query", "show_url"]

MASK: Final = "***"
"""What a hidden value is shown as."""

_SECRET_NAME: Final = re.compile(r"pass|secret|token|key|cred|auth|pwd", re.IGNORECASE)


def is_secret_option(name: str) -> bool:
    """Return whether an option called ``name`` may hold a secret (``sslpassword``, ``token``)."""
    return _SECRET_NAME.search(name) is not None


def show_url(url: URL) -> str:
    """Return ``url`` as text without its password and with secret-looking options masked."""
    masked = {
        name: (MASK if is_secret_option(name) else value) for name, value in url.query.items()
    }
    # SQLAlchemy percent-encodes the mask's "*" in a query value; show it as written.
    shown = url.set(query=masked).render_as_string(hide_password=True)
    return shown.replace("=%2A%2A%2A", f"={MASK}")


def redact_query(text: str) -> str:
    """Mask the values of secret-looking options in the query of a URL given as text.

    The user-info must already be hidden (:func:`minimalkv.redact_url`); the fragment (after
    ``#``) is kept as it is.
    """
    head, mark, rest = text.partition("?")
    if not mark:
        return text
    query, hash_mark, fragment = rest.partition("#")
    parts = []
    for part in query.split("&"):
        name, equals, _ = part.partition("=")
        parts.append(f"{name}={MASK}" if equals and is_secret_option(name) else part)
    return f"{head}?{'&'.join(parts)}{hash_mark}{fragment}"

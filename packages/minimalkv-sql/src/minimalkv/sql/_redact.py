"""How a SQL store shows a SQLAlchemy URL: never with its password, nor with a secret option.

Driver options pass through a store URL's query (``?sslpassword=...``), so hiding the password
of the user-info is not enough. Which options count as secret is core's one rule
(:func:`minimalkv.backend.is_secret_option`), the same that :func:`minimalkv.redact_url` applies
to store URLs given as text.
"""

from __future__ import annotations

from minimalkv.backend import SECRET_MASK, is_secret_option
from sqlalchemy import URL

__all__ = ["show_url"]


def show_url(url: URL) -> str:
    """Return ``url`` as text without its password and with secret-looking options masked."""
    masked = {
        name: (SECRET_MASK if is_secret_option(name) else value)
        for name, value in url.query.items()
    }
    # SQLAlchemy percent-encodes the mask's "*" in a query value; show it as written.
    shown = url.set(query=masked).render_as_string(hide_password=True)
    return shown.replace("=%2A%2A%2A", f"={SECRET_MASK}")

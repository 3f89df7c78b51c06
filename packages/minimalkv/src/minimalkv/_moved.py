"""The error of a minimalkv 1.x import path whose backend distribution is not installed."""

from __future__ import annotations

__all__ = ["backend_missing"]


def backend_missing(old_module: str, new_module: str, extra: str) -> ImportError:
    """Return the error for ``old_module`` (a 1.x path) when ``new_module`` cannot be imported."""
    return ImportError(
        f"{old_module} is minimalkv 1.x's path of {new_module}, which is not installed: "
        f'pip install "minimalkv[{extra}]" (or the single distribution '
        f"minimalkv-{new_module.rsplit('.', 1)[1]})",
        name=old_module,
    )

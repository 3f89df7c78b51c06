"""Reading factory parameters and URL options: one rule for booleans, strings and names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from ._errors import ConfigurationError

__all__ = ["check_params", "parse_bool", "parse_str"]

# A bare URL flag (``?fsync``) arrives as "" and means "on"; every other spelling is explicit.
TRUE_WORDS: Final = frozenset({"true", "1", "yes", "on", ""})
FALSE_WORDS: Final = frozenset({"false", "0", "no", "off"})


def parse_bool(name: str, value: object, *, where: str = "") -> bool:
    """Return ``value`` as a bool: a ``bool``, or text such as ``true`` or ``false``.

    Text may be ``true/1/yes/on`` or ``false/0/no/off`` (any case, space around ignored). The
    empty string is true: it is what a bare URL flag such as ``?fsync`` gives. Anything
    else raises :class:`~minimalkv.ConfigurationError` naming the option (and ``where``, e.g.
    the redacted URL or ``store type 'fs'``, when given).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    context = f"{where}: " if where else ""
    raise ConfigurationError(
        f"{context}{name} must be true or false (also 1/0, yes/no, on/off), got {value!r}"
    )


def parse_str(name: str, value: object, *, where: str = "") -> str | None:
    """Return ``value`` unchanged when it is a ``str`` or ``None``; raise otherwise."""
    if value is None or isinstance(value, str):
        return value
    context = f"{where}: " if where else ""
    raise ConfigurationError(f"{context}{name} must be a str, got {type(value).__name__}")


def check_params(type_name: str, params: Mapping[str, object], allowed: Iterable[str]) -> None:
    """Raise :class:`~minimalkv.ConfigurationError` naming every parameter not in ``allowed``.

    ``create_if_missing`` and ``wrap`` are handled by the factory itself and never reach a
    store type; the message lists what the type accepts so a typo is easy to spot.
    """
    accepted = tuple(allowed)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        listed = ", ".join((*accepted, "create_if_missing"))
        raise ConfigurationError(
            f"store type {type_name!r} takes no parameter(s) {', '.join(unknown)} "
            f"(it accepts: {listed})"
        )

"""Reading factory parameters and URL options: one rule for booleans, strings and names."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Final

from ._errors import ConfigurationError

__all__ = ["check_params", "parse_bool", "parse_number", "parse_str", "parse_timeout"]

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


def parse_number(name: str, value: object, *, integer: bool = False) -> float | int | None:
    """Return ``value`` as a finite number of at least 0, or ``None`` when it is ``None``.

    ``value`` is a number or its text (URL options arrive as text); with ``integer`` it must
    be whole. Anything else (``True``, NaN, infinity, a negative number, other text) raises
    :class:`~minimalkv.ConfigurationError` naming the option.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = int(value) if integer else float(value)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise ConfigurationError(f"{name} must be {kind}, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{name} must be a number, got {value!r}")
    if integer and not isinstance(value, int):
        raise ConfigurationError(f"{name} must be a whole number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ConfigurationError(f"{name} must be a finite number, at least 0, got {value!r}")
    return value


def parse_timeout(name: str, value: object, default: float) -> float:
    """Return ``value`` as a number of seconds above 0, or ``default`` when it is ``None``.

    ``value`` is read as :func:`parse_number` reads it; 0 is refused (a timeout of 0 would
    fail every call), with a :class:`~minimalkv.ConfigurationError` that names the default.
    """
    seconds = parse_number(name, value)
    if seconds is None:
        return default
    if seconds <= 0:
        raise ConfigurationError(
            f"{name} must be a number of seconds above 0, got {value!r} "
            f"(leave it out for the default, {default:g})"
        )
    return float(seconds)


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

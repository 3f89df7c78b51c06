"""The decorators this distribution registers in the ``minimalkv.decorators`` entry points.

Each is a :class:`minimalkv.DecoratorFactory`: ``(store, argument) -> store``, where
``argument`` is the text in ``name(argument)`` of a store URL or type, or None.
"""

from __future__ import annotations

from minimalkv import ConfigurationError, KeyValueStore
from minimalkv.backend import DecoratorFactory

from ._prefix import PrefixDecorator
from ._readonly import ReadOnlyDecorator
from ._urlencode import URLEncodeKeysDecorator

__all__ = ["prefix", "readonly", "urlencode"]


def _no_argument(name: str, argument: str | None) -> None:
    if argument is not None:
        raise ConfigurationError(f"store decorator {name!r} takes no argument, got {argument!r}")


def _readonly(store: KeyValueStore, argument: str | None, /) -> KeyValueStore:
    _no_argument("readonly", argument)
    return ReadOnlyDecorator(store)


def _urlencode(store: KeyValueStore, argument: str | None, /) -> KeyValueStore:
    _no_argument("urlencode", argument)
    return URLEncodeKeysDecorator(store)


def _prefix(store: KeyValueStore, argument: str | None, /) -> KeyValueStore:
    if not argument:
        raise ConfigurationError(
            "store decorator 'prefix' needs the prefix in parentheses, e.g. prefix(tenant-1_)"
        )
    try:
        return PrefixDecorator(argument, store)
    except ValueError as exc:
        raise ConfigurationError(f"store decorator 'prefix({argument})': {exc}") from exc


readonly: DecoratorFactory = _readonly
"""``readonly``: wraps the store in a :class:`ReadOnlyDecorator`."""

urlencode: DecoratorFactory = _urlencode
"""``urlencode``: wraps the store in a :class:`URLEncodeKeysDecorator`."""

prefix: DecoratorFactory = _prefix
"""``prefix(text)``: wraps the store in a :class:`PrefixDecorator` with prefix ``text``."""

"""The check every stored value passes: it is ``bytes``."""

from __future__ import annotations

from ._errors import InvalidValueError

__all__ = ["check_value"]


def check_value(key: str, data: object) -> None:
    """Raise :class:`~minimalkv.InvalidValueError` (a ``TypeError``) unless ``data`` is bytes.

    ``bytearray`` and ``memoryview`` are refused too: a store keeps the object it is given,
    and a mutable one could change after it was stored.
    """
    if not isinstance(data, bytes):
        raise InvalidValueError(
            f"value for key {key!r} must be bytes, not {type(data).__name__}"
            + ("; encode text first, e.g. value.encode('utf-8')" if isinstance(data, str) else ""),
            key=key,
        )

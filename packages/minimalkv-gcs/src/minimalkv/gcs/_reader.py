"""A seekable reader over one generation of a GCS object, fetched in ranged GETs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from minimalkv.backend import RangeReader

__all__ = ["READ_AHEAD", "GcsReader"]

READ_AHEAD: Final = 1024 * 1024
"""Bytes of the buffer over a reader: a small read fetches this much in one ranged GET."""


class GcsReader(RangeReader):
    """Reads one generation of an object (``size`` bytes) in ranged GETs.

    ``fetch(start, stop)`` returns bytes ``start`` to ``stop - 1`` of that generation (the
    store makes every GET conditional on it), so a value replaced while it is read raises
    :class:`~minimalkv.StoreError` instead of mixing two versions. The store hands it out
    inside an ``io.BufferedReader`` of :data:`READ_AHEAD` bytes, so small reads cost one
    request per buffer, not one each.
    """

    def __init__(
        self, fetch: Callable[[int, int], bytes], size: int, *, key: str, generation: int
    ) -> None:
        super().__init__(size, key=key)
        self._fetch_range = fetch
        self._generation = generation

    @property
    def generation(self) -> int:
        """The generation (version) of the object being read."""
        return self._generation

    def _read_range(self, start: int, wanted: int) -> bytes:
        return self._fetch_range(start, start + wanted)

"""UUIDDecorator: every value generated under a fresh random UUID."""

from __future__ import annotations

import uuid

from minimalkv import TtlArgument
from minimalkv.backend import ReadableBinary
from minimalkv.decorator import WrappedStore

from ._generating import IdGeneratingDecorator

__all__ = ["UUIDDecorator"]


class UUIDDecorator(IdGeneratingDecorator[WrappedStore]):
    """Stores values under fresh UUIDs: ``put(None, data)`` returns the new key.

    The key is ``template.format(str(uuid.uuid4()))``, e.g.
    ``"1b4e28ba-2fa1-41d2-883f-0016d3cca427"``. Random (version 4) UUIDs are used, not the
    time-based ``uuid1`` of minimalkv 1.x, which embeds the machine's MAC address and the time
    in every key. An explicit key is used as given: unlike minimalkv 1.x, the template is
    **not** applied to it (the same rule as :class:`HashDecorator`). ``put_file(None, ...)`` streams
    straight into the wrapped store. ``ttl_secs`` passes through when the wrapped store takes it.
    """

    def _sample_ids(self) -> tuple[str, str]:
        return self._new_id(), self._new_id()

    def _new_id(self) -> str:
        """Return a fresh id (a random UUID in its canonical 36-character form)."""
        return str(uuid.uuid4())

    def _key_for_data(self, data: bytes) -> str:
        return self._template.format(self._new_id())

    def _put_file_generated(self, file: str | ReadableBinary, ttl_secs: TtlArgument) -> str:
        key = self._template.format(self._new_id())
        self._put_file_inner(self._inner_key(key), file, ttl_secs, key)
        return key

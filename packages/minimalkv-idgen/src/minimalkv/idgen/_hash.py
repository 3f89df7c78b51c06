"""HashDecorator: content-addressed keys, the hash of the value."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from minimalkv import TtlArgument
from minimalkv.backend import CHUNK_SIZE, ReadableBinary
from minimalkv.decorator import WrappedStore

from ._generating import IdGeneratingDecorator
from ._spool import HashObject, spool_hashing

__all__ = ["HashDecorator"]


class HashDecorator(IdGeneratingDecorator[WrappedStore]):
    """Stores values under the hash of their content: ``put(None, data)`` returns the key.

    The key is ``template.format(hashfunc(data).hexdigest())``; with the defaults
    ``put(None, b"my_data")`` returns ``"ab0c15b6029fdffce16b393f2d27ca839a76249e"``.
    An explicit key is used as given (the template does not apply) and the call behaves as on
    the wrapped store. ``ttl_secs`` passes through when the wrapped store takes it.

    ``put_file(None, path)`` hashes the file in a first pass and then hands the path to the
    wrapped store (the file must not change meanwhile). ``put_file(None, file_object)`` hashes
    the stream while spooling it (in memory up to 1 MiB, beyond that to an anonymous temporary
    file in ``spool_dir``, default the system's temporary directory), then stores the spooled
    copy under the final key: memory stays bounded whatever the size, at the cost of one
    temporary copy on disk, and no temporary key ever appears in the wrapped store.

    ``hashfunc`` is any callable returning a fresh hash object with ``update`` and
    ``hexdigest`` (``hashlib.sha256``, ``hashlib.blake2b``, ...).
    """

    def __init__(
        self,
        store: WrappedStore,
        hashfunc: Callable[[], HashObject] = hashlib.sha1,
        template: str = "{}",
        *,
        spool_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.hashfunc = hashfunc
        self.spool_dir = None if spool_dir is None else os.fspath(spool_dir)
        super().__init__(store, template)

    def _sample_ids(self) -> tuple[str, str]:
        empty = self.hashfunc()
        one = self.hashfunc()
        one.update(b"\0")
        return empty.hexdigest(), one.hexdigest()

    def _key_for_data(self, data: bytes) -> str:
        hasher = self.hashfunc()
        hasher.update(data)
        return self._template.format(hasher.hexdigest())

    def _put_file_generated(self, file: str | ReadableBinary, ttl_secs: TtlArgument) -> str:
        hasher = self.hashfunc()
        if isinstance(file, str):
            # A path: hash it in a first pass, then let the wrapped store read it itself.
            with open(file, "rb") as source:
                while chunk := source.read(CHUNK_SIZE):
                    hasher.update(chunk)
            key = self._template.format(hasher.hexdigest())
            self._put_file_inner(self._inner_key(key), file, ttl_secs, key)
            return key
        with spool_hashing(file, hasher, self.spool_dir) as spooled:
            key = self._template.format(hasher.hexdigest())
            if isinstance(spooled, bytes):
                self._put_inner(self._inner_key(key), spooled, ttl_secs, key)
            else:
                self._put_file_inner(self._inner_key(key), spooled, ttl_secs, key)
        return key

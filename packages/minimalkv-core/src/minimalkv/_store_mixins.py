"""Optional capabilities a store adds by mixing in a class: copy, URL generation, TTL."""

from __future__ import annotations

from typing import ClassVar

from ._public_constants import NOT_SET
from ._store import KeyValueStore
from ._streams import FileSource, ReadableBinary, file_source, read_all
from ._ttl import TtlArgument, normalize_ttl
from ._values import check_value

__all__ = [
    "CopyMixin",
    "ExtendedKeyspaceMixin",
    "TimeToLiveMixin",
    "UrlKeyValueStore",
    "UrlMixin",
]


class CopyMixin(KeyValueStore):
    """Adds :meth:`copy` and :meth:`move`, done by the backend where it can."""

    def copy(self, source: str, dest: str) -> str:
        """Copy the value of ``source`` to ``dest`` (overwriting it); return ``dest``.

        A missing ``source`` raises ``KeyError``; invalid keys raise ``ValueError``.
        """
        self._check_valid_key(source)
        self._check_valid_key(dest)
        return self._copy(source, dest)

    def move(self, source: str, dest: str) -> str:
        """Move the value of ``source`` to ``dest`` (overwriting it); return ``dest``."""
        self._check_valid_key(source)
        self._check_valid_key(dest)
        return self._move(source, dest)

    def _copy(self, source: str, dest: str) -> str:
        """Copy ``source`` to ``dest``. Default: stream it through :meth:`_open`."""
        with self._open(source) as file:
            return self._put_file(dest, file)

    def _move(self, source: str, dest: str) -> str:
        """Move ``source`` to ``dest``. Default: copy, then delete the source."""
        self._copy(source, dest)
        if source != dest:
            self._delete(source)
        return dest


class UrlMixin(KeyValueStore):
    """Adds :meth:`url_for`: a URL from which the value can be fetched."""

    def url_for(self, key: str) -> str:
        """Return a URL for ``key``. The key is validated; its existence is not checked."""
        self._check_valid_key(key)
        return self._url_for(key)

    def _url_for(self, key: str) -> str:
        """Build the URL of ``key``."""
        raise NotImplementedError(f"{type(self).__name__} must implement _url_for")


class TimeToLiveMixin(KeyValueStore):
    """Adds a time-to-live to :meth:`put` and :meth:`put_file`: values expire by themselves.

    ``ttl_secs`` is a positive number of seconds (fractions allowed), ``FOREVER`` or
    ``NOT_SET`` (no expiry), or ``None`` for :attr:`default_ttl_secs`. An expired key behaves
    as a missing one.
    """

    ttl_support: ClassVar[bool] = True
    """Marks a store that accepts ``ttl_secs``."""

    default_ttl_secs: TtlArgument = NOT_SET
    """Used whenever ``ttl_secs`` is ``None``."""

    def put(self, key: str, data: bytes, ttl_secs: TtlArgument = None) -> str:
        """Store ``data`` under ``key`` with an optional time-to-live; return ``key``."""
        self._check_valid_key(key)
        check_value(key, data)
        return self._put(key, data, normalize_ttl(ttl_secs, self.default_ttl_secs))

    def put_file(self, key: str, file: FileSource, ttl_secs: TtlArgument = None) -> str:
        """Store the content of ``file`` under ``key`` with an optional time-to-live.

        A path is opened here and passed to :meth:`_put_file` with the TTL: a TTL store's
        ``_put_filename`` (which takes no TTL) is never called.
        """
        self._check_valid_key(key)
        ttl = normalize_ttl(ttl_secs, self.default_ttl_secs)
        source = file_source(key, file)
        if isinstance(source, str):
            with open(source, "rb") as opened:
                return self._put_file(key, opened, ttl)
        return self._put_file(key, source, ttl)

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        """Store ``data`` with ``ttl_secs`` seconds to live (``None``: no expiry)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _put")

    def _put_file(self, key: str, file: ReadableBinary, ttl_secs: float | None = None) -> str:
        """Store the content of ``file`` with ``ttl_secs`` seconds to live. Default: read it."""
        return self._put(key, read_all(file), ttl_secs)


class ExtendedKeyspaceMixin(KeyValueStore):
    """Widens the key space: keys may also contain ``/`` and space (the ``h`` URL schemes)."""

    extended_keys: ClassVar[bool] = True


class UrlKeyValueStore(UrlMixin, KeyValueStore):
    """A :class:`KeyValueStore` with :meth:`url_for` (kept for code written for the original)."""

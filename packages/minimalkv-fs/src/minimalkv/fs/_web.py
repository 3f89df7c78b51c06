"""WebFilesystemStore: a FilesystemStore whose files a web server publishes."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable
from typing import TypeAlias

from minimalkv import ExtendedKeyspaceMixin, InvalidArgumentError

from ._store import FilesystemStore

__all__ = ["HWebFilesystemStore", "UrlPrefix", "WebFilesystemStore"]


class WebFilesystemStore(FilesystemStore):
    """A :class:`FilesystemStore` served over HTTP: ``url_for`` gives the public URL.

    ``url_for(key)`` is ``url_prefix + urllib.parse.quote(key, safe="")``; ``url_prefix`` is a
    string (``"https://files.example.com/data/"``) or a callable ``(store, key) -> prefix``,
    called for every URL (to pick a host per key, say). The key is validated; its existence is
    not checked.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        url_prefix: UrlPrefix,
        perm: int | None = None,
        *,
        fsync: bool = False,
    ) -> None:
        prefix: object = url_prefix
        if not isinstance(prefix, str) and not callable(prefix):
            raise InvalidArgumentError(
                f"url_prefix must be a str or a callable (store, key) -> str, got {prefix!r}"
            )
        super().__init__(root, perm, fsync=fsync)
        self.url_prefix: UrlPrefix = url_prefix
        """The URL prefix, or the callable that returns it for a key."""

    def __repr__(self) -> str:
        shown = self.url_prefix if isinstance(self.url_prefix, str) else "<callable>"
        return f"{super().__repr__()[:-1]}, url_prefix={shown!r})"

    def _url_for(self, key: str) -> str:
        """Return the prefix followed by the key, fully percent-quoted (``/`` too)."""
        prefix = self.url_prefix
        if not isinstance(prefix, str):
            prefix = prefix(self, key)
        return prefix + urllib.parse.quote(key, safe="")


UrlPrefix: TypeAlias = str | Callable[[WebFilesystemStore, str], str]
"""A URL prefix, or a callable ``(store, key) -> prefix`` asked for each key."""


class HWebFilesystemStore(ExtendedKeyspaceMixin, WebFilesystemStore):
    """A :class:`WebFilesystemStore` with the extended key space (``/`` and space in keys)."""

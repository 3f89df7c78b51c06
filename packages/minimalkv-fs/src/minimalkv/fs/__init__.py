"""Filesystem stores: one file per key under a directory, every write atomic.

:class:`FilesystemStore` (``fs://``) and :class:`HFilesystemStore` (``hfs://``, keys may
contain ``/`` and space); :class:`WebFilesystemStore` and :class:`HWebFilesystemStore` add
``url_for`` for files a web server publishes. See the package README for atomicity, the
key-to-path mapping, ``put_file`` semantics and concurrency.
"""

from ._errors import FilesystemPermissionError, KeyConflictError
from ._store import FilesystemStore, HFilesystemStore
from ._web import HWebFilesystemStore, UrlPrefix, WebFilesystemStore

__all__ = [
    "FilesystemPermissionError",
    "FilesystemStore",
    "HFilesystemStore",
    "HWebFilesystemStore",
    "KeyConflictError",
    "UrlPrefix",
    "WebFilesystemStore",
]

"""Registration of the ``git`` store type (``git://`` and ``hgit://``).

URL form: ``git:///absolute/path/of/the/repository?branch=main&subdir=data`` (three slashes:
the repository is a local path; ``git://host/...``, git's network protocol, is refused).
``hgit://`` gives the extended key space (keys with ``/`` are files in subdirectories of the
tree). Options: ``branch`` (default ``master``), ``subdir`` (default the root of the tree),
``author``, ``committer`` (``Name <email>``), ``lock_timeout`` (seconds) and
``create_if_missing`` (default true: a missing repository is created bare).
``get_store("git", path=..., branch=..., subdir=..., ...)`` takes the same settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final

from minimalkv import ConfigurationError, KeyValueStore
from minimalkv.backend import StoreType, StoreUrl, check_params, parse_number, parse_str

from ._store import DEFAULT_AUTHOR, DEFAULT_LOCK_TIMEOUT, GitCommitStore, HGitCommitStore

__all__ = ["STORE_TYPE"]

_OPTIONS: Final = ("branch", "subdir", "author", "committer", "lock_timeout")
_PARAMS: Final = ("path", *_OPTIONS)
_WHERE: Final = "store type 'git'"


def _create(
    params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
) -> KeyValueStore:
    check_params("git", params, _PARAMS)
    path = params.get("path")
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise ConfigurationError(
            f"{_WHERE} needs path, the directory of the repository, as a str (got {path!r})"
        )
    branch = parse_str("branch", params.get("branch"), where=_WHERE) or "master"
    subdir = parse_str("subdir", params.get("subdir"), where=_WHERE) or ""
    author = parse_str("author", params.get("author"), where=_WHERE) or DEFAULT_AUTHOR
    committer = parse_str("committer", params.get("committer"), where=_WHERE)
    lock_timeout = parse_number("lock_timeout", params.get("lock_timeout", DEFAULT_LOCK_TIMEOUT))
    if lock_timeout is None or lock_timeout <= 0:
        raise ConfigurationError(f"{_WHERE}: lock_timeout must be seconds above 0")
    cls = HGitCommitStore if extended_keys else GitCommitStore
    return cls(
        path,
        branch,
        subdir,
        author=author,
        committer=committer,
        create_if_missing=create_if_missing,
        lock_timeout=float(lock_timeout),
    )


def _params_from_url(url: StoreUrl) -> dict[str, Any]:
    url.check_options(*_OPTIONS)
    if url.host or url.port is not None or url.userinfo is not None:
        raise ConfigurationError(
            f"store URL {url.redacted!r}: the repository must be a local path, "
            "written git:///absolute/path (git's network protocol is not supported)"
        )
    if not url.path or url.path == "/":
        raise ConfigurationError(
            f"store URL {url.redacted!r} needs the path of the repository: git:///absolute/path"
        )
    return {"path": url.path, **url.query}


STORE_TYPE: Final = StoreType(name="git", create=_create, params_from_url=_params_from_url)
"""The ``git`` store type (``git://``, ``hgit://``)."""

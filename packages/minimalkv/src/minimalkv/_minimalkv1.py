"""Refuse to run next to files of minimalkv 1.x, and say how to repair the environment.

minimalkv 1.x and minimalkv 2 install into the same ``minimalkv`` directory. The ``minimalkv``
distribution owns every path both write, so that ``pip install --upgrade minimalkv`` removes
1.x (with its files) before any part of 2 depends on those paths. An environment can still end
up with 1.x files beside ours (an install with ``--ignore-installed`` or ``--no-deps``, another
installer, a copied tree): 1.x's ``fs.py`` or ``decorator.py`` would then shadow nothing but
its ``net/__init__.py`` and its modules would mix with ours. :func:`check_no_minimalkv1_files`
finds such files at import, cheaply (one directory listing per ``minimalkv`` directory), and
raises an :class:`ImportError` that names them and the commands that repair the environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

__all__ = ["MINIMALKV1_ONLY_FILES", "check_no_minimalkv1_files", "minimalkv1_files"]

MINIMALKV1_ONLY_FILES: frozenset[str] = frozenset(
    {
        "_boto.py",
        "_get_store.py",
        "_hstores.py",
        "_store_creation.py",
        "_store_decoration.py",
        "_url_utils.py",
        "_urls.py",
        "cache.py",
        "crypt.py",
        "decorator.py",
        "fs.py",
        "fsspecstore.py",
        "git.py",
        "idgen.py",
        "db/__init__.py",
        "net/__init__.py",
        "net/_aws_refreshable_session.py",
        "net/_azurestore_common.py",
        "net/_azurestore_new.py",
        "net/_azurestore_old.py",
        "net/_net_common.py",
    }
)
"""Files that minimalkv 1.x installs under ``minimalkv/`` and no distribution of 2 ships."""

_TOP_LEVEL = frozenset(name for name in MINIMALKV1_ONLY_FILES if "/" not in name)
_NESTED = {
    directory: frozenset(
        name.split("/", 1)[1] for name in MINIMALKV1_ONLY_FILES if name.startswith(directory + "/")
    )
    for directory in ("db", "net")
}


def minimalkv1_files(directories: Iterable[str]) -> list[str]:
    """Return the paths of minimalkv 1.x's own files found in the ``minimalkv`` ``directories``."""
    found: list[str] = []
    for directory in directories:
        try:
            names = set(os.listdir(directory))
        except OSError:
            continue
        found += [os.path.join(directory, name) for name in sorted(names & _TOP_LEVEL)]
        for subdirectory, own in _NESTED.items():
            if subdirectory in names:
                try:
                    nested = set(os.listdir(os.path.join(directory, subdirectory)))
                except OSError:
                    continue
                found += [
                    os.path.join(directory, subdirectory, name) for name in sorted(nested & own)
                ]
    return found


def _installed_parts(version: str) -> list[str]:
    # Only on the error path: reading every distribution's metadata takes milliseconds.
    from importlib import metadata

    names: set[str] = {"minimalkv"}
    for distribution in metadata.distributions():
        name = (distribution.metadata["Name"] or "").lower().replace("_", "-")
        if name.startswith("minimalkv-") and distribution.version == version:
            names.add(name)
    return [f"{name}=={version}" for name in sorted(names)]


def check_no_minimalkv1_files(directories: Iterable[str], version: str) -> None:
    """Raise :class:`ImportError` if files of minimalkv 1.x lie in the ``directories``."""
    found = minimalkv1_files(directories)
    if not found:
        return
    shown = ", ".join(found[:6]) + (f" and {len(found) - 6} more" if len(found) > 6 else "")
    python = sys.executable or "python"
    parts = " ".join(f'"{requirement}"' for requirement in _installed_parts(version))
    raise ImportError(
        f"minimalkv {version} cannot run: files of minimalkv 1.x remain next to it ({shown}). "
        "The two versions write the same files and cannot share an environment (an install "
        "with --ignore-installed or --no-deps, or another installer, left 1.x behind). "
        "Repair the environment with:\n"
        f"    {python} -m pip uninstall --yes minimalkv\n"
        f"    {python} -m pip install --force-reinstall --no-deps {parts}\n"
        "and delete any of the files above that remain.",
        name="minimalkv",
    )

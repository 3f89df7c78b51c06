"""Names of the temporary files that make writes atomic.

A value is written to a temporary file in the directory of its key, then renamed over the key
(``os.replace``). Temporary names look like ``.mkv;1a2b-3f9c01-17`` (process id, a random
token drawn once per process, a counter): the ``;`` is invalid in keys of both key spaces, so
a temporary file can never be taken for a key, and listing skips every name containing it. The
leading dot hides them from ``ls``. The file is created with ``O_EXCL``, so two writers never
share one, even if a name were repeated (a stale file of a crashed process with the same pid).
"""

from __future__ import annotations

import itertools
import os
from typing import Final

__all__ = ["TEMP_MARKER", "is_temp_name", "next_temp_name"]

TEMP_MARKER: Final = ";"
"""The character every temporary name contains and no key may contain."""


class _Namer:
    """Hands out temporary names; re-seeded in a forked child so parent and child differ."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.prefix = f".mkv{TEMP_MARKER}{os.getpid():x}-{os.urandom(3).hex()}-"
        self.counter = itertools.count()


_namer: Final = _Namer()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_namer.reset)


def next_temp_name() -> str:
    """Return a fresh temporary file name (a bare name, no directory)."""
    return f"{_namer.prefix}{next(_namer.counter):x}"


def is_temp_name(name: str) -> bool:
    """Return whether ``name`` (a bare file name) is one of our temporary files."""
    return TEMP_MARKER in name

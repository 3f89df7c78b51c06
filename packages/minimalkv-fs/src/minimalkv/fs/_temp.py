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

__all__ = [
    "STALE_AFTER",
    "TEMP_MARKER",
    "TEMP_START",
    "TempNames",
    "next_temp_name",
    "temp_names",
]

TEMP_MARKER: Final = ";"
"""The character every temporary name contains and no key may contain."""
TEMP_START: Final = f".mkv{TEMP_MARKER}"
"""How every temporary name starts."""
STALE_AFTER: Final = 3600.0
"""Seconds without a change after which a temporary file counts as a crashed writer's."""


class TempNames:
    """Source of temporary names: ``prefix`` + a hex counter value.

    A forked child draws a new prefix, so that parent and child never pick the same names.
    """

    def __init__(self) -> None:
        self.prefix = ""
        self.counter = itertools.count()
        self.reset()

    def reset(self) -> None:
        """Draw a new prefix (pid and random token) and restart the counter."""
        self.prefix = f"{TEMP_START}{os.getpid():x}-{os.urandom(3).hex()}-"
        self.counter = itertools.count()


temp_names: Final = TempNames()
"""The process-wide source of temporary names."""
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=temp_names.reset)


def next_temp_name() -> str:
    """Return a fresh temporary file name (a bare name, no directory)."""
    return f"{temp_names.prefix}{next(temp_names.counter):x}"

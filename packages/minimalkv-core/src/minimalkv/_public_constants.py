"""Constants shared by every store: TTL sentinels and the key grammar."""

from __future__ import annotations

import re
from typing import Final, Literal

FOREVER: Final = "forever"
"""TTL value meaning "never expire" (also clears an earlier expiry)."""

NOT_SET: Final = "not_set"
"""TTL value meaning "no expiry was requested"; the class default of ``default_ttl_secs``."""

TtlSentinel = Literal["forever", "not_set"]

#: The characters allowed in a key of the basic key space, besides ASCII letters and digits.
KEY_PUNCTUATION: Final = "!\"#$%&'()+,-.<=>?@[\\]^_`{}~"

_BASIC_CLASS: Final = r"\-0-9A-Za-z!\"#$%&'()+,.<=>?@\[\\\]^_`{}~"

VALID_KEY_REGEXP: Final = "^[" + _BASIC_CLASS + "]+\\Z"
"""Regular expression (as a string) a key of the basic key space must match.

It ends in ``\\Z`` rather than ``$``: a trailing newline is not part of a valid key.
"""

VALID_KEY_RE: Final = re.compile(VALID_KEY_REGEXP)
"""Compiled :data:`VALID_KEY_REGEXP`."""

VALID_KEY_REGEXP_EXTENDED: Final = "^[" + _BASIC_CLASS + " /]+\\Z"
"""Characters of the extended key space (the ``h`` URL schemes): the basic ones plus ``/`` and
space. Extended keys have further structural rules (see :func:`minimalkv.check_key`)."""

VALID_KEY_RE_EXTENDED: Final = re.compile(VALID_KEY_REGEXP_EXTENDED)
"""Compiled :data:`VALID_KEY_REGEXP_EXTENDED`."""

PORTABLE_KEY_LENGTH: Final = 250
"""The longest key every backend is tested to store."""

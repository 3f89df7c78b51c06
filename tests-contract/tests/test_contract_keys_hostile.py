"""Reliability: key validation under arbitrary objects and text.

``is_valid_key`` answers ``True`` or ``False`` for anything and never raises; ``check_key``
returns exactly for the keys ``is_valid_key`` accepts and raises ``InvalidKeyError`` with a
message for every other; an accepted key is a non-empty ``str`` of printable ASCII.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from minimalkv import InvalidKeyError, check_key, is_valid_key
from minimalkv.contract import HOSTILE_KEYS, RELIABILITY_MARK

pytestmark = RELIABILITY_MARK


@given(key=HOSTILE_KEYS, extended=st.booleans())
def test_key_validation_answers_for_anything(key: object, extended: bool) -> None:
    valid = is_valid_key(key, extended)
    assert valid is True or valid is False
    if valid:
        check_key(key, extended)
        assert isinstance(key, str)
        assert len(key) > 0
        assert key.isascii()
        assert key.isprintable()
        assert "/" not in key or extended
    else:
        with pytest.raises(InvalidKeyError, match=r"\w"):
            check_key(key, extended)

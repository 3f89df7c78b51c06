"""Reliability on Redis: hostile input, and no part of a password shows in any text.

Every URL form with a secret is tried against a closed port on loopback, so the store is built
(or refused) and its first call fails with a connection error whose whole chain is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from minimalkv import StoreCapabilities
from minimalkv.contract import (
    ENCODED_SECRETS,
    PRINTABLE_SECRETS,
    RELIABILITY_MARK,
    HostileInputContract,
    StoreFactory,
    assert_no_secret_leaks,
    closed_port,
    url_form,
)
from minimalkv.redis import RedisStore

pytestmark = RELIABILITY_MARK

_OPTIONS = "socket_connect_timeout=0.5&socket_timeout=0.5"


PORT = closed_port()

FORMS: dict[str, Callable[[str], str]] = {
    "password": lambda s: f"redis://:{s}@127.0.0.1:{PORT}/0?{_OPTIONS}",
    "user-password": lambda s: f"redis://user:{s}@127.0.0.1:{PORT}/0?{_OPTIONS}",
    "userinfo": lambda s: f"redis://{s}@127.0.0.1:{PORT}/0?{_OPTIONS}",
    "password-tls": lambda s: f"rediss://:{s}@127.0.0.1:{PORT}/0?{_OPTIONS}",
    "password-wrapped": lambda s: f"redis://:{s}@127.0.0.1:{PORT}/0?{_OPTIONS}#wrap:readonly",
}


# In the user-info form a ':' would start the password and make what precedes it the user
# name, which is not secret; its secrets hold no ':'.
NO_USER = {"userinfo"}


@settings(max_examples=30, deadline=None)
@given(form=st.sampled_from(sorted(FORMS)), secret=PRINTABLE_SECRETS)
def test_printable_secret_never_shows(form: str, secret: str) -> None:
    if form in NO_USER:
        secret = secret.replace(":", "!")
    assert_no_secret_leaks(FORMS[form], secret)


@settings(max_examples=30, deadline=None)
@given(form=st.sampled_from(sorted(FORMS)), secret=ENCODED_SECRETS)
def test_percent_encoded_secret_never_shows(form: str, secret: str) -> None:
    assert_no_secret_leaks(lambda s: FORMS[form](url_form(s, encode=True)), secret)


class TestRedisStoreHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True, ttl=True)

    @pytest.fixture
    def store_factory(self, fresh_client: Callable[[], Any]) -> StoreFactory:
        return lambda: RedisStore(fresh_client())

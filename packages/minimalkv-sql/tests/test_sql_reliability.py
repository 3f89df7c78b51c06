"""Reliability on SQL: hostile input, and no part of a password shows in any text.

Every URL form with a secret points at a closed port on loopback, so building the store (which
creates its table) or its first call fails with a connection error whose whole chain is checked.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from minimalkv import StoreCapabilities, redact_url
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

sys.path.insert(0, str(Path(__file__).parent))
from sql_servers import table_stores

pytestmark = RELIABILITY_MARK


PORT = closed_port()

FORMS: dict[str, Callable[[str], str]] = {
    "postgresql": lambda s: f"sql+postgresql://u:{s}@127.0.0.1:{PORT}/db?connect_timeout=1",
    "postgresql-wrapped": lambda s: (
        f"sql+postgresql://u:{s}@127.0.0.1:{PORT}/db?connect_timeout=1#wrap:readonly"
    ),
    "mariadb": lambda s: f"sql+mariadb://u:{s}@127.0.0.1:{PORT}/db?connect_timeout=1",
    "mysql": lambda s: f"sql+mysql://u:{s}@127.0.0.1:{PORT}/db",
}

# A secret in a driver option rather than in the user-info: a libpq option the store passes on
# (sslpassword), an option no default driver takes (refused, by name only), and options of
# another driver, which pass unchecked into the engine's URL. Option values are always
# percent-encoded, as a URL's query needs.
OPTION_FORMS: dict[str, Callable[[str], str]] = {
    "postgresql-sslpassword": lambda s: (
        f"sql+postgresql://u@127.0.0.1:{PORT}/db?connect_timeout=1&sslpassword={s}"
    ),
    "postgresql-password-option": lambda s: (
        f"sql+postgresql://u@127.0.0.1:{PORT}/db?connect_timeout=1&password={s}"
    ),
    "mariadb-password-option": lambda s: (
        f"sql+mariadb://u@127.0.0.1:{PORT}/db?connect_timeout=1&password={s}"
    ),
    "postgresql-other-driver": lambda s: (
        f"sql+postgresql://u@127.0.0.1:{PORT}/db?driver=pg8000&connect_timeout=1&token={s}"
    ),
    "sqlite-option": lambda s: f"sqlite:///:memory:?api_secret={s}",
}


def test_redact_url_masks_secret_options_whatever_their_spelling() -> None:
    shown = redact_url("sql+postgresql://u:pw@h/db?sslpassword=hunter2&ssl%70assword=hunter3&x=1")
    assert "hunter" not in shown
    assert shown.endswith("?sslpassword=***&ssl%70assword=***&x=1")


@settings(max_examples=30, deadline=None)
@given(form=st.sampled_from(sorted(OPTION_FORMS)), secret=PRINTABLE_SECRETS)
def test_printable_secret_in_an_option_never_shows(form: str, secret: str) -> None:
    assert_no_secret_leaks(lambda s: OPTION_FORMS[form](url_form(s, encode=True)), secret)


@settings(max_examples=30, deadline=None)
@given(form=st.sampled_from(sorted(OPTION_FORMS)), secret=ENCODED_SECRETS)
def test_unicode_secret_in_an_option_never_shows(form: str, secret: str) -> None:
    assert_no_secret_leaks(lambda s: OPTION_FORMS[form](url_form(s, encode=True)), secret)


@settings(max_examples=30, deadline=None)
@given(form=st.sampled_from(sorted(FORMS)), secret=PRINTABLE_SECRETS)
def test_printable_secret_never_shows(form: str, secret: str) -> None:
    assert_no_secret_leaks(FORMS[form], secret)


# Secrets of any Unicode text, percent-encoded, on every form: PostgreSQL takes UTF-8
# passwords; on MariaDB/MySQL a password PyMySQL cannot send is refused without showing it.
UNICODE_FORMS = sorted(FORMS)


@settings(max_examples=30, deadline=None)
@given(form=st.sampled_from(UNICODE_FORMS), secret=ENCODED_SECRETS)
def test_percent_encoded_secret_never_shows(form: str, secret: str) -> None:
    assert_no_secret_leaks(lambda s: FORMS[form](url_form(s, encode=True)), secret)


class _SqlHostileInput(HostileInputContract):
    capabilities = StoreCapabilities(copy=True)
    backend: ClassVar[str] = "sqlite"

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreFactory]:
        yield from table_stores(self.backend, False, tmp_path_factory)


class TestSqliteHostileInput(_SqlHostileInput):
    pass


class TestPostgresqlHostileInput(_SqlHostileInput):
    backend = "postgresql"


class TestMariadbHostileInput(_SqlHostileInput):
    backend = "mariadb"

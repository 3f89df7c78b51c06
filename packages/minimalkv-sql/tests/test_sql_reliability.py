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

sys.path.insert(0, str(Path(__file__).parent))
from sql_servers import drop_tables, engine_for, make_store_factory

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
        engine = engine_for(self.backend, tmp_path_factory)
        created: list[str] = []
        try:
            yield make_store_factory(engine, False, created)
        finally:
            drop_tables(engine, created)
            engine.dispose()


class TestSqliteHostileInput(_SqlHostileInput):
    pass


class TestPostgresqlHostileInput(_SqlHostileInput):
    backend = "postgresql"


class TestMariadbHostileInput(_SqlHostileInput):
    backend = "mariadb"

"""Writers of the SQL store on an SQLite file killed at random moments (reliability)."""

from __future__ import annotations

from pathlib import Path

import pytest
from minimalkv import BlobStore
from minimalkv.contract import CrashSafetyContract, StoreRecipe

# The first bytes of a rollback journal that SQLite rolls back (a "hot" journal). A journal
# whose header was never synced starts with zeros instead: the database file was not touched
# yet, SQLite ignores that journal and its next writing transaction replaces it.
_HOT_JOURNAL = bytes.fromhex("d9d505f920a163d7")


class TestSQLiteCrash(CrashSafetyContract):
    """A killed transaction may leave a hot journal: the next connection must roll it back.

    The store has no cleanup of its own: SQLite's recovery is it, and the checking process's
    connection runs it before anything is read.
    """

    database: Path

    @pytest.fixture
    def store_recipe(self, tmp_path: Path) -> StoreRecipe:
        self.database = tmp_path / "store.db"
        return StoreRecipe.from_url(f"sqlite:///{self.database}")

    def leftovers(self, store: BlobStore) -> list[str]:
        """A hot journal, or files of a write-ahead log (none with the default journal)."""
        found = [
            path.name
            for path in (
                self.database.with_name(self.database.name + "-" + s) for s in ("wal", "shm")
            )
            if path.exists()
        ]
        journal = self.database.with_name(self.database.name + "-journal")
        try:
            with journal.open("rb") as file:
                if file.read(len(_HOT_JOURNAL)) == _HOT_JOURNAL:
                    found.append(journal.name)
        except FileNotFoundError:
            pass
        return found

"""The MongoDB server of the tests and its fixtures (import the fixtures a module uses).

The tests share one server per session: a private nx-27017 (``tools._services_mongo``, a
MongoDB wire-protocol server over SQLite) on a free loopback port, its data in a temporary
directory, stopped and removed at the end of the session. ``MINIMALKV_MONGO_URL``
(``mongodb://[user:password@]host:port``) uses that server instead; the tests make databases
named ``minimalkv_test_*`` there and drop them at the end.

When no server can be had the MongoDB tests skip with the reason; with ``CI=true`` they fail.
The fixtures live here rather than in a ``conftest.py`` (one module of that name per
repository: mypy checks every test module under its own name).
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pymongo
import pytest
from minimalkv.contract import service_unavailable, session_service

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # tools._services_mongo
    sys.path.insert(0, str(ROOT))

from tools._services_mongo import nx27017_server  # noqa: E402

__all__ = ["MongoTarget", "fresh_collection", "mongo_target", "unavailable"]

URL_VARIABLE = "MINIMALKV_MONGO_URL"


class MongoTarget:
    """The server of this test run, and the databases and collections the tests made on it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        """``mongodb://[user:password@]host:port`` of the server."""
        self.client: Any = pymongo.MongoClient(
            self.base_url, serverSelectionTimeoutMS=5000, socketTimeoutMS=60_000
        )
        self.database = f"minimalkv_test_{uuid.uuid4().hex[:8]}"
        self._count = 0

    def url(self, collection: str, options: str = "", scheme: str = "mongodb") -> str:
        """The store URL of ``collection`` in the run's database."""
        extra = f"&{options}" if options else ""
        rest = self.base_url.split("://", 1)[1]
        return f"{scheme}://{rest}/{self.database}?collection={collection}{extra}"

    def fresh_collection(self) -> str:
        """The name of a collection no test used before (empty, with no GridFS files)."""
        self._count += 1
        return f"kv{self._count}"

    def db(self) -> Any:
        """The run's database (a pymongo ``Database``)."""
        return self.client[self.database]

    def drop_collection(self, name: str) -> None:
        """Drop a collection and its GridFS bucket."""
        for suffix in ("", "_gridfs.files", "_gridfs.chunks"):
            with contextlib.suppress(pymongo.errors.PyMongoError):
                self.db().drop_collection(name + suffix)

    def remove_all(self) -> None:
        """Drop the run's database and close the client."""
        with contextlib.suppress(pymongo.errors.PyMongoError):
            self.client.drop_database(self.database)
        self.client.close()


def unavailable(reason: str) -> NoReturn:
    """Skip the test (fail it under ``CI=true``): no MongoDB server can be had."""
    service_unavailable("A MongoDB server", reason)


def _start(stack: contextlib.ExitStack) -> MongoTarget:
    given = os.environ.get(URL_VARIABLE)
    if given:
        target = MongoTarget(given)
        try:
            target.client.admin.command("ping")
        except pymongo.errors.PyMongoError as exc:
            unavailable(f"{URL_VARIABLE} names a server that does not answer: {exc}")
    else:
        try:
            server = stack.enter_context(nx27017_server())
        except RuntimeError as exc:
            unavailable(str(exc))
        target = MongoTarget(f"mongodb://{server.host_port}")
    stack.callback(target.remove_all)
    return target


@pytest.fixture(scope="session")
def mongo_target(pytestconfig: pytest.Config) -> MongoTarget:
    """The MongoDB server of this test run (see the module docstring)."""
    return session_service(pytestconfig, "mongodb", _start)


@pytest.fixture
def fresh_collection(mongo_target: MongoTarget) -> Iterator[Callable[[], str]]:
    """A callable returning the name of a new, empty collection; all dropped after the test."""
    handed: list[str] = []

    def fresh() -> str:
        handed.append(mongo_target.fresh_collection())
        return handed[-1]

    yield fresh
    for name in handed:
        mongo_target.drop_collection(name)

"""Typing tests that mypy must reject: TTL, copy and URLs on a MongoDB store, bad arguments.

A snippet is type-checked with mypy --strict; every line marked ``# E: <code>`` must get that
error, ``# N: <text>`` that note, and no other line any error.
"""

from __future__ import annotations

from pathlib import Path

from minimalkv.contract import assert_mypy_diagnostics

SNIPPET = """
import pymongo
from minimalkv import SupportsTtl
from minimalkv.mongo import HMongoStore, MongoStore


def wants_ttl(store: SupportsTtl) -> None:
    pass


client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(connect=False)
store = MongoStore(client["db"], "blobs")
store.put("k", b"v", ttl_secs=10)  # E: call-arg
wants_ttl(store)  # E: arg-type
store.put("k", "text")  # E: arg-type
store.copy("a", "b")  # E: attr-defined
store.url_for("k")  # E: attr-defined
MongoStore(client["db"], "blobs", inline_limit="4MiB")  # E: arg-type
HMongoStore(client["db"], 42)  # E: arg-type
reveal_type(store.remove_orphans(older_than=0))  # N: int
reveal_type(store.inline_limit)  # N: int
"""


def test_mypy_rejects_what_the_mongo_store_cannot_do(tmp_path: Path) -> None:
    assert_mypy_diagnostics(SNIPPET, tmp_path, "typing_mongo_rejected.py")

"""MongoStore specifics on the run's server: binary values, GridFS, batches, listing, orphans.

The run's server is nx-27017 unless ``MINIMALKV_MONGO_URL`` names another. Where nx-27017
differs from MongoDB, the store keeps to what both do, and these tests check it (see
docs/mongo.md, "nx-27017 and MongoDB"):

- ``replace_one`` (and ``find_one_and_replace``) of an existing document with a binary field
  fails ("Object of type bytes is not JSON serializable"; the latter silently changes
  nothing): the store writes with ``$set``/``$unset`` updates only.
- A GridFS bucket name with a dot is refused: the store's bucket is ``<collection>_gridfs``.
- An update of a GridFS file document's ``length`` is ignored: the store writes a file's
  document once, after its chunks (as GridFS does).
- The chunks collection answers only queries by ``files_id``: the tests look chunks up that
  way, and the store finds abandoned uploads through its own ``<collection>_uploads`` records.
- Deleting a GridFS file document that does not exist fails ("File with id ... not found"),
  and chunks without a file document show up as a file without a name: the store's deletes
  accept both, and ``test_remove_orphans_deletes_abandoned_uploads`` allows that file.
- A query's answer is never split into batches: pymongo's ``GridOut`` asks for all remaining
  chunks of a file, which for a large value exceeds the 48 MB message limit; the store reads
  16 chunks per query.
"""

from __future__ import annotations

import io
import pickle
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pymongo
import pytest
from bson import ObjectId
from minimalkv import ConfigurationError, KeyNotFoundError
from minimalkv.mongo import HMongoStore, MongoStore, ValueGoneError
from minimalkv.mongo._upload import upload_file
from pymongo import monitoring

sys.path.insert(0, str(Path(__file__).parent))  # mongo_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_mongo, at the root

pytest_plugins = ["mongo_servers"]  # the MongoDB fixtures (mongo_target, fresh_collection)

KiB = 1024
MiB = 1024 * KiB
LIMIT = 4 * KiB  # the inline_limit of these tests: values above it go to GridFS


class Commands(monitoring.CommandListener):
    """Records the names of the commands a client sends."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def commands() -> Commands:
    return Commands()


@pytest.fixture
def client(mongo_target: Any, commands: Commands) -> Iterator[Any]:
    made: Any = pymongo.MongoClient(mongo_target.base_url, event_listeners=[commands])
    yield made
    made.close()


@pytest.fixture
def store(mongo_target: Any, client: Any, fresh_collection: Callable[[], str]) -> MongoStore:
    return MongoStore(client[mongo_target.database], fresh_collection(), inline_limit=LIMIT)


def _raw(store: MongoStore, key: str) -> dict[str, Any]:
    document: dict[str, Any] = store.db[store.collection].find_one({"_id": key})
    return document


def _files(store: MongoStore) -> list[Any]:
    return [d["_id"] for d in store.db[f"{store.collection}_gridfs.files"].find()]


def _chunks_of(store: MongoStore, file_id: Any) -> list[int]:
    # A query by files_id: nx-27017 answers no query on the chunks without one.
    chunks = store.db[f"{store.collection}_gridfs.chunks"]
    return [d["n"] for d in chunks.find({"files_id": file_id, "n": {"$gte": 0}})]


def test_small_values_are_bson_binary_in_their_document(store: MongoStore) -> None:
    value = bytes(range(256))
    store.put("k", value)
    document = _raw(store, "k")
    assert document == {"_id": "k", "v": value}
    assert type(document["v"]) is bytes  # BSON binary, subtype 0: no pickle anywhere
    assert _files(store) == []


def test_pickled_documents_of_minimalkv1_are_never_unpickled(store: MongoStore) -> None:
    # minimalkv 1.x pickled its values; this store returns the stored bytes as they are.
    pickled = pickle.dumps(b"old value")
    store.db[store.collection].insert_one({"_id": "old", "v": pickled})
    assert store.get("old") == pickled


def test_large_values_go_to_gridfs(store: MongoStore) -> None:
    value = bytes(range(256)) * (3 * MiB // 256)
    store.put("big", value)
    document = _raw(store, "big")
    assert "v" not in document
    assert document["n"] == len(value)
    assert _files(store) == [document["g"]]
    assert store.get("big") == value
    assert store.metadata("big").size == len(value)
    with store.open("big") as file:
        file.seek(MiB + 3)
        assert file.read(10) == value[MiB + 3 : MiB + 13]
    assert store.get_many(["big", "missing"]) == {"big": value}


@pytest.mark.parametrize("through", ["put", "put_file", "put_many"])
def test_overwrites_between_inline_and_gridfs_leave_no_orphans(
    store: MongoStore, through: str
) -> None:
    def write(value: bytes) -> None:
        if through == "put":
            store.put("k", value)
        elif through == "put_file":
            store.put_file("k", io.BytesIO(value))
        else:
            store.put_many({"k": value, "other": b"x"})

    seen: list[Any] = []
    for size in (10, LIMIT + 1, 2 * MiB, LIMIT, 3 * MiB, 0, LIMIT + 1):
        value = bytes([size % 251]) * size
        write(value)
        assert store.get("k") == value
        document = _raw(store, "k")
        if size > LIMIT:
            assert _files(store) == [document["g"]]
            seen.append(document["g"])
        else:
            assert set(document) == {"_id", "v"}
            assert _files(store) == []
    assert all(_chunks_of(store, file_id) == [] for file_id in seen[:-1])
    store.delete("k")
    assert _files(store) == []
    assert _chunks_of(store, seen[-1]) == []
    assert store.orphans() == []


def test_delete_many_mixes_inline_gridfs_and_missing(store: MongoStore) -> None:
    store.put_many({"a": b"1", "b": b"2" * (LIMIT + 1), "c": b"3"})
    file_id = _raw(store, "b")["g"]
    store.delete_many(["a", "b", "missing"])
    assert store.keys() == ["c"]
    assert _files(store) == []
    assert _chunks_of(store, file_id) == []


def test_put_many_replaces_gridfs_values_and_keeps_the_last_of_a_key(store: MongoStore) -> None:
    store.put("g", b"x" * (LIMIT + 1))
    assert store.put_many([("g", b"small"), ("n", b"1"), ("n", b"2")]) == ["g", "n", "n"]
    assert store.get_many(["g", "n"]) == {"g": b"small", "n": b"2"}
    assert _files(store) == []


def test_batch_calls_are_one_command_each(store: MongoStore, commands: Commands) -> None:
    pairs = {f"key{i:03}": b"%d" % i for i in range(200)}
    commands.names.clear()
    store.put_many(pairs)
    assert commands.names == ["update"]  # one bulk_write of upserts
    commands.names.clear()
    assert store.get_many(list(pairs)) == pairs
    assert commands.names == ["find"]  # one find with $in
    commands.names.clear()
    store.delete_many(list(pairs))
    assert commands.names == ["delete"]  # one delete_many
    assert store.keys() == []


@pytest.mark.parametrize("prefix", ["a.", "a*", "a+", "a(", "a[", "a^", "a$", "a?", "a|", "a\\"])
def test_prefix_listing_treats_regex_characters_literally(
    mongo_target: Any, fresh_collection: Callable[[], str], prefix: str
) -> None:
    store = HMongoStore(mongo_target.db(), fresh_collection())
    keys = ["a.b", "a+b", "a(b", "a[b", "a^b", "a$b", "a?b", "a\\b", "ab", "axb", "a b"]
    store.put_many(dict.fromkeys(keys, b"v"))
    assert store.keys(prefix) == [k for k in keys if k.startswith(prefix)]
    assert sorted(store.keys("a")) == sorted(keys)


def test_listing_leaves_out_foreign_documents(store: MongoStore) -> None:
    store.put("mine", b"1")
    documents = store.db[store.collection]
    documents.insert_many([{"_id": 5, "v": b"x"}, {"_id": "has space", "v": b"x"}])
    documents.insert_one({"_id": "caf\u00e9", "v": b"x"})
    assert store.keys() == ["mine"]
    assert store.keys("caf\u00e9") == []
    assert store.keys("\x00") == []
    with pytest.raises(KeyNotFoundError):
        store.get("missing")


def test_a_reader_never_mixes_two_values(
    mongo_target: Any, fresh_collection: Callable[[], str]
) -> None:
    store = MongoStore(mongo_target.db(), fresh_collection(), inline_limit=LIMIT)
    old = b"o" * (6 * MiB)
    store.put("k", old)
    with store.open("k") as file:
        assert file.read(10) == b"o" * 10
        store.put("k", b"n" * (6 * MiB))
        with pytest.raises(ValueGoneError, match="read the key again"):
            file.read()  # beyond the first chunks it fetched, the old file is gone
    assert store.get("k") == b"n" * (6 * MiB)


def test_remove_orphans_deletes_abandoned_uploads(store: MongoStore) -> None:
    store.put("kept", b"k" * (LIMIT + 1))
    db = store.db
    name = store.collection
    # What a writer killed after its upload, before the document pointed at it, leaves.
    file_id, _ = upload_file(
        db[f"{name}_uploads"],
        db[f"{name}_gridfs.files"],
        db[f"{name}_gridfs.chunks"],
        "lost",
        [b"x" * (LIMIT + 1)],
        1024,
    )
    # What a writer killed during its upload leaves: a record and chunks, no file document.
    killed = ObjectId()
    db[f"{name}_uploads"].insert_one({"_id": killed, "key": "killed"})
    db[f"{name}_gridfs.chunks"].insert_one({"files_id": killed, "n": 0, "data": b"part"})
    found = store.orphans()
    assert sum(entry.startswith("upload ") for entry in found) == 2
    # The file "lost"; nx-27017 also shows a file document made up for the killed chunks.
    assert 1 <= sum(entry.startswith("GridFS file ") for entry in found) <= 2
    assert store.remove_orphans(older_than=3600) == 0  # too young: maybe still running
    assert store.remove_orphans(older_than=0) == 2
    assert store.orphans() == []
    assert _chunks_of(store, file_id) == []
    assert _chunks_of(store, killed) == []
    assert store.get("kept") == b"k" * (LIMIT + 1)


def test_settings_are_checked(mongo_target: Any) -> None:
    with pytest.raises(ConfigurationError, match="Database"):
        MongoStore("not a database", "c")
    with pytest.raises(ConfigurationError, match="collection"):
        MongoStore(mongo_target.db(), "")
    with pytest.raises(ConfigurationError, match="inline_limit"):
        MongoStore(mongo_target.db(), "c", inline_limit=17 * MiB)


def test_concurrent_writers_of_new_keys_all_land(store: MongoStore) -> None:
    # Upserts racing to insert the same document: the losers write over the winner's.
    from concurrent.futures import ThreadPoolExecutor

    def write(i: int) -> None:
        key = f"race{i % 5}"
        if i % 3 == 0:
            store.put(key, b"g" * (LIMIT + 1 + i))  # to GridFS
        elif i % 3 == 1:
            store.put_many({key: b"%d" % i})
        else:
            store.put(key, b"%d" % i)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(60)))
    assert sorted(store.keys()) == [f"race{i}" for i in range(5)]
    assert len(store.orphans()) == 0
    referenced = {_raw(store, f"race{i}").get("g") for i in range(5)} - {None}
    assert set(_files(store)) == referenced


def test_pickling_is_refused_with_the_way_out(store: MongoStore) -> None:
    with pytest.raises(TypeError, match=r"cannot be pickled.*get_store_from_url") as caught:
        pickle.dumps(store)
    assert store.collection in str(caught.value)

"""RedisStore specifics on a real server: TTL commands, listing, streaming, batches, copy."""

from __future__ import annotations

import io
from typing import Any

import pytest
from minimalkv import FOREVER, NOT_SET, ConfigurationError, KeyNotFoundError
from minimalkv.redis import (
    MAX_TTL_SECS,
    TEMP_KEY_PREFIX,
    HRedisStore,
    RedisStore,
    ValueTooLargeError,
    escape_match_pattern,
)

MiB = 1024 * 1024


@pytest.fixture
def store(redis_client: Any) -> RedisStore:
    return RedisStore(redis_client)


def _temp_keys(client: Any) -> list[bytes]:
    return list(client.scan_iter(match=TEMP_KEY_PREFIX + "*"))


def test_escape_match_pattern() -> None:
    assert escape_match_pattern("") == "*"
    assert escape_match_pattern("a*b?c[d]e\\f") == "a\\*b\\?c\\[d\\]e\\\\f*"


def test_prefix_listing_treats_glob_characters_literally(store: RedisStore) -> None:
    keys = ["a?c", "a[x]", "a\\d", "ab", "ax]", "b?"]
    store.put_many(dict.fromkeys(keys, b"v"))
    assert sorted(store.keys()) == sorted(keys)
    assert store.keys("a*") == []  # '*' is no key character: unescaped it would match "a..."
    assert store.keys("a?") == ["a?c"]
    assert store.keys("a[") == ["a[x]"]
    assert store.keys("a\\") == ["a\\d"]
    assert sorted(store.keys("a")) == sorted(k for k in keys if k.startswith("a"))
    assert store.keys("zz") == []


def test_listing_leaves_out_foreign_and_temporary_keys(
    store: RedisStore, redis_client: Any
) -> None:
    store.put("mine", b"1")
    redis_client.set(TEMP_KEY_PREFIX + "leftover", b"x")
    redis_client.set("has space", b"x")  # outside the basic key space
    redis_client.set("caf\xc3\xa9".encode("latin-1"), b"x")  # not ASCII
    redis_client.hset("a-hash", "field", "value")  # not a string
    assert store.keys() == ["mine"]
    assert list(HRedisStore(redis_client)) == ["has space", "mine"] or sorted(
        HRedisStore(redis_client).keys()
    ) == ["has space", "mine"]


def test_listing_many_keys_yields_each_once(store: RedisStore) -> None:
    store.put_many({f"k{i:05d}": b"" for i in range(2500)})
    listed = store.keys()
    assert len(listed) == len(set(listed)) == 2500


def test_ttl_commands(store: RedisStore, redis_client: Any) -> None:
    store.put("whole", b"1", 100)
    assert 99 <= redis_client.ttl("whole") <= 100
    store.put("fraction", b"2", 100.5)
    assert 99_000 < redis_client.pttl("fraction") <= 100_500
    store.put("tiny", b"3", 0.0001)  # below a millisecond: rounded up, never 0
    store.put("whole", b"4", FOREVER)
    assert redis_client.ttl("whole") == -1
    store.put("fraction", b"5", NOT_SET)
    assert redis_client.ttl("fraction") == -1
    store.put_file("file", io.BytesIO(b"6"), ttl_secs=50)
    assert 49 <= redis_client.ttl("file") <= 50


def test_too_long_ttl_is_a_value_error(store: RedisStore) -> None:
    with pytest.raises(ValueError, match="at most"):
        store.put("k", b"v", MAX_TTL_SECS * 2)
    assert "k" not in store


def test_default_ttl_secs_applies_to_put_many(redis_client: Any) -> None:
    store = RedisStore(redis_client, default_ttl_secs=60)
    store.put_many({"a": b"1", "b": b"2"})
    assert 59 <= redis_client.ttl("a") <= 60
    store.default_ttl_secs = NOT_SET
    store.put_many({"a": b"3"})
    assert redis_client.ttl("a") == -1
    assert store.get_many(["a", "b"]) == {"a": b"3", "b": b"2"}


def test_invalid_default_ttl_is_refused(redis_client: Any) -> None:
    with pytest.raises(ValueError, match="ttl_secs"):
        RedisStore(redis_client, default_ttl_secs=0)


def test_decode_responses_client_is_refused(redis_target: Any) -> None:
    import redis

    client = redis.Redis(host=redis_target.host, port=redis_target.port, decode_responses=True)
    with pytest.raises(ConfigurationError, match="decode_responses"):
        RedisStore(client)
    client.close()


def test_streamed_put_file_replaces_atomically_and_cleans_up(
    store: RedisStore, redis_client: Any
) -> None:
    big = bytes(range(256)) * (3 * MiB // 256 + 7)
    store.put("big", b"old", 100)
    assert store.put_file("big", io.BytesIO(big)) == "big"
    assert store.get("big") == big
    assert redis_client.ttl("big") == -1  # no expiry requested: the old one is gone
    store.put_file("big", io.BytesIO(big), 0.9 * 100)
    assert 0 < redis_client.pttl("big") <= 90_000
    assert _temp_keys(redis_client) == []


class _FailingFile(io.RawIOBase):
    """Gives 3 MiB, then fails."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.given >= 3 * MiB:
            raise OSError("disk on fire")
        view = memoryview(buffer)
        view[:] = b"x" * len(view)
        self.given += len(view)
        return len(view)


def test_failed_streamed_put_file_keeps_old_value(store: RedisStore, redis_client: Any) -> None:
    store.put("k", b"old")
    with pytest.raises(OSError, match="disk on fire"):
        store.put_file("k", _FailingFile())
    assert store.get("k") == b"old"
    assert _temp_keys(redis_client) == []


def test_value_over_max_value_size(redis_client: Any) -> None:
    store = RedisStore(redis_client, max_value_size=2 * MiB)
    store.put("k", b"old")
    with pytest.raises(ValueTooLargeError, match="max_value_size"):
        store.put("k", b"x" * (2 * MiB + 1))
    with pytest.raises(ValueTooLargeError):
        store.put_file("k", io.BytesIO(b"x" * (5 * MiB)))
    with pytest.raises(ValueTooLargeError):
        store.put_many({"k": b"x" * (3 * MiB)})
    assert store.get("k") == b"old"
    assert _temp_keys(redis_client) == []
    store.put_file("k", io.BytesIO(b"y" * (2 * MiB)))
    assert store.metadata("k").size == 2 * MiB


def test_open_large_value_reads_a_snapshot(store: RedisStore, redis_client: Any) -> None:
    first = b"a" * (3 * MiB)
    store.put("big", first)
    with store.open("big") as reader:
        store.put("big", b"b" * (3 * MiB))  # overwritten while open
        assert reader.seek(MiB) == MiB
        assert reader.read(10) == b"a" * 10
        reader.seek(0)
        assert reader.read() == first
        assert len(_temp_keys(redis_client)) == 1
    assert _temp_keys(redis_client) == []
    with pytest.raises(ValueError, match="closed"):
        reader.read(1)
    target = io.BytesIO()
    store.get_file("big", target)
    assert target.getvalue() == b"b" * (3 * MiB)
    assert _temp_keys(redis_client) == []


def test_open_small_and_missing(store: RedisStore) -> None:
    store.put("small", b"value")
    with store.open("small") as reader:
        assert reader.read() == b"value"
    with pytest.raises(KeyNotFoundError):
        store.open("missing")


def test_copy_and_move_keep_ttl_and_report_missing(store: RedisStore, redis_client: Any) -> None:
    store.put("src", b"v", 100)
    assert store.copy("src", "dst") == "dst"
    assert 0 < redis_client.ttl("dst") <= 100
    assert store.move("dst", "moved") == "moved"
    assert "dst" not in store
    assert 0 < redis_client.ttl("moved") <= 100
    with pytest.raises(KeyNotFoundError):
        store.copy("missing", "x")
    with pytest.raises(KeyNotFoundError):
        store.move("missing", "x")
    with pytest.raises(KeyNotFoundError):
        store.move("missing", "missing")
    assert store.copy("src", "src") == "src"
    assert store.get("src") == b"v"


def test_batches_larger_than_one_chunk(store: RedisStore) -> None:
    items = {f"key{i}": str(i).encode() for i in range(2345)}
    assert store.put_many(items) == list(items)
    wanted = [*items, "missing"]
    assert store.get_many(wanted) == items
    store.delete_many(list(items)[:2000])
    assert sorted(store.keys()) == sorted(list(items)[2000:])
    store.delete_many([])
    assert store.get_many([]) == {}


def test_metadata(store: RedisStore) -> None:
    store.put("k", b"12345")
    assert store.metadata("k").size == 5
    store.put("empty", b"")
    assert store.metadata("empty").size == 0
    with pytest.raises(KeyNotFoundError):
        store.metadata("missing")


def test_extended_keys(redis_client: Any) -> None:
    store = HRedisStore(redis_client)
    store.put("dir/sub file", b"1")
    store.put("dir", b"2")
    assert sorted(store.keys("dir")) == ["dir", "dir/sub file"]
    assert list(store.iter_prefixes("/")) == ["dir/", "dir"] or sorted(
        store.iter_prefixes("/")
    ) == ["dir", "dir/"]
    with pytest.raises(ValueError, match="key"):
        RedisStore(redis_client).put("dir/x", b"")


def test_store_does_not_close_a_callers_client(redis_client: Any) -> None:
    with RedisStore(redis_client) as store:
        store.put("k", b"v")
    assert redis_client.get("k") == b"v"


def test_pickling_is_refused_with_the_way_out(store: RedisStore) -> None:
    import pickle

    with pytest.raises(TypeError, match=r"^RedisStore\(.*cannot be pickled.*get_store_from_url"):
        pickle.dumps(store)

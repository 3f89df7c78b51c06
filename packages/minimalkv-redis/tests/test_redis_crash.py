"""Clients of RedisStore killed at random moments (reliability).

The private server runs without persistence, so only the atomicity of each call is at stake:
a killed client must never leave a torn value visible, and the temporary key of a streamed
``put_file`` must be one that expires by itself.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from minimalkv import BlobStore
from minimalkv.contract import CrashSafetyContract, StoreRecipe
from minimalkv.redis import TEMP_KEY_PREFIX, RedisStore, escape_match_pattern


class TestRedisStoreCrash(CrashSafetyContract):
    @pytest.fixture
    def store_recipe(self, redis_target: Any) -> Iterator[StoreRecipe]:
        client = redis_target.fresh_client()
        password = redis_target.password
        secret = "" if password is None else f":{urllib.parse.quote(password, safe='')}@"
        database = client.connection_pool.connection_kwargs["db"]
        yield StoreRecipe.from_url(
            f"redis://{secret}{redis_target.host}:{redis_target.port}/{database}"
        )
        client.flushdb()

    def leftovers(self, store: BlobStore) -> list[str]:
        """Temporary keys that would never expire (a killed upload's expire by themselves)."""
        assert isinstance(store, RedisStore)
        pattern = escape_match_pattern(TEMP_KEY_PREFIX)
        return sorted(
            key.decode()
            for key in store.redis.scan_iter(match=pattern)
            if store.redis.ttl(key) == -1
        )

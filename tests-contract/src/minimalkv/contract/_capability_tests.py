"""Tests of the optional capabilities: copy and move, URL generation, time-to-live.

Each class's tests carry the capability marker; the plugin generates them only for suite
classes that declare the capability (nothing is skipped at run time).
"""

from __future__ import annotations

import io
import math
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from minimalkv import (
    FOREVER,
    NOT_SET,
    BlobStore,
    KeyNotFoundError,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
)

from ._base import ContractBase
from ._key_table import INVALID_KEYS, NON_STR_KEYS
from ._marks import requires_capability
from ._support import SENTINEL_KEY, SENTINEL_VALUE, snapshot, untyped

__all__ = ["CopyContract", "TtlContract", "UrlContract"]

_BAD_KEYS: tuple[object, ...] = (*INVALID_KEYS[:12], "a\n", *NON_STR_KEYS)


def _bad_keys(suite: ContractBase, store: BlobStore) -> list[object]:
    """Return the keys of ``_BAD_KEYS`` that ``store`` must refuse (see ``key_is_valid``)."""
    return [key for key in _BAD_KEYS if not suite.key_is_valid(store, key)]


def _copying(store: BlobStore) -> SupportsCopy:
    assert isinstance(store, SupportsCopy), f"{type(store).__name__} has no copy/move"
    return store


def _url_store(store: BlobStore) -> SupportsUrl:
    assert isinstance(store, SupportsUrl), f"{type(store).__name__} has no url_for"
    return store


def _ttl_store(store: BlobStore) -> SupportsTtl:
    assert isinstance(store, SupportsTtl), f"{type(store).__name__} has no TTL support"
    return store


class CopyContract(ContractBase):
    """``copy`` and ``move`` (capability ``copy``)."""

    @requires_capability("copy")
    def test_copy_returns_dest_and_keeps_source(self, store: BlobStore) -> None:
        copying = _copying(store)
        store.put("source", b"value")
        assert copying.copy("source", "dest") == "dest"
        assert snapshot(store) == {"source": b"value", "dest": b"value"}

    @requires_capability("copy")
    def test_copy_overwrites_dest(self, store: BlobStore) -> None:
        copying = _copying(store)
        store.put_many({"source": b"new", "dest": b"old and longer"})
        assert copying.copy("source", "dest") == "dest"
        assert store.get("dest") == b"new"

    @requires_capability("copy")
    def test_copy_to_itself_keeps_value(self, store: BlobStore) -> None:
        copying = _copying(store)
        store.put("same", b"value")
        assert copying.copy("same", "same") == "same"
        assert snapshot(store) == {"same": b"value"}

    @requires_capability("copy")
    def test_copy_empty_value(self, store: BlobStore) -> None:
        copying = _copying(store)
        store.put("empty", b"")
        copying.copy("empty", "copy")
        assert store.get("copy") == b""

    @requires_capability("copy")
    def test_move_returns_dest_and_removes_source(self, store: BlobStore) -> None:
        copying = _copying(store)
        store.put_many({"source": b"value", "dest": b"old"})
        assert copying.move("source", "dest") == "dest"
        assert snapshot(store) == {"dest": b"value"}
        assert "source" not in store

    @requires_capability("copy")
    def test_move_to_itself_keeps_value(self, store: BlobStore) -> None:
        copying = _copying(store)
        store.put("same", b"value")
        assert copying.move("same", "same") == "same"
        assert snapshot(store) == {"same": b"value"}

    @requires_capability("copy")
    @pytest.mark.parametrize("method", ["copy", "move"])
    def test_copy_or_move_missing_source_raises_key_error(
        self, store: BlobStore, method: str
    ) -> None:
        call: Callable[[str, str], str] = getattr(_copying(store), method)
        store.put("dest", b"untouched")
        with pytest.raises(KeyNotFoundError):
            call("missing", "dest")
        assert snapshot(store) == {"dest": b"untouched"}

    @requires_capability("copy")
    @pytest.mark.parametrize("method", ["copy", "move"])
    @pytest.mark.parametrize("position", ["source", "dest"])
    def test_copy_or_move_invalid_key_raises_value_error(
        self, store: BlobStore, method: str, position: str
    ) -> None:
        call = getattr(_copying(store), method)
        store.put(SENTINEL_KEY, SENTINEL_VALUE)
        for bad in _bad_keys(self, store):
            args = (bad, SENTINEL_KEY) if position == "source" else (SENTINEL_KEY, bad)
            with pytest.raises(ValueError, match=r"."):
                call(*args)
        assert snapshot(store) == {SENTINEL_KEY: SENTINEL_VALUE}


class UrlContract(ContractBase):
    """``url_for`` (capability ``url``)."""

    @requires_capability("url")
    def test_url_for_returns_str_with_scheme(self, store: BlobStore) -> None:
        urls = _url_store(store)
        store.put("key", b"value")
        url = urls.url_for("key")
        assert isinstance(url, str)
        assert urllib.parse.urlsplit(url).scheme
        missing = urls.url_for("not-yet-stored")  # existence is not checked
        assert isinstance(missing, str)
        assert missing != url

    @requires_capability("url")
    def test_url_for_invalid_key_raises_value_error(self, store: BlobStore) -> None:
        urls = _url_store(store)
        for bad in _bad_keys(self, store):
            with pytest.raises(ValueError, match=r"."):
                urls.url_for(untyped(bad))

    @requires_capability("url")
    def test_url_resolves_to_value(self, store: BlobStore) -> None:
        urls = _url_store(store)
        keys = {"key": b"value", "odd%20name": b"percent", "a#b?c": b"fragment", "e": b""}
        store.put_many(keys)
        for key, value in keys.items():
            url = urls.url_for(key)
            scheme = urllib.parse.urlsplit(url).scheme
            if scheme != "file" and not self.url_fetchable:
                continue
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                assert response.read() == value, f"{url} did not give the value of {key!r}"
        assert len({urls.url_for(key) for key in keys}) == len(keys)


class TtlContract(ContractBase):
    """``ttl_secs`` on ``put`` and ``put_file`` (capability ``ttl``)."""

    def _wait_until_gone(self, store: BlobStore, keys: list[str], ttl: float) -> float:
        """Poll until every key is gone; return how long after ``ttl`` that took."""
        start = time.monotonic()
        deadline = start + ttl + self.ttl_grace_secs
        while True:
            present = [key for key in keys if key in store]
            if not present:
                return time.monotonic() - start
            assert time.monotonic() < deadline, (
                f"{present!r} still present {self.ttl_grace_secs} s after a TTL of {ttl} s"
            )
            time.sleep(0.05)

    def _assert_expired(self, store: BlobStore, key: str) -> None:
        with pytest.raises(KeyNotFoundError):
            store.get(key)
        with pytest.raises(KeyNotFoundError):
            store.open(key)
        listed = store.keys()
        assert key not in listed

    @requires_capability("ttl")
    def test_put_with_ttl_expires(self, store: BlobStore) -> None:
        ttl_store = _ttl_store(store)
        ttl = self.ttl_short_secs
        assert ttl_store.put("keyword", b"1", ttl_secs=ttl) == "keyword"
        assert ttl_store.put("positional", b"2", ttl) == "positional"
        assert ttl_store.put("forever", b"3") == "forever"
        assert store.get("keyword") == b"1"
        elapsed = self._wait_until_gone(store, ["keyword", "positional"], ttl)
        assert elapsed >= ttl * 0.5, f"a TTL of {ttl} s expired after {elapsed:.2f} s"
        self._assert_expired(store, "keyword")
        self._assert_expired(store, "positional")
        assert store.keys() == ["forever"]

    @requires_capability("ttl")
    def test_forever_and_not_set_do_not_expire(self, store: BlobStore) -> None:
        ttl_store = _ttl_store(store)
        ttl = self.ttl_short_secs
        ttl_store.put("forever", b"f", FOREVER)
        ttl_store.put("not-set", b"n", NOT_SET)
        ttl_store.put("none", b"d", None)
        ttl_store.put("cleared", b"c", ttl)
        ttl_store.put("cleared", b"c2", FOREVER)  # clears the earlier expiry
        ttl_store.put("probe", b"p", ttl)
        self._wait_until_gone(store, ["probe"], ttl)
        time.sleep(ttl * 0.5)
        assert snapshot(store) == {"forever": b"f", "not-set": b"n", "none": b"d", "cleared": b"c2"}

    @requires_capability("ttl")
    def test_default_ttl_secs_applies_when_ttl_is_none(self, store: BlobStore) -> None:
        ttl_store = _ttl_store(store)
        assert ttl_store.default_ttl_secs == NOT_SET, "a fresh store's default is NOT_SET"
        ttl = self.ttl_short_secs
        ttl_store.default_ttl_secs = ttl
        ttl_store.put("default", b"1")
        ttl_store.put("explicit-forever", b"2", FOREVER)
        ttl_store.put_file("default-file", io.BytesIO(b"3"))
        self._wait_until_gone(store, ["default", "default-file"], ttl)
        assert snapshot(store) == {"explicit-forever": b"2"}

    @requires_capability("ttl")
    @pytest.mark.parametrize("source", ["path", "fileobj"])
    def test_put_file_with_ttl_expires(self, store: BlobStore, tmp_path: Path, source: str) -> None:
        ttl_store = _ttl_store(store)
        ttl = self.ttl_short_secs
        path = tmp_path / "source"
        path.write_bytes(b"from a file")
        if source == "path":
            assert ttl_store.put_file("expiring", str(path), ttl_secs=ttl) == "expiring"
        else:
            with open(path, "rb") as file:
                assert ttl_store.put_file("expiring", file, ttl) == "expiring"
        ttl_store.put_file("kept", io.BytesIO(b"kept"), FOREVER)
        assert store.get("expiring") == b"from a file"
        self._wait_until_gone(store, ["expiring"], ttl)
        self._assert_expired(store, "expiring")
        assert snapshot(store) == {"kept": b"kept"}

    @requires_capability("ttl")
    @pytest.mark.parametrize(
        "bad", [0, 0.0, -1, -0.5, "abc", math.nan, math.inf, True, False, [1]], ids=repr
    )
    def test_invalid_ttl_raises_value_error_and_stores_nothing(
        self, store: BlobStore, bad: object
    ) -> None:
        ttl_store = _ttl_store(store)
        store.put(SENTINEL_KEY, SENTINEL_VALUE)
        calls: list[Callable[[], object]] = [
            lambda: ttl_store.put("new", b"v", untyped(bad)),
            lambda: ttl_store.put(SENTINEL_KEY, b"v", ttl_secs=untyped(bad)),
            lambda: ttl_store.put_file("new", io.BytesIO(b"v"), untyped(bad)),
        ]
        for call in calls:
            with pytest.raises(ValueError, match=r"."):
                call()
        assert snapshot(store) == {SENTINEL_KEY: SENTINEL_VALUE}

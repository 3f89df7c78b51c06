"""The ``mongodb`` store type: URLs, get_store parameters, what is refused, secrets in texts."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from minimalkv import ConfigurationError, get_store, get_store_from_url
from minimalkv.contract import (
    ENCODED_SECRETS,
    PRINTABLE_SECRETS,
    RELIABILITY_MARK,
    assert_no_secret_leaks,
    closed_port,
    url_form,
)
from minimalkv.mongo import (
    DEFAULT_INLINE_LIMIT,
    HMongoStore,
    MongoStore,
)

sys.path.insert(0, str(Path(__file__).parent))  # mongo_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_mongo, at the root

pytest_plugins = ["mongo_servers"]  # the MongoDB fixtures (mongo_target, fresh_collection)

PORT = closed_port()
_FAST = "server_selection_timeout=0.1&connect_timeout=0.3&timeout=0.3"


def _client_options(store: MongoStore) -> Any:
    return store.db.client.options


def test_url_gives_a_store_with_its_settings() -> None:
    url = (
        f"mongodb://127.0.0.1:{PORT}/blobs?collection=kv&inline_limit=1024"
        "&timeout=2&connect_timeout=1.5&server_selection_timeout=3"
    )
    with get_store_from_url(url) as store:
        assert type(store) is MongoStore
        assert store.db.name == "blobs"
        assert store.collection == "kv"
        assert store.inline_limit == 1024
        options = _client_options(store)
        assert options.timeout == 2
        assert options.pool_options.connect_timeout == 1.5
        assert options.server_selection_timeout == 3
        assert repr(store) == f"MongoStore(mongodb://127.0.0.1:{PORT}/blobs?collection=kv)"


def test_defaults() -> None:
    with get_store_from_url("mongodb:///db?collection=c") as store:
        assert isinstance(store, MongoStore)
        assert store.inline_limit == DEFAULT_INLINE_LIMIT
        assert "localhost:27017" in repr(store)


def test_extended_key_space() -> None:
    with get_store_from_url(f"hmongodb://127.0.0.1:{PORT}/db?collection=c") as store:
        assert type(store) is HMongoStore
        assert store.extended_keys


def test_get_store_takes_the_same_settings() -> None:
    with get_store(
        "mongodb",
        host="127.0.0.1",
        port=PORT,
        database="db",
        collection="c",
        username="user",
        password="pw",  # noqa: S106 - a test password, for no server
        auth_source="admin",
        inline_limit=10,
    ) as store:
        assert isinstance(store, MongoStore)
        assert store.inline_limit == 10
        credentials = _client_options(store).pool_options._credentials
        assert (credentials.username, credentials.source) == ("user", "admin")


def test_credentials_from_the_url() -> None:
    with get_store_from_url(f"mongodb://us%40er:p%3Aw@127.0.0.1:{PORT}/db?collection=c") as store:
        assert isinstance(store, MongoStore)
        credentials = _client_options(store).pool_options._credentials
        assert (credentials.username, credentials.password) == ("us@er", "p:w")
        assert credentials.source == "db"  # the store's database by default
        assert "us" not in repr(store)
        assert "p:w" not in repr(store)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mongodb://127.0.0.1/?collection=c", "the path must name the database"),
        ("mongodb://127.0.0.1/a/b?collection=c", "the path must name the database"),
        ("mongodb://127.0.0.1/db", "needs a collection"),
        ("mongodb://127.0.0.1/db?collection=c&colour=red", "colour"),
        ("mongodb://127.0.0.1/db?collection=c&timeout=0", "timeout"),
        ("mongodb://127.0.0.1/db?collection=c&inline_limit=-1", "inline_limit"),
        ("mongodb://127.0.0.1/db?collection=c&inline_limit=999999999", "inline_limit"),
        ("mongodb://127.0.0.1/db?collection=c&auth_source=admin", "auth_source"),
        ("mongodb://127.0.0.1/db?collection=c&tls=maybe", "tls"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        get_store_from_url(url)


def test_unknown_parameter() -> None:
    with pytest.raises(ConfigurationError, match="colour"):
        get_store("mongodb", database="db", collection="c", colour="red")


def test_store_against_the_server(mongo_target: Any, fresh_collection: Callable[[], str]) -> None:
    with get_store_from_url(mongo_target.url(fresh_collection())) as store:
        assert store.put("key", b"\x00value") == "key"
        assert store.get("key") == b"\x00value"
        assert list(store.keys()) == ["key"]


def test_create_if_missing_false(mongo_target: Any, fresh_collection: Callable[[], str]) -> None:
    missing = fresh_collection()
    with pytest.raises(ConfigurationError, match="does not exist"):
        get_store_from_url(mongo_target.url(missing) + "&create_if_missing=false")
    mongo_target.db().create_collection(missing)
    with get_store_from_url(mongo_target.url(missing) + "&create_if_missing=false") as store:
        assert list(store.keys()) == []


# ---------------------------------------------------------------- secrets (reliability)
FORMS: dict[str, Callable[[str], str]] = {
    "password": lambda s: f"mongodb://user:{s}@127.0.0.1:{PORT}/db?collection=c&{_FAST}",
    "userinfo": lambda s: f"mongodb://{s}@127.0.0.1:{PORT}/db?collection=c&{_FAST}",
    "extended": lambda s: f"hmongodb://user:{s}@127.0.0.1:{PORT}/db?collection=c&{_FAST}",
    "wrapped": lambda s: f"mongodb://u:{s}@127.0.0.1:{PORT}/db?collection=c&{_FAST}#wrap:readonly",
}


@contextlib.contextmanager
def _no_pymongo_debug_records() -> Iterator[None]:
    """Keep pymongo's DEBUG records out of the texts checked for secrets.

    They carry random durations and object ids, in which a short secret of digits or hex
    shows by chance; they hold no credentials (pymongo's command logging redacts
    authentication). Its records of level INFO and above are still checked.
    """
    logger = logging.getLogger("pymongo")
    old = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(old)


# In the user-info form a ':' would start the password and make what precedes it the user
# name, which is not secret; its secrets hold no ':'.
NO_USER = {"userinfo"}


@RELIABILITY_MARK
@settings(max_examples=20, deadline=None)
@given(form=st.sampled_from(sorted(FORMS)), secret=PRINTABLE_SECRETS)
def test_printable_secret_never_shows(form: str, secret: str) -> None:
    if form in NO_USER:
        secret = secret.replace(":", "!")
    with _no_pymongo_debug_records():
        assert_no_secret_leaks(FORMS[form], secret)


@RELIABILITY_MARK
@settings(max_examples=20, deadline=None)
@given(form=st.sampled_from(sorted(FORMS)), secret=ENCODED_SECRETS)
def test_percent_encoded_secret_never_shows(form: str, secret: str) -> None:
    with _no_pymongo_debug_records():
        assert_no_secret_leaks(lambda s: FORMS[form](url_form(s, encode=True)), secret)

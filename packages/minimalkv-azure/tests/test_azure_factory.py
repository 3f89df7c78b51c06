"""azure:// URLs and factory parameters: every form of minimalkv 1.x, options, refusals, secrets."""

from __future__ import annotations

import base64
import datetime
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import ContainerSasPermissions, generate_container_sas
from hypothesis import given, settings
from hypothesis import strategies as st
from minimalkv import ConfigurationError, get_store, get_store_from_url, url2dict
from minimalkv.azure import AzureBlockBlobStore, HAzureBlockBlobStore
from minimalkv.contract import (
    ENCODED_SECRETS,
    PRINTABLE_SECRETS,
    assert_no_secret_leaks,
    closed_port,
    url_form,
)
from minimalkv.decorator import ReadOnlyDecorator

sys.path.insert(0, str(Path(__file__).parent))  # azure_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_azure

pytest_plugins = ["azure_servers"]  # the Azure fixtures (azure_target, azure_container, ...)

KEY = base64.b64encode(b"a made-up account key of sixty-four bytes, for parsing only....").decode()
ENCODED_KEY = urllib.parse.quote(KEY, safe="")
SAS = "sv=2021-08-06&ss=b&srt=sco&sp=rwdl&se=2030-01-01T00%3A00%3A00Z&sig=ab%2Bcd%2Fef%3D"


def _store(url: str) -> Any:
    return get_store_from_url(url)


# ----------------------------------------------------------------------- URL forms
def test_account_key_url_of_minimalkv_1() -> None:
    url = f"azure://account:{ENCODED_KEY}@container?create_if_missing=true&max_connections=2"
    assert url2dict(url) == {
        "type": "azure",
        "create_if_missing": True,
        "account_name": "account",
        "account_key": KEY,
        "container": "container",
        "max_connections": "2",
    }
    store = _store(url)
    assert isinstance(store, AzureBlockBlobStore)
    assert not isinstance(store, HAzureBlockBlobStore)
    assert store.container == "container"
    assert store.create_if_missing
    assert store.connection is not None
    assert store.connection.account_url == "https://account.blob.core.windows.net"
    # The factory's defaults of minimalkv 1.x.
    assert store.checksum
    assert store.max_connections == 2
    assert (store.connection.connect_timeout, store.connection.read_timeout) == (20.0, 100.0)
    assert store.max_block_size == 4 * 1024 * 1024
    assert store.max_single_put_size == 64 * 1024 * 1024


def test_unencoded_account_key_is_read_whole() -> None:
    # Keys are base64: "/" "+" "=" written as they are reach the store unchanged.
    assert url2dict(f"azure://account:{KEY}@container")["account_key"] == KEY


def test_sas_url_with_every_option_of_minimalkv_1() -> None:
    url = (
        f"azure://account:{SAS}@container?use_sas&create_if_missing=false"
        "?max_connections=3&socket_timeout=(20,100)&max_block_size=4*1024*1024"
        "&max_single_put_size=64*1024*1024"
    )
    store = _store(url)
    assert isinstance(store, AzureBlockBlobStore)
    connection = store.connection
    assert connection is not None
    assert connection.account_key is None
    assert connection.key is None
    # Given decoded once by the URL parser, the token is sent encoded exactly once.
    assert connection.sas == SAS
    assert store.max_connections == 3
    assert (connection.connect_timeout, connection.read_timeout) == (20.0, 100.0)
    assert store.max_block_size == 4 * 1024 * 1024
    assert store.max_single_put_size == 64 * 1024 * 1024
    assert not store.create_if_missing
    assert SAS not in repr(store)
    assert "sig" not in repr(connection)


def test_sas_with_create_if_missing_is_refused() -> None:
    for url in (
        f"azure://account:{SAS}@container?use_sas",
        f"azure://account:{SAS}@container?use_sas&create_if_missing=true",
    ):
        with pytest.raises(ConfigurationError, match="create_if_missing") as refused:
            _store(url)
        assert "sig" not in str(refused.value)


def test_hazure_gives_the_extended_key_space() -> None:
    store = _store(f"hazure://account:{ENCODED_KEY}@container")
    assert isinstance(store, HAzureBlockBlobStore)


def test_options_are_parsed_to_their_types() -> None:
    store = _store(
        f"azure://account:{ENCODED_KEY}@container?checksum=false&public=yes"
        "&socket_timeout=7.5&max_attempts=5&url_valid_time=60&max_concurrency=16"
        "&endpoint=http%3A%2F%2F127.0.0.1%3A10000%2Fdevstoreaccount1"
    )
    assert not store.checksum
    assert store.public
    assert (store.connection.connect_timeout, store.connection.read_timeout) == (7.5, 7.5)
    assert store.connection.max_attempts == 5
    assert store.url_valid_time == 60
    assert store.max_concurrency == 16
    assert store.connection.account_url == "http://127.0.0.1:10000/devstoreaccount1"
    both = _store(
        f"azure://account:{ENCODED_KEY}@container?connect_timeout=1&read_timeout=2"
        "&blob_endpoint=https://sovereign.example/account"
    )
    assert (both.connection.connect_timeout, both.connection.read_timeout) == (1.0, 2.0)
    assert both.connection.account_url == "https://sovereign.example/account"


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("max_connections=two", "max_connections"),
        ("max_connections=0", "max_connections"),
        ("max_block_size=4*MiB", "max_block_size"),
        ("max_block_size=-1", "max_block_size"),
        ("max_single_put_size=1.5", "max_single_put_size"),
        ("socket_timeout=(20,)", "socket_timeout"),
        ("socket_timeout=soon", "socket_timeout"),
        ("socket_timeout=0", "socket_timeout"),
        ("checksum=maybe", "checksum"),
        ("use_sas=perhaps", "use_sas"),
        ("endpoint=ftp://host", "endpoint"),
        ("colour=blue", "colour"),
    ],
)
def test_bad_options_are_refused_by_name(query: str, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named) as refused:
        _store(f"azure://account:{ENCODED_KEY}@container?{query}")
    assert KEY[:8] not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"azure://account:{ENCODED_KEY}@", "container"),
        (f"azure://account:{ENCODED_KEY}@container/path", "path"),
        ("azure://onlyaccount@container", "account_name:account_key"),
        ("azure://container", "account"),
    ],
)
def test_incomplete_urls_are_refused(url: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        _store(url)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        # minimalkv 1.x's documented examples: placeholder keys, a name Azure refuses.
        ("azure://MYACCOUNT:passw0rd!@bucket_66?create_if_missing=true", "bucket_66"),
        ("azure://test:XXXsome_azure_account_keyXXX@my-azure-container", "base64"),
        (f"azure://account:{ENCODED_KEY}@Bad_Name", "container must be an Azure container"),
        ("azure://account:not*base64@container?create_if_missing=false", "base64"),
    ],
)
def test_a_bad_key_or_name_is_refused_at_the_first_call_without_a_request(
    url: str, says: str
) -> None:
    store = _store(url)  # built without a request, as in minimalkv 1.x
    calls: list[Callable[[], object]] = [
        lambda: store.put("key", b"value"),
        lambda: store.url_for("key"),
    ]
    for call in calls:
        with pytest.raises(ConfigurationError, match=says) as refused:
            call()
        assert "passw0rd" not in str(refused.value)
        assert "XXXsome" not in str(refused.value)


def test_documented_keyword_form_builds_a_store() -> None:
    params: dict[str, Any] = {
        "account_name": "test",
        "account_key": "XXXsome_azure_account_keyXXX",
        "container": "my-azure-container",
    }
    store = get_store("azure", **params)
    assert "my-azure-container" in repr(store)
    assert "XXXsome" not in repr(store)
    with pytest.raises(ConfigurationError, match="base64"):
        store.put("key", b"value")


def test_get_store_with_keywords_reaches_azurite(azure_target: Any, azure_container: str) -> None:
    account = azure_target.account
    store = get_store(
        "azure",
        account_name=account.account_name,
        account_key=account.account_key,
        container=azure_container,
        endpoint=account.blob_endpoint,
    )
    store.put("k", b"through get_store")
    assert store.get("k") == b"through get_store"
    store.close()


def test_url_reaches_azurite(azure_target: Any, azure_container: str) -> None:
    store = _store(azure_target.url(azure_container, options="max_block_size=1024"))
    store.put_file("k", str(Path(__file__)))
    assert store.get("k") == Path(__file__).read_bytes()
    readonly = _store(azure_target.url(azure_container) + "#wrap:readonly")
    assert isinstance(readonly, ReadOnlyDecorator)
    assert readonly.get("k") == store.get("k")


def test_connection_string_reaches_azurite(azure_target: Any, azure_container: str) -> None:
    store = get_store(
        "azure",
        connection_string=azure_target.account.connection_string,
        container=azure_container,
    )
    store.put("k", b"via BlobEndpoint")
    assert store.get("k") == b"via BlobEndpoint"
    with pytest.raises(ConfigurationError, match="not both"):
        get_store(
            "azure",
            connection_string=azure_target.account.connection_string,
            account_name="other",
            container=azure_container,
        )


def test_sas_url_reaches_azurite(azure_target: Any, azure_container: str) -> None:
    account = azure_target.account
    token = generate_container_sas(
        account.account_name,
        azure_container,
        account_key=account.account_key,
        permission=ContainerSasPermissions(read=True, write=True, list=True, delete=True),
        expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1),
    )
    endpoint = urllib.parse.quote(account.blob_endpoint, safe="")
    for written in (token, urllib.parse.quote(token, safe="")):  # as given, and encoded again
        store = _store(
            f"azure://{account.account_name}:{written}@{azure_container}"
            f"?use_sas&create_if_missing=false&endpoint={endpoint}"
        )
        store.put("k", b"signed by a SAS")
        assert store.get("k") == b"signed by a SAS"


# ----------------------------------------------------------------------- secrets never shown
_PORT = closed_port()
_ENDPOINT = urllib.parse.quote(f"http://127.0.0.1:{_PORT}/devstoreaccount1", safe="")
_FORMS = {
    "key": lambda s: (
        f"azure://devstoreaccount1:{s}@container?endpoint={_ENDPOINT}"
        "&max_attempts=1&socket_timeout=0.5&create_if_missing=false"
    ),
    "sas": lambda s: (
        f"azure://devstoreaccount1:{s}@container?use_sas&endpoint={_ENDPOINT}"
        "&max_attempts=1&socket_timeout=0.5&create_if_missing=false"
    ),
    "wrapped": lambda s: (
        f"hazure://devstoreaccount1:{s}@container?use_sas&endpoint={_ENDPOINT}"
        "&max_attempts=1&socket_timeout=0.5&create_if_missing=false#wrap:readonly"
    ),
}


@settings(max_examples=15, deadline=None)
@given(form=st.sampled_from(sorted(_FORMS)), secret=PRINTABLE_SECRETS)
def test_printable_secret_never_shows(form: str, secret: str) -> None:
    secret = secret.replace("&", "!").replace("#", "!").replace("?", "!")
    assert_no_secret_leaks(_FORMS[form], secret)


@settings(max_examples=15, deadline=None)
@given(form=st.sampled_from(sorted(_FORMS)), secret=ENCODED_SECRETS)
def test_percent_encoded_secret_never_shows(form: str, secret: str) -> None:
    assert_no_secret_leaks(lambda s: _FORMS[form](url_form(s, encode=True)), secret)


def test_sas_token_never_shows() -> None:
    assert_no_secret_leaks(_FORMS["sas"], SAS)
    assert_no_secret_leaks(_FORMS["sas"], urllib.parse.unquote(SAS))


def test_real_account_key_never_shows() -> None:
    assert_no_secret_leaks(_FORMS["key"], ENCODED_KEY, neutral="Z" * len(ENCODED_KEY))

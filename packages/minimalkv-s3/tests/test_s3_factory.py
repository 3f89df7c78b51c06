"""s3:// URLs and factory parameters, credentials, and the import paths of minimalkv 1.x."""

from __future__ import annotations

import contextlib
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from minimalkv import (
    ConfigurationError,
    StoreNotFoundError,
    get_store,
    get_store_from_url,
    url2dict,
)
from minimalkv.contract import (
    ENCODED_SECRETS,
    PRINTABLE_SECRETS,
    assert_no_secret_leaks,
    closed_port,
    url_form,
)
from minimalkv.s3 import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    HS3Store,
    S3Connection,
    S3Store,
)

sys.path.insert(0, str(Path(__file__).parent))  # s3_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools.services, at the repository root
from tools.services import S3Server, seaweedfs_server

pytest_plugins = ["s3_servers"]  # the S3 fixtures (s3_target, fresh_bucket, ...)

ODD_SECRET = "se:cr/et+k@y%z"  # noqa: S105 - a test server's key
"""A secret key holding every character that needs percent-encoding in a URL."""


def test_url_forms() -> None:
    assert url2dict("s3://AKIA:s3cr3t@s3.example.com/bucket") == {
        "type": "s3",
        "host": "s3.example.com",
        "bucket": "bucket",
        "access_key": "AKIA",
        "secret_key": "s3cr3t",
    }
    assert url2dict("hs3://k:s@127.0.0.1:9000/b/some/prefix/?create_if_missing=false") == {
        "type": "hs3",
        "host": "127.0.0.1",
        "port": 9000,
        "bucket": "b",
        "prefix": "some/prefix/",
        "access_key": "k",
        "secret_key": "s",
        "create_if_missing": False,
    }
    encoded = urllib.parse.quote(ODD_SECRET, safe="")
    assert url2dict(f"s3://key:{encoded}@host/b")["secret_key"] == ODD_SECRET
    assert url2dict("s3://key:with:colons@host/b")["secret_key"] == "with:colons"  # noqa: S105
    assert url2dict("s3:///bucket?region_name=eu-west-1") == {
        "type": "s3",
        "bucket": "bucket",
        "region_name": "eu-west-1",
    }


def test_url_builds_a_store_without_connecting() -> None:
    port = closed_port()
    store = get_store_from_url(
        f"s3://KEY:secret@127.0.0.1:{port}/data?create_if_missing=false&is_secure=false"
        "&region=eu-central-1&verify=false&session_token=tok&connect_timeout=2"
        "&read_timeout=3&max_attempts=4&retry_mode=adaptive&part_size=6291456"
        "&max_concurrency=3&url_valid_time=60&prefix=p/&public=true&reduced_redundancy=1"
    )
    assert type(store) is S3Store
    assert store.bucket_name == "data-key"  # force_bucket_suffix, as in minimalkv 1.x
    assert store.prefix == "p/"
    assert (store.part_size, store.max_concurrency, store.url_valid_time) == (6291456, 3, 60)
    assert store.public
    assert store.reduced_redundancy
    assert store.connection == S3Connection(
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="eu-central-1",
        access_key_id="KEY",
        secret_access_key="secret",  # noqa: S106 - a fake secret
        session_token="tok",  # noqa: S106 - a fake token
        verify=False,
        connect_timeout=2.0,
        read_timeout=3.0,
        max_attempts=4,
        retry_mode="adaptive",
    )
    assert "secret" not in repr(store)
    assert "tok" not in repr(store.connection)


def test_bucket_suffix_rules() -> None:
    def bucket(url: str) -> str:
        store = get_store_from_url(url)
        assert isinstance(store, S3Store)
        return store.bucket_name

    assert bucket("s3://Key:s@h/b-key?create_if_missing=false") == "b-key"
    assert bucket("s3://Key:s@h/b?force_bucket_suffix=false&create_if_missing=false") == "b"
    assert bucket("s3://h/b?create_if_missing=false") == "b"  # no key, no suffix


def test_hs3_and_boto_use_the_extended_key_space() -> None:
    for scheme in ("hs3", "boto", "hboto"):
        store = get_store_from_url(f"{scheme}://k:s@h/b?create_if_missing=false")
        assert type(store) is HS3Store, scheme
        assert store.extended_keys


def test_factory_defaults_are_finite() -> None:
    store = get_store("s3", bucket="b", host="h", create_if_missing=False)
    assert isinstance(store, S3Store)
    assert store.connection is not None
    assert store.connection.connect_timeout == DEFAULT_CONNECT_TIMEOUT
    assert store.connection.read_timeout == DEFAULT_READ_TIMEOUT
    assert store.connection.endpoint_url == "https://h"
    config: Any = store.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (5.0, 30.0)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert config.signature_version == "s3v4"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://k:s@h?create_if_missing=false", "no bucket"),
        ("s3://onlykey@h/b", "access_key:secret_key"),
        ("s3://k:s@h/b?colour=red", "unknown option"),
        ("s3://k:s@h/b?part_size=1024", "part_size"),
        ("s3://k:s@h/b?max_concurrency=0", "max_concurrency"),
        ("s3://k:s@h/b?read_timeout=0", "read_timeout"),
        ("s3://k:s@h/b?retry_mode=often", "retry_mode"),
        ("s3://k:s@h/b?addressing_style=odd", "addressing_style"),
        ("s3://k:s@h/b/p/?prefix=q", "twice"),
        ("s3://k:s@h/b?is_secure=maybe", "is_secure"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        get_store_from_url(url)
    assert "s@" not in str(caught.value) or "***" in str(caught.value)


def test_bad_parameters() -> None:
    with pytest.raises(ConfigurationError, match="takes no parameter"):
        get_store("s3", bucket="b", colour="red")
    with pytest.raises(ConfigurationError, match="together"):
        get_store("s3", bucket="b", access_key="k")
    with pytest.raises(ConfigurationError, match="host or endpoint_url"):
        get_store("s3", bucket="b", host="h", endpoint_url="http://h")


# ----------------------------------------------------------------------- against the server
def _url(server: S3Server, bucket: str, *, secret: str | None = None, extra: str = "") -> str:
    key = urllib.parse.quote(server.access_key, safe="")
    encoded = urllib.parse.quote(server.secret_key if secret is None else secret, safe="")
    return (
        f"s3://{key}:{encoded}@{server.host_port}/{bucket}"
        f"?is_secure=false&force_bucket_suffix=false{extra}"
    )


def test_create_if_missing_from_url(s3_target: Any) -> None:
    name = "minimalkv-test-from-url"
    refused = get_store_from_url(_url(s3_target.server, name, extra="&create_if_missing=false"))
    with pytest.raises(StoreNotFoundError, match=name):
        refused.put("k", b"v")
    assert name not in [b["Name"] for b in s3_target.client.list_buckets()["Buckets"]]
    made = get_store_from_url(_url(s3_target.server, name))
    try:
        made.put("k", b"v")
        assert refused.get("k") == b"v"
    finally:
        s3_target.empty(name)
        s3_target.client.delete_bucket(Bucket=name)


def test_credentials_from_the_environment(
    s3_target: Any, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_target.server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_target.server.secret_key)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    store = get_store_from_url(f"s3://{s3_target.server.host_port}/{s3_bucket}?is_secure=false")
    store.put("k", b"from the environment")
    assert store.get("k") == b"from the environment"


@pytest.fixture(scope="module")
def odd_secret_server() -> Iterator[S3Server]:
    """A second private SeaweedFS whose secret key needs percent-encoding."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(seaweedfs_server(secret_key=ODD_SECRET))
        except RuntimeError as exc:
            pytest.fail(f"cannot start a second SeaweedFS: {exc}")
        yield server


def test_percent_encoded_secret_reaches_the_server(odd_secret_server: S3Server) -> None:
    store = get_store_from_url(_url(odd_secret_server, "minimalkv-test-odd"))
    store.put("k", b"signed with an odd secret")
    assert store.get("k") == b"signed with an odd secret"
    assert ODD_SECRET not in repr(store)
    # Unencoded, the secret is read up to the last "@" ("%z" is no escape, so it stays).
    unencoded = f"s3://{odd_secret_server.access_key}:{ODD_SECRET}@"
    assert url2dict(unencoded + "h/b")["secret_key"] == ODD_SECRET


# ----------------------------------------------------------------------- secrets never shown
_PORT = closed_port()
_FORMS = {
    "secret": lambda s: (
        f"s3://AKIAEXAMPLE:{s}@127.0.0.1:{_PORT}/bucket"
        "?is_secure=false&max_attempts=1&connect_timeout=0.5&create_if_missing=false"
    ),
    "token": lambda s: (
        f"s3://AKIAEXAMPLE:abcd@127.0.0.1:{_PORT}/bucket?session_token={s}"
        "&is_secure=false&max_attempts=1&connect_timeout=0.5&create_if_missing=false"
    ),
    "wrapped": lambda s: (
        f"hs3://AKIAEXAMPLE:{s}@127.0.0.1:{_PORT}/bucket/p/"
        "?is_secure=false&max_attempts=1&connect_timeout=0.5&create_if_missing=false#wrap:readonly"
    ),
}


@settings(max_examples=20, deadline=None)
@given(form=st.sampled_from(sorted(_FORMS)), secret=PRINTABLE_SECRETS)
def test_printable_secret_never_shows(form: str, secret: str) -> None:
    secret = secret.replace("&", "!").replace("#", "!").replace("?", "!")
    if form == "token":  # a query value: "@" must be written %40 (see minimalkv.redact_url)
        for char in "=+ @":
            secret = secret.replace(char, "!")
    assert_no_secret_leaks(_FORMS[form], secret)


@settings(max_examples=20, deadline=None)
@given(form=st.sampled_from(sorted(_FORMS)), secret=ENCODED_SECRETS)
def test_percent_encoded_secret_never_shows(form: str, secret: str) -> None:
    assert_no_secret_leaks(lambda s: _FORMS[form](url_form(s, encode=True)), secret)


# ----------------------------------------------------------------------- minimalkv 1.x names
def test_import_paths_of_minimalkv_1(s3_target: Any, s3_bucket: str) -> None:
    from minimalkv.net.boto import BotoStore
    from minimalkv.net.boto3store import Boto3Store, HBoto3Store
    from minimalkv.net.botostore import BotoStore as BotoStoreAgain
    from minimalkv.net.s3fsstore import S3FSStore

    assert BotoStore is BotoStoreAgain
    connection = s3_target.connection
    legacy = BotoStore(s3_bucket, "pre/", 60, False, False, {"a": "b"}, connection=connection)
    legacy.put("k", b"v")
    assert Boto3Store(s3_bucket, "pre/", connection=connection).get("k") == b"v"
    fs_named = S3FSStore(s3_bucket, object_prefix="pre/", connection=connection)
    assert fs_named.object_prefix == "pre/"
    assert fs_named.get("k") == b"v"
    assert HBoto3Store(s3_bucket, connection=connection).keys() == ["pre/k"]
    assert legacy.url_valid_time == 60

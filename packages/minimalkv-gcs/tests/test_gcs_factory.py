"""gcs:// URLs and factory parameters, the credentials forms, and minimalkv 1.x's import path."""

from __future__ import annotations

import base64
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from minimalkv import (
    ConfigurationError,
    StoreConnectionError,
    get_store,
    get_store_from_url,
    url2dict,
)
from minimalkv.contract import PRINTABLE_SECRETS, assert_no_secret_leaks, closed_port, secret_texts
from minimalkv.gcs import (
    DEFAULT_BUCKET_LOCATION,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRY_DEADLINE,
    GcsConnection,
    GoogleCloudStore,
    HGoogleCloudStore,
    decode_credentials,
)

sys.path.insert(0, str(Path(__file__).parent))  # gcs_servers, the fixtures' module
sys.path.insert(0, str(Path(__file__).parents[3]))  # tools._services_gcs, at the root

pytest_plugins = ["gcs_servers"]  # the GCS fixtures (gcs_target, fresh_bucket, ...)


# Imported when called: the module is the plugin named above, registered once it is loaded.
def service_account() -> dict[str, str]:
    """The run's throwaway service-account JSON (see gcs_servers)."""
    from gcs_servers import service_account as made

    return made()


def service_account_url(info: dict[str, str] | None = None) -> str:
    """The URL-safe base64 form of a service-account JSON."""
    from gcs_servers import service_account_url as encoded

    return encoded(info)


_PORT = closed_port()
_DEAD = f"http://127.0.0.1:{_PORT}"


def test_url_forms() -> None:
    blob = service_account_url()
    parsed = url2dict(f"gcs://{blob}@bucket?bucket_creation_location=US&create_if_missing=false")
    assert parsed == {
        "type": "gcs",
        "bucket_name": "bucket",
        "credentials": service_account(),
        "bucket_creation_location": "US",
        "create_if_missing": False,
    }
    assert url2dict("hgcs://@bucket") == {"type": "hgcs", "bucket_name": "bucket"}
    assert url2dict("gcs://bucket?endpoint=http://127.0.0.1:4443") == {
        "type": "gcs",
        "bucket_name": "bucket",
        "endpoint": "http://127.0.0.1:4443",
    }
    # Padding may be left out, and standard base64 is read too.
    raw = json.dumps(service_account()).encode()
    assert decode_credentials(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == (
        service_account()
    )
    assert decode_credentials(base64.b64encode(raw).decode()) == service_account()


def test_url_builds_a_store_without_connecting() -> None:
    store = get_store_from_url(
        f"hgcs://{service_account_url()}@data?create_if_missing=false&endpoint={_DEAD}"
        "&bucket_creation_location=US-EAST1&project=other&connect_timeout=2&read_timeout=3"
        "&retry_deadline=0&chunk_size=524288&max_concurrency=3&url_valid_time=60&anonymous=true"
    )
    assert type(store) is HGoogleCloudStore
    assert store.extended_keys
    assert store.bucket_name == "data"
    assert not store.create_if_missing
    assert store.bucket_creation_location == "US-EAST1"
    assert (store.chunk_size, store.max_concurrency, store.url_valid_time) == (524288, 3, 60)
    assert store.connection == GcsConnection(
        credentials=service_account(),
        project="other",
        endpoint=_DEAD,
        anonymous=True,
        connect_timeout=2.0,
        read_timeout=3.0,
        retry_deadline=0.0,
    )
    private_key = service_account()["private_key"]
    for text in (repr(store), str(store), repr(store.connection)):
        assert "PRIVATE KEY" not in text
        assert private_key[40:60] not in text


def test_factory_defaults_are_finite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    store = get_store("gcs", bucket_name="b", credentials=service_account())
    assert type(store) is GoogleCloudStore
    assert store.create_if_missing  # the factory's default, as in minimalkv 1.x
    assert store.bucket_creation_location == DEFAULT_BUCKET_LOCATION == "EUROPE-WEST3"
    assert store.chunk_size == DEFAULT_CHUNK_SIZE
    connection = store.connection
    assert connection is not None
    assert (connection.connect_timeout, connection.read_timeout) == (
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_READ_TIMEOUT,
    )
    assert connection.retry_deadline == DEFAULT_RETRY_DEADLINE <= 30
    assert connection.timeout == (5.0, 30.0)
    assert connection.retry()._timeout == DEFAULT_RETRY_DEADLINE
    assert connection.emulator is None
    assert not connection.is_anonymous  # Google itself: the service account signs requests
    other = get_store("gcs", bucket="b", create_if_missing=False)
    assert isinstance(other, GoogleCloudStore)
    assert other.bucket_name == "b"


def test_emulator_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "127.0.0.1:4443")
    store = get_store_from_url("gcs://@bucket")
    assert isinstance(store, GoogleCloudStore)
    assert store.connection is not None
    assert store.connection.emulator == "http://127.0.0.1:4443"
    assert store.connection.is_anonymous
    assert "http://127.0.0.1:4443" in repr(store)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("gcs://", "no bucket"),
        ("gcs://@b?chunk_size=1000", "chunk_size"),
        ("gcs://@b?chunk_size=300000", "multiple of 262144"),
        ("gcs://@b?chunk_size=big", "chunk_size"),
        ("gcs://@b?max_concurrency=0", "max_concurrency"),
        ("gcs://@b?read_timeout=-1", "read_timeout"),
        ("gcs://@b?connect_timeout=0", "connect_timeout"),
        ("gcs://@b?retry_deadline=soon", "retry_deadline"),
        ("gcs://@b?anonymous=perhaps", "anonymous"),
        ("gcs://@b?endpoint=ftp://x", "endpoint"),
        ("gcs://@b?url_valid_time=1.5", "url_valid_time"),
        ("gcs://@b?colour=blue", "colour"),
        ("gcs://@b:80", "no port"),
        ("gcs://@b/path", "no path"),
        ("gcs://not-base64!!@b", "URL-safe base64"),
        (f"gcs://{base64.urlsafe_b64encode(b'[1, 2]').decode()}@b", "JSON object"),
    ],
)
def test_bad_urls_are_refused_naming_the_option(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        get_store_from_url(url)


def test_credentials_forms(tmp_path: Path, gcs_target: Any, gcs_bucket: str) -> None:
    """A dict, a file path, a Credentials object, the base64 text, or None (anonymous here)."""
    from google.oauth2 import service_account as sa

    info = service_account()
    path = tmp_path / "key.json"
    path.write_text(json.dumps(info))
    loader: Any = sa.Credentials.from_service_account_info
    loaded = loader(info)
    endpoint = gcs_target.endpoint
    forms: list[Any] = [info, str(path), path, loaded, service_account_url(), None]
    for form in forms:
        store = get_store("gcs", bucket_name=gcs_bucket, credentials=form, endpoint=endpoint)
        store.put("k", b"v")
        assert store.get("k") == b"v"
        if form is not None:  # service-account credentials sign URLs
            assert "X-Goog-Signature=" in store.url_for("k")  # type: ignore[attr-defined]
        store.close()
    # The project comes from the credentials unless given.
    made = GoogleCloudStore(info, gcs_bucket, endpoint=endpoint)
    assert made.client.project == "minimalkv-test"
    other = GoogleCloudStore(info, gcs_bucket, project="elsewhere", endpoint=endpoint)
    assert other.client.project == "elsewhere"


def test_unusable_credentials_are_refused_without_quoting_them(tmp_path: Path) -> None:
    bad = dict(service_account(), private_key="-----BEGIN PRIVATE KEY-----\nnot a key\n")
    external = {"type": "external_account", "credential_source": {"executable": "x"}}
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    for form, message in (
        (bad, "service-account info"),
        (external, "external_account"),
        (str(broken), "broken.json"),
        (str(tmp_path / "missing.json"), "missing.json"),
    ):
        store = GoogleCloudStore(form, "b", endpoint=_DEAD)
        with pytest.raises(ConfigurationError, match=message) as caught:
            store.get("k")
        assert "not a key" not in str(caught.value)
    with pytest.raises(ConfigurationError, match="credentials must be"):
        GcsConnection(credentials=42)


def test_stores_with_settings_pickle_and_rebuild(gcs_target: Any, gcs_bucket: str) -> None:
    store = GoogleCloudStore(service_account(), gcs_bucket, endpoint=gcs_target.endpoint)
    store.put("k", b"pickled")
    copy = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own data
    assert copy.get("k") == b"pickled"
    assert "X-Goog-Signature=" in copy.url_for("k")
    assert copy.connection == store.connection
    copy.close()
    store.close()


# ----------------------------------------------------------------------- secrets never shown
def _url_with_key(private_key: str) -> str:
    info = dict(service_account(), private_key=private_key)
    blob = service_account_url(info)
    return (
        f"gcs://{blob}@bucket?endpoint={_DEAD}&retry_deadline=0&connect_timeout=0.5"
        "&create_if_missing=false"
    )


@settings(max_examples=20, deadline=None)
@given(secret=PRINTABLE_SECRETS)
def test_private_key_never_shows(secret: str) -> None:
    """An unusable private key: the loading error quotes none of it."""
    assert_no_secret_leaks(_url_with_key, secret)


def test_real_key_and_base64_never_show() -> None:
    """A usable key to an unreachable server: no piece of the key or of the base64 shows."""
    url = _url_with_key(service_account()["private_key"])
    blob = url.split("://", 1)[1].split("@", 1)[0]
    key_body = "".join(service_account()["private_key"].splitlines()[1:-1])
    errors: list[BaseException] = []

    def operate(store: Any) -> None:
        try:
            store.get("k")
        except StoreConnectionError as exc:
            errors.append(exc)
            raise

    texts = "\n".join(secret_texts(url, operate))
    assert errors, "the store should have failed to reach the closed port"
    for start in range(0, len(blob) - 12, 7):
        assert blob[start : start + 12] not in texts
    for start in range(0, len(key_body) - 12, 7):
        assert key_body[start : start + 12] not in texts
    signed = get_store_from_url(url)
    assert isinstance(signed, GoogleCloudStore)
    url_for = signed.url_for("k")  # signing needs no server
    assert key_body[:12] not in url_for
    signed.close()


# ----------------------------------------------------------------------- minimalkv 1.x names
def test_import_path_and_constructor_of_minimalkv_1(gcs_target: Any, gcs_bucket: str) -> None:
    from minimalkv.net.gcstore import GoogleCloudStore as Legacy

    assert Legacy is GoogleCloudStore
    # GoogleCloudStore(credentials, bucket_name, create_if_missing, bucket_creation_location,
    # project), all positional as in minimalkv 1.x.
    legacy = Legacy(service_account(), gcs_bucket, True, "EUROPE-WEST3", "minimalkv-test",
                    endpoint=gcs_target.endpoint)  # fmt: skip
    legacy.put("k", b"v")
    assert legacy.get("k") == b"v"
    assert legacy.bucket_creation_location == "EUROPE-WEST3"

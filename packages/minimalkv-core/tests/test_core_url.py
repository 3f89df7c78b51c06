"""Store URL parsing: the URL forms of minimalkv 1.x, secrets, redaction, errors."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from minimalkv import ConfigurationError, redact_url
from minimalkv.backend import StoreUrl, parse_store_url

GCS_CREDENTIALS = base64.urlsafe_b64encode(
    json.dumps({"type": "service_account", "private_key": "-----BEGIN KEY-----\nabc"}).encode()
).decode()


@pytest.mark.parametrize(
    ("url", "scheme", "host", "port", "path"),
    [
        ("memory://", "memory", "", None, ""),
        ("hmemory://", "hmemory", "", None, ""),
        ("redis://", "redis", "", None, ""),
        ("redis://localhost", "redis", "localhost", None, ""),
        ("redis://localhost:6379", "redis", "localhost", 6379, ""),
        ("redis://localhost:6379/2", "redis", "localhost", 6379, "/2"),
        ("redis://127.0.0.1/0", "redis", "127.0.0.1", None, "/0"),
        ("hredis://[::1]:6380/1", "hredis", "::1", 6380, "/1"),
        ("fs://rel/path", "fs", "rel", None, "/path"),
        ("fs://rel", "fs", "rel", None, ""),
        ("fs:///abs", "fs", "", None, "/abs"),
        ("hfs:///home/user/data", "hfs", "", None, "/home/user/data"),
        ("HFS:///Home", "hfs", "", None, "/Home"),
    ],
)
def test_simple_forms(url: str, scheme: str, host: str, port: int | None, path: str) -> None:
    parsed = parse_store_url(url)
    assert (parsed.scheme, parsed.host, parsed.port, parsed.path) == (scheme, host, port, path)
    assert parsed.userinfo is None
    assert parsed.user is None
    assert parsed.password is None
    assert parsed.query == {}
    assert parsed.fragment == ""
    assert parsed.redacted == url


def test_redis_password_form() -> None:
    parsed = parse_store_url("redis://s3cret@redis.example:6379/3")
    assert parsed.userinfo == "s3cret"
    assert parsed.user == "s3cret"
    assert parsed.password is None
    assert (parsed.host, parsed.port, parsed.path) == ("redis.example", 6379, "/3")
    assert "s3cret" not in parsed.redacted
    assert "s3cret" not in repr(parsed)


def test_s3_form() -> None:
    parsed = parse_store_url("s3://access_key:secret_key@endpoint/bucket?create_if_missing=true")
    assert (parsed.scheme, parsed.user, parsed.password) == ("s3", "access_key", "secret_key")
    assert (parsed.host, parsed.path) == ("endpoint", "/bucket")
    assert parsed.query == {"create_if_missing": "true"}
    assert parsed.flag("create_if_missing") is True
    assert parsed.redacted == "s3://access_key:***@endpoint/bucket?create_if_missing=true"


def test_s3_form_with_port() -> None:
    parsed = parse_store_url("hs3://key:secret@minio.local:9000/bucket")
    assert (parsed.host, parsed.port, parsed.path) == ("minio.local", 9000, "/bucket")


def test_azure_account_key_form() -> None:
    parsed = parse_store_url("azure://MYACCOUNT:passw0rd!@bucket_66?create_if_missing=true")
    assert (parsed.user, parsed.password, parsed.host) == ("MYACCOUNT", "passw0rd!", "bucket_66")
    assert parsed.flag("create_if_missing") is True
    assert "passw0rd" not in parsed.redacted


def test_azure_sas_form() -> None:
    parsed = parse_store_url(
        "azure://account_name:shared_access_signature@container?use_sas&create_if_missing=false"
    )
    assert parsed.password == "shared_access_signature"  # noqa: S105 - a fake secret
    assert parsed.host == "container"
    assert parsed.query == {"use_sas": "", "create_if_missing": "false"}
    assert parsed.flag("use_sas") is True
    assert parsed.flag("create_if_missing") is False


def test_azure_chained_question_marks() -> None:
    parsed = parse_store_url(
        "azure://account_name:shared_access_signature@container?use_sas&create_if_missing=false"
        "?max_connections=2&socket_timeout=(20,100)"
        "?max_block_size=4*1024*1024&max_single_put_size=64*1024*1024"
    )
    assert parsed.query == {
        "use_sas": "",
        "create_if_missing": "false",
        "max_connections": "2",
        "socket_timeout": "(20,100)",
        "max_block_size": "4*1024*1024",
        "max_single_put_size": "64*1024*1024",
    }
    assert "shared_access_signature" not in parsed.redacted


def test_a1_b2_chained_form() -> None:
    assert parse_store_url("memory://?a=1?b=2").query == {"a": "1", "b": "2"}


def test_gcs_form() -> None:
    url = (
        f"gcs://{GCS_CREDENTIALS}@bucket?create_if_missing=true"
        "&bucket_creation_location=EUROPE-WEST3"
    )
    parsed = parse_store_url(url)
    assert parsed.userinfo == GCS_CREDENTIALS
    assert parsed.password is None
    assert parsed.host == "bucket"
    assert parsed.query == {"create_if_missing": "true", "bucket_creation_location": "EUROPE-WEST3"}
    assert json.loads(base64.urlsafe_b64decode(parsed.userinfo))["type"] == "service_account"
    assert GCS_CREDENTIALS not in parsed.redacted
    assert parsed.redacted.startswith("gcs://***@bucket")


def test_gcs_without_credentials() -> None:
    parsed = parse_store_url("hgcs://@bucket_name?create_if_missing=true")
    assert parsed.host == "bucket_name"
    assert parsed.userinfo == ""


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("s3://key:dead%2Fbeef@host/bucket", "dead/beef"),
        ("s3://key:p%40ss%3Aword@host/bucket", "p@ss:word"),
        ("s3://key:se:cr:et@host/bucket", "se:cr:et"),
        ("s3://key:se/cr/et@host/bucket", "se/cr/et"),
        ("s3://key:a/b:c@host:9000/bucket", "a/b:c"),
        ("s3://key:p@ss@host/bucket", "p@ss"),
        ("s3://key:%20space@host/bucket", " space"),
    ],
)
def test_secrets_are_decoded_and_redacted(url: str, password: str) -> None:
    parsed = parse_store_url(url)
    assert parsed.user == "key"
    assert parsed.password == password
    assert parsed.host == "host"
    assert parsed.path == "/bucket"
    raw_secret = url.split("key:", 1)[1].rsplit("@", 1)[0]
    for text in (parsed.redacted, repr(parsed), str(parsed), redact_url(url)):
        assert raw_secret not in text
        assert password not in text


def test_user_name_is_decoded() -> None:
    assert parse_store_url("s3://my%40key:x@host/b").user == "my@key"


def test_user_info_ends_at_the_last_at_sign() -> None:
    # One rule for every scheme: a relative path with '@' reads as user-info (the fs store
    # type puts it back into its path), and is masked in messages, as any user-info is.
    parsed = parse_store_url("fs://rel/dir@x")
    assert parsed.userinfo == "rel/dir"
    assert parsed.host + parsed.path == "x"
    assert parsed.redacted == "fs://***@x"
    parsed = parse_store_url("fs:///srv/a@b")
    assert parsed.userinfo is None
    assert parsed.path == "/srv/a@b"


def test_fragment_is_kept() -> None:
    parsed = parse_store_url("s3://k:secret@host/b?x=1#wrap:readonly+urlencode")
    assert parsed.fragment == "wrap:readonly+urlencode"
    assert parsed.query == {"x": "1"}
    assert parsed.password == "secret"  # noqa: S105 - a fake secret


def test_percent_encoded_path_and_host() -> None:
    parsed = parse_store_url("fs:///data/with%20space")
    assert parsed.path == "/data/with space"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("True", True), ("1", True), ("", True), ("false", False), ("0", False)],
)
def test_flag_values(value: str, expected: bool) -> None:
    assert parse_store_url(f"memory://?opt={value}").flag("opt") is expected


def test_flag_default_and_bad_value() -> None:
    parsed = parse_store_url("memory://?opt=maybe")
    assert parsed.flag("missing") is False
    assert parsed.flag("missing", default=True) is True
    with pytest.raises(ConfigurationError, match="opt"):
        parsed.flag("opt")


def test_check_options() -> None:
    parsed = parse_store_url("s3://k:topsecret@h/b?create_if_missing=true&bogus=1")
    parsed.check_options("create_if_missing", "bogus")
    with pytest.raises(ConfigurationError, match="bogus") as info:
        parsed.check_options("create_if_missing")
    assert "topsecret" not in str(info.value)


def test_store_url_repr_hides_every_secret_field() -> None:
    parsed = parse_store_url("azure://account:VERYSECRET@container")
    text = repr(parsed)
    assert "VERYSECRET" not in text
    assert "container" in text
    assert isinstance(parsed, StoreUrl)


@pytest.mark.parametrize(
    "url",
    [
        "key:topsecret@host/bucket",
        "s3:/key:topsecret@host/bucket",
        "s3//key:topsecret@host/bucket",
        "://key:topsecret@host/bucket",
        "1s3://key:topsecret@host/bucket",
        "s 3://key:topsecret@host/bucket",
        "s3://key:topsecret@host:abc/bucket",
        "s3://key:topsecret@host:0/bucket",
        "s3://key:topsecret@host:70000/bucket",
        "s3://key:topsecret@host:-1/bucket",
        "s3://key:topsecret@[::1/bucket",
        "s3://key:topsecret@[::1]x/bucket",
        "s3://key:top/secret@host:port/bucket",
        "redis://topsecret@host:port/0",
    ],
)
def test_errors_from_bad_urls_never_contain_the_secret(url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_store_url(url)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "topsecret" not in message
    assert "top/secret" not in message
    assert "secret" not in message


@pytest.mark.parametrize("url", [None, 42, b"memory://"])
def test_non_str_url_is_a_configuration_error(url: object) -> None:
    with pytest.raises(ConfigurationError):
        parse_store_url(url)  # type: ignore[arg-type]


def test_redact_url_leaves_urls_without_secrets_alone() -> None:
    for url in ["memory://", "fs:///a/b", "redis://host:1/2", "not a url", "memory://#wrap:a"]:
        assert redact_url(url) == url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sql+postgresql://h/db?sslpassword=s1&x=1", "sql+postgresql://h/db?sslpassword=***&x=1"),
        ("redis://:pw@h/0?a=1?api_TOKEN=s2", "redis://:***@h/0?a=1?api_TOKEN=***"),
        (
            "s3://k:pw@h/b?account_key=s3#wrap:readonly",
            "s3://k:***@h/b?account_key=***#wrap:readonly",
        ),
        ("fs:///d?%70assword=s4", "fs:///d?%70assword=***"),
        ("azure://h/c?credential", "azure://h/c?credential"),  # a bare flag holds no secret
    ],
)
def test_redact_url_masks_options_that_may_hold_secrets(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert parse_store_url(url).redacted == shown


@pytest.mark.parametrize(
    ("url", "user", "password", "host", "port", "path"),
    [
        ("redis://:se#cret@127.0.0.1:1/0", "", "se#cret", "127.0.0.1", 1, "/0"),
        ("s3://key:top?sec/ret@host/bucket", "key", "top?sec/ret", "host", None, "/bucket"),
        ("s3://key:a@b#c:d@host:9/b?x=1#wrap:readonly", "key", "a@b#c:d", "host", 9, "/b"),
        ("redis://pa/ss@host/0", "pa/ss", None, "host", None, "/0"),
        ("redis://:p@ss@host/0#wrap:prefix(a@b)", "", "p@ss", "host", None, "/0"),
    ],
)
def test_unencoded_reserved_characters_stay_in_the_secret(
    url: str, user: str, password: str | None, host: str, port: int | None, path: str
) -> None:
    parsed = parse_store_url(url)
    assert (parsed.user, parsed.password) == (user, password)
    assert (parsed.host, parsed.port, parsed.path) == (host, port, path)
    secret = password if password is not None else user
    assert secret not in parsed.redacted
    assert secret not in redact_url(url)
    assert secret not in repr(parsed)


_SECRETS = st.text(st.characters(codec="utf-8"), min_size=1)
_USERS = st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=10)
# Any printable ASCII but '%' (which starts an escape: a literal one is %25) may appear
# unencoded in a secret: the user-info ends at the last '@' before the #wrap: fragment, so
# '/', '?', '#', '@' and ':' stay in the secret.
_RAW_SECRETS = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="%"),
    min_size=6,
    max_size=20,
).filter(
    lambda secret: (
        any(char.isalnum() for char in secret)
        and re.search(r"#\s*wrap\s*[:=]", secret, re.IGNORECASE) is None
    )
)


@given(user=_USERS, secret=_SECRETS)
def test_percent_encoded_secret_round_trips(user: str, secret: str) -> None:
    quoted_user = quote(user, safe="")
    url = f"s3://{quoted_user}:{quote(secret, safe='')}@endpoint:9000/bucket?x=1#frag"
    parsed = parse_store_url(url)
    assert parsed.user == user
    assert parsed.password == secret
    assert (parsed.host, parsed.port, parsed.path) == ("endpoint", 9000, "/bucket")
    assert parsed.query == {"x": "1"}
    assert parsed.fragment == "frag"
    assert parsed.redacted == f"s3://{quoted_user}:***@endpoint:9000/bucket?x=1#frag"
    assert redact_url(url) == parsed.redacted
    assert "userinfo" not in repr(parsed)
    assert "password" not in repr(parsed)


@given(secret=_RAW_SECRETS)
def test_unencoded_secrets_parse_and_never_leak(secret: str) -> None:
    url = f"s3://key:{secret}@endpoint/bucket?x=1#wrap:readonly"
    parsed = parse_store_url(url)
    assert parsed.password == secret
    assert (parsed.host, parsed.path) == ("endpoint", "/bucket")
    assert parsed.fragment == "wrap:readonly"
    assert parsed.redacted == "s3://key:***@endpoint/bucket?x=1#wrap:readonly"
    assert redact_url(url) == parsed.redacted
    assert secret not in repr(parsed)


def test_a_plus_in_an_option_value_is_a_plus() -> None:
    # Session tokens and keys hold '+': a store URL is no form, where '+' would mean a space.
    parsed = parse_store_url("s3://k:s@host/bucket?session_token=IQo+ab%2Bc&label=a%20b")
    assert parsed.query == {"session_token": "IQo+ab+c", "label": "a b"}

"""URLs, factory parameters, error mapping and the original's import path."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from minimalkv import (
    ConfigurationError,
    StoreConnectionError,
    StoreError,
    StoreTimeoutError,
    get_store,
    get_store_from_url,
    url2dict,
)
from minimalkv.contract import closed_port
from minimalkv.contract import silent_server as contract_silent_server
from minimalkv.redis import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_SOCKET_TIMEOUT,
    HRedisStore,
    RedisStore,
)
from redis.backoff import NoBackoff
from redis.retry import Retry


def _kwargs(store: Any) -> dict[str, Any]:
    return dict(store.redis.connection_pool.connection_kwargs)


def test_url_forms() -> None:
    assert url2dict("redis://") == {"type": "redis"}
    assert url2dict("redis://secret@example.org:6380/3") == {
        "type": "redis",
        "host": "example.org",
        "port": 6380,
        "db": 3,
        "password": "secret",
    }
    assert url2dict("redis://alice:s%3Acret@h/1?socket_timeout=2") == {
        "type": "redis",
        "host": "h",
        "db": 1,
        "username": "alice",
        "password": "s:cret",
        "socket_timeout": "2",
    }
    assert url2dict("redis://:pw@h")["password"] == "pw"  # noqa: S105
    assert "username" not in url2dict("redis://:pw@h")


def test_url_builds_store_without_connecting() -> None:
    store = get_store_from_url("redis://secret@example.invalid:6380/3?socket_timeout=2.5")
    assert type(store) is RedisStore
    kwargs = _kwargs(store)
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("example.invalid", 6380, 3)
    assert kwargs["password"] == "secret"  # noqa: S105
    assert kwargs["socket_timeout"] == 2.5
    assert "secret" not in repr(store)
    assert repr(store) == "RedisStore(redis://***@example.invalid:6380/3)"
    store.close()
    default = get_store_from_url("redis://")
    assert (_kwargs(default)["host"], _kwargs(default)["port"], _kwargs(default)["db"]) == (
        "localhost",
        6379,
        0,
    )


def test_hredis_and_rediss() -> None:
    assert type(get_store_from_url("hredis://localhost/2")) is HRedisStore
    tls = get_store_from_url("rediss://h:6390/0?ssl_cert_reqs=none")
    assert type(tls) is RedisStore
    assert "SSL" in tls.redis.connection_pool.connection_class.__name__
    assert repr(tls) == "RedisStore(rediss://h:6390/0)"
    assert type(get_store_from_url("hrediss://h")) is HRedisStore


def test_get_store_with_parameters(redis_target: Any) -> None:
    store = get_store(
        "redis",
        host=redis_target.host,
        port=redis_target.port,
        db=redis_target.databases[0],
        password=redis_target.password,
        default_ttl_secs=30,
    )
    assert isinstance(store, RedisStore)
    assert store.default_ttl_secs == 30
    store.put("factory-key", b"v")
    assert store.get("factory-key") == b"v"
    store.delete("factory-key")
    store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis://h/1?bogus=1", "unknown option"),
        ("redis://h/notanumber", "database number"),
        ("redis://h/1?socket_timeout=soon", "socket_timeout"),
        ("redis://h/1?socket_timeout=0", "socket_timeout must be a number of seconds above 0"),
        ("redis://h/1?socket_connect_timeout=-1", "socket_connect_timeout"),
        ("redis://h/1?socket_connect_timeout=inf", "socket_connect_timeout"),
        ("redis://h/1?ssl_cert_reqs=none", "TLS"),
        ("rediss://h/1?ssl_cert_reqs=maybe", "ssl_cert_reqs"),
        ("redis://h/1?default_ttl_secs=0", "ttl_secs"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        get_store_from_url(url)


def test_bad_parameters() -> None:
    with pytest.raises(ConfigurationError, match="nonsense"):
        get_store("redis", nonsense=1)
    with pytest.raises(ConfigurationError, match="port"):
        get_store("redis", port="eighty")


def test_acl_user_from_url(redis_target: Any, redis_client: Any) -> None:
    if redis_target.owned:
        redis_client.acl_setuser(
            "minimalkv-test", enabled=True, passwords=["+pw"], keys=["*"], commands=["+@all"]
        )
        user, password = "minimalkv-test", "pw"
    else:  # a shared server: authenticate as the default user instead of adding one
        user, password = "default", redis_target.password or "unused"
    url = f"redis://{user}:{password}@{redis_target.host}:{redis_target.port}/{redis_target.databases[0]}"
    store = get_store_from_url(url)
    store.put("acl", b"ok")
    assert store.get("acl") == b"ok"
    assert password not in repr(store)
    store.close()


def test_connection_refused_maps_to_store_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # No retries: redis-py's default retries with backoff would only make the test slow.
    client = redis.Redis(port=port, password="hunter2", retry=Retry(NoBackoff(), 0))  # noqa: S106
    store = RedisStore(client)
    with pytest.raises(StoreConnectionError) as info:
        store.get("k")
    assert isinstance(info.value, ConnectionError)
    assert f"redis://***@localhost:{port}/0" in str(info.value)
    assert "hunter2" not in str(info.value)
    with pytest.raises(StoreConnectionError):
        store.put("k", b"v")
    with pytest.raises(StoreConnectionError):
        store.keys()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers (a paused server)."""
    with contract_silent_server() as port:
        yield port


def test_timeout_maps_to_store_timeout_error(silent_server: int) -> None:
    client = redis.Redis(port=silent_server, socket_timeout=0.2, retry=Retry(NoBackoff(), 0))
    store = RedisStore(client)
    with pytest.raises(StoreTimeoutError) as info:
        store.get("k")
    assert isinstance(info.value, TimeoutError)
    assert f"127.0.0.1:{silent_server}" in str(info.value) or "localhost" in str(info.value)
    client.close()


def test_server_error_maps_to_store_error(redis_client: Any) -> None:
    redis_client.hset("a-hash", "field", "value")
    store = RedisStore(redis_client)
    with pytest.raises(StoreError, match="WRONGTYPE") as info:
        store.get("a-hash")
    assert not isinstance(info.value, KeyError)


def test_original_import_path() -> None:
    from minimalkv.memory.redisstore import RedisStore as Aliased

    assert Aliased is RedisStore


def test_factory_stores_have_finite_default_timeouts() -> None:
    for store in (get_store_from_url("redis://example.invalid/0"), get_store("redis")):
        kwargs = _kwargs(store)
        assert kwargs["socket_timeout"] == DEFAULT_SOCKET_TIMEOUT
        assert kwargs["socket_connect_timeout"] == DEFAULT_CONNECT_TIMEOUT
        store.close()
    store = get_store("redis", socket_timeout=1.5, socket_connect_timeout="0.5")
    assert (_kwargs(store)["socket_timeout"], _kwargs(store)["socket_connect_timeout"]) == (
        1.5,
        0.5,
    )
    store.close()


def test_closed_port_raises_quickly_from_a_url_store() -> None:
    store = get_store_from_url(f"redis://127.0.0.1:{closed_port()}/0")
    started = time.monotonic()
    with pytest.raises(StoreConnectionError, match="cannot talk to Redis"):
        store.get("k")
    assert time.monotonic() - started < DEFAULT_CONNECT_TIMEOUT
    store.close()


@pytest.fixture
def paused_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A private redis-server that the test may SIGSTOP; it is resumed and stopped at the end."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(binary, os.X_OK):
        pytest.fail("redis-server is needed to test a paused server", pytrace=False)
    port = closed_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        probe = redis.Redis(port=port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                probe.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        probe.close()
        yield process, port
    finally:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(10)


def test_paused_server_raises_timeout_within_the_socket_timeout(
    paused_server: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, port = paused_server
    timeout = 0.5
    connected = get_store_from_url(f"redis://127.0.0.1:{port}/0?socket_timeout={timeout}")
    connected.put("k", b"before")  # this store holds an open connection when the server stops
    process.send_signal(signal.SIGSTOP)
    fresh = get_store("redis", port=port, socket_timeout=timeout, socket_connect_timeout=timeout)
    for store in (connected, fresh):
        for name, args in (("get", ("k",)), ("put", ("k", b"after"))):
            started = time.monotonic()
            with pytest.raises(StoreTimeoutError, match="did not answer in time"):
                getattr(store, name)(*args)
            assert time.monotonic() - started < 2 * timeout + 0.5
    process.send_signal(signal.SIGCONT)
    # The server is back: the same store objects work again.
    assert connected.get("k") in (b"before", b"after")
    fresh.put("k", b"again")
    assert connected.get("k") == b"again"
    connected.close()
    fresh.close()

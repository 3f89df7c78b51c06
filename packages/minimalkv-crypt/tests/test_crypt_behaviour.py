"""HMACDecorator beyond tampering: the original's format, constant-time checks, put_file leaves
the caller's file alone, the secret stays secret, pickling, TTL forwarding, no URLs, stacks."""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from minimalkv import (
    InvalidArgumentError,
    InvalidKeyError,
    InvalidValueError,
    KeyNotFoundError,
    KeyValueStore,
    StoreCapabilities,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    TimeToLiveMixin,
    capabilities_of,
)
from minimalkv.contract import PlainStore
from minimalkv.crypt import HashFunction, HMACDecorator, VerificationException
from minimalkv.decorator import (
    PrefixDecorator,
    ReadOnlyDecorator,
    UnsupportedCapabilityError,
    URLEncodeKeysDecorator,
)
from minimalkv.fs import FilesystemStore, WebFilesystemStore
from minimalkv.memory import DictStore, HDictStore

SECRET = b"Sup3r-s3cret-value-9f1c"


def original_format(key: str, data: bytes, secret: bytes, hashfunc: HashFunction) -> bytes:
    """What the original minimalkv's HMACDecorator stored (written out independently)."""
    return data + hmac.new(key.encode("ascii") + secret, data, hashfunc).digest()


# ---------------------------------------------------------------------------- format
@pytest.mark.parametrize("hashfunc", [hashlib.sha256, hashlib.sha1, hashlib.sha512, "sha384"])
@pytest.mark.parametrize("key", ["key", "with/slash and space", "x" * 250])
def test_values_of_the_original_verify_and_ours_match_it(hashfunc: HashFunction, key: str) -> None:
    inner = HDictStore()
    store = HMACDecorator(SECRET, inner, hashfunc)
    data = b"some data \x00\xff" * 10
    inner.put(key, original_format(key, data, SECRET, hashfunc))
    assert store.get(key) == data
    with store.open(key) as file:
        assert file.read() == data
    store.put(key, data)
    assert inner.get(key) == original_format(key, data, SECRET, hashfunc)
    assert (
        store.hmac_digestsize
        == hashlib.new(
            getattr(hashfunc, "__name__", str(hashfunc)).removeprefix("openssl_")
        ).digest_size
    )


def test_key_name_is_part_of_the_mac() -> None:
    inner = DictStore()
    store = HMACDecorator(SECRET, inner)
    store.put("a", b"value")
    inner.put("b", inner.get("a"))
    assert store.get("a") == b"value"
    with pytest.raises(VerificationException):
        store.get("b")


def test_another_secret_does_not_verify() -> None:
    inner = DictStore()
    HMACDecorator(SECRET, inner).put("k", b"value")
    with pytest.raises(VerificationException):
        HMACDecorator(b"other secret", inner).get("k")


def test_text_keys_through_urlencode_are_signed_as_utf8() -> None:
    inner = DictStore()
    store = HMACDecorator(SECRET, URLEncodeKeysDecorator(inner))
    store.put("grüße/ü", b"value")
    assert store.get("grüße/ü") == b"value"
    (stored,) = inner.d.values()
    assert stored == b"value" + hmac.digest("grüße/ü".encode() + SECRET, b"value", "sha256")


# ---------------------------------------------------------------------------- constant time
def test_every_check_is_constant_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[str] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        calls.append("call")
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    store = HMACDecorator(SECRET, FilesystemStore(tmp_path / "store"))
    store.put("k", b"value")
    paths: dict[str, Callable[[], object]] = {
        "get": lambda: store.get("k"),
        "get_many": lambda: store.get_many(["k"]),
        "open": lambda: store.open("k").read(),
        "get_file-path": lambda: store.get_file("k", tmp_path / "out"),
        "get_file-object": lambda: store.get_file("k", io.BytesIO()),
        "copy": lambda: store.copy("k", "k2"),
        "move": lambda: store.move("k2", "k3"),
    }
    for name, call in paths.items():
        calls.clear()
        call()
        assert calls, f"{name} compared MACs without hmac.compare_digest"


# ---------------------------------------------------------------------------- put_file
def test_put_file_path_leaves_the_callers_file_identical(tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    content = os.urandom(3 * 1024 * 1024 + 7)
    source.write_bytes(content)
    before = source.stat()
    for inner in (DictStore(), FilesystemStore(tmp_path / "store")):
        store = HMACDecorator(SECRET, inner)
        assert store.put_file("k", source) == "k"
        assert store.put_file("k2", str(source)) == "k2"
        assert store.get("k") == content == store.get("k2")
        after = source.stat()
        assert source.read_bytes() == content
        assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
            before.st_ino,
            before.st_size,
            before.st_mtime_ns,
        )


def test_put_file_object_from_current_position(tmp_path: Path) -> None:
    store = HMACDecorator(SECRET, FilesystemStore(tmp_path))
    buffer = io.BytesIO(b"skip|payload")
    buffer.seek(5)
    store.put_file("k", buffer)
    assert store.get("k") == b"payload"
    assert buffer.getvalue() == b"skip|payload"


def test_put_file_text_file_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("text")
    store = HMACDecorator(SECRET, DictStore())
    with open(tmp_path / "t.txt", encoding="utf-8") as text, pytest.raises(InvalidValueError):
        store.put_file("k", text)  # type: ignore[arg-type]
    assert store.keys() == []


def test_put_many_signs_each_value() -> None:
    inner = DictStore()
    store = HMACDecorator(SECRET, inner)
    assert store.put_many({"a": b"1", "b": b"2"}) == ["a", "b"]
    assert store.get_many(["a", "b", "missing"]) == {"a": b"1", "b": b"2"}
    assert inner.get("a") == original_format("a", b"1", SECRET, hashlib.sha256)
    with pytest.raises(InvalidValueError):
        store.put_many([("c", b"3"), ("d", "text")])  # type: ignore[list-item]
    assert "c" not in store


def test_copy_and_move_resign_for_the_new_key() -> None:
    inner = DictStore()
    store = HMACDecorator(SECRET, inner)
    store.put("a", b"value")
    assert store.copy("a", "b") == "b"
    assert inner.get("b") == original_format("b", b"value", SECRET, hashlib.sha256)
    assert store.move("b", "c") == "c"
    assert "b" not in store
    assert store.get("c") == b"value"
    assert store.move("c", "c") == "c"
    assert store.get("c") == b"value"
    with pytest.raises(KeyNotFoundError):
        store.copy("missing", "d")


# ---------------------------------------------------------------------------- the secret
@pytest.mark.parametrize("bad", ["text secret", 12345, None, ["list"]])
def test_secret_must_be_bytes(bad: object) -> None:
    with pytest.raises(TypeError, match="secret_key must be bytes") as info:
        HMACDecorator(bad, DictStore())  # type: ignore[arg-type]
    assert "text secret" not in str(info.value)


def test_empty_secret_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="must not be empty"):
        HMACDecorator(b"", DictStore())


def test_bytearray_secret_works_like_bytes() -> None:
    inner = DictStore()
    HMACDecorator(bytearray(SECRET), inner).put("k", b"v")  # type: ignore[arg-type]
    assert HMACDecorator(SECRET, inner).get("k") == b"v"


def test_secret_never_in_repr_or_errors(tmp_path: Path) -> None:
    inner = DictStore()
    store = HMACDecorator(SECRET, inner)
    store.put("k", b"v")
    inner.put("k", b"tampered value that is long enough to hold a MAC...")
    texts = [repr(store), str(store), repr(store._signer)]
    failing: list[Callable[[], object]] = [
        lambda: store.get("k"),
        lambda: store.get("missing"),
        lambda: store.get("in valid"),
        lambda: store.put("k", "text"),  # type: ignore[arg-type]
        lambda: store.open("k").read(),
        lambda: store.url_for("k"),  # type: ignore[arg-type]
    ]
    for call in failing:
        with pytest.raises(Exception) as info:  # noqa: PT011 - any error, its text is checked
            call()
        texts += [str(info.value), repr(info.value)]
    for text in texts:
        assert SECRET.decode() not in text
        assert repr(SECRET) not in text


def test_pickles_when_the_wrapped_store_does(tmp_path: Path) -> None:
    for inner in (DictStore(), FilesystemStore(tmp_path)):
        store = HMACDecorator(SECRET, inner, hashlib.sha512)
        store.put("k", b"value")
        clone = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own data
        assert clone.get("k") == b"value"
        assert clone.hmac_digestsize == 64
        error = pickle.loads(pickle.dumps(VerificationException("bad", key="k")))  # noqa: S301
        assert isinstance(error, VerificationException)
        assert error.key == "k"


# ---------------------------------------------------------------------------- capabilities
class TtlDictStore(TimeToLiveMixin, DictStore):
    """A DictStore that records the TTL of every put (the TTL test double)."""

    def __init__(self) -> None:
        super().__init__()
        self.ttls: dict[str, object] = {}

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.ttls[key] = ttl_secs
        self.d[key] = data
        return key

    def _put_file(self, key: str, file: object, ttl_secs: float | None = None) -> str:
        return self._put(key, file.read(), ttl_secs)  # type: ignore[attr-defined]


def test_ttl_is_forwarded_with_signed_values() -> None:
    inner = TtlDictStore()
    store = HMACDecorator(SECRET, inner)
    assert store.capabilities.ttl
    store.put("k", b"value", ttl_secs=60)
    store.put_file("f", io.BytesIO(b"file"), 30)
    assert inner.ttls["k"] == 60
    assert inner.ttls["f"] == 30
    assert store.get("k") == b"value"
    assert store.get("f") == b"file"


def test_ttl_refused_without_ttl_store() -> None:
    store = HMACDecorator(SECRET, DictStore())
    with pytest.raises(UnsupportedCapabilityError):
        store.put("k", b"v", ttl_secs=5)  # type: ignore[call-arg]
    with pytest.raises(UnsupportedCapabilityError):
        store.put_file("k", io.BytesIO(b"v"), 5)  # type: ignore[call-arg]
    assert "k" not in store


def test_no_urls_even_over_a_url_store(tmp_path: Path) -> None:
    inner = WebFilesystemStore(tmp_path, "https://files.example/")
    store = HMACDecorator(SECRET, inner)
    assert capabilities_of(inner).url
    assert not capabilities_of(store).url
    assert capabilities_of(store).copy
    with pytest.raises(UnsupportedCapabilityError):
        store.url_for("k")  # type: ignore[arg-type]
    probe: object = store  # the run-time answer, whatever the static type says
    assert not isinstance(probe, SupportsUrl)
    assert not hasattr(store, "url_for")


@pytest.mark.parametrize("kind", ["dict", "nocopy", "ttl", "web"])
def test_protocols_and_capabilities_agree(kind: str, tmp_path: Path) -> None:
    makers: dict[str, Callable[[], KeyValueStore]] = {
        "dict": DictStore,
        "nocopy": PlainStore,
        "ttl": TtlDictStore,
        "web": lambda: WebFilesystemStore(tmp_path, "https://files.example/"),
    }
    inner = makers[kind]()
    store = HMACDecorator(SECRET, inner)
    capabilities = capabilities_of(store)
    assert capabilities == StoreCapabilities(copy=True, ttl=kind == "ttl")
    assert isinstance(store, SupportsCopy)
    assert isinstance(store, SupportsUrl) is capabilities.url
    assert isinstance(store, SupportsTtl) is capabilities.ttl
    store.put("a", b"value")
    assert store.copy("a", "b") == "b"
    assert store.get("b") == b"value"


# ---------------------------------------------------------------------------- stacks
@pytest.fixture
def shared() -> Iterator[DictStore]:
    store = DictStore()
    yield store
    store.close()


def test_stacks_with_other_decorators(shared: DictStore) -> None:
    signed = HMACDecorator(SECRET, PrefixDecorator("tenant_", shared))
    signed.put("k", b"value")
    assert list(shared.d) == ["tenant_k"]
    assert signed.get("k") == b"value"
    reader: KeyValueStore = ReadOnlyDecorator(signed)
    assert reader.get("k") == b"value"
    shared.put("tenant_k", b"x" * 40)
    with pytest.raises(VerificationException):
        reader.get("k")


def test_invalid_keys_raise_value_error_before_anything_else(tmp_path: Path) -> None:
    store = HMACDecorator(SECRET, DictStore())
    for call in (
        lambda: store.put("a b", b"v"),
        lambda: store.put_file("a b", tmp_path / "missing"),
        lambda: store.get_file("a b", tmp_path / "target"),
        lambda: store.copy("ok", "a b"),
        lambda: store.get(b"bytes key"),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidKeyError):
            call()
    assert not (tmp_path / "target").exists()

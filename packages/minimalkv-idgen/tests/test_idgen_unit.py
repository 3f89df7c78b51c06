"""HashDecorator and UUIDDecorator: generated keys, the template rule, streams, TTL, pickling."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import uuid
from pathlib import Path

import pytest
from minimalkv import (
    BlobStore,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidValueError,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    TimeToLiveMixin,
    capabilities_of,
)
from minimalkv.contract import measure_peak_rss
from minimalkv.decorator import UnsupportedCapabilityError
from minimalkv.fs import FilesystemStore
from minimalkv.idgen import HashDecorator, UUIDDecorator
from minimalkv.memory import DictStore, HDictStore

MiB = 1024 * 1024
MY_DATA_SHA1 = "ab0c15b6029fdffce16b393f2d27ca839a76249e"


class TtlStore(TimeToLiveMixin, DictStore):
    """Records the TTL of every put."""

    def __init__(self) -> None:
        super().__init__()
        self.ttls: dict[str, float | None] = {}

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.ttls[key] = ttl_secs
        self.d[key] = data
        return key


# ------------------------------------------------------------------ HashDecorator
def test_original_example_value() -> None:
    store = HashDecorator(DictStore())
    assert store.put(None, b"my_data") == MY_DATA_SHA1
    assert store.get(MY_DATA_SHA1) == b"my_data"
    assert hashlib.sha1(b"my_data").hexdigest() == MY_DATA_SHA1  # noqa: S324 - the example


def test_hash_template_and_hashfunc() -> None:
    store = HashDecorator(DictStore(), hashlib.sha256, "blob-{}.bin")
    key = store.put(None, b"abc")
    assert key == f"blob-{hashlib.sha256(b'abc').hexdigest()}.bin"
    assert store.put_file(None, io.BytesIO(b"abc")) == key
    assert store.keys() == [key]


@pytest.mark.parametrize("decorator", [HashDecorator, UUIDDecorator])
def test_explicit_key_is_used_as_given(decorator: type[HashDecorator[DictStore]]) -> None:
    inner = DictStore()
    store = decorator(inner, template="t-{}")
    assert store.put("given", b"1") == "given"
    assert store.put_file("file", io.BytesIO(b"2")) == "file"
    assert store.put_many([("many", b"3")]) == ["many"]
    assert sorted(inner.d) == ["file", "given", "many"]
    generated = store.put(None, b"4")
    assert generated.startswith("t-")


def test_put_file_path_and_stream_give_the_same_key(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.write_bytes(b"content" * 1000)
    store = HashDecorator(FilesystemStore(tmp_path / "store"))
    expected = hashlib.sha1(b"content" * 1000).hexdigest()  # noqa: S324
    assert store.put_file(None, str(source)) == expected
    assert store.put_file(None, source) == expected
    with open(source, "rb") as file:
        file.read(7)  # from the current position on
        assert store.put_file(None, file) == hashlib.sha1(b"content" * 999).hexdigest()  # noqa: S324
    assert source.read_bytes() == b"content" * 1000  # the caller's file is untouched
    assert store.get(expected) == b"content" * 1000


def test_put_file_stream_of_a_large_value_keeps_memory_bounded(tmp_path: Path) -> None:
    size = 96 * MiB
    source = tmp_path / "big"
    with open(source, "wb") as out:
        for _ in range(size // MiB):
            out.write(os.urandom(1024) * 1024)
    expected = hashlib.sha1()  # noqa: S324
    with open(source, "rb") as file:
        while chunk := file.read(MiB):
            expected.update(chunk)
    store = HashDecorator(FilesystemStore(tmp_path / "store"), spool_dir=tmp_path)
    with open(source, "rb") as file, measure_peak_rss() as peak:
        key = store.put_file(None, file)
    assert key == expected.hexdigest()
    assert peak.growth < 16 * MiB, f"peak RSS grew {peak.growth / MiB:.1f} MiB ({peak.method})"
    assert os.path.getsize(tmp_path / "store" / key) == size
    assert sorted(os.listdir(tmp_path)) == ["big", "store"]  # the spool file is gone


def test_small_streams_are_spooled_in_memory(tmp_path: Path) -> None:
    store = HashDecorator(DictStore(), spool_dir=tmp_path / "does-not-exist")
    assert store.put_file(None, io.BytesIO(b"x" * 1000)) == hashlib.sha1(b"x" * 1000).hexdigest()  # noqa: S324


@pytest.mark.parametrize("value", ["text", 1, None, bytearray(b"x")])
def test_non_bytes_value_is_refused(value: object) -> None:
    for store in (HashDecorator(DictStore()), UUIDDecorator(DictStore())):
        with pytest.raises(InvalidValueError):
            store.put(None, value)  # type: ignore[arg-type]
        assert store.keys() == []


def test_text_file_and_non_file_are_refused(tmp_path: Path) -> None:
    for store in (HashDecorator(DictStore()), UUIDDecorator(DictStore())):
        with open(tmp_path / "t", "w+", encoding="utf-8") as text, pytest.raises(TypeError):
            store.put_file(None, text)  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError):
            store.put_file(None, 42)  # type: ignore[arg-type]
        assert store.keys() == []


@pytest.mark.parametrize("decorator", [HashDecorator, UUIDDecorator])
def test_template_is_checked_at_construction(decorator: type[HashDecorator[DictStore]]) -> None:
    with pytest.raises(InvalidKeyError, match="refuses"):
        decorator(DictStore(), template="dir/{}")
    with pytest.raises(InvalidKeyError):
        decorator(DictStore(), template="with space {}")
    with pytest.raises(InvalidArgumentError, match="placeholder"):
        decorator(DictStore(), template="constant")
    with pytest.raises(InvalidArgumentError, match="positional"):
        decorator(DictStore(), template="{name}")
    with pytest.raises(InvalidArgumentError):
        decorator(DictStore(), template=b"{}")  # type: ignore[arg-type]
    # The extended key space allows what the basic one refuses.
    store = decorator(HDictStore(), template="dir/{}")
    assert store.template == "dir/{}"


@pytest.mark.parametrize("decorator", [HashDecorator, UUIDDecorator])
@pytest.mark.parametrize(
    "template", ["{:.1}", "{:.35}", "x{0:.8}", "{0[0]}", "{0}-{0:.3}", "{0.upper}", "{!r:.3}"]
)
def test_a_template_that_cuts_the_id_is_refused(
    decorator: type[HashDecorator[DictStore]], template: str
) -> None:
    with pytest.raises(InvalidArgumentError, match="cuts the generated id") as caught:
        decorator(DictStore(), template=template)
    assert repr(template) in str(caught.value)


@pytest.mark.parametrize("decorator", [HashDecorator, UUIDDecorator])
@pytest.mark.parametrize("template", ["{}", "{0}", "p-{:>40}", "{0}{0}", "{:s}", "{:.64}"])
def test_a_template_that_keeps_the_whole_id_gives_one_key_per_value(
    decorator: type[HashDecorator[DictStore]], template: str
) -> None:
    store = decorator(HDictStore(), template=template)
    keys = {store.put(None, str(number).encode()) for number in range(100)}
    assert len(keys) == 100
    assert len(store.keys()) == 100


def test_hashfunc_without_plain_hexdigest_is_refused() -> None:
    with pytest.raises(TypeError):
        HashDecorator(DictStore(), hashlib.shake_128)  # type: ignore[arg-type]


@pytest.mark.parametrize("decorator", [HashDecorator, UUIDDecorator])
def test_ttl_passes_through(decorator: type[HashDecorator[TtlStore]]) -> None:
    inner = TtlStore()
    store = decorator(inner)
    first = store.put(None, b"a", ttl_secs=30)
    second = store.put_file(None, io.BytesIO(b"b"), 5)
    third = store.put(None, b"c")
    assert inner.ttls == {first: 30.0, second: 5.0, third: None}
    with pytest.raises(ValueError, match="ttl"):
        store.put(None, b"d", ttl_secs=-1)
    assert len(inner.d) == 3


@pytest.mark.parametrize("decorator", [HashDecorator, UUIDDecorator])
def test_ttl_without_a_ttl_store_is_refused(decorator: type[HashDecorator[DictStore]]) -> None:
    store = decorator(DictStore())
    with pytest.raises(UnsupportedCapabilityError):
        store.put(None, b"a", ttl_secs=30)  # type: ignore[call-arg]
    with pytest.raises(UnsupportedCapabilityError):
        store.put_file(None, io.BytesIO(b"a"), 30)  # type: ignore[call-arg]
    assert store.keys() == []


def test_put_many_generates_none_keys() -> None:
    store = HashDecorator(DictStore())
    keys = store.put_many([(None, b"my_data"), ("given", b"x")])
    assert keys == [MY_DATA_SHA1, "given"]
    with pytest.raises(InvalidArgumentError):
        store.put_many([b"not a pair"])  # type: ignore[list-item]


@pytest.mark.parametrize("decorator", [HashDecorator, UUIDDecorator])
def test_capabilities_forward_and_pickle(
    tmp_path: Path, decorator: type[HashDecorator[FilesystemStore]]
) -> None:
    store = decorator(FilesystemStore(tmp_path), template="p{}")
    key = store.put(None, b"v")
    assert store.copy(key, "copied") == "copied"
    assert store.url_for("copied").startswith("file://")
    clone = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own bytes
    assert clone.get("copied") == b"v"
    assert clone.template == "p{}"
    assert repr(clone).startswith(f"{decorator.__name__}(FilesystemStore")


@pytest.mark.parametrize("decorator", [HashDecorator, UUIDDecorator])
@pytest.mark.parametrize("kind", ["dict", "ttl", "fs"])
def test_protocols_and_capabilities_agree(
    tmp_path: Path, decorator: type[HashDecorator[BlobStore]], kind: str
) -> None:
    inner: BlobStore = {"dict": DictStore, "ttl": TtlStore}.get(
        kind, lambda: FilesystemStore(tmp_path)
    )()
    store = decorator(inner)
    capabilities = capabilities_of(store)
    assert capabilities == capabilities_of(inner)
    assert isinstance(store, SupportsCopy) is capabilities.copy
    assert isinstance(store, SupportsUrl) is capabilities.url
    assert isinstance(store, SupportsTtl) is capabilities.ttl
    assert capabilities.ttl is (kind == "ttl")
    assert capabilities.url is (kind == "fs")


# ------------------------------------------------------------------ UUIDDecorator
def test_uuid_keys_are_random_uuid4() -> None:
    store = UUIDDecorator(DictStore(), template="img-{}.png")
    keys = {store.put(None, b"same") for _ in range(50)}
    assert len(keys) == 50
    for key in keys:
        parsed = uuid.UUID(key.removeprefix("img-").removesuffix(".png"))
        assert parsed.version == 4
        assert key == f"img-{parsed}.png"


def test_uuid_put_file_streams(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.write_bytes(b"payload")
    store = UUIDDecorator(FilesystemStore(tmp_path / "store"))
    from_path = store.put_file(None, source)
    from_stream = store.put_file(None, io.BytesIO(b"payload"))
    assert from_path != from_stream
    assert store.get(from_path) == store.get(from_stream) == b"payload"

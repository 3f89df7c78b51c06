"""minimalkv.backend: the building blocks of backends, and the narrow application API."""

from __future__ import annotations

import inspect
import io
import itertools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import minimalkv
import pytest
from minimalkv import (
    ConfigurationError,
    CopyMixin,
    InvalidKeyError,
    InvalidValueError,
    KeyValueStore,
    StoreCapabilities,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    TimeToLiveMixin,
    UrlMixin,
    backend,
    capabilities_of,
    check_key,
)
from minimalkv.backend import (
    BytesReader,
    check_params,
    create_exclusive,
    file_source,
    file_target,
    parse_bool,
    parse_str,
    read_chunk,
    write_atomically,
)
from minimalkv.contract import PlainStore

# ----------------------------------------------------------------- the two surfaces


def test_backend_all_is_complete_and_documented() -> None:
    assert len(backend.__all__) == len(set(backend.__all__))
    for name in backend.__all__:
        value = getattr(backend, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name


def test_top_level_is_the_application_api_only() -> None:
    # What applications use, and errors they catch; building blocks live in minimalkv.backend.
    assert len(minimalkv.__all__) <= 48
    errors = {n for n in minimalkv.__all__ if n.endswith("Error") or n == "MinimalKVError"}
    assert errors == {
        name
        for name, value in vars(minimalkv).items()
        if isinstance(value, type) and issubclass(value, minimalkv.MinimalKVError)
    }
    assert not set(minimalkv.__all__) & set(backend.__all__)
    for gone in ("BASIC_KEY_CACHE", "EXTENDED_KEY_CACHE"):
        assert not hasattr(minimalkv, gone)


@pytest.mark.parametrize("name", ["BytesReader", "copy_stream", "StoreType", "write_atomically"])
def test_a_backend_name_at_the_top_level_says_where_it_lives(name: str) -> None:
    with pytest.raises(AttributeError, match=f"minimalkv.{name} .*minimalkv.backend"):
        getattr(minimalkv, name)


def _fresh_interpreter(code: str) -> str:
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_importing_minimalkv_does_not_read_installed_metadata() -> None:
    code = (
        "import sys, minimalkv, minimalkv.backend\n"
        "print('importlib.metadata' in sys.modules)\n"
        "minimalkv.get_store('memory')\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    assert _fresh_interpreter(code).split() == ["False", "True"]


# ----------------------------------------------------------------- option parsing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        (" Yes ", True),
        ("1", True),
        ("on", True),
        ("", True),
        ("FALSE", False),
        ("0", False),
        ("no", False),
        ("off", False),
    ],
)
def test_parse_bool_has_one_rule(value: object, expected: bool) -> None:
    assert parse_bool("fsync", value) is expected


@pytest.mark.parametrize("value", ["maybe", "2", None, 1, 0.0, b"true"])
def test_parse_bool_refuses_anything_else_naming_the_option(value: object) -> None:
    with pytest.raises(ConfigurationError, match=r"store URL x://: fsync must be true or false"):
        parse_bool("fsync", value, where="store URL x://")


def test_parse_str() -> None:
    assert parse_str("host", "h") == "h"
    assert parse_str("host", None) is None
    with pytest.raises(ConfigurationError, match="host must be a str, got int"):
        parse_str("host", 3)


def test_check_params_names_the_unknown_and_the_accepted() -> None:
    check_params("fs", {"path": "x"}, ("path", "perm"))
    with pytest.raises(ConfigurationError) as caught:
        check_params("fs", {"path": "x", "pth": 1, "zz": 2}, ("path", "perm"))
    message = str(caught.value)
    assert "store type 'fs' takes no parameter(s) pth, zz" in message
    assert "(it accepts: path, perm, create_if_missing)" in message


def test_factory_and_url_flags_agree_on_the_empty_string() -> None:
    from_ini: dict[str, Any] = {"create_if_missing": ""}
    store = minimalkv.get_store("memory", **from_ini)
    assert isinstance(store, KeyValueStore)
    parsed = backend.parse_store_url("memory://?flag&other=off")
    assert parsed.flag("flag") is True
    assert parsed.flag("other") is False
    with pytest.raises(ConfigurationError, match=r"memory://\?bad=2.*bad must be true or false"):
        backend.parse_store_url("memory://?bad=2").flag("bad")


# ----------------------------------------------------------------- caller's files


def test_file_source_and_target_accept_paths_and_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "f"
    assert file_source("k", str(path)) == str(path)
    assert file_source("k", path) == str(path)
    assert file_target("k", path) == str(path)
    stream = io.BytesIO(b"x")
    assert file_source("k", stream) is stream
    assert file_target("k", stream) is stream


@pytest.mark.parametrize("bad", [io.StringIO("x"), b"/bytes/path", 42, object()])
def test_file_source_and_target_refuse_the_rest_with_one_message(bad: object) -> None:
    with pytest.raises(InvalidValueError, match=r"put_file\('k', \.\.\.\): .*(binary|path)"):
        file_source("k", bad)
    with pytest.raises(InvalidValueError, match=r"get_file\('k', \.\.\.\): .*(binary|path)"):
        file_target("k", bad)
    with pytest.raises(InvalidValueError, match=r"^copy_in\('k'"):
        file_source("k", bad, "copy_in")


class _Returns:
    def __init__(self, *results: object) -> None:
        self._results = iter(results)

    def read(self, size: int = -1, /) -> Any:
        return next(self._results)


def test_read_chunk_returns_bytes_and_explains_bad_files() -> None:
    assert read_chunk(io.BytesIO(b"abc"), 2) == b"ab"
    chunk = read_chunk(_Returns(bytearray(b"xy")))
    assert chunk == b"xy"
    assert type(chunk) is bytes
    assert read_chunk(_Returns(memoryview(b"z"))) == b"z"
    with pytest.raises(InvalidValueError, match="non-blocking mode"):
        read_chunk(_Returns(None))
    with pytest.raises(InvalidValueError, match=r"binary mode \(its read\(\) returned str\)"):
        read_chunk(_Returns("text"))


def test_copy_stream_uses_the_same_checks() -> None:
    with pytest.raises(InvalidValueError, match="binary mode"):
        backend.copy_stream(_Returns(b"ok", "text"), lambda _: None)


# ----------------------------------------------------------------- atomic files


def test_create_exclusive_skips_taken_names(tmp_path: Path) -> None:
    (tmp_path / "taken").write_bytes(b"keep")
    names = iter(["taken", "free"])
    path, fd = create_exclusive(str(tmp_path), lambda: next(names))
    os.close(fd)
    assert path == str(tmp_path / "free")
    assert (tmp_path / "taken").read_bytes() == b"keep"


def test_create_exclusive_gives_up_and_reports_missing_directories(tmp_path: Path) -> None:
    (tmp_path / "taken").write_bytes(b"")
    with pytest.raises(FileExistsError, match="3 names were taken"):
        create_exclusive(str(tmp_path), lambda: "taken", attempts=3)
    with pytest.raises(FileNotFoundError):
        create_exclusive(str(tmp_path / "missing"), lambda: "x")


def test_write_atomically_names_its_temporary_file_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"old")
    counter = itertools.count()

    def name() -> str:
        return f"tmp;{next(counter)}"

    def fail(out: object) -> None:
        assert sorted(os.listdir(tmp_path)) == ["out", "tmp;0"]
        raise RuntimeError("fill failed")

    with pytest.raises(RuntimeError):
        write_atomically(str(target), fail, temp_name=name)
    assert os.listdir(tmp_path) == ["out"]
    assert target.read_bytes() == b"old"
    write_atomically(str(target), lambda out: out.write(b"new"), temp_name=name)
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["out"]


# ----------------------------------------------------------------- key rules and capabilities


class _NoDashes(PlainStore):
    def _check_valid_key(self, key: str) -> None:
        super()._check_valid_key(key)
        if "-" in key:
            raise InvalidKeyError(f"invalid key {key!r}: no '-' here", key=key)


def test_a_stricter_store_is_never_answered_by_the_generic_key_cache() -> None:
    check_key("a-b")
    plain = PlainStore()
    plain.put("a-b", b"x")
    assert plain.get("a-b") == b"x"
    strict = _NoDashes()
    for call in (
        lambda: strict.put("a-b", b"x"),
        lambda: strict.get("a-b"),
        lambda: "a-b" in strict,
        lambda: strict.delete("a-b"),
        lambda: strict.get_many(["a-b"]),
        lambda: strict.metadata("a-b"),
    ):
        with pytest.raises(InvalidKeyError, match="no '-' here"):
            call()


class _Copy(CopyMixin, PlainStore):
    pass


class _Url(UrlMixin, PlainStore):
    def _url_for(self, key: str) -> str:
        return f"mem://{key}"


class _Ttl(TimeToLiveMixin, PlainStore):
    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.values[key] = data
        return key


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (PlainStore, StoreCapabilities()),
        (_Copy, StoreCapabilities(copy=True)),
        (_Url, StoreCapabilities(url=True)),
        (_Ttl, StoreCapabilities(ttl=True)),
    ],
)
def test_capabilities_agree_with_the_protocols(
    cls: type[KeyValueStore], expected: StoreCapabilities
) -> None:
    store = cls()
    found = capabilities_of(store)
    assert found == expected
    assert found.copy == isinstance(store, SupportsCopy)
    assert found.url == isinstance(store, SupportsUrl)
    assert found.ttl == isinstance(store, SupportsTtl)


def test_bytes_reader_is_in_the_backend_api() -> None:
    with BytesReader(b"abc") as reader:
        assert reader.read() == b"abc"


# ----------------------------------------------------------------- URL fragments and TTLs


@pytest.mark.parametrize(
    "url",
    [
        "memory://#WRAP:readonly",
        "memory://#wrap=readonly",
        "memory://#readonly",
        "memory://#wrap:readonly#wrap:urlencode",
        "memory://#wrap:readonly#",
        "memory://#wrap:",
        "memory://?x=1#Wrap:readonly",
    ],
)
def test_a_fragment_not_understood_is_refused_never_dropped(url: str) -> None:
    with pytest.raises(ConfigurationError, match=r"#wrap:"):
        minimalkv.url2dict(url)


def test_one_wrap_fragment_is_read() -> None:
    assert minimalkv.url2dict("memory://#wrap:readonly+urlencode")["wrap"] == "readonly+urlencode"
    assert "wrap" not in minimalkv.url2dict("memory://")
    assert "wrap" not in minimalkv.url2dict("memory://#")


@pytest.mark.parametrize("ttl", [10**400, -(10**400), float("inf")])
def test_a_ttl_beyond_any_clock_is_an_invalid_argument(ttl: object) -> None:
    with pytest.raises(minimalkv.InvalidArgumentError, match="positive, finite"):
        backend.normalize_ttl(ttl)


@pytest.mark.parametrize(
    ("value", "integer", "expected"),
    [(None, False, None), ("2.5", False, 2.5), (3, False, 3), ("7", True, 7), (0, True, 0)],
)
def test_parse_number_accepts_numbers_and_their_text(
    value: object, integer: bool, expected: float | None
) -> None:
    assert backend.parse_number("opt", value, integer=integer) == expected


@pytest.mark.parametrize(
    ("value", "integer", "message"),
    [
        ("abc", False, "opt must be a number"),
        ("1.5", True, "opt must be a whole number"),
        (1.5, True, "opt must be a whole number"),
        (True, False, "opt must be a number"),
        (-1, False, "at least 0"),
        (float("nan"), False, "finite"),
        ("inf", False, "finite"),
    ],
)
def test_parse_number_refuses_what_is_not_a_finite_count(
    value: object, integer: bool, message: str
) -> None:
    with pytest.raises(minimalkv.ConfigurationError, match=message):
        backend.parse_number("opt", value, integer=integer)


def test_pickling_refused_names_the_store_and_the_way_out() -> None:
    from minimalkv.backend import pickling_refused

    class Store:
        def __repr__(self) -> str:
            return "Store(service://host)"

    error = pickling_refused(Store(), "its client")
    assert isinstance(error, TypeError)
    assert str(error) == (
        "Store(service://host) cannot be pickled: its client holds open connections and does "
        "not pickle; pass the store's URL to the other process and make the store there with "
        "get_store_from_url"
    )

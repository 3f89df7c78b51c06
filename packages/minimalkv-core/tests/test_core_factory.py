"""The store factory (minimalkv._factory): types, 'h' variants, URLs, decorators, entry points.

Entry points are replaced by a controlled set (the real memory store plus test plugins defined
here), so the results do not depend on which other distributions happen to be installed.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint
from typing import Any

import minimalkv._factory as factory
import pytest
from minimalkv import (
    BackendNotInstalledError,
    ConfigurationError,
    InvalidKeyError,
    KeyValueStore,
    MinimalKVError,
    UnknownStoreError,
    decorate_store,
    get_store,
    get_store_from_url,
    url2dict,
)
from minimalkv.backend import DECORATOR_GROUP, STORE_GROUP, StoreType, StoreUrl
from minimalkv.memory import DictStore, HDictStore

PLUGINS = "minimalkv_core_test_plugins"
MISSING = "minimalkv_core_test_no_such_module"


class Layer(KeyValueStore):
    """What the test decorators return: remembers its name, argument and the wrapped store."""

    def __init__(self, inner: KeyValueStore, name: str, argument: str | None) -> None:
        self.inner = inner
        self.name = name
        self.argument = argument

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return self.inner.iter_keys(prefix)

    def _get(self, key: str) -> bytes:
        return self.inner.get(key)

    def _put(self, key: str, data: bytes) -> str:
        return self.inner.put(key, data)

    def _delete(self, key: str) -> None:
        self.inner.delete(key)


def layers(store: KeyValueStore) -> list[str]:
    """Decorator names from the outermost to the innermost."""
    names: list[str] = []
    while isinstance(store, Layer):
        names.append(store.name if store.argument is None else f"{store.name}({store.argument})")
        store = store.inner
    return names


def innermost(store: KeyValueStore) -> KeyValueStore:
    while isinstance(store, Layer):
        store = store.inner
    return store


@dataclass
class Recorder:
    """What the fake store type received, and the entry points the factory sees."""

    created: list[tuple[dict[str, Any], bool, bool]] = field(default_factory=list)
    urls: list[StoreUrl] = field(default_factory=list)
    store_points: dict[str, EntryPoint] = field(default_factory=dict)
    decorator_points: dict[str, EntryPoint] = field(default_factory=dict)

    def reset(self) -> None:
        self.created.clear()
        self.urls.clear()
        self.store_points.clear()
        self.decorator_points.clear()


# One recorder and one plugin module for the whole session: the factory may cache what it
# loaded, so the loaded objects must stay valid from one test to the next.
RECORDER = Recorder()


def _make_plugins(recorder: Recorder) -> types.ModuleType:
    def create(
        params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
    ) -> KeyValueStore:
        recorder.created.append((dict(params), extended_keys, create_if_missing))
        return HDictStore() if extended_keys else DictStore()

    def params_from_url(url: StoreUrl) -> dict[str, Any]:
        recorder.urls.append(url)
        return {"host": url.host, "options": dict(url.query)}

    def decorator(name: str) -> Any:
        def wrap(store: KeyValueStore, argument: str | None, /) -> KeyValueStore:
            return Layer(store, name, argument)

        return wrap

    def create_returning(result: object) -> Any:
        # A broken store type: its create returns something that is not a store.
        def create(
            params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
        ) -> Any:
            return result

        return create

    def decorator_returning_none(store: KeyValueStore, argument: str | None, /) -> Any:
        return None

    module = types.ModuleType(PLUGINS)
    module.__dict__.update(
        STORE_TYPE=StoreType(name="fakestore", create=create, params_from_url=params_from_url),
        NONE_TYPE=StoreType(
            name="nonestore", create=create_returning(None), params_from_url=params_from_url
        ),
        DICT_TYPE=StoreType(
            name="dictstore", create=create_returning({}), params_from_url=params_from_url
        ),
        returns_none=decorator_returning_none,
        readonly=decorator("readonly"),
        urlencode=decorator("urlencode"),
        tag=decorator("tag"),
        not_a_store_type=42,
    )
    return module


PLUGIN_MODULE = _make_plugins(RECORDER)


def _clear_factory_caches() -> None:
    # Store types loaded by earlier tests (of other packages too) must not answer here.
    factory._clear_caches()


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = RECORDER
    recorder.reset()
    monkeypatch.setitem(sys.modules, PLUGINS, PLUGIN_MODULE)
    recorder.store_points.update(
        {
            "memory": EntryPoint("memory", "minimalkv.memory._factory:STORE_TYPE", STORE_GROUP),
            "fakestore": EntryPoint("fakestore", f"{PLUGINS}:STORE_TYPE", STORE_GROUP),
            "brokenstore": EntryPoint("brokenstore", f"{MISSING}:STORE_TYPE", STORE_GROUP),
            "wrongtype": EntryPoint("wrongtype", f"{PLUGINS}:not_a_store_type", STORE_GROUP),
            "nonestore": EntryPoint("nonestore", f"{PLUGINS}:NONE_TYPE", STORE_GROUP),
            "dictstore": EntryPoint("dictstore", f"{PLUGINS}:DICT_TYPE", STORE_GROUP),
        }
    )
    recorder.decorator_points.update(
        {
            name: EntryPoint(name, f"{PLUGINS}:{name}", DECORATOR_GROUP)
            for name in ("readonly", "urlencode", "tag")
        }
    )
    recorder.decorator_points["brokendeco"] = EntryPoint(
        "brokendeco", f"{MISSING}:wrap", DECORATOR_GROUP
    )
    recorder.decorator_points["returnsnone"] = EntryPoint(
        "returnsnone", f"{PLUGINS}:returns_none", DECORATOR_GROUP
    )
    recorder.decorator_points["notcallable"] = EntryPoint(
        "notcallable", f"{PLUGINS}:not_a_store_type", DECORATOR_GROUP
    )

    @functools.cache
    def fake_entry_points(group: str) -> dict[str, EntryPoint]:
        source = {STORE_GROUP: recorder.store_points, DECORATOR_GROUP: recorder.decorator_points}
        return dict(source.get(group, {}))

    monkeypatch.setattr(factory, "_entry_points", fake_entry_points)
    _clear_factory_caches()
    yield recorder
    _clear_factory_caches()


# ----------------------------------------------------------------- store types
def test_group_names() -> None:
    assert STORE_GROUP == "minimalkv.stores"
    assert DECORATOR_GROUP == "minimalkv.decorators"


def test_memory_store(plugins: Recorder) -> None:
    store = get_store("memory")
    assert type(store) is DictStore
    assert store.put("key", b"value") == "key"
    with pytest.raises(InvalidKeyError):
        store.put("a/b", b"v")


def test_memory_store_uses_a_passed_dict(plugins: Recorder) -> None:
    backing: dict[str, bytes] = {}
    store = get_store("memory", d=backing)
    store.put("key", b"value")
    assert backing == {"key": b"value"}


@pytest.mark.parametrize("how", ["type", "url"])
def test_h_variant_gives_extended_keys(plugins: Recorder, how: str) -> None:
    store = get_store("hmemory") if how == "type" else get_store_from_url("hmemory://")
    assert store.extended_keys is True
    store.put("a/b c", b"v")
    assert store.get("a/b c") == b"v"
    with pytest.raises(InvalidKeyError):
        store.put("../x", b"v")


def test_memory_url(plugins: Recorder) -> None:
    store = get_store_from_url("memory://")
    assert type(store) is DictStore
    assert store.extended_keys is False


def test_memory_url_refuses_a_host(plugins: Recorder) -> None:
    with pytest.raises(ConfigurationError):
        get_store_from_url("memory://somewhere/path")


@pytest.mark.parametrize("name", ["mem", "memor", "emory", "memoryx", "xmemory", "h", "hmem", "m"])
def test_unknown_type_is_not_matched_by_substring(plugins: Recorder, name: str) -> None:
    with pytest.raises(UnknownStoreError) as info:
        get_store(name)
    assert not isinstance(info.value, BackendNotInstalledError)
    assert isinstance(info.value, ValueError)
    assert "memory" in str(info.value)  # names what is installed
    assert repr(name) in str(info.value)


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("redis", "redis"),
        ("hredis", "redis"),
        ("rediss", "redis"),
        ("s3", "s3"),
        ("hs3", "s3"),
        ("boto", "s3"),
        ("azure", "azure"),
        ("hazure", "azure"),
        ("gcs", "gcs"),
        ("hgcs", "gcs"),
        ("sql", "sql"),
        ("sqlite", "sql"),
        ("fs", "fs"),
        ("hfs", "fs"),
        ("file", "fs"),
    ],
)
def test_known_but_uninstalled_type(plugins: Recorder, name: str, extra: str) -> None:
    with pytest.raises(BackendNotInstalledError) as info:
        get_store(name)
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, ValueError)
    assert f'pip install "minimalkv[{extra}]"' in str(info.value)
    assert f"pip install minimalkv-{extra}" in str(info.value)  # the single distribution


def test_uninstalled_memory_type_names_its_extra(plugins: Recorder) -> None:
    del plugins.store_points["memory"]
    with pytest.raises(BackendNotInstalledError, match=r'pip install "minimalkv\[memory\]"'):
        get_store_from_url("memory://")


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("redis://topsecret@localhost:6379/0", "redis"),
        ("s3://key:topsecret@endpoint/bucket?create_if_missing=true", "s3"),
        ("azure://MYACCOUNT:topsecret@bucket_66?create_if_missing=true", "azure"),
        ("gcs://dG9wc2VjcmV0@bucket?create_if_missing=true", "gcs"),
    ],
)
def test_known_but_uninstalled_url(plugins: Recorder, url: str, extra: str) -> None:
    with pytest.raises(BackendNotInstalledError) as info:
        get_store_from_url(url)
    assert f'pip install "minimalkv[{extra}]"' in str(info.value)
    assert "topsecret" not in str(info.value)
    assert "dG9wc2VjcmV0" not in str(info.value)


@pytest.mark.parametrize("url", ["memory", "localhost/bucket", "", "key:topsecret@host/b"])
def test_url_without_scheme(plugins: Recorder, url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        get_store_from_url(url)
    assert isinstance(info.value, ValueError)
    assert "topsecret" not in str(info.value)


@pytest.mark.parametrize("bad", ["", None, 42])
def test_bad_type_argument(plugins: Recorder, bad: object) -> None:
    with pytest.raises(ConfigurationError):
        get_store(bad)  # type: ignore[arg-type]


def test_broken_store_entry_point(plugins: Recorder) -> None:
    with pytest.raises(BackendNotInstalledError) as info:
        get_store("brokenstore")
    assert MISSING in str(info.value)
    assert isinstance(info.value.__cause__, ImportError)


def test_store_entry_point_of_the_wrong_type(plugins: Recorder) -> None:
    with pytest.raises(ConfigurationError, match="StoreType"):
        get_store("wrongtype")


@pytest.mark.parametrize(
    ("name", "returned"), [("nonestore", "None"), ("dictstore", "an object of type dict")]
)
@pytest.mark.parametrize("how", ["type", "url"])
def test_store_type_that_returns_no_store(
    plugins: Recorder, name: str, returned: str, how: str
) -> None:
    make: Callable[[], KeyValueStore] = (
        (lambda: get_store(name)) if how == "type" else (lambda: get_store_from_url(f"{name}://x"))
    )
    with pytest.raises(ConfigurationError) as info:
        make()
    message = str(info.value)
    assert f"store type {name!r} returned {returned} instead of a store" in message
    assert plugins.store_points[name].value in message  # which entry point
    assert "distribution" in message


def test_store_type_that_returns_no_store_in_the_h_variant(plugins: Recorder) -> None:
    with pytest.raises(ConfigurationError, match="'nonestore' returned None"):
        get_store("hnonestore")


def test_decorator_that_returns_no_store(plugins: Recorder) -> None:
    with pytest.raises(ConfigurationError) as info:
        get_store("memory", wrap="returnsnone")
    assert "store decorator 'returnsnone' returned None instead of a store" in str(info.value)
    assert plugins.decorator_points["returnsnone"].value in str(info.value)


def test_a_type_installed_after_the_first_scan_is_found(plugins: Recorder) -> None:
    with pytest.raises(UnknownStoreError):
        get_store("late")
    plugins.store_points["late"] = EntryPoint("late", f"{PLUGINS}:STORE_TYPE", STORE_GROUP)
    assert isinstance(get_store("late"), DictStore)


# ----------------------------------------------------------------- parameters
def test_params_reach_the_store_type(plugins: Recorder) -> None:
    get_store("fakestore", alpha=1, beta="two")
    get_store("hfakestore", create_if_missing=False)
    assert plugins.created == [({"alpha": 1, "beta": "two"}, False, True), ({}, True, False)]


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), ("false", False), ("true", True)]
)
def test_create_if_missing_from_a_config_dict(
    plugins: Recorder, value: object, expected: bool
) -> None:
    # Configuration read from an ini file (the first factory example of minimalkv 1.x) is text.
    get_store("fakestore", create_if_missing=value)  # type: ignore[arg-type]
    assert plugins.created[-1][2] is expected


def test_url2dict(plugins: Recorder) -> None:
    params = url2dict("fakestore://user:pw@host:1234/path?create_if_missing=false&opt=2")
    assert params == {
        "type": "fakestore",
        "create_if_missing": False,
        "host": "host",
        "options": {"opt": "2"},
    }
    url = plugins.urls[-1]
    assert (url.user, url.password, url.port, url.path) == ("user", "pw", 1234, "/path")
    assert "create_if_missing" not in url.query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", None),
        ("?create_if_missing=true", True),
        ("?create_if_missing", True),
        ("?create_if_missing=false", False),
        ("?create_if_missing=0", False),
    ],
)
def test_url_create_if_missing(plugins: Recorder, query: str, expected: bool | None) -> None:
    params = url2dict(f"fakestore://host{query}")
    assert params.get("create_if_missing") == expected
    get_store_from_url(f"fakestore://host{query}")
    assert plugins.created[-1][2] is (True if expected is None else expected)


def test_url_create_if_missing_must_be_boolean(plugins: Recorder) -> None:
    with pytest.raises(ConfigurationError, match="create_if_missing"):
        url2dict("fakestore://host?create_if_missing=perhaps")


def test_url_h_variant_and_case(plugins: Recorder) -> None:
    assert url2dict("hfakestore://host")["type"] == "hfakestore"
    get_store_from_url("HFAKESTORE://host")
    assert plugins.created[-1][1] is True


def test_url2dict_of_memory(plugins: Recorder) -> None:
    assert url2dict("memory://") == {"type": "memory"}
    assert url2dict("hmemory://") == {"type": "hmemory"}


# ----------------------------------------------------------------- decorators
def test_wrap_applies_left_to_right(plugins: Recorder) -> None:
    store = get_store("memory", wrap="readonly+urlencode")
    assert layers(store) == ["urlencode", "readonly"]  # the first is innermost
    assert type(innermost(store)) is DictStore


def test_wrap_as_a_list(plugins: Recorder) -> None:
    assert layers(get_store("memory", wrap=["readonly", "tag(x)"])) == ["tag(x)", "readonly"]


def test_old_plus_form_applies_right_to_left(plugins: Recorder) -> None:
    store = get_store("memory+urlencode+readonly")
    assert layers(store) == ["urlencode", "readonly"]  # the leftmost is outermost
    assert type(innermost(store)) is DictStore


def test_url_fragment_form(plugins: Recorder) -> None:
    assert url2dict("memory://#wrap:readonly")["wrap"] == "readonly"
    assert layers(get_store_from_url("memory://#wrap:readonly")) == ["readonly"]
    assert layers(get_store_from_url("memory://#wrap:readonly+urlencode")) == [
        "urlencode",
        "readonly",
    ]


def test_url_old_plus_form(plugins: Recorder) -> None:
    assert layers(get_store_from_url("memory+readonly://")) == ["readonly"]
    assert layers(get_store_from_url("hmemory+urlencode+readonly://")) == [
        "urlencode",
        "readonly",
    ]
    assert innermost(get_store_from_url("hmemory+readonly://")).extended_keys


def test_the_two_forms_give_the_same_stack(plugins: Recorder) -> None:
    old = get_store_from_url("memory+urlencode+readonly://")
    new = get_store_from_url("memory://#wrap:readonly+urlencode")
    assert layers(old) == layers(new)


def test_url_fragment_with_options_and_secret(plugins: Recorder) -> None:
    get_store_from_url("fakestore://u:pw@host?create_if_missing=false#wrap:tag")
    assert plugins.created[-1][2] is False
    assert layers(get_store_from_url("fakestore://u:pw@host#wrap:tag(t1)")) == ["tag(t1)"]


def test_both_forms_at_once_is_a_value_error(plugins: Recorder) -> None:
    with pytest.raises(ConfigurationError) as info:
        get_store("memory+readonly", wrap="urlencode")
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError):  # noqa: PT011
        get_store_from_url("memory+readonly://#wrap:urlencode")


def test_empty_wrap_means_no_decorator(plugins: Recorder) -> None:
    assert type(get_store("memory", wrap="")) is DictStore
    assert type(get_store("memory", wrap=None)) is DictStore


@pytest.mark.parametrize("bad", [42, [1, 2], b"readonly"])
def test_bad_wrap_value(plugins: Recorder, bad: object) -> None:
    with pytest.raises(ConfigurationError):
        get_store("memory", wrap=bad)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("tag", ["tag"]),
        (" tag ", ["tag"]),
        ("tag(tenant-1)", ["tag(tenant-1)"]),
        ("tag()", ["tag()"]),
        ("tag(a(b))", ["tag(a(b))"]),
    ],
)
def test_decorate_store_parses_name_and_argument(
    plugins: Recorder, spec: str, expected: list[str]
) -> None:
    store = decorate_store(DictStore(), spec)
    assert layers(store) == expected


def test_decorate_store_argument_values(plugins: Recorder) -> None:
    plain = decorate_store(DictStore(), "tag")
    empty = decorate_store(DictStore(), "tag()")
    given = decorate_store(DictStore(), "tag(tenant-1)")
    assert isinstance(plain, Layer)
    assert isinstance(empty, Layer)
    assert isinstance(given, Layer)
    assert (plain.argument, empty.argument, given.argument) == (None, "", "tenant-1")


def test_decorate_store_missing_parenthesis(plugins: Recorder) -> None:
    with pytest.raises(ConfigurationError, match=r"\)"):
        decorate_store(DictStore(), "tag(tenant-1")


def test_unknown_decorator(plugins: Recorder) -> None:
    with pytest.raises(UnknownStoreError) as info:
        decorate_store(DictStore(), "nosuchdecorator")
    assert not isinstance(info.value, BackendNotInstalledError)
    assert "readonly" in str(info.value)  # names what is installed
    with pytest.raises(UnknownStoreError):
        get_store_from_url("memory://#wrap:nosuchdecorator")


def test_known_but_uninstalled_decorator(plugins: Recorder) -> None:
    del plugins.decorator_points["readonly"]
    with pytest.raises(BackendNotInstalledError) as info:
        get_store("memory", wrap="readonly")
    assert 'pip install "minimalkv[decorator]"' in str(info.value)
    assert "minimalkv-decorator" in str(info.value)
    assert isinstance(info.value, ImportError)


@pytest.mark.parametrize("name", ["brokendeco", "notcallable"])
def test_broken_decorator_entry_point_gives_a_clear_error(plugins: Recorder, name: str) -> None:
    with pytest.raises(MinimalKVError) as info:
        decorate_store(DictStore(), name)
    assert isinstance(info.value, ConfigurationError)
    assert name in str(info.value)
    assert plugins.decorator_points[name].value in str(info.value)

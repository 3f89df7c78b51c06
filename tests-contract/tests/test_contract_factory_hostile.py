"""Reliability: ``get_store_from_url`` and ``get_store`` under arbitrary strings and parameters.

Only errors of the minimalkv hierarchy may come out (never a bare exception from a library).
The ``fs`` type is only ever pointed into the test's temporary directory: generated URLs and
paths either stay inside it or must be refused, so nothing is written anywhere else.
"""

from __future__ import annotations

import os
import string
from pathlib import Path
from typing import Any, Final

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from minimalkv import KeyValueStore, MinimalKVError, get_store, get_store_from_url
from minimalkv.contract import HOSTILE_OBJECTS, HOSTILE_TEXT, RELIABILITY_MARK

pytestmark = RELIABILITY_MARK

# Store types that write files or open connections: arbitrary text that could name one of
# them is left out; the fs type is tested below with URLs that stay inside tmp_path.
_NOT_ARBITRARY: Final = ("fs", "fil", "sql", "redis", "s3", "gcs", "azure", "git", "http")

_SETTINGS: Final = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _harmless(text: str) -> bool:
    folded = text.casefold()
    return not any(name in folded for name in _NOT_ARBITRARY)


def _outcome(call: Any, *args: Any, **kwargs: Any) -> KeyValueStore | None:
    """Run a factory call; return the store it made, or None when it raised a hierarchy error."""
    try:
        store: KeyValueStore = call(*args, **kwargs)
    except MinimalKVError:
        return None
    except Exception as error:  # judged here: nothing outside the hierarchy may come out
        raise AssertionError(
            f"{call.__name__}(*{args!r}, **{kwargs!r}) raised "
            f"{type(error).__module__}.{type(error).__qualname__}: {error}; a factory must "
            "raise ConfigurationError (or another MinimalKVError) for input it cannot use"
        ) from error
    return store


def _close(store: KeyValueStore | None) -> None:
    if store is not None:
        store.close()


FRAGMENTS: Final = st.one_of(
    st.just(""),
    st.builds(lambda t: "#" + t, HOSTILE_TEXT),
    st.builds(
        lambda parts: "#wrap:" + "+".join(parts),
        st.lists(
            st.one_of(
                st.sampled_from(["readonly", "urlencode", "prefix:p_", "READONLY", "x", ""]),
                HOSTILE_TEXT,
            ),
            max_size=3,
        ),
    ),
)
QUERIES: Final = st.one_of(
    st.just(""),
    st.builds(lambda t: "?" + t, HOSTILE_TEXT),
    st.builds(
        lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs),
        st.lists(
            st.tuples(
                st.sampled_from(["perm", "fsync", "url_prefix", "wrap", "x", ""]),
                HOSTILE_TEXT.filter(lambda t: "/" not in t),
            ),
            max_size=3,
        ),
    ),
)


@_SETTINGS
@given(url=HOSTILE_TEXT.filter(_harmless))
def test_arbitrary_text_as_url(url: str) -> None:
    _close(_outcome(get_store_from_url, url))


@_SETTINGS
@given(url=HOSTILE_OBJECTS)
def test_non_str_url(url: object) -> None:
    _close(_outcome(get_store_from_url, url))


@_SETTINGS
@given(
    scheme=st.sampled_from(["memory", "hmemory", "MEMORY", "memory+readonly", "mem", "memory+"]),
    sep=st.sampled_from(["://", ":", ":/", ":///", "//"]),
    rest=HOSTILE_TEXT,
    query=QUERIES,
    fragment=FRAGMENTS,
)
def test_memory_urls(scheme: str, sep: str, rest: str, query: str, fragment: str) -> None:
    url = f"{scheme}{sep}{rest}{query}{fragment}"
    if _harmless(url):
        _close(_outcome(get_store_from_url, url))


# One directory name inside tmp_path: no separator, no '%' (paths are percent-decoded), no
# '?' or '#' (they would end the path), never '.' or '..'. NUL and lone surrogates are
# generated: the factory must refuse them with ConfigurationError.
_SEGMENT: Final = st.text(
    st.characters(exclude_characters="/%?#"),
    min_size=1,
    max_size=30,
).filter(lambda s: s not in {".", ".."})


@_SETTINGS
@given(
    scheme=st.sampled_from(["fs", "hfs", "file", "filesystem", "FS"]),
    segments=st.lists(_SEGMENT, min_size=1, max_size=3),
    query=QUERIES,
    fragment=FRAGMENTS,
)
def test_fs_urls_inside_tmp(
    tmp_path: Path, scheme: str, segments: list[str], query: str, fragment: str
) -> None:
    url = f"{scheme}://{tmp_path}/{'/'.join(segments)}{query}{fragment}"
    store = _outcome(get_store_from_url, url)
    try:
        _assert_inside(store, tmp_path)
    finally:
        _close(store)


def _assert_inside(store: KeyValueStore | None, tmp_path: Path) -> None:
    root_attribute = getattr(store, "root", None)  # a decorator may not forward it
    if root_attribute is not None:
        root = os.path.realpath(str(root_attribute))
        assert Path(root).is_relative_to(tmp_path.resolve()), f"store root {root} left tmp"


PARAM_VALUES: Final = st.one_of(HOSTILE_TEXT, HOSTILE_OBJECTS)
PARAM_NAMES: Final = st.one_of(
    st.sampled_from(["wrap", "perm", "fsync", "url_prefix", "create_if_missing_", "x"]),
    st.text(string.ascii_letters + "_", min_size=1, max_size=10),
).filter(lambda name: name not in {"type", "path", "create_if_missing"})


@_SETTINGS
@given(
    type_name=st.one_of(
        st.sampled_from(["memory", "hmemory", "memory+readonly", "memory+urlencode", ""]),
        HOSTILE_TEXT.filter(_harmless),
        HOSTILE_OBJECTS,
    ),
    params=st.dictionaries(PARAM_NAMES, PARAM_VALUES, max_size=4),
    create=st.one_of(st.booleans(), HOSTILE_OBJECTS),
)
def test_get_store_memory_params(type_name: Any, params: dict[str, Any], create: Any) -> None:
    _close(_outcome(get_store, type_name, create, **params))


@_SETTINGS
@given(
    type_name=st.sampled_from(["fs", "hfs", "file", "filesystem"]),
    path=st.one_of(
        st.lists(_SEGMENT, min_size=1, max_size=2).map(lambda parts: "/".join(parts)),
        HOSTILE_OBJECTS.filter(lambda value: not isinstance(value, (str, bytes, Path))),
    ),
    as_type=st.sampled_from(["str", "path", "bytes"]),
    params=st.dictionaries(PARAM_NAMES, PARAM_VALUES, max_size=3),
)
def test_get_store_fs_params(
    tmp_path: Path, type_name: str, path: object, as_type: str, params: dict[str, Any]
) -> None:
    value: object = path
    if isinstance(path, str):
        inside = tmp_path / path
        value = {"str": str(inside), "path": inside}.get(as_type) or os.fsencode(
            str(inside).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        )
    store = _outcome(get_store, type_name, path=value, **params)
    try:
        _assert_inside(store, tmp_path)
    finally:
        _close(store)

"""Hostile input: every public method with arbitrary keys, values, prefixes and delimiters."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Final

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from minimalkv import BlobStore, MinimalKVError, capabilities_of

from ._base import ContractBase, StoreFactory
from ._marks import RELIABILITY_MARK
from ._support import SENTINEL_KEY, SENTINEL_VALUE, snapshot, untyped

__all__ = [
    "HOSTILE_KEYS",
    "HOSTILE_OBJECTS",
    "HOSTILE_TEXT",
    "HOSTILE_VALUES",
    "HostileInputContract",
    "is_documented_error",
]

HOSTILE_TEXT: Final = st.one_of(
    # any code point, surrogates and control characters included
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.text(st.sampled_from("a/.\\ *:%\x00\n\t\r\x7f\u00e4\udc80-_~"), max_size=12),
    st.builds(
        lambda c, n: c * n, st.sampled_from(["a", "/", "a/", ".", "\u00e4"]), st.integers(251, 5000)
    ),
)
"""Arbitrary text: every code point (lone surrogates and controls too), path tricks, long runs."""

HOSTILE_OBJECTS: Final = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(max_size=20),
    st.builds(bytearray, st.binary(max_size=8)),
    st.binary(max_size=8).map(lambda data: memoryview(data)),
    st.lists(st.text(max_size=3), max_size=3),
    st.tuples(st.text(max_size=3)),
    st.builds(object),
    st.builds(Path, st.text(st.characters(codec="ascii"), max_size=8)),
)
"""Objects of the wrong type for a key, a value, a prefix or a delimiter."""

HOSTILE_KEYS: Final = st.one_of(HOSTILE_TEXT, HOSTILE_OBJECTS, st.just(SENTINEL_KEY))
"""What a hostile caller passes as a key (the sentinel key too, so that writes meet it)."""

HOSTILE_VALUES: Final = st.one_of(
    st.binary(max_size=16), HOSTILE_OBJECTS, HOSTILE_TEXT, st.builds(io.StringIO)
)
"""What a hostile caller passes as a value: bytes, and objects that are not bytes."""

_WRITES: Final = frozenset({"put", "put_file-stream", "put_file-path", "put_many", "copy", "move"})
"""The calls that write under the drawn key (or, for move, under its target)."""


def is_documented_error(error: BaseException) -> bool:
    """Return whether a store may raise ``error`` for bad input: the hierarchy or ``TypeError``."""
    return isinstance(error, (MinimalKVError, TypeError))


def _calls(
    scratch: Path, *, copy: bool, url: bool, ttl: bool
) -> dict[str, Callable[[Any, Any, Any], object]]:
    """Every public method, called with a key ``k``, a value ``v`` and a text-ish ``p``."""

    def put_file_path(s: Any, k: Any, v: Any) -> object:
        source = scratch / "source"
        source.write_bytes(v if isinstance(v, bytes) else b"data")
        return s.put_file(k, str(source))

    def get_file_path(s: Any, k: Any, v: Any) -> object:
        return s.get_file(k, str(scratch / "target"))

    def read_open(s: Any, k: Any, v: Any) -> object:
        with s.open(k) as handle:
            return handle.read()

    calls: dict[str, Callable[[Any, Any, Any], object]] = {
        "get": lambda s, k, v: s.get(k),
        "put": lambda s, k, v: s.put(k, v),
        "put_file-stream": lambda s, k, v: s.put_file(k, _as_stream(v)),
        "put_file-path": put_file_path,
        "get_file-stream": lambda s, k, v: s.get_file(k, io.BytesIO()),
        "get_file-path": get_file_path,
        "open": read_open,
        "delete": lambda s, k, v: s.delete(k),
        "in": lambda s, k, v: k in s,
        "metadata": lambda s, k, v: s.metadata(k),
        "keys": lambda s, k, v: s.keys(k),
        "iter_keys": lambda s, k, v: list(s.iter_keys(k)),
        "iter_prefixes-delimiter": lambda s, k, v: list(s.iter_prefixes(k)),
        "iter_prefixes-prefix": lambda s, k, v: list(s.iter_prefixes("/", k)),
        "get_many": lambda s, k, v: s.get_many([SENTINEL_KEY, k]),
        "get_many-not-iterable": lambda s, k, v: s.get_many(k),
        "put_many": lambda s, k, v: s.put_many([(k, v)]),
        "put_many-not-pairs": lambda s, k, v: s.put_many(k),
        "delete_many": lambda s, k, v: s.delete_many([k]),
        "delete_many-not-iterable": lambda s, k, v: s.delete_many(k),
    }
    if url:
        calls["url_for"] = lambda s, k, v: s.url_for(k)
    if ttl:
        calls["put-ttl"] = lambda s, k, v: s.put(SENTINEL_KEY, b"data", ttl_secs=v)
        calls["put_file-ttl"] = lambda s, k, v: s.put_file(SENTINEL_KEY, io.BytesIO(), ttl_secs=v)
    if copy:
        calls["copy"] = lambda s, k, v: s.copy(SENTINEL_KEY, k)
        calls["copy-source"] = lambda s, k, v: s.copy(k, "copy-target")
        calls["move"] = lambda s, k, v: s.move(k, "move-target")
    return calls


class HostileInputContract(ContractBase):
    """Every public method under arbitrary keys, values, prefixes and delimiters (opt-in).

    Marked ``reliability``. Only errors of the minimalkv hierarchy (``MinimalKVError``) or
    ``TypeError`` may come out, and a refused call writes nothing: the store's keys and values
    are exactly what they were before it. A call that succeeds with a key the suite's
    :meth:`key_is_valid` rejects fails the test too, unless :meth:`must_refuse_key` excuses
    it for that call (its method names here: ``put``, ``put_file-stream``, ``put_file-path``,
    ``put_many``, ``copy``, ``move``).
    """

    hostile_calls_per_example: ClassVar[int] = 6
    """Calls made on one store per Hypothesis example."""

    hostile_input_settings: ClassVar[dict[str, Any]] = {}
    """Hypothesis settings over the active profile, e.g. ``{"max_examples": 20}``."""

    @RELIABILITY_MARK
    def test_hostile_input_raises_documented_errors_and_writes_nothing(
        self, store_factory: StoreFactory, tmp_path: Path
    ) -> None:
        store = store_factory()
        try:
            self._run_hostile(store, tmp_path)
        finally:
            store.close()

    def _run_hostile(self, store: BlobStore, scratch: Path) -> None:
        store.put(SENTINEL_KEY, SENTINEL_VALUE)
        offered = capabilities_of(store)
        calls = _calls(scratch, copy=offered.copy, url=offered.url, ttl=offered.ttl)
        call_names = sorted(calls)
        step = st.tuples(st.sampled_from(call_names), HOSTILE_KEYS, HOSTILE_VALUES)
        options: dict[str, Any] = {
            "deadline": None,
            "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            **self.hostile_input_settings,
        }

        @settings(**options)
        @given(steps=st.lists(step, min_size=1, max_size=self.hostile_calls_per_example))
        def run(steps: list[tuple[str, Any, Any]]) -> None:
            for name, key, value in steps:
                self._hostile_call(store, name, calls[name], key, value)

        run()

    def hostile_state(self, store: BlobStore) -> object:
        """Return what a refused call must leave unchanged; the default is every key and value.

        A store with state beyond its keys (files on disk, rows in other tables) overrides it
        to include that state, e.g. every path under a filesystem store's root.
        """
        return snapshot(store)

    def _hostile_call(
        self,
        store: BlobStore,
        name: str,
        call: Callable[[Any, Any, Any], object],
        key: Any,
        value: Any,
    ) -> None:
        before = self.hostile_state(store)
        error: Exception | None = None
        try:
            call(untyped(store), key, value)
        except Exception as raised:  # every exception is judged below
            error = raised
        if error is not None:
            assert is_documented_error(error), (
                f"{type(store).__name__}.{name} with key {key!r} and value {_short(value)} "
                f"raised {type(error).__module__}.{type(error).__qualname__}: {error}; only "
                "MinimalKVError subclasses or TypeError may come out of a store"
            )
            after = self.hostile_state(store)
            assert after == before, (
                f"{type(store).__name__}.{name} with key {key!r} was refused "
                f"({type(error).__name__}: {error}) but changed the store: before "
                f"{_short(before)}, after {_short(after)}"
            )
            return
        if name in _WRITES and name != "copy-source":
            written = key if name != "move" else "move-target"
            assert self.key_is_valid(store, written) or not self.must_refuse_key(name, key), (
                f"{type(store).__name__}.{name} accepted the invalid key {key!r}"
            )


def _as_stream(value: object) -> object:
    """Return ``value`` as put_file's file argument, never a path (it could name any file)."""
    if isinstance(value, bytes):
        return io.BytesIO(value)
    if isinstance(value, (str, Path)):
        return io.StringIO(str(value))  # a text-mode file: must be refused
    return value


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."

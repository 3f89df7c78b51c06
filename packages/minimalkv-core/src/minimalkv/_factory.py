"""Building stores from a type name and parameters, or from a URL.

Backends register a :class:`StoreType` under the entry-point group ``minimalkv.stores``;
decorators register a :class:`DecoratorFactory` under ``minimalkv.decorators``. Core never
imports a backend: it finds them through the installed distributions' metadata.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

from ._errors import BackendNotInstalledError, ConfigurationError, UnknownStoreError
from ._options import parse_bool
from ._store import KeyValueStore, _is_nonempty_str
from ._url import StoreUrl, parse_store_url

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

__all__ = [
    "DECORATOR_GROUP",
    "STORE_GROUP",
    "DecoratorFactory",
    "StoreCreator",
    "StoreType",
    "UrlParamParser",
    "decorate_store",
    "get_store",
    "get_store_from_url",
    "url2dict",
]

STORE_GROUP: Final = "minimalkv.stores"
"""Entry-point group under which backends register a :class:`StoreType`."""

DECORATOR_GROUP: Final = "minimalkv.decorators"
"""Entry-point group under which decorators register a :class:`DecoratorFactory`."""

# Store types this project provides, so that a missing one gets an install hint: the extra of
# the minimalkv distribution that brings it (and the single distribution, for a minimal install).
_KNOWN_DISTRIBUTIONS: Final = {
    "memory": ("minimalkv-memory", "memory"),
    "fs": ("minimalkv-fs", "fs"),
    "file": ("minimalkv-fs", "fs"),
    "filesystem": ("minimalkv-fs", "fs"),
    "redis": ("minimalkv-redis", "redis"),
    "rediss": ("minimalkv-redis", "redis"),
    "s3": ("minimalkv-s3", "s3"),
    "boto": ("minimalkv-s3", "s3"),
    "azure": ("minimalkv-azure", "azure"),
    "gcs": ("minimalkv-gcs", "gcs"),
    "sql": ("minimalkv-sql", "sql"),
    "sqlite": ("minimalkv-sql", "sql"),
    "git": ("minimalkv-git", "git"),
    "mongo": ("minimalkv-mongo", "mongo"),
    "mongodb": ("minimalkv-mongo", "mongo"),
}
_KNOWN_DECORATORS: Final = {
    "readonly": ("minimalkv-decorator", "decorator"),
    "urlencode": ("minimalkv-decorator", "decorator"),
    "prefix": ("minimalkv-decorator", "decorator"),
}


def _install_hint(distribution: str, extra: str) -> str:
    """Return how to install what ``distribution`` provides, e.g. for an error message."""
    return (
        f'pip install "minimalkv[{extra}]" (or only the distribution: pip install {distribution})'
    )


class StoreCreator(Protocol):
    """Builds a store from factory parameters (see :class:`StoreType`)."""

    def __call__(
        self, params: Mapping[str, Any], *, extended_keys: bool, create_if_missing: bool
    ) -> KeyValueStore:
        """Return a new store; unknown or bad ``params`` raise ConfigurationError."""
        ...


class UrlParamParser(Protocol):
    """Turns a parsed store URL into factory parameters (see :class:`StoreType`)."""

    def __call__(self, url: StoreUrl) -> dict[str, Any]:
        """Return the parameters ``url`` stands for (without ``type``)."""
        ...


class DecoratorFactory(Protocol):
    """Wraps a store in a decorator; ``argument`` is the text in ``name(argument)``, if any."""

    def __call__(self, store: KeyValueStore, argument: str | None, /) -> KeyValueStore:
        """Return the decorated store."""
        ...


@dataclass(frozen=True)
class StoreType:
    """A backend's registration, the object its ``minimalkv.stores`` entry point names.

    A ``pyproject.toml`` registers it with, e.g.::

        [project.entry-points."minimalkv.stores"]
        fs = "minimalkv.fs._factory:STORE_TYPE"
    """

    name: str
    """The canonical type name (``fs``); the ``h`` variant selects the extended key space."""
    create: StoreCreator
    """Builds the store from parameters."""
    params_from_url: UrlParamParser
    """Turns a URL into parameters for :attr:`create`."""


@functools.cache
def _entry_points(group: str) -> dict[str, EntryPoint]:
    # Imported on first use: reading installed metadata is only needed by the factory, and
    # importing it costs every program that imports a store directly.
    from importlib.metadata import entry_points

    return {point.name: point for point in entry_points(group=group)}


def _lookup(group: str, name: str) -> EntryPoint | None:
    point = _entry_points(group).get(name)
    if point is None:
        _entry_points.cache_clear()  # something may have been installed since the first scan
        point = _entry_points(group).get(name)
    return point


_loaded_types: dict[str, StoreType] = {}
# Where each loaded store type comes from (entry point and distribution), for error messages;
# by id(): the types themselves are kept alive by _loaded_types.
_origins: dict[int, str] = {}


def _origin(group: str, point: EntryPoint) -> str:
    """Describe where ``point`` comes from: its group, its object and its distribution."""
    dist = getattr(point, "dist", None)
    name = getattr(dist, "name", None)
    where = f"the distribution {name}" if name else "an unknown distribution"
    return f"entry point {point.name!r} of group {group} ({point.value}, from {where})"


def _not_a_store(what: str, origin: str, result: object) -> ConfigurationError:
    """Build the error for a store type or decorator that returned ``result``, not a store."""
    got = "None" if result is None else f"an object of type {type(result).__qualname__}"
    return ConfigurationError(
        f"{what} returned {got} instead of a store (a minimalkv.KeyValueStore); it comes from "
        f"{origin}: that distribution is broken, report it to its authors"
    )


def _load_store_type(name: str) -> StoreType | None:
    # Only hits are cached: a type installed after a miss is found after the next rescan.
    if name in _loaded_types:
        return _loaded_types[name]
    point = _entry_points(STORE_GROUP).get(name)
    if point is None:
        return None
    try:
        loaded = point.load()
    except ImportError as exc:
        raise BackendNotInstalledError(
            f"store type {name!r} is registered by {point.value} but cannot be imported "
            f"({exc}); reinstall its distribution with its dependencies"
        ) from exc
    if not isinstance(loaded, StoreType):
        raise ConfigurationError(
            f"entry point {name!r} of group {STORE_GROUP} names {point.value}, which is not "
            "a minimalkv.StoreType"
        )
    _loaded_types[name] = loaded
    _origins[id(loaded)] = _origin(STORE_GROUP, point)
    return loaded


def _clear_caches() -> None:
    """Forget the scanned entry points and the loaded store types; the next lookup scans again.

    For tests that swap the installed entry points, and after installing a backend at run time.
    """
    _entry_points.cache_clear()
    _loaded_types.clear()
    _origins.clear()


def _split_plus(text: str) -> list[str]:
    """Split ``text`` on the ``+`` signs outside parentheses (``prefix(a+b)`` stays whole)."""
    parts: list[str] = []
    depth = start = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char == "+" and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _find_type(name: str) -> tuple[StoreType, bool] | None:
    """Return the registered type ``name`` (or ``name`` without a leading ``h``), or None.

    The bool says whether the ``h`` was dropped, i.e. keys are in the extended key space.
    """
    lowered = name.lower()
    found = _load_store_type(lowered)
    if found is not None:
        return found, False
    if lowered.startswith("h") and len(lowered) > 1:
        found = _load_store_type(lowered[1:])
        if found is not None:
            return found, True
    return None


def _split_type(spec: str) -> tuple[StoreType, bool, list[str]]:
    """Split ``spec`` into store type, extended-keys flag and old-form decorator names.

    ``spec`` is e.g. ``hfs``, ``memory+readonly`` or ``sql+postgresql+readonly``.
    A type name may itself contain ``+``: the longest registered head wins. The installed
    entry points are scanned again once before giving up, in case something was installed.
    """
    parts = _split_plus(spec)
    for rescan in (False, True):
        if rescan:
            _entry_points.cache_clear()
        for end in range(len(parts), 0, -1):
            found = _find_type("+".join(parts[:end]))
            if found is not None:
                return found[0], found[1], parts[end:]
    name = parts[0]
    lowered = name.lower()
    base = (
        lowered[1:] if lowered.startswith("h") and lowered[1:] in _KNOWN_DISTRIBUTIONS else lowered
    )
    if base in _KNOWN_DISTRIBUTIONS:
        distribution, extra = _KNOWN_DISTRIBUTIONS[base]
        raise BackendNotInstalledError(
            f"store type {name!r} needs the distribution {distribution}: "
            f"{_install_hint(distribution, extra)}"
        )
    installed = ", ".join(sorted(_entry_points(STORE_GROUP))) or "none"
    raise UnknownStoreError(
        f"unknown store type {name!r} (installed types: {installed}; each also has an "
        "'h' variant with the extended key space)"
    )


def _split_wrappers(wrap: object) -> list[str]:
    if wrap is None or wrap == "":
        return []
    if isinstance(wrap, str):
        return [part for part in _split_plus(wrap) if part]
    if isinstance(wrap, Iterable):
        names = list(wrap)
        if all(isinstance(part, str) for part in names):
            return names
    raise ConfigurationError(f"wrap must be a '+'-separated str or a list of str, got {wrap!r}")


def decorate_store(store: KeyValueStore, decoratorname: str) -> KeyValueStore:
    """Wrap ``store`` in the decorator registered as ``decoratorname``.

    ``decoratorname`` is a name (``readonly``, ``urlencode``) or ``name(argument)``
    (``prefix(tenant-1)``); decorators come from the ``minimalkv.decorators`` entry points.
    """
    name, paren, rest = decoratorname.strip().partition("(")
    argument: str | None = None
    if paren:
        if not rest.endswith(")"):
            raise ConfigurationError(f"decorator {decoratorname!r}: missing closing ')'")
        argument = rest[:-1]
    point = _lookup(DECORATOR_GROUP, name)
    if point is None:
        if name in _KNOWN_DECORATORS:
            distribution, extra = _KNOWN_DECORATORS[name]
            raise BackendNotInstalledError(
                f"store decorator {name!r} needs the distribution {distribution}: "
                f"{_install_hint(distribution, extra)}"
            )
        installed = ", ".join(sorted(_entry_points(DECORATOR_GROUP))) or "none"
        raise UnknownStoreError(f"unknown store decorator {name!r} (installed: {installed})")
    try:
        factory: object = point.load()
    except ImportError as exc:
        raise BackendNotInstalledError(
            f"store decorator {name!r} is registered by {point.value} but cannot be imported "
            f"({exc}); reinstall its distribution"
        ) from exc
    if not callable(factory):
        raise ConfigurationError(
            f"entry point {name!r} of group {DECORATOR_GROUP} names {point.value}, which is "
            "not callable"
        )
    decorated: object = factory(store, argument)
    if not isinstance(decorated, KeyValueStore):
        raise _not_a_store(f"store decorator {name!r}", _origin(DECORATOR_GROUP, point), decorated)
    return decorated


def get_store(type: str, create_if_missing: bool = True, **params: Any) -> KeyValueStore:
    """Create a store of ``type`` from ``params``.

    ``type`` is a registered store type (``memory``, ``fs``, ``redis``, ...); an ``h`` in front
    (``hfs``) selects the extended key space. Decorators are added either the original's old
    way, ``"memory+urlencode+readonly"`` (applied right to left: the leftmost ends up
    outermost), or with ``wrap="readonly+urlencode"`` (applied left to right: the first is
    innermost); using both at once is a ``ValueError``.
    """
    if not _is_nonempty_str(type):
        raise ConfigurationError(f"store type must be a non-empty str, got {type!r}")
    store_type, extended, old_wrappers = _split_type(type)
    wrappers = _split_wrappers(params.pop("wrap", None))
    if old_wrappers and wrappers:
        raise ConfigurationError(
            f"store type {type!r} names decorators and wrap={'+'.join(wrappers)!r} does too; "
            "use one of the two forms"
        )
    store: object = store_type.create(
        params,
        extended_keys=extended,
        create_if_missing=parse_bool("create_if_missing", create_if_missing),
    )
    if not isinstance(store, KeyValueStore):
        origin = _origins.get(id(store_type), "an unknown entry point")
        raise _not_a_store(f"store type {store_type.name!r}", origin, store)
    for name in reversed(old_wrappers) if old_wrappers else wrappers:
        store = decorate_store(store, name)
    return store


def url2dict(url: str) -> dict[str, Any]:
    """Turn a store URL into the keyword arguments of :func:`get_store` (including ``type``).

    ``url`` follows ``scheme://[userinfo@]host[:port][/path][?options][#wrap:decorators]``;
    each store type documents its form (``fs:///abs/path``, ``memory://``, ...).
    """
    parsed = parse_store_url(url)
    store_type, _, _ = _split_type(parsed.scheme)
    params: dict[str, Any] = {"type": parsed.scheme}
    wrap = _wrap_from_fragment(parsed)
    if wrap is not None:
        params["wrap"] = wrap
    query = dict(parsed.query)
    if "create_if_missing" in query:
        params["create_if_missing"] = parsed.flag("create_if_missing")
        del query["create_if_missing"]
    params.update(store_type.params_from_url(dataclasses.replace(parsed, query=query)))
    return params


def _wrap_from_fragment(parsed: StoreUrl) -> str | None:
    """Return the decorators a URL's fragment names (``#wrap:a+b``), or None without one.

    The fragment is the only place a URL names decorators, and ``readonly`` may be among them:
    anything not understood there (another spelling, a second ``#wrap:``) is refused rather
    than dropped, so a typo can never leave a store writable.
    """
    if not parsed.fragment:
        return None
    parts = parsed.fragment.split("#")
    unknown = [part for part in parts if not part.startswith("wrap:")]
    if unknown:
        raise ConfigurationError(
            f"store URL {parsed.redacted!r}: fragment #{unknown[0]} is not understood; the "
            "only fragment is #wrap:<decorator>[+<decorator>...], e.g. #wrap:readonly"
        )
    if len(parts) > 1:
        raise ConfigurationError(
            f"store URL {parsed.redacted!r}: #wrap: is given {len(parts)} times; name every "
            "decorator in one, e.g. #wrap:urlencode+readonly"
        )
    wrap = parts[0][len("wrap:") :]
    if not wrap.strip():
        raise ConfigurationError(
            f"store URL {parsed.redacted!r}: #wrap: names no decorator, e.g. #wrap:readonly"
        )
    return wrap


def get_store_from_url(url: str) -> KeyValueStore:
    """Create a store from a URL such as ``hfs:///srv/data`` or ``memory://#wrap:readonly``."""
    return get_store(**url2dict(url))

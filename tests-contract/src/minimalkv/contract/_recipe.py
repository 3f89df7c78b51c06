"""StoreRecipe: how a separate process opens the same store as the test."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from minimalkv import BlobStore, get_store_from_url, url2dict

__all__ = ["JsonValue", "StoreRecipe"]

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
"""A value that survives ``json.dumps`` and ``json.loads`` unchanged in meaning."""


@dataclass(frozen=True)
class StoreRecipe:
    """How another Python process opens the store under test: a URL or a factory callable.

    Make one with :meth:`from_url` (anything :func:`minimalkv.get_store_from_url` accepts, e.g.
    ``fs:///srv/data`` or ``sqlite:////tmp/x.db``) or :meth:`from_factory` (an importable
    ``"package.module:callable"`` called with keyword arguments that JSON can carry). The
    recipe crosses to the other process as JSON; every store it opens there must reach the same
    data as the test's own stores (the same directory, database file, server and database).
    The other process inherits the test's ``sys.path``, so a factory may live next to the tests.
    """

    url: str | None = None
    """The store's URL, for :func:`minimalkv.get_store_from_url`."""
    factory: str | None = None
    """``"package.module:callable"`` returning the store."""
    arguments: Mapping[str, JsonValue] = field(default_factory=dict)
    """Keyword arguments of :attr:`factory`."""

    def __post_init__(self) -> None:
        if (self.url is None) == (self.factory is None):
            raise ValueError("a StoreRecipe needs exactly one of url and factory")
        if self.factory is not None:
            module, _, name = self.factory.partition(":")
            if not module or not name:
                raise ValueError(f"factory must be 'package.module:callable', got {self.factory!r}")
        try:
            json.dumps(dict(self.arguments))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"the arguments of a StoreRecipe must be JSON values: {exc}") from exc

    @classmethod
    def from_url(cls, url: str) -> StoreRecipe:
        """Return the recipe that opens ``get_store_from_url(url)``."""
        return cls(url=url)

    @classmethod
    def from_factory(cls, factory: str, **arguments: JsonValue) -> StoreRecipe:
        """Return the recipe that opens ``callable(**arguments)`` of ``"module:callable"``."""
        return cls(factory=factory, arguments=arguments)

    def to_json(self) -> str:
        """Return the recipe as JSON text (see :meth:`from_json`)."""
        return json.dumps(
            {"url": self.url, "factory": self.factory, "arguments": dict(self.arguments)}
        )

    @classmethod
    def from_json(cls, text: str) -> StoreRecipe:
        """Return the recipe that :meth:`to_json` wrote."""
        data: dict[str, Any] = json.loads(text)
        return cls(url=data["url"], factory=data["factory"], arguments=data["arguments"])

    def prepare(self) -> None:
        """Import what :meth:`open` needs without opening anything.

        A process that forks store users calls this first, so that every fork starts with the
        store's modules loaded and no connection, file or thread of a store to share.
        """
        if self.url is not None:
            url2dict(self.url)
        else:
            self._callable()

    def open(self) -> BlobStore:
        """Open the store; the caller closes it."""
        if self.url is not None:
            return get_store_from_url(self.url)
        store: BlobStore = self._callable()(**self.arguments)
        return store

    def _callable(self) -> Any:
        assert self.factory is not None
        module, _, name = self.factory.partition(":")
        target: Any = importlib.import_module(module)
        for part in name.split("."):
            target = getattr(target, part)
        if not callable(target):
            raise TypeError(f"{self.factory!r} is not callable")
        return target

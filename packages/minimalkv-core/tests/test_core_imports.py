"""The import paths minimalkv 1.x documents, and the public API's completeness."""

from __future__ import annotations

import importlib
import inspect

import minimalkv
import pytest


def test_original_top_level_names() -> None:
    from minimalkv import (
        FOREVER,
        NOT_SET,
        VALID_KEY_RE,
        VALID_KEY_REGEXP,
        CopyMixin,
        KeyValueStore,
        TimeToLiveMixin,
        UrlKeyValueStore,
        UrlMixin,
        decorate_store,
        get_store,
        get_store_from_url,
        url2dict,
    )

    assert issubclass(CopyMixin, KeyValueStore)
    assert issubclass(UrlKeyValueStore, UrlMixin)
    assert issubclass(TimeToLiveMixin, KeyValueStore)
    assert all(callable(f) for f in (decorate_store, get_store, get_store_from_url, url2dict))
    assert (FOREVER, NOT_SET) == ("forever", "not_set")
    assert VALID_KEY_RE.pattern == VALID_KEY_REGEXP


@pytest.mark.parametrize(
    ("module", "name", "public_name"),
    [
        ("minimalkv._key_value_store", "KeyValueStore", "KeyValueStore"),
        ("minimalkv._key_value_store", "UrlKeyValueStore", "UrlKeyValueStore"),
        ("minimalkv._mixins", "CopyMixin", "CopyMixin"),
        ("minimalkv.mixin", "UrlMixin", "UrlMixin"),
        ("minimalkv.mixin", "TimeToLiveMixin", "TimeToLiveMixin"),
        ("minimalkv.mixin", "CopyMixin", "CopyMixin"),
        ("minimalkv._constants", "NOT_SET", "NOT_SET"),
        ("minimalkv._constants", "FOREVER", "FOREVER"),
        ("minimalkv._constants", "VALID_KEY_REGEXP", "VALID_KEY_REGEXP"),
        ("minimalkv._constants", "VALID_KEY_RE", "VALID_KEY_RE"),
        ("minimalkv.contrib", "ExtendedKeyspaceMixin", "ExtendedKeyspaceMixin"),
    ],
)
def test_original_module_paths(module: str, name: str, public_name: str) -> None:
    imported = importlib.import_module(module)
    assert getattr(imported, name) is getattr(minimalkv, public_name)


def test_missing_attribute_of_the_store_module_is_an_attribute_error() -> None:
    module = importlib.import_module("minimalkv._key_value_store")
    with pytest.raises(AttributeError):
        module.NoSuchThing  # noqa: B018 - the lookup is the test


def test_all_is_sorted_unique_and_complete() -> None:
    names = minimalkv.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(minimalkv, name), name
    public = {
        name
        for name, value in vars(minimalkv).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public <= set(names) | {"extend_path"}


@pytest.mark.parametrize("name", minimalkv.__all__)
def test_every_public_class_and_function_has_a_docstring(name: str) -> None:
    value = getattr(minimalkv, name)
    if inspect.isclass(value) or inspect.isfunction(value):
        assert inspect.getdoc(value), name
        assert value.__module__.startswith("minimalkv"), name


def test_public_methods_of_the_base_class_have_docstrings() -> None:
    for cls in (
        minimalkv.KeyValueStore,
        minimalkv.CopyMixin,
        minimalkv.UrlMixin,
        minimalkv.TimeToLiveMixin,
    ):
        for name, member in vars(cls).items():
            if callable(member) and not name.startswith("_"):
                assert inspect.getdoc(member), f"{cls.__name__}.{name}"


def test_version() -> None:
    assert isinstance(minimalkv.__version__, str)
    assert minimalkv.__version__


def test_namespace_is_extendable() -> None:
    # Other distributions add subpackages (minimalkv.memory here) to the same namespace.
    memory = importlib.import_module("minimalkv.memory")
    assert memory.DictStore.__module__.startswith("minimalkv.memory")
    assert len(minimalkv.__path__) >= 1

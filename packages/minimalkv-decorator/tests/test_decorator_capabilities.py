"""One answer to "what can this store do": protocols, attributes and capabilities agree."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import pytest
from minimalkv import (
    BlobStore,
    StoreCapabilities,
    SupportsCopy,
    SupportsTtl,
    SupportsUrl,
    TimeToLiveMixin,
    capabilities_of,
)
from minimalkv.contract import PlainStore
from minimalkv.decorator import (
    PrefixDecorator,
    ReadOnlyDecorator,
    StoreDecorator,
    URLEncodeKeysDecorator,
)
from minimalkv.fs import FilesystemStore, WebFilesystemStore
from minimalkv.memory import DictStore, HDictStore

PROTOCOLS = {"copy": SupportsCopy, "url": SupportsUrl, "ttl": SupportsTtl}
ATTRIBUTES = {
    "copy": ("copy", "move"),
    "url": ("url_for",),
    "ttl": ("ttl_support", "default_ttl_secs"),
}


class TtlStore(TimeToLiveMixin, DictStore):
    """A DictStore that takes ttl_secs (and forgets it: only the capability matters here)."""

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self.d[key] = data
        return key


def _stores(tmp_path: Path) -> dict[str, Callable[[], BlobStore]]:
    return {
        "dict": DictStore,
        "hdict": HDictStore,
        "plain": PlainStore,
        "ttl": TtlStore,
        "fs": lambda: FilesystemStore(tmp_path / "fs"),
        "web": lambda: WebFilesystemStore(tmp_path / "web", "https://files.example/"),
    }


def _stack(store: BlobStore) -> StoreDecorator[BlobStore]:
    return ReadOnlyDecorator(URLEncodeKeysDecorator(PrefixDecorator("p_", StoreDecorator(store))))


DECORATORS: dict[str, Callable[[BlobStore], StoreDecorator[BlobStore]]] = {
    "base": StoreDecorator,
    "prefix": lambda store: PrefixDecorator("p_", store),
    "urlencode": URLEncodeKeysDecorator,
    "readonly": ReadOnlyDecorator,
    "stack": _stack,
}


def _statically_has(store: object, name: str) -> bool:
    # What runtime protocol checks look at from Python 3.12 on (no __getattr__ involved).
    return inspect.getattr_static(store, name, None) is not None


def assert_one_answer(store: BlobStore) -> None:
    capabilities = capabilities_of(store)
    for capability, protocol in PROTOCOLS.items():
        offered = getattr(capabilities, capability)
        assert isinstance(store, protocol) is offered, (store, capability)
        for name in ATTRIBUTES[capability]:
            assert hasattr(store, name) is offered, (store, name)
            assert _statically_has(store, name) is offered, (store, name)


@pytest.mark.parametrize("decorate", list(DECORATORS.values()), ids=list(DECORATORS))
@pytest.mark.parametrize("kind", ["dict", "hdict", "plain", "ttl", "fs", "web"])
def test_protocols_and_capabilities_agree(
    kind: str, decorate: Callable[[BlobStore], StoreDecorator[BlobStore]], tmp_path: Path
) -> None:
    inner = _stores(tmp_path)[kind]()
    assert_one_answer(inner)
    store = decorate(inner)
    assert_one_answer(store)
    wrapped = capabilities_of(inner)
    expected = StoreCapabilities(
        copy=wrapped.copy,
        url=wrapped.url,
        ttl=wrapped.ttl,
        # URLEncodeKeysDecorator (also inside the stack) widens the key space.
        extended_keys=wrapped.extended_keys or decorate in (URLEncodeKeysDecorator, _stack),
    )
    assert capabilities_of(store) == expected


def test_the_capabilities_of_the_matrix_are_the_expected_ones(tmp_path: Path) -> None:
    found = {
        kind: capabilities_of(PrefixDecorator("p_", make()))
        for kind, make in _stores(tmp_path).items()
    }
    assert found == {
        "dict": StoreCapabilities(copy=True),
        "hdict": StoreCapabilities(copy=True, extended_keys=True),
        "plain": StoreCapabilities(),
        "ttl": StoreCapabilities(copy=True, ttl=True),
        "fs": StoreCapabilities(copy=True, url=True),
        "web": StoreCapabilities(copy=True, url=True),
    }


def test_a_prefixed_dict_store_is_not_a_ttl_or_url_store() -> None:
    store = PrefixDecorator("p_", DictStore())
    probe: object = store  # the run-time answer, whatever the static type says
    assert not isinstance(probe, SupportsTtl)
    assert not isinstance(probe, SupportsUrl)
    assert isinstance(store, SupportsCopy)
    assert not capabilities_of(store).ttl
    assert not capabilities_of(store).url


def test_a_decorator_removing_a_capability_does_not_forward_it() -> None:
    class WithoutTtl(StoreDecorator[BlobStore]):
        def _capabilities_over(self, wrapped: StoreCapabilities) -> StoreCapabilities:
            return StoreCapabilities(copy=wrapped.copy, extended_keys=wrapped.extended_keys)

    inner = TtlStore()
    store = WithoutTtl(inner)
    assert capabilities_of(store) == StoreCapabilities(copy=True)
    assert_one_answer(store)
    assert not hasattr(store, "ttl_support")  # the wrapped store has it: not forwarded


def test_capabilities_are_decided_when_the_decorator_is_built() -> None:
    class Switching(DictStore):
        capabilities = StoreCapabilities()

    inner = Switching()
    store = PrefixDecorator("p_", inner)
    inner.capabilities = StoreCapabilities(copy=True)
    assert capabilities_of(store) == StoreCapabilities()
    assert not isinstance(store, SupportsCopy)

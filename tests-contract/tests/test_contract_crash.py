"""The crash-safety contract fails stores that are not crash-safe and passes one that is."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import ClassVar

import pytest
from minimalkv import BlobStore
from minimalkv.contract import RELIABILITY_MARK, CrashSafetyContract, StoreRecipe

# Stores that keep their values in files of a directory, each with one crash-safety defect.
_BROKEN_STORES = '''
import os
from collections.abc import Iterator

from minimalkv import KeyNotFoundError, KeyValueStore


class InPlaceStore(KeyValueStore):
    """Writes each value straight into its key's file: a kill leaves it cut short."""

    def __init__(self, root: str) -> None:
        self.root = root
        os.makedirs(root, exist_ok=True)

    def _get(self, key: str) -> bytes:
        try:
            with open(os.path.join(self.root, key), "rb") as file:
                return file.read()
        except FileNotFoundError:
            raise KeyNotFoundError.for_key(key) from None

    def _put(self, key: str, data: bytes) -> str:
        with open(os.path.join(self.root, key), "wb") as file:
            for start in range(0, len(data), 65536):
                file.write(data[start : start + 65536])
                file.flush()
        return key

    def _delete(self, key: str) -> None:
        try:
            os.unlink(os.path.join(self.root, key))
        except FileNotFoundError:
            pass

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return iter(sorted(n for n in os.listdir(self.root) if n.startswith(prefix)))


class NoisyAtomicStore(InPlaceStore):
    """Crash-safe (a temporary file in a directory that is no key, renamed over the key),
    and it prints as it works."""

    def __init__(self, root: str) -> None:
        super().__init__(root)
        os.makedirs(os.path.join(root, "temporaries"), exist_ok=True)
        print("opened", root)

    def _put(self, key: str, data: bytes) -> str:
        print("writing", key)
        temporary = os.path.join(self.root, "temporaries", f"{os.getpid()}-{key}")
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, os.path.join(self.root, key))
        return key

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        names = os.listdir(self.root)
        return iter(sorted(n for n in names if n.startswith(prefix) and n != "temporaries"))


class ListedTemporaryStore(InPlaceStore):
    """Writes to KEY.tmp, a valid key, and renames it: a kill leaves a temporary listed."""

    def _put(self, key: str, data: bytes) -> str:
        temporary = super()._put(key + ".tmp", data)
        os.replace(os.path.join(self.root, temporary), os.path.join(self.root, key))
        return key
'''


@pytest.fixture
def broken_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module of broken stores, importable here and in the processes the test starts."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "crash_broken_stores.py").write_text(textwrap.dedent(_BROKEN_STORES))
    monkeypatch.syspath_prepend(str(modules))
    return tmp_path


class _Short(CrashSafetyContract):
    crash_kills: ClassVar[int] = 40
    crash_min_in_flight: ClassVar[float] = 0.0


@RELIABILITY_MARK
@pytest.mark.parametrize(
    ("store", "complaint"),
    [("InPlaceStore", "not whole"), ("ListedTemporaryStore", "which no writer wrote")],
)
def test_crash_contract_fails_a_store_that_is_not_crash_safe(
    broken_stores: Path, store: str, complaint: str, request: pytest.FixtureRequest
) -> None:
    recipe = StoreRecipe.from_factory(
        f"crash_broken_stores:{store}", root=str(broken_stores / "store")
    )
    scratch = broken_stores / "scratch"
    scratch.mkdir()
    with pytest.raises(AssertionError, match=complaint) as failure:
        _Short().test_killed_writers_leave_whole_values(recipe, scratch, request)
    message = str(failure.value)
    assert "seed " in message
    assert "kill " in message
    assert " ms after the writer's start" in message


@RELIABILITY_MARK
def test_crash_contract_passes_a_crash_safe_store_that_prints(
    broken_stores: Path, request: pytest.FixtureRequest
) -> None:
    class Suite(_Short):
        crash_kills = 20

        def leftovers(self, store: BlobStore) -> list[str]:
            return sorted(os.listdir(broken_stores / "store" / "temporaries"))

        def clean_leftovers(self, store: BlobStore) -> None:
            for name in self.leftovers(store):
                os.unlink(broken_stores / "store" / "temporaries" / name)

    recipe = StoreRecipe.from_factory(
        "crash_broken_stores:NoisyAtomicStore", root=str(broken_stores / "store")
    )
    scratch = broken_stores / "scratch"
    scratch.mkdir()
    Suite().test_killed_writers_leave_whole_values(recipe, scratch, request)
    properties = dict(request.node.user_properties)
    assert properties["crash_kills"] == 20


def test_store_recipe_round_trips_and_refuses_what_another_process_cannot_follow() -> None:
    by_url = StoreRecipe.from_url("memory://")
    by_factory = StoreRecipe.from_factory("minimalkv:get_store", type="memory")
    for recipe in (by_url, by_factory):
        assert StoreRecipe.from_json(recipe.to_json()) == recipe
        with recipe.open() as store:
            assert store.keys() == []
    with pytest.raises(ValueError, match="exactly one"):
        StoreRecipe()
    with pytest.raises(ValueError, match="exactly one"):
        StoreRecipe(url="memory://", factory="minimalkv:get_store")
    with pytest.raises(ValueError, match="module:callable"):
        StoreRecipe.from_factory("minimalkv.get_store")
    with pytest.raises(TypeError, match="JSON"):
        StoreRecipe(factory="minimalkv:get_store", arguments={"path": Path("/x")})  # type: ignore[dict-item]


def test_crash_contract_says_why_a_writer_cannot_open_the_store(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    recipe = StoreRecipe.from_factory("minimalkv:get_store", type="no-such-store-type")
    with pytest.raises(AssertionError, match=r"(?s)the writer did not start.*no-such-store-type"):
        _Short().test_killed_writers_leave_whole_values(recipe, tmp_path, request)

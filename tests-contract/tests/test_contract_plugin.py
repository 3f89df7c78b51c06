"""The plugin itself: it catches a broken store, deselects (never skips), picks profiles.

Each case runs pytest in process (pytester) on a small test module; a fixture restores the
Hypothesis profile of this session afterwards.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest
from hypothesis import settings

pytest_plugins = ["pytester"]

# A minimal correct store, then variants; the inner modules import it from this text.
STORES = textwrap.dedent(
    """
    from collections.abc import Iterator
    from typing import IO

    import pytest
    from minimalkv import CopyMixin, KeyNotFoundError, KeyValueStore, StoreCapabilities
    from minimalkv.backend import BytesReader
    from minimalkv.contract import ContractSuite


    class TinyStore(KeyValueStore):
        def __init__(self) -> None:
            self.d: dict[str, bytes] = {}

        def iter_keys(self, prefix: str = "") -> Iterator[str]:
            return iter([k for k in list(self.d) if k.startswith(prefix)])

        def _open(self, key: str) -> IO[bytes]:
            try:
                return BytesReader(self.d[key])
            except KeyError:
                raise KeyNotFoundError.for_key(key) from None

        def _put(self, key: str, data: bytes) -> str:
            self.d[key] = data
            return key

        def _delete(self, key: str) -> None:
            self.d.pop(key, None)


    class NoDeleteStore(TinyStore):
        def _delete(self, key: str) -> None:
            pass


    class CopyingTinyStore(CopyMixin, TinyStore):
        pass
    """
)


@pytest.fixture(autouse=True)
def _restore_hypothesis_profile() -> Iterator[None]:
    profile = settings.get_current_profile_name()
    yield
    settings.load_profile(profile)


FAST_K = "not memory_bound and not large and not concurrent and not weird"
FAST = ["-p", "no:cacheprovider", "-k", FAST_K]


def _module(body: str) -> str:
    return STORES + textwrap.dedent(body)


def test_contract_catches_a_store_whose_delete_does_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_broken=_module(
            """
            class TestBroken(ContractSuite):
                @pytest.fixture
                def store_factory(self):
                    return NoDeleteStore
            """
        )
    )
    result = pytester.runpytest(*FAST)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 3
    assert outcomes.get("passed", 0) > 30
    result.stdout.fnmatch_lines(["*FAILED*TestBroken::test_delete_removes_key*"])
    result.stdout.fnmatch_lines(["*FAILED*TestBroken::test_state_machine_agrees_with_dict_model*"])


def test_correct_store_passes_with_nothing_skipped(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_tiny=_module(
            """
            class TestTiny(ContractSuite):
                @pytest.fixture
                def store_factory(self):
                    return TinyStore
            """
        )
    )
    result = pytester.runpytest(*FAST, "-rs")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()[-3000:]
    assert outcomes.get("skipped", 0) == 0
    assert outcomes["passed"] > 30
    # copy, url and ttl tests exist but are deselected for a store that declares none
    assert outcomes["deselected"] > 0
    collected = pytester.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    text = collected.stdout.str()
    assert "test_copy_" not in text
    assert "test_url_" not in text
    assert "test_put_with_ttl_expires" not in text
    assert "test_state_machine_agrees_with_dict_model" in text


def test_declared_capabilities_generate_their_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_copying=_module(
            """
            class TestCopying(ContractSuite):
                capabilities = StoreCapabilities(copy=True)

                @pytest.fixture
                def store_factory(self):
                    return CopyingTinyStore
            """
        )
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-v", "-k", f"({FAST_K}) and (copy or move or capabilities)"
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines(["*test_copy_returns_dest_and_keeps_source PASSED*"])
    assert "test_put_with_ttl_expires" not in result.stdout.str()


def test_undeclared_capability_fails_loudly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_undeclared=_module(
            """
            class TestUndeclared(ContractSuite):
                @pytest.fixture
                def store_factory(self):
                    return CopyingTinyStore
            """
        )
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "capabilities")
    result.assert_outcomes(failed=1, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(["*capabilities = StoreCapabilities(copy=True)*"])


def test_missing_store_factory_is_an_error_not_a_skip(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_nofactory=_module(
            """
            class TestNoFactory(ContractSuite):
                pass
            """
        )
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "test_contains")
    result.assert_outcomes(errors=1, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(["*must define the fixture store_factory*"])


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({}, [], "dev"),
        ({"CI": "true"}, [], "ci"),
        ({"CI": "true"}, ["--hypothesis-profile", "dev"], "dev"),
        ({}, ["--hypothesis-profile", "ci"], "ci"),
    ],
)
def test_hypothesis_profile_selection(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: list[str],
    expected: str,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(
        test_profile="""
        from hypothesis import settings

        def test_profile():
            assert settings.get_current_profile_name() == EXPECTED
        """.replace("EXPECTED", repr(expected))
    )
    settings.load_profile("default")  # as in a fresh process, before the plugin chooses
    result = pytester.runpytest("-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"minimalkv-contract: hypothesis profile '{expected}'"])


OWN_KEY_SPACE = """
from minimalkv import InvalidKeyError, is_valid_key


class NoTildeStore(TinyStore):
    # A key space of its own: the basic keys without '~'.
    def _check_valid_key(self, key):
        super()._check_valid_key(key)
        if "~" in key:
            raise InvalidKeyError(f"invalid key {key!r}: '~' is not allowed here", key=key)


class TestNoTilde(ContractSuite):
    @pytest.fixture
    def store_factory(self):
        return NoTildeStore
"""


def test_store_with_its_own_key_space_is_judged_by_key_is_valid(
    pytester: pytest.Pytester,
) -> None:
    judged = """

    class TestNoTildeJudged(TestNoTilde):
        def key_is_valid(self, store, key):
            return is_valid_key(key) and "~" not in key
    """
    pytester.makepyfile(test_own=_module(OWN_KEY_SPACE + textwrap.dedent(judged)))
    keys = "weird or invalid_key or 250 or state_machine"
    judged_run = pytester.runpytest("-p", "no:cacheprovider", "-k", f"Judged and ({keys})")
    outcomes = judged_run.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, judged_run.stdout.str()[-3000:]
    assert outcomes["passed"] > 50
    # Judged by the basic key space instead, the '~' keys of the table are expected to work.
    plain_run = pytester.runpytest(
        "-p", "no:cacheprovider", "-k", "not Judged and test_weird_key and 7e"
    )
    plain_run.stdout.fnmatch_lines(["*FAILED*TestNoTilde::test_weird_key*"])

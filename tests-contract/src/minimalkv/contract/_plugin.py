"""pytest plugin entry point of the contract suite (``pytest11: minimalkv_contract``).

- registers the Hypothesis profiles ``dev`` and ``ci`` and, when neither the command line
  (``--hypothesis-profile``) nor a conftest chose a profile, loads ``ci`` under ``CI=true`` and
  ``dev`` otherwise;
- registers the ``reliability`` marker (``pytest -m reliability`` selects the reliability
  suite) and the capability marker and, at collection, deselects (never skips) the capability
  tests a suite class does not declare, and the memory-bound tests where peak RSS cannot be
  measured (no Linux ``/proc``).
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from ._base import ContractBase
from ._key_table import KeyCase
from ._marks import CAPABILITY_MARK, RELIABILITY
from ._profiles import pick_profile, register_profiles
from ._rss import can_measure_peak_rss

register_profiles()  # at import: before Hypothesis's own plugin reads --hypothesis-profile


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and pick the default Hypothesis profile."""
    config.addinivalue_line(
        "markers",
        f"{CAPABILITY_MARK}(name): a minimalkv contract test generated only for suite classes "
        "that declare the capability (copy, url, ttl)",
    )
    config.addinivalue_line(
        "markers",
        f"{RELIABILITY}: a test of the minimalkv reliability suite (crash safety, server "
        f"faults, hostile input, secrets, load); select with -m {RELIABILITY}",
    )
    chosen = config.getoption("hypothesis_profile", default=None)
    profile = pick_profile(chosen, settings.get_current_profile_name())
    if profile is not None:
        settings.load_profile(profile)


def pytest_report_header(config: pytest.Config) -> str:
    """Show which Hypothesis profile the contract suite runs under."""
    return f"minimalkv-contract: hypothesis profile {settings.get_current_profile_name()!r}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect contract tests that do not apply to their suite class."""
    measurable = can_measure_peak_rss()
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        cls = getattr(item, "cls", None)
        if (
            isinstance(cls, type)
            and issubclass(cls, ContractBase)
            and not _applies(item, cls, measurable)
        ):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _applies(item: pytest.Item, cls: type[ContractBase], measurable: bool) -> bool:
    for mark in item.iter_markers(CAPABILITY_MARK):
        if not getattr(cls.capabilities, str(mark.args[0]), False):
            return False
    callspec = getattr(item, "callspec", None)
    case = callspec.params.get("case") if callspec is not None else None
    if isinstance(case, KeyCase) and any(c in case.key for c in cls.unstorable_characters):
        return False  # the server under test cannot hold this key (see unstorable_characters)
    return measurable or "memory_bound" not in item.name

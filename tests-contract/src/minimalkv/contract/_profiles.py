"""The Hypothesis profiles of the contract suite: ``dev`` (fast) and ``ci`` (thorough)."""

from __future__ import annotations

import os
from typing import Final

from hypothesis import HealthCheck, settings

__all__ = ["CI_PROFILE", "DEV_PROFILE", "ci_requested", "default_profile", "register_profiles"]

DEV_PROFILE: Final = "dev"
CI_PROFILE: Final = "ci"


def register_profiles() -> None:
    """Register ``dev`` and ``ci`` unless a project registered profiles of those names first."""
    known = _registered()
    common = {
        "deadline": None,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    }
    if DEV_PROFILE not in known:
        settings.register_profile(
            DEV_PROFILE, max_examples=20, stateful_step_count=25, **common
        )
    if CI_PROFILE not in known:
        settings.register_profile(
            CI_PROFILE,
            max_examples=100,
            stateful_step_count=40,
            database=None,
            print_blob=True,
            **common,
        )


def _registered() -> set[str]:
    names: set[str] = set()
    for name in (DEV_PROFILE, CI_PROFILE):
        try:
            settings.get_profile(name)
        except Exception:  # Hypothesis raises InvalidArgument for an unknown name
            continue
        names.add(name)
    return names


def ci_requested() -> bool:
    """Return whether the environment says this is a CI run (``CI=true``, ``1`` or ``yes``)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def default_profile() -> str:
    """Return the profile to load when the command line chose none: ``ci`` under CI."""
    return CI_PROFILE if ci_requested() else DEV_PROFILE

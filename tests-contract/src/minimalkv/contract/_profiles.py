"""The Hypothesis profiles of the contract suite: ``dev`` (fast) and ``ci`` (thorough)."""

from __future__ import annotations

import os
from typing import Final

from hypothesis import HealthCheck, settings

__all__ = [
    "CI_PROFILE",
    "DEV_PROFILE",
    "ci_requested",
    "default_profile",
    "pick_profile",
    "register_profiles",
]

DEV_PROFILE: Final = "dev"
CI_PROFILE: Final = "ci"


def register_profiles() -> None:
    """Register ``dev`` and ``ci``.

    ``ci`` builds on the profile of that name Hypothesis already has (derandomized, no example
    database, blobs printed for reproduction), so a project that registers its own ``ci`` in a
    conftest (loaded after this plugin) still wins.
    """
    relaxed = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile(
        DEV_PROFILE,
        max_examples=20,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=relaxed,
    )
    settings.register_profile(
        CI_PROFILE,
        _existing(CI_PROFILE),
        max_examples=100,
        stateful_step_count=40,
        database=None,
        print_blob=True,
        deadline=None,
        suppress_health_check=relaxed,
    )


def _existing(name: str) -> settings | None:
    try:
        return settings.get_profile(name)
    except Exception:  # Hypothesis raises InvalidArgument for an unknown name
        return None


def ci_requested() -> bool:
    """Return whether the environment says this is a CI run (``CI=true``, ``1`` or ``yes``)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pick_profile(chosen_on_command_line: str | None, current: str) -> str | None:
    """Return the profile to load, or None to keep the current one.

    The command line wins; otherwise a profile a conftest loaded wins; otherwise ``ci`` under
    CI (also when Hypothesis loaded its own ``ci`` because a CI variable is set) and ``dev``
    elsewhere.
    """
    if chosen_on_command_line:
        return None
    if current == CI_PROFILE:
        return CI_PROFILE  # reload: this module re-registered it
    if current == "default":
        return default_profile()
    return None


def default_profile() -> str:
    """Return the profile to load when the command line chose none: ``ci`` under CI."""
    return CI_PROFILE if ci_requested() else DEV_PROFILE

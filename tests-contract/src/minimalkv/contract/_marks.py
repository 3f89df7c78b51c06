"""The marker that ties a contract test to an optional store capability."""

from __future__ import annotations

from typing import Final, Literal

import pytest

__all__ = [
    "CAPABILITY_MARK",
    "RELIABILITY",
    "RELIABILITY_MARK",
    "Capability",
    "requires_capability",
]

CAPABILITY_MARK: Final = "minimalkv_capability"
"""Name of the marker; the plugin deselects marked tests the suite class does not declare."""

Capability = Literal["copy", "url", "ttl"]
"""The capabilities that select tests at collection time."""


def requires_capability(name: Capability) -> pytest.MarkDecorator:
    """Mark a test as generated only for suites that declare capability ``name``."""
    return getattr(pytest.mark, CAPABILITY_MARK)(name)  # type: ignore[no-any-return]


RELIABILITY: Final = "reliability"
"""Name of the marker of the reliability suite: ``pytest -m reliability`` selects it."""

RELIABILITY_MARK: Final[pytest.MarkDecorator] = getattr(pytest.mark, RELIABILITY)
"""The marker itself, for tests of the reliability suite written outside this package."""

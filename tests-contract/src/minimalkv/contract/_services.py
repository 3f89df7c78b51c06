"""Real services in a backend's tests: one per session, and never a silent skip under CI."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import NoReturn, TypeVar, cast

import pytest

from ._profiles import ci_requested

__all__ = ["service_unavailable", "session_service"]

Service = TypeVar("Service")

_SERVICES = pytest.StashKey[dict[str, object]]()


def service_unavailable(service: str, reason: str) -> NoReturn:
    """Skip the calling test: ``service`` cannot be had, for ``reason``; under CI, fail it.

    A backend's tests call this when the server they need is missing or does not answer.
    Outside CI that is a skip with the reason; under CI (``CI=true``, ``1`` or ``yes``) it is a
    failure, so that a run in which a backend went untested never counts as a pass.
    """
    if ci_requested():
        pytest.fail(f"{service} is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"{service} is not available: {reason}")


def session_service(
    config: pytest.Config, name: str, start: Callable[[contextlib.ExitStack], Service]
) -> Service:
    """Return the session's service ``name``, started by ``start(stack)`` on the first call.

    ``start`` starts the service (or connects to a given one) and pushes onto ``stack`` what
    stops and cleans it; the stack closes at the end of the session, and a later session (a
    test run by ``pytester``, say) starts its own. When ``start`` raises, as
    :func:`service_unavailable` does, the next call tries again. Call it from a session-scoped
    fixture; ``name`` must be unique among the services of the run.
    """
    services = config.stash.setdefault(_SERVICES, {})
    if name not in services:
        stack = contextlib.ExitStack()
        try:
            services[name] = start(stack)
        except BaseException:
            stack.close()
            raise
        config.add_cleanup(stack.close)  # at the end of the session
        stack.callback(services.pop, name)
    return cast(Service, services[name])

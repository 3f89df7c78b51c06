"""service_unavailable and session_service, run in inner pytest sessions (pytester)."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

MODULE = textwrap.dedent(
    """
    import contextlib
    import os
    from pathlib import Path

    import pytest
    from minimalkv.contract import service_unavailable, session_service

    EVENTS = []


    def start(stack: contextlib.ExitStack) -> dict[str, int]:
        EVENTS.append("start")
        stack.callback(Path(os.environ["STOPPED_FILE"]).write_text, "stopped")
        return {"port": 1234}


    def broken(stack: contextlib.ExitStack) -> None:
        EVENTS.append("broken")
        stack.callback(EVENTS.append, "cleaned")
        service_unavailable("A test server", "nothing listens")


    @pytest.fixture(scope="session")
    def server(pytestconfig: pytest.Config) -> dict[str, int]:
        return session_service(pytestconfig, "server", start)


    @pytest.fixture(scope="session")
    def missing(pytestconfig: pytest.Config) -> None:
        return session_service(pytestconfig, "missing", broken)


    def test_one(server: dict[str, int], pytestconfig: pytest.Config) -> None:
        assert session_service(pytestconfig, "server", start) is server
        assert EVENTS == ["start"]


    def test_two(server: dict[str, int]) -> None:
        assert server == {"port": 1234}
        assert EVENTS == ["start"]  # started once per session


    def test_missing_a(missing: None) -> None:
        pass


    def test_missing_b(missing: None) -> None:
        pass


    def test_events_so_far() -> None:
        # The failed start ran its cleanup at once (pytest keeps the fixture's skip).
        assert EVENTS == ["start", "broken", "cleaned"]


    def test_a_failed_start_is_tried_again(pytestconfig: pytest.Config) -> None:
        for _ in range(2):
            with pytest.raises(pytest.skip.Exception):
                session_service(pytestconfig, "again", broken)
        assert EVENTS[3:] == ["broken", "cleaned", "broken", "cleaned"]
    """
)


def test_a_session_service_starts_once_and_a_missing_one_skips(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    stopped = pytester.path / "stopped"
    monkeypatch.setenv("STOPPED_FILE", str(stopped))
    pytester.makepyfile(test_inner=MODULE)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-rs")
    result.assert_outcomes(passed=4, skipped=2)
    assert stopped.read_text() == "stopped"  # at the end of the inner session
    result.stdout.fnmatch_lines(["*A test server is not available: nothing listens*"])


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE"])
def test_under_ci_a_missing_service_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    pytester.makepyfile(test_inner=MODULE)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-k", "missing")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*A test server is required under CI=true: nothing listens*"])

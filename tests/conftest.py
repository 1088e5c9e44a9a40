"""Shared fixtures: one small demo workspace per test session, and no real model or network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# The live PostgreSQL and MariaDB of the source tests, started once per session for every module.
from sources_support import live, source_home  # noqa: F401

from servicelens.agent.settings import ENV_VARS

DEMO_SEED = 7


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A developer's own endpoint or workspace must never leak into a test.
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    yield


@pytest.fixture(autouse=True)
def _no_real_model_requests() -> Iterator[None]:
    # Any request to a non-loopback model endpoint fails before a byte leaves the process; the
    # fake OpenAI-compatible endpoint on 127.0.0.1 stays usable.
    from servicelens.agent.providers.base import override_allow_model_requests

    with override_allow_model_requests(False):
        yield


@pytest.fixture(autouse=True)
def _fresh_endpoint_profiles() -> Iterator[None]:
    # Fake endpoints reuse loopback ports, so a profile probed in one test must not reach another.
    from servicelens.agent.providers.probe import forget_profiles

    forget_profiles()
    yield


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small seeded demo workspace, built once per session; treat it as read-only."""
    from servicelens.data.demo.build import build_demo

    home = tmp_path_factory.mktemp("demo") / "ws"
    build_demo(home, scale="small", seed=DEMO_SEED)
    return home

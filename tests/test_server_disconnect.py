"""A client that goes away stops its run: the turn ends "cancelled" with a reason instead of
computing on, unseen, and reading "running" forever. A real uvicorn server on loopback; the
scripted model is slow and never finishes on its own, so only the cancellation can stop it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from server_support import serving

from servicelens.agent.analyst import Analyst
from servicelens.agent.providers.base import ModelTurn
from servicelens.agent.providers.scripted import ScriptedProvider as S
from servicelens.agent.server import Limits, create_app

STEP_S = 0.4


class Endless:
    """A model that keeps asking for tools, slowly; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, messages: list[dict[str, Any]]) -> ModelTurn:
        self.calls += 1
        time.sleep(STEP_S)
        return S.tool("describe_data", focus="coverage")


@pytest.fixture(scope="module")
def model() -> Endless:
    return Endless()


@pytest.fixture(scope="module")
def url(demo_home: Path, model: Endless) -> Iterator[str]:
    provider = S([model] * 1_000)

    def factory() -> Analyst:
        return Analyst.open(
            demo_home, provider=provider, checkpointer=InMemorySaver(), max_tool_calls=1_000,
            recursion_limit=2_000,
        )  # fmt: skip

    with serving(create_app(factory, tokens=[], limits=Limits(rate_per_minute=0))) as live:
        yield live.url


def _turn_when_ended(url: str, thread_id: str, within_s: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    while True:
        reply = httpx.get(f"{url}/v1/threads/{thread_id}", timeout=10)
        turn: dict[str, Any] = reply.json()["turns"][-1] if reply.status_code == 200 else {}
        if turn.get("status", "running") != "running" or time.monotonic() > deadline:
            return turn
        time.sleep(0.2)


def _stays_still(model: Endless) -> bool:
    before = model.calls
    time.sleep(STEP_S * 4)
    return model.calls == before


def test_a_plain_request_dropped_by_its_client_cancels_the_run(url: str, model: Endless) -> None:
    thread_id = "dropped-plain"
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{url}/v1/ask",
            json={"question": "Describe the data, endlessly", "thread_id": thread_id},
            timeout=STEP_S * 3,
        )
    turn = _turn_when_ended(url, thread_id)
    assert turn["status"] == "cancelled"
    assert "went away" in turn["reason"]
    assert _stays_still(model)


def test_a_stream_dropped_by_its_client_cancels_the_run(url: str, model: Endless) -> None:
    thread_id = "dropped-stream"
    body = {"question": "Describe the data, endlessly", "thread_id": thread_id}
    with (
        httpx.Client(timeout=30) as client,
        client.stream("POST", f"{url}/v1/ask/stream", json=body) as events,
    ):
        seen = 0
        for line in events.iter_lines():
            if line.startswith("data:") and "tool" in json.loads(line[5:]).get("type", ""):
                seen += 1
            if seen >= 2:
                break  # leaving the block closes the connection mid-answer
    turn = _turn_when_ended(url, thread_id)
    assert turn["status"] == "cancelled"
    assert turn["reason"]
    assert _stays_still(model)

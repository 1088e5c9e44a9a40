"""A client that goes away stops its run: the turn ends "cancelled" with a reason instead of
computing on, unseen, and reading "running" forever; and its thread stays busy until the run
has really stopped, so a new question cannot run beside it. A real uvicorn server on loopback;
the scripted model is slow and never finishes on its own, so only the cancellation can stop it.
"""

from __future__ import annotations

import json
import socket
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
    """A model that keeps asking for tools, slowly, when the question says "endlessly" (and
    more slowly when it says "very slowly"), and answers anything else at once; counts its
    endless calls and logs every call's question, start and end."""

    def __init__(self) -> None:
        self.calls = 0
        self.log: list[tuple[str, float, float]] = []

    def __call__(self, messages: list[dict[str, Any]]) -> ModelTurn:
        question = str([m for m in messages if m["role"] == "user"][-1]["content"])
        started = time.monotonic()
        try:
            if "endlessly" not in question:
                return S.text("The thread is free again.")
            self.calls += 1
            time.sleep(STEP_S * 4 if "very slowly" in question else STEP_S)
            return S.tool("describe_data", focus="coverage")
        finally:
            self.log.append((question, started, time.monotonic()))


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


def _drop_mid_answer(
    url: str, path: str, body: dict[str, Any], headers: dict[str, str], model: Endless
) -> None:
    """Send the request and close the connection once the model is in the middle of a call."""
    before = model.calls

    def wait_for_the_model() -> None:
        deadline = time.monotonic() + 20
        while model.calls == before:
            assert time.monotonic() < deadline, "the run did not start"
            time.sleep(0.01)

    if path == "/v1/ask":  # no response before the answer: a raw socket, closed by hand
        payload = json.dumps(body).encode()
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
                .encode() + payload
            )  # fmt: skip
            wait_for_the_model()
        return
    with (
        httpx.Client(timeout=30) as client,
        client.stream("POST", f"{url}{path}", json=body, headers=headers) as events,
    ):
        assert events.status_code == 200
        wait_for_the_model()
    # Leaving the block closed the connection mid-answer, in the model's call.


@pytest.mark.parametrize("path", ["/v1/ask/stream", "/v1/chat/completions", "/v1/ask"])
def test_a_dropped_client_keeps_its_thread_busy_until_the_run_has_stopped(
    url: str, model: Endless, path: str
) -> None:
    route = path.rsplit("/", 1)[-1]
    thread_id = "dropped-then-asked-" + route
    first = f"Describe the data endlessly, very slowly ({route})"
    if "chat" in path:
        body: dict[str, Any] = {"messages": [{"role": "user", "content": first}], "stream": True}
        headers = {"X-ServiceLens-Thread": thread_id}
    else:
        body, headers = {"question": first, "thread_id": thread_id}, {}
    _drop_mid_answer(url, path, body, headers, model)
    # At once, the same thread: refused while the dropped run stops, then answered.
    second = {"question": f"Is the thread free ({route})?", "thread_id": thread_id}
    refusals: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    while (reply := httpx.post(f"{url}/v1/ask", json=second, timeout=30)).status_code == 409:
        refusals.append(reply.json())
        assert time.monotonic() < deadline, "the thread stayed busy after its run stopped"
        time.sleep(0.02)
    assert reply.status_code == 200, reply.text
    assert refusals, "the second question was taken while the dropped run was still going"
    assert all(r["error"]["type"] == "thread_busy" for r in refusals)
    # The first may come before the server has seen the disconnect ("still answering").
    assert any("stopping" in r["error"]["message"] for r in refusals)
    # Not one step of the second run began before the dropped run's last step had ended.
    first_calls = [end for question, _, end in model.log if question == first]
    second_calls = [start for question, start, _ in model.log if question == second["question"]]
    assert first_calls and second_calls
    assert max(first_calls) <= min(second_calls)
    # The history has the two turns, in order, each finished: nothing interleaved.
    turns = httpx.get(f"{url}/v1/threads/{thread_id}", timeout=10).json()["turns"]
    assert [(t["question"], t["status"]) for t in turns] == [
        (first, "cancelled"),
        (second["question"], turns[1]["status"]),
    ]
    assert turns[1]["status"] not in ("running", "cancelled", "failed")
    assert "free again" in turns[1]["answer"]

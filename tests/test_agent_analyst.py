"""The library API: threads and checkpoints, streaming events, async twins, several analysts."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from agent_support import make_analyst
from langgraph.checkpoint.sqlite import SqliteSaver

from servicelens.agent.analyst import Analyst
from servicelens.agent.events import (
    AnswerEvent,
    ErrorEvent,
    StatusEvent,
    TextDeltaEvent,
    ToolCallEvent,
    ToolResultEvent,
    parse_event,
)
from servicelens.agent.provider_choice import ProviderNotConfigured
from servicelens.agent.providers.base import ModelError
from servicelens.agent.providers.scripted import ScriptedProvider as S
from servicelens.data.errors import WorkspaceError

GOOD = "There were 1,234 tickets in East [Q1]."


def _saver(path: Path) -> tuple[SqliteSaver, sqlite3.Connection]:
    conn = sqlite3.connect(str(path), check_same_thread=False)
    return SqliteSaver(conn), conn


def test_follow_up_in_same_thread_sees_earlier_turn_across_restarts(tmp_path: Path) -> None:
    saver, conn = _saver(tmp_path / "checkpoints.sqlite")
    first = make_analyst(tmp_path, S([S.tool("count_tickets"), "ok", GOOD]), saver)
    a1 = first.ask("How many tickets last quarter?")
    conn.close()

    # A new analyst (a new process, as far as the graph knows) over the same checkpoint file.
    follow_up = S(
        [S.tool("count_tickets", region="West"), "ok", "West had 567 [Q2]; East 1,234 [Q1]."]
    )
    saver2, conn2 = _saver(tmp_path / "checkpoints.sqlite")
    second = make_analyst(tmp_path, follow_up, saver2)
    a2 = second.ask("and only for West?", thread_id=a1.thread_id)
    conn2.close()

    sent = follow_up.calls[0].messages
    assert {"role": "user", "content": "How many tickets last quarter?"} in sent
    assert {"role": "assistant", "content": GOOD} in sent
    # The ledger survived the checkpoint: Q1 from the first turn is still citable.
    assert a2.verified and [c.id for c in a2.citations] == ["Q2", "Q1"]
    # No new date phrase: the thread's period carries over.
    assert a2.period and a2.period.label == "2026-Q3"


def test_threads_are_separate(tmp_path: Path) -> None:
    provider = S([S.tool("count_tickets"), "ok", GOOD, "ok", "Nothing to add."])
    analyst = make_analyst(tmp_path, provider)
    a1 = analyst.ask("How many tickets?")
    a2 = analyst.ask("Hello?")
    assert a1.thread_id != a2.thread_id
    assert all(m.get("content") != GOOD for m in provider.calls[3].messages)


def test_stream_event_order(tmp_path: Path) -> None:
    analyst = make_analyst(tmp_path, S([S.tool("count_tickets"), "ok", GOOD]))
    events = list(analyst.stream("How many tickets last quarter?"))
    kinds = [e.type if not isinstance(e, StatusEvent) else e.stage for e in events]
    deltas = [e for e in events if isinstance(e, TextDeltaEvent)]
    squeezed = [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]]
    assert squeezed == [
        "started", "period", "thinking", "tool_call", "tool_result", "thinking",
        "writing", "text_delta", "verifying", "answer",
    ]  # fmt: skip
    assert "".join(d.text for d in deltas) == GOOD
    call = next(e for e in events if isinstance(e, ToolCallEvent))
    result = next(e for e in events if isinstance(e, ToolResultEvent))
    assert call.name == result.name == "count_tickets" and result.evidence_ids == ["Q1"]
    assert isinstance(events[-1], AnswerEvent) and events[-1].answer.text == GOOD
    # Events survive a JSON round trip (Server-Sent Events, logs).
    assert parse_event(events[-1].model_dump_json()) == events[-1]


def test_stream_ends_with_error_event_when_the_model_fails(tmp_path: Path) -> None:
    def fail(messages: object) -> None:
        raise ModelError("The model endpoint timed out after 1s; try again or raise the timeout.")

    events = list(make_analyst(tmp_path, S([fail])).stream("How many tickets?"))
    assert isinstance(events[-1], ErrorEvent) and "timed out" in events[-1].message
    assert not any(isinstance(e, AnswerEvent) for e in events)


def test_async_twins(tmp_path: Path) -> None:
    async def run() -> tuple[str, list[str]]:
        analyst = make_analyst(tmp_path, S([S.tool("count_tickets"), "ok", GOOD] * 2))
        answer = await analyst.aask("How many tickets?")
        kinds = [e.type async for e in analyst.astream("How many tickets?")]
        return answer.text, kinds

    text, kinds = asyncio.run(run())
    assert text == GOOD and kinds[0] == "status" and kinds[-1] == "answer"


def test_async_stream_does_not_block_the_loop(tmp_path: Path) -> None:
    def slow(messages: object) -> object:
        import time

        time.sleep(0.3)
        return S.text("ok")

    async def run() -> int:
        analyst = make_analyst(tmp_path, S([slow, "Nothing."]))
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        task = asyncio.create_task(ticker())
        await analyst.aask("Hello?")
        task.cancel()
        return ticks

    assert asyncio.run(run()) >= 5


def test_two_analysts_in_one_process(tmp_path: Path) -> None:
    p1 = S([S.tool("count_tickets"), "ok", GOOD])
    p2 = S([S.tool("count_tickets", region="West"), "ok", "West had 567 tickets [Q1]."])
    a1, a2 = make_analyst(tmp_path / "a", p1), make_analyst(tmp_path / "b", p2)
    r2 = a2.ask("West?", thread_id="same-id")
    r1 = a1.ask("All?", thread_id="same-id")
    p1.assert_done()
    p2.assert_done()
    assert r1.text == GOOD and r2.citations[0].rows == [["West", 567]]


def test_open_needs_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="servicelens init"):
        Analyst.open(tmp_path / "nowhere")


def test_open_without_endpoint_says_how_to_configure(tmp_path: Path) -> None:
    from agent_support import bare_workspace

    from servicelens.agent.provider_choice import resolve_provider

    with pytest.raises(ProviderNotConfigured) as info:
        resolve_provider("openai", bare_workspace(tmp_path))
    message = str(info.value)
    for needed in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SERVICELENS_MODEL", "servicelens.toml"):
        assert needed in message
    assert "--provider" in message

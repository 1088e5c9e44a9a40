"""The shared scripted model: replays steps, records calls, and fails loudly when misused."""

from __future__ import annotations

from typing import Any

import pytest

from servicelens.agent.providers.base import ModelTurn, Provider
from servicelens.agent.providers.scripted import ScriptedProvider, ScriptExhaustedError

USER = [{"role": "user", "content": "FCR last quarter?"}]


def test_replays_tool_calls_then_text_and_records_calls() -> None:
    model = ScriptedProvider(
        [ScriptedProvider.tool("query_metric", metric="fcr", period="2026-Q3"), "FCR 63% [Q1]."]
    )
    assert isinstance(model, Provider)
    tools = [{"type": "function", "function": {"name": "query_metric", "parameters": {}}}]
    first = model.complete(USER, tools)
    assert [(c.name, c.arguments) for c in first.tool_calls] == [
        ("query_metric", {"metric": "fcr", "period": "2026-Q3"})
    ]
    assert first.tool_calls[0].id and first.tool_calls[0].error is None
    second = model.complete([*USER, {"role": "assistant", "content": "x"}])
    assert second.text == "FCR 63% [Q1]." and not second.tool_calls
    assert [c.tools for c in model.calls] == [tools, None]
    assert model.calls[1].messages[-1]["content"] == "x"
    model.assert_done()


def test_tool_call_ids_differ_between_steps() -> None:
    model = ScriptedProvider([ScriptedProvider.tool("a"), ScriptedProvider.tool("a")])
    ids = {model.complete(USER).tool_calls[0].id, model.complete(USER).tool_calls[0].id}
    assert len(ids) == 2


def test_streams_text_in_small_chunks() -> None:
    deltas: list[str] = []
    turn = ScriptedProvider(["A fairly long answer text."]).complete(USER, on_delta=deltas.append)
    assert len(deltas) > 1 and "".join(deltas) == turn.text


def test_callable_step_sees_the_messages() -> None:
    def cite_last_tool(messages: list[dict[str, Any]]) -> ModelTurn:
        return ScriptedProvider.text(f"saw {len(messages)} messages")

    assert ScriptedProvider([cite_last_tool]).complete(USER).text == "saw 1 messages"


def test_reports_usage_and_model() -> None:
    turn = ScriptedProvider(["hello"], model="scripted-x").complete(USER)
    assert turn.model == "scripted-x"
    assert turn.usage is not None and turn.usage.prompt_tokens > 0


def test_calling_past_the_script_is_a_clear_error() -> None:
    model = ScriptedProvider(["only one"])
    model.complete(USER)
    with pytest.raises(ScriptExhaustedError, match="only 1 steps"):
        model.complete(USER)


def test_assert_done_fails_on_leftover_steps() -> None:
    model = ScriptedProvider(["one", "two"])
    model.complete(USER)
    with pytest.raises(AssertionError, match="1 unused step"):
        model.assert_done()


def test_recorded_messages_are_copies() -> None:
    messages = [dict(USER[0])]
    model = ScriptedProvider(["ok"])
    model.complete(messages)
    messages[0]["content"] = "changed"
    assert model.calls[0].messages[0]["content"] == "FCR last quarter?"

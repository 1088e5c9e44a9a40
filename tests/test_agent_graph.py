"""The agent graph with the scripted provider and a tiny hand-made tool registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from agent_support import is_writer_call, make_analyst, make_deps

from servicelens.agent.graph import build_graph, run_config
from servicelens.agent.providers.base import ModelTurn, ToolCall
from servicelens.agent.providers.scripted import ScriptedProvider as S

GOOD = "There were 1,234 tickets in East [Q1]."


def test_tool_call_evidence_cited_answer_verified(tmp_path: Path) -> None:
    provider = S([S.tool("count_tickets"), "Found the counts.", GOOD])
    answer = make_analyst(tmp_path, provider).ask("How many tickets last quarter?")
    provider.assert_done()
    assert answer.status == "answered" and answer.verified and not answer.revised
    assert answer.text == GOOD
    [citation] = answer.citations
    assert citation.id == "Q1" and citation.sql and ["East", 1234] in citation.rows
    assert [t.name for t in answer.trace] == ["count_tickets"]
    assert answer.trace[0].evidence_ids == ["Q1"]
    assert answer.period and answer.period.label == "2026-Q3"
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    assert answer.model == "scripted" and answer.provider == "scripted" and answer.prompt_version


def test_period_resolved_in_code_before_first_model_call(tmp_path: Path) -> None:
    provider = S([S.tool("count_tickets"), "ok", GOOD])
    make_analyst(tmp_path, provider).ask("How many tickets last quarter?")
    first = provider.calls[0].messages
    notes = [m["content"] for m in first if m["role"] == "system" and "Date note" in m["content"]]
    assert notes and "2026-07-01 to 2026-09-30" in notes[0]
    # The act call offers the tools; the writer call offers none and lists the evidence ids.
    assert provider.calls[0].tools and provider.calls[2].tools is None
    assert "[Q1] count_tickets" in provider.calls[2].messages[0]["content"]


def test_unsupported_number_is_revised_once(tmp_path: Path) -> None:
    provider = S([S.tool("count_tickets"), "ok", "There were 999 tickets [Q1].", GOOD])
    answer = make_analyst(tmp_path, provider).ask("How many tickets last quarter?")
    provider.assert_done()
    assert answer.revised and answer.verified and answer.text == GOOD
    revision_prompt = provider.calls[3].messages[-1]["content"]
    assert "999" in revision_prompt and "verifier" in revision_prompt


def test_still_unsupported_after_revision_is_flagged(tmp_path: Path) -> None:
    bad = "There were 999 tickets [Q1]."
    provider = S([S.tool("count_tickets"), "ok", bad, bad])
    answer = make_analyst(tmp_path, provider).ask("How many tickets last quarter?")
    provider.assert_done()
    assert answer.revised and answer.flagged and not answer.verified
    assert answer.text != bad and answer.text.startswith("There were 999")
    assert answer.verification and answer.verification["findings"]


def test_tool_call_cap_ends_with_partial_answer(tmp_path: Path) -> None:
    provider = S([S.tool("count_tickets")] * 3 + ["Partial: 1,234 tickets in East [Q1]."])
    answer = make_analyst(tmp_path, provider, max_tool_calls=2).ask("Tickets last quarter?")
    provider.assert_done()
    assert answer.status == "partial"
    assert [t.ok for t in answer.trace] == [True, True, False]
    assert "cap of 2 tool calls" in (answer.trace[-1].error or "")
    assert "Partial evidence" in provider.calls[-1].messages[0]["content"]


def test_recursion_limit_ends_with_partial_answer(tmp_path: Path) -> None:
    def step(messages: list[dict[str, Any]]) -> ModelTurn:
        if is_writer_call(messages):
            return S.text("Partial: 1,234 tickets in East [Q1].")
        return S.tool("count_tickets")

    provider = S([step] * 40)
    analyst = make_analyst(tmp_path, provider, recursion_limit=12, max_tool_calls=50)
    answer = analyst.ask("Tickets last quarter?")
    assert answer.status == "partial" and answer.verified
    assert 1 <= len(answer.trace) < 6
    assert "step limit" in provider.calls[-1].messages[0]["content"]


def test_tool_error_is_sanitised_for_the_model(tmp_path: Path) -> None:
    provider = S([S.tool("leaky", query="x"), S.tool("count_tickets"), "ok", GOOD])
    answer = make_analyst(tmp_path, provider).ask("How many tickets?")
    provider.assert_done()
    tool_msg = next(m for m in provider.calls[1].messages if m["role"] == "tool")
    assert "<path>" in tool_msg["content"]
    assert "/home/alice" not in tool_msg["content"] and "Traceback" not in tool_msg["content"]
    assert answer.trace[0].ok is False and answer.status == "answered"


def test_model_fixable_tool_error_reaches_the_model(tmp_path: Path) -> None:
    provider = S([S.tool("count_tickets", region="North"), S.tool("count_tickets"), "ok", GOOD])
    make_analyst(tmp_path, provider).ask("Tickets in the north?")
    tool_msg = next(m for m in provider.calls[1].messages if m["role"] == "tool")
    assert "Unknown region 'North'; use East or West." in tool_msg["content"]


def test_invalid_arguments_and_unknown_tool_go_back_to_the_model(tmp_path: Path) -> None:
    provider = S([S.tool("count_tickets", region=5), S.tool("no_such_tool"), "ok", "Nothing."])
    make_analyst(tmp_path, provider).ask("Tickets?")
    first = next(m for m in provider.calls[1].messages if m["role"] == "tool")["content"]
    second = [m for m in provider.calls[2].messages if m["role"] == "tool"][1]["content"]
    assert "Invalid arguments for count_tickets" in first
    assert "no tool named 'no_such_tool'" in second and "count_tickets" in second


def test_malformed_arguments_ask_the_model_to_resend(tmp_path: Path) -> None:
    broken = ModelTurn(
        tool_calls=[ToolCall(id="c1", name="count_tickets", raw_arguments='{"region": ', error="x")]
    )
    provider = S([broken, S.tool("count_tickets"), "ok", GOOD])
    answer = make_analyst(tmp_path, provider).ask("How many tickets?")
    provider.assert_done()
    tool_msg = next(m for m in provider.calls[1].messages if m["role"] == "tool")
    assert "not valid JSON" in tool_msg["content"] and "again" in tool_msg["content"]
    assert answer.verified


def test_a_bug_in_a_tool_raises(tmp_path: Path) -> None:
    provider = S([S.tool("buggy", query="x")])
    with pytest.raises(RuntimeError, match="a bug in a tool"):
        make_analyst(tmp_path, provider).ask("Anything?")


def test_status_markers_are_stripped(tmp_path: Path) -> None:
    provider = S(["I cannot tell.", "[insufficient_data] The data has no weather records."])
    answer = make_analyst(tmp_path, provider).ask("Did rain raise tickets?")
    assert answer.status == "insufficient_data"
    assert answer.text == "The data has no weather records."


def test_graph_runs_without_a_checkpointer(tmp_path: Path) -> None:
    provider = S([S.tool("count_tickets"), "ok", GOOD])
    graph = build_graph(make_deps(tmp_path, provider))
    state = graph.invoke({"question": "Tickets?"}, run_config("t", 40))
    assert state["answer_text"] == GOOD and state["turn_ids"] == ["Q1"]
    assert state["messages"][-1] == {"role": "assistant", "content": GOOD}


def test_oversized_tool_result_is_shortened_but_stays_valid_json() -> None:
    import json

    from servicelens.agent.toolset import fit_content

    content = {"id": "Q1", "columns": ["a", "b"], "rows": [[i, "x" * 40] for i in range(400)]}
    text = fit_content(content, 500)
    data = json.loads(text)
    assert data["id"] == "Q1" and 1 <= len(data["rows"]) < 400
    assert data["shortened_for_context"].startswith(f"rows: showing {len(data['rows'])} of 400")


def test_a_long_list_inside_a_field_is_shortened_too() -> None:
    # A filter of hundreds of values (every trim holding "2019款") echoed in the result's meta.
    import json

    from servicelens.agent.toolset import fit_content

    values = [f"2019款 trim {i} " + "y" * 30 for i in range(300)]
    content = {"id": "Q1", "rows": [[1, 2]], "filters": {"type": values, "brand": ["A"]}}
    data = json.loads(fit_content(content, 500))
    assert data["rows"] == [[1, 2]] and 1 <= len(data["filters"]["type"]) < 300
    assert data["filters"]["brand"] == ["A"]
    assert data["shortened_for_context"].startswith("filters.type: showing")
    assert len(content["filters"]["type"]) == 300  # the evidence keeps the whole list

"""Slow local models stay usable: status while the model works, the answer's time budget, one
round trip for several tool calls, and the history fitted to the advertised context window.

Against the fake endpoint on loopback (the ``slow`` family waits before every reply), with
budgets of a second or two so that the tests stay short.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from agent_support import make_analyst, make_deps

from servicelens.agent import answer_clock
from servicelens.agent.budget import count_messages
from servicelens.agent.events import AnswerEvent, StatusEvent, ToolCallEvent
from servicelens.agent.providers.openai_provider import OpenAIProvider
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply, FakeToolCall

QUESTION = "How many tickets last quarter?"
GOOD = "There were 1,234 tickets in East [Q1]."


def _provider(ep: FakeOpenAIEndpoint, **kw: Any) -> OpenAIProvider:
    return OpenAIProvider("qwen3-8b", "k", ep.base_url, timeout_s=10.0, max_retries=0, **kw)


def test_status_events_while_the_model_thinks(tmp_path: Path) -> None:
    script = [FakeReply.tool("count_tickets", {}), FakeReply.say("Counted."), FakeReply.say(GOOD)]
    with FakeOpenAIEndpoint(script, family="slow", think_s=0.5) as ep:
        analyst = make_analyst(tmp_path, _provider(ep), status_every_s=0.2, context_tokens=8_000)
        events = list(analyst.stream(QUESTION))
    first_call = next(i for i, e in enumerate(events) if isinstance(e, ToolCallEvent))
    beats = [e for e in events[:first_call] if isinstance(e, StatusEvent) and "still" in e.message]
    assert beats and beats[0].stage == "thinking"
    writing = [
        e for e in events[first_call:] if isinstance(e, StatusEvent) and "still" in e.message
    ]
    assert writing and {e.stage for e in writing} >= {"writing"}
    assert isinstance(events[-1], AnswerEvent) and events[-1].answer.text == GOOD


def test_the_time_budget_finishes_from_the_evidence(tmp_path: Path) -> None:
    # Gathering may use 60% of 1.5 s; the second step and the writer would take 5 s each.
    script = [
        FakeReply.tool("count_tickets", {}),
        FakeReply.say("Counted.", delay_s=5),
        FakeReply.say(GOOD, delay_s=5),
    ]
    started = time.monotonic()
    with FakeOpenAIEndpoint(script, family="slow", think_s=0.2) as ep:
        analyst = make_analyst(tmp_path, _provider(ep), answer_budget_s=1.5, context_tokens=8_000)
        events = list(analyst.stream(QUESTION))
    took = time.monotonic() - started
    answer = events[-1].answer
    assert took < 3.5 and answer.status == "partial"
    assert answer.text.startswith("This answer is partial: the time budget of 1.5 s")
    assert "- [Q1] count_tickets: region East, n 1234; region West, n 567" in answer.text
    assert answer.verified and [c.id for c in answer.citations] == ["Q1"]
    stages = [e.stage for e in events if isinstance(e, StatusEvent)]
    assert "limited" in stages and "revising" in stages
    assert len(ep.chat_requests) == 3  # nothing retried after the budget ran out


def test_a_budget_left_for_writing_lets_the_model_say_it_is_partial(tmp_path: Path) -> None:
    script = [
        FakeReply.tool("count_tickets", {}),
        FakeReply.say("Counted.", delay_s=5),
        FakeReply.say("Partial: " + GOOD),
    ]
    with FakeOpenAIEndpoint(script, family="slow", think_s=0.2) as ep:
        analyst = make_analyst(tmp_path, _provider(ep), answer_budget_s=2.0, context_tokens=8_000)
        answer = analyst.ask(QUESTION)
    assert answer.status == "partial" and answer.text == "Partial: " + GOOD and answer.verified
    writer = ep.chat_requests[-1].json["messages"][0]["content"]
    assert "Partial evidence" in writer and "time budget for one answer was reached" in writer


def _two_calls() -> FakeReply:
    calls = [FakeToolCall("count_tickets", {"region": "East"}), FakeToolCall("count_tickets", {})]
    return FakeReply(text=None, tool_calls=calls)


@pytest.mark.parametrize("parallel", [True, False])
def test_parallel_calls_are_asked_for_and_save_a_round_trip(tmp_path: Path, parallel: bool) -> None:
    # llama.cpp's server makes one call per reply unless the request asks for parallel calls.
    script = [_two_calls(), FakeReply.say("Counted."), FakeReply.say(GOOD)]
    with FakeOpenAIEndpoint(script, family="llamacpp") as ep:
        provider = _provider(ep, parallel_tool_calls=parallel)
        answer = make_analyst(tmp_path, provider, context_tokens=8_000).ask(QUESTION)
    assert len(answer.trace) == (2 if parallel else 1)
    assert ep.chat_requests[0].json.get("parallel_tool_calls") is (True if parallel else None)


def test_a_server_rejecting_parallel_tool_calls_is_asked_without(tmp_path: Path) -> None:
    def picky(request: dict[str, Any]) -> FakeReply:
        if "parallel_tool_calls" in request:
            return FakeReply.error(
                400, "Unrecognized request argument supplied: parallel_tool_calls"
            )
        return FakeReply.tool("count_tickets", {})

    with FakeOpenAIEndpoint([picky, picky, FakeReply.say("Counted."), FakeReply.say(GOOD)]) as ep:
        provider = _provider(ep)
        answer = make_analyst(tmp_path, provider, context_tokens=8_000).ask(QUESTION)
    assert answer.verified and provider.parallel_tool_calls is False
    assert [("parallel_tool_calls" in r.json) for r in ep.chat_requests] == [
        True,
        False,
        False,
        False,
    ]


def test_slow_steps_ask_the_model_to_batch_its_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answer_clock, "SLOW_STEP_S", 0.1)
    script = [FakeReply.tool("count_tickets", {}), FakeReply.say("Counted."), FakeReply.say(GOOD)]
    with FakeOpenAIEndpoint(script, family="slow", think_s=0.15) as ep:
        make_analyst(tmp_path, _provider(ep), context_tokens=8_000).ask(QUESTION)
    first, second = (str(r.json["messages"]) for r in ep.chat_requests[:2])
    assert "Each model step is slow" not in first and "Each model step is slow" in second


def test_the_history_budget_follows_the_advertised_context(tmp_path: Path) -> None:
    with FakeOpenAIEndpoint([], family="vllm", model_meta=(("max_model_len", 6_000),)) as ep:
        deps = make_deps(tmp_path, _provider(ep))
        assert deps.context_tokens == 6_000 and deps.context_tokens == 6_000
        assert [r.path for r in ep.requests] == ["/v1/models"]  # asked once
        assert make_deps(tmp_path, _provider(ep), context_tokens=9_000).context_tokens == 9_000
    with FakeOpenAIEndpoint([]) as ep:
        assert make_deps(tmp_path, _provider(ep)).context_tokens == 32_000


def test_a_small_window_trims_what_is_sent(tmp_path: Path) -> None:
    big = "x " * 6_000
    script = [
        FakeReply.say("Nothing to look up."),
        FakeReply.say("A long answer: " + big),
        FakeReply.tool("count_tickets", {}),
        FakeReply.say("Counted."),
        FakeReply.say(GOOD),
    ]
    meta = (("max_model_len", 4_096),)
    with FakeOpenAIEndpoint(script, family="vllm", model_meta=meta) as ep:
        analyst = make_analyst(tmp_path, _provider(ep))
        analyst.ask("Say something long about " + big, thread_id="t")
        answer = analyst.ask(QUESTION, thread_id="t")
    assert answer.verified and ep.remaining == 0
    sent = ep.chat_requests[2].json["messages"]
    assert count_messages(sent) <= 4_096 - 1_024 and big not in str(sent)


def test_ask_on_the_command_line_shows_the_model_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent_support import tiny_workspace
    from cli_support import run_cli

    home = tiny_workspace(tmp_path / "ws")
    (home / "servicelens.toml").write_text("status_every_s = 0.15\n", encoding="utf-8")
    script = [FakeReply.say("Nothing to look up."), FakeReply.say("All quiet.")]
    with FakeOpenAIEndpoint(script, family="slow", think_s=0.4) as ep:
        monkeypatch.setenv("OPENAI_BASE_URL", ep.base_url)
        monkeypatch.setenv("SERVICELENS_AS_OF", "2026-11-01")
        code, out, _ = run_cli(capsys, "ask", "Anything last quarter?", "--home", str(home))
    assert code == 0 and "All quiet." in out
    assert "· thinking: the model is still working" in out

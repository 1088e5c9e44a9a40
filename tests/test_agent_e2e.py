"""End to end through the real ``openai`` client against a fake endpoint on loopback."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from agent_support import bare_workspace, make_analyst

from servicelens.agent.analyst import Analyst
from servicelens.agent.events import AnswerEvent, ErrorEvent, TextDeltaEvent
from servicelens.agent.provider_choice import resolve_provider
from servicelens.agent.providers.base import ModelError, ToolsUnsupported
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply

GOOD = "There were 1,234 tickets in East [Q1]."
QUOTE = "A customer said “the noise is still there” [V:v000812]."


def _analyst(
    home: Path, ep: FakeOpenAIEndpoint, timeout_s: float = 10.0, model: str = "fake-model"
) -> Analyst:
    workspace = bare_workspace(
        home,
        openai_base_url=ep.base_url,
        openai_api_key="test-key",
        model=model,
        request_timeout_s=timeout_s,
        max_retries=0,
    )
    provider = resolve_provider(None, workspace)
    assert provider.name == "openai"
    return make_analyst(home, provider, openai_base_url=ep.base_url, model=model, max_retries=0)


def _run(tmp_path: Path, script: Sequence[FakeReply], question: str) -> tuple[Any, Any]:
    with FakeOpenAIEndpoint(script) as ep:
        answer = _analyst(tmp_path, ep).ask(question)
        return answer, ep


def test_metric_question(tmp_path: Path) -> None:
    script = [FakeReply.tool("count_tickets", {}), FakeReply.say("Got it."), FakeReply.say(GOOD)]
    answer, ep = _run(tmp_path, script, "How many tickets last quarter?")
    assert ep.remaining == 0
    assert answer.status == "answered" and answer.verified and answer.text == GOOD
    assert answer.citations[0].sql and answer.period.label == "2026-Q3"
    assert answer.model == "fake-model" and answer.provider == "openai"
    first = ep.chat_requests[0].json
    assert first["tools"] and any("2026-07-01" in str(m["content"]) for m in first["messages"])


def test_voc_question(tmp_path: Path) -> None:
    script = [
        FakeReply.tool("search_feedback", {"query": "noise"}),
        FakeReply.say("Found one."),
        FakeReply.say(QUOTE),
    ]
    answer, _ = _run(tmp_path, script, "What do customers say about noise?")
    assert answer.verified, answer.verification
    [c] = answer.citations
    assert c.id == "V:v000812" and c.quote and "noise is still there" in c.quote
    assert c.source == "call" and c.date == "2026-08-14"


def test_follow_up_in_same_thread(tmp_path: Path) -> None:
    script = [
        FakeReply.tool("count_tickets", {}),
        FakeReply.say("ok"),
        FakeReply.say(GOOD),
        FakeReply.tool("count_tickets", {"region": "West"}),
        FakeReply.say("ok"),
        FakeReply.say("West had 567 tickets [Q2], against 1,234 in East [Q1]."),
    ]
    with FakeOpenAIEndpoint(script) as ep:
        analyst = _analyst(tmp_path, ep)
        first = analyst.ask("How many tickets last quarter?")
        second = analyst.ask("and only for West?", thread_id=first.thread_id)
        follow_up_request = ep.chat_requests[3].json["messages"]
    assert second.verified and second.thread_id == first.thread_id
    assert {"role": "assistant", "content": GOOD} in follow_up_request
    assert second.period and second.period.label == "2026-Q3"


def test_chinese_question(tmp_path: Path) -> None:
    text = "上季度东区共有 1,234 张工单 [Q1]。"
    script = [
        FakeReply.tool("count_tickets", {"region": "East"}),
        FakeReply.say("好"),
        FakeReply.say(text),
    ]
    answer, ep = _run(tmp_path, script, "上季度东区的工单有多少？")
    assert answer.language == "zh" and answer.verified and answer.text == text
    assert answer.period and answer.period.start == "2026-07-01"
    writer_system = ep.chat_requests[2].json["messages"][0]["content"]
    assert "Answer in Chinese" in writer_system


def test_model_that_times_out(tmp_path: Path) -> None:
    script = [FakeReply.tool("count_tickets", {}), FakeReply.slow(3.0)] * 2
    with FakeOpenAIEndpoint(script) as ep:
        analyst = _analyst(tmp_path, ep, timeout_s=0.5)
        events = list(analyst.stream("How many tickets?", thread_id="t1"))
        with pytest.raises(ModelError, match=r"did not answer within 0\.5 s"):
            analyst.ask("How many tickets?", thread_id="t2")
    assert isinstance(events[-1], ErrorEvent) and "did not answer within" in events[-1].message
    assert not any(isinstance(e, AnswerEvent | TextDeltaEvent) for e in events)
    # Nothing half-written: the thread holds no assistant answer for the failed question.
    state = analyst.graph.get_state({"configurable": {"thread_id": "t1"}}).values
    assert not state.get("answer_text")
    assert not any(m["role"] == "assistant" and not m.get("tool_calls") for m in state["messages"])


def test_malformed_tool_arguments_recovered(tmp_path: Path) -> None:
    script = [
        FakeReply.tool("count_tickets", "region=East, please"),
        FakeReply.tool("count_tickets", {"region": "East"}),
        FakeReply.say("ok"),
        FakeReply.say(GOOD),
    ]
    answer, ep = _run(tmp_path, script, "Tickets in East?")
    assert ep.remaining == 0 and answer.verified
    retry_prompt = [m for m in ep.chat_requests[1].json["messages"] if m["role"] == "tool"]
    assert "valid JSON" in retry_prompt[0]["content"]
    assert [t.ok for t in answer.trace] == [False, True]


def test_model_citing_a_nonexistent_id_is_flagged(tmp_path: Path) -> None:
    bad = "There were 1,234 tickets in East [Q7]."
    script = [
        FakeReply.tool("count_tickets", {}),
        FakeReply.say("ok"),
        FakeReply.say(bad),
        FakeReply.say(bad),
    ]
    answer, ep = _run(tmp_path, script, "How many tickets?")
    assert ep.remaining == 0 and answer.revised and answer.flagged
    assert answer.text != bad and "Q7" in str(answer.verification)
    assert [c.found for c in answer.citations if c.id == "Q7"] == [False]


def test_model_writing_a_number_no_tool_returned(tmp_path: Path) -> None:
    bad = "There were 4,321 tickets in East [Q1]."
    script = [
        FakeReply.tool("count_tickets", {}),
        FakeReply.say("ok"),
        FakeReply.say(bad),
        FakeReply.say(bad),
    ]
    answer, ep = _run(tmp_path, script, "How many tickets?")
    revision = ep.chat_requests[3].json["messages"]
    assert "4,321" in revision[-1]["content"] or "4321" in revision[-1]["content"]
    assert answer.revised and answer.flagged and answer.status == "answered"
    assert answer.text.startswith("There were 4,321") and answer.text != bad


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        (FakeReply.say(GOOD, finish=False, done=False), "stopped mid-reply"),
        (FakeReply.say(GOOD, reset_after=4), "connection broke"),
        (FakeReply.say(GOOD, choices=False), "empty reply"),
        (FakeReply.say(""), "empty reply"),
    ],
    ids=["cut-short", "dropped", "no-choices", "no-text"],
)
def test_a_broken_answer_is_an_error_not_an_answer(
    tmp_path: Path, broken: FakeReply, said: str
) -> None:
    script = [FakeReply.tool("count_tickets", {}), FakeReply.say("ok"), broken]
    with FakeOpenAIEndpoint(script) as ep:
        analyst = _analyst(tmp_path, ep)
        events = list(analyst.stream("How many tickets last quarter?", thread_id="t1"))
    assert ep.remaining == 0 and len(ep.chat_requests) == 3
    assert isinstance(events[-1], ErrorEvent) and said in events[-1].message
    assert "step limit" not in events[-1].message and "Could not connect" not in events[-1].message
    assert not any(isinstance(e, AnswerEvent) for e in events)
    state = analyst.graph.get_state({"configurable": {"thread_id": "t1"}}).values
    assert not state.get("answer_text") and state.get("status") != "answered"


# --- Model families: reasoning, tool calls as text, servers without tool calling ---------------

SECRET_THOUGHT = "Perhaps 9,999 tickets [Q9]; no, count_tickets said 1,234."


def _sent_messages(ep: FakeOpenAIEndpoint) -> list[dict[str, Any]]:
    return [m for r in ep.chat_requests for m in r.json["messages"]]


def test_deepseek_reasoning_is_never_the_answer_nor_sent_back(tmp_path: Path) -> None:
    script = [
        FakeReply.tool("count_tickets", {}, reasoning="I should count tickets."),
        FakeReply.say("Counted.", reasoning="Enough evidence."),
        FakeReply.say(GOOD, reasoning=SECRET_THOUGHT),
    ]
    with FakeOpenAIEndpoint(script, family="deepseek") as ep:
        answer = _analyst(tmp_path, ep).ask("How many tickets last quarter?")
    # The fake answers 400, as DeepSeek does, if reasoning_content is ever sent back.
    assert ep.remaining == 0 and answer.verified and answer.text == GOOD
    assert "Q9" not in str(answer.verification) and "9,999" not in answer.text
    assert not any("reasoning_content" in m for m in _sent_messages(ep))
    assert answer.usage.reasoning_tokens > 0


def test_qwen_think_blocks_and_text_tool_calls_end_to_end(tmp_path: Path) -> None:
    script = [
        FakeReply.tool("count_tickets", {}, reasoning="Use count_tickets.", chunk_chars=3),
        FakeReply.say("Counted.", reasoning="Done."),
        FakeReply.say(GOOD, reasoning=SECRET_THOUGHT, chunk_chars=3),
    ]
    with FakeOpenAIEndpoint(script, family="vllm", tools="text", reasoning="think") as ep:
        analyst = _analyst(tmp_path, ep)
        events = list(analyst.stream("How many tickets last quarter?", thread_id="t1"))
    (answer,) = [e for e in events if isinstance(e, AnswerEvent)]
    shown = "".join(e.text for e in events if isinstance(e, TextDeltaEvent))
    assert answer.answer.verified and answer.answer.text == GOOD
    assert "9,999" not in shown and "think>" not in shown
    assert [t.name for t in answer.answer.trace] == ["count_tickets"]
    sent = _sent_messages(ep)
    assert not any("<think>" in str(m.get("content")) for m in sent)
    assert any(m["role"] == "assistant" and m.get("tool_calls") for m in sent)
    assert any(m["role"] == "tool" for m in sent)


def test_a_server_without_tool_calling_is_reported_not_looped(tmp_path: Path) -> None:
    with FakeOpenAIEndpoint([], family="llamacpp", tools="refused") as ep:
        analyst = _analyst(tmp_path, ep)
        events = list(analyst.stream("How many tickets?", thread_id="t1"))
        with pytest.raises(ToolsUnsupported, match="--jinja"):
            analyst.ask("How many tickets?", thread_id="t2")
    assert isinstance(events[-1], ErrorEvent) and "start llama-server with --jinja" in (
        events[-1].message
    )
    assert len(ep.chat_requests) == 2  # one per question, nothing retried or looped


@pytest.mark.parametrize("stream", [False, True], ids=["ask", "stream"])
@pytest.mark.parametrize(
    ("fam", "model", "thinks"),
    [("glm", "glm-4.6", False), ("kimi", "kimi-k2-turbo-preview", False),
     ("kimi", "kimi-k2-thinking", True)],
    ids=["glm", "kimi-k2", "kimi-thinking"],
)  # fmt: skip
def test_glm_and_kimi_answer_end_to_end(
    tmp_path: Path, fam: str, model: str, thinks: bool, stream: bool
) -> None:
    script = [
        FakeReply.tool("count_tickets", {}, reasoning="I should count tickets.", chunk_chars=3),
        FakeReply.say("Counted.", reasoning="Enough evidence."),
        FakeReply.say(GOOD, reasoning=SECRET_THOUGHT, chunk_chars=3),
    ]
    # GLM refuses tool_choice other than auto and temperature outside [0, 1]; Kimi refuses
    # tool_choice "required" and, for a thinking model, a tool loop without its reasoning.
    with FakeOpenAIEndpoint(script, family=fam, model=model) as ep:
        analyst = _analyst(tmp_path, ep, model=model)
        if stream:
            events = list(analyst.stream("How many tickets last quarter?", thread_id="t1"))
            answer = events[-1].answer
            shown = "".join(e.text for e in events if isinstance(e, TextDeltaEvent))
            assert "9,999" not in shown
        else:
            answer = analyst.ask("How many tickets last quarter?")
    assert ep.remaining == 0 and answer.verified and answer.text == GOOD
    assert "Q9" not in str(answer.verification) and answer.usage.cached_tokens > 0
    assert not any({"tool_choice", "temperature"} & set(r.json) for r in ep.chat_requests)
    sent_back = [m for m in _sent_messages(ep) if "reasoning_content" in m]
    # Only a Kimi thinking model gets its reasoning back, and only on its tool-call messages.
    assert all(m.get("tool_calls") for m in sent_back) and bool(sent_back) == thinks

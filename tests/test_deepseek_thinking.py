"""DeepSeek's two reasoning generations, through the real ``openai`` client on loopback.

The older ``deepseek-reasoner`` answers 400 when ``reasoning_content`` is sent back; the current
thinking mode (deepseek-v4-*) answers 400 unless every assistant message that made tool calls
carries its ``reasoning_content`` in later requests. The provider follows each family's rule
(``family_rules``), learns it from the 400 when the model name does not say, and never lets
reasoning into the answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest
from agent_support import make_analyst

from servicelens.agent.providers.base import ModelError
from servicelens.agent.providers.family_rules import outgoing, replay_for
from servicelens.agent.providers.openai_provider import OpenAIProvider
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply

GOOD = "There were 1,234 tickets in East [Q1]."
THOUGHT = "Count tickets first; maybe 9,999 [Q9]? No: call count_tickets."
CALL = {"id": "c1", "type": "function", "function": {"name": "count_tickets", "arguments": "{}"}}


def _loop(reasoning: str | None) -> list[dict[str, Any]]:
    call: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [CALL]}
    if reasoning is not None:
        call["reasoning_content"] = reasoning
    return [
        {"role": "user", "content": "How many tickets?"},
        call,
        {"role": "tool", "tool_call_id": "c1", "content": '{"rows": [["East", 1234]]}'},
    ]


def _client(ep: FakeOpenAIEndpoint) -> openai.OpenAI:
    return openai.OpenAI(api_key="k", base_url=ep.base_url, max_retries=0)


def test_the_fakes_reproduce_both_generations() -> None:
    with FakeOpenAIEndpoint([FakeReply.say("ok")], family="deepseek-thinking") as ep:
        with pytest.raises(openai.BadRequestError, match="must be passed back"):
            _client(ep).chat.completions.create(model="deepseek-v4-flash", messages=_loop(None))  # type: ignore[arg-type]
        reply = _client(ep).chat.completions.create(model="m", messages=_loop(THOUGHT))  # type: ignore[arg-type]
    assert reply.choices[0].message.content == "ok"
    with (
        FakeOpenAIEndpoint([FakeReply.say("unused")], family="deepseek") as ep,
        pytest.raises(openai.BadRequestError, match="not allowed"),
    ):
        _client(ep).chat.completions.create(model="deepseek-reasoner", messages=_loop(THOUGHT))  # type: ignore[arg-type]


def test_the_rule_per_model_family() -> None:
    assert replay_for("deepseek-v4-flash") == replay_for("deepseek-v4-pro") == "tool_calls"
    assert replay_for("deepseek-reasoner") == replay_for("deepseek-chat") == "never"
    assert replay_for("qwen3:8b") == "never" and replay_for("qwen3", "tool_calls") == "tool_calls"
    answer = {"role": "assistant", "content": "x", "reasoning_content": "y"}
    sent = outgoing([*_loop(THOUGHT), answer], "tool_calls")
    assert sent[1]["reasoning_content"] == THOUGHT and "reasoning_content" not in sent[3]
    assert outgoing(_loop(None), "tool_calls")[1]["reasoning_content"] == ""
    assert all("reasoning_content" not in m for m in outgoing(_loop(THOUGHT), "never"))


def _tickets_script() -> list[FakeReply]:
    return [
        FakeReply.tool("count_tickets", {}, reasoning=THOUGHT),
        FakeReply.say("Counted.", reasoning="Enough evidence."),
        FakeReply.say(GOOD, reasoning="Write it with [Q1]."),
    ]


def _analyst(home: Path, ep: FakeOpenAIEndpoint, model: str, **kw: Any) -> Any:
    provider = OpenAIProvider(model, "k", ep.base_url, timeout_s=10.0, max_retries=0, **kw)
    return make_analyst(home, provider, context_tokens=32_000)


@pytest.mark.parametrize("stream", [False, True], ids=["ask", "stream"])
def test_thinking_mode_tool_loop_sends_the_reasoning_back(tmp_path: Path, stream: bool) -> None:
    script = [*_tickets_script(), *_tickets_script()]
    with FakeOpenAIEndpoint(script, family="deepseek-thinking") as ep:
        analyst = _analyst(tmp_path, ep, "deepseek-v4-flash")
        if stream:
            events = list(analyst.stream("How many tickets last quarter?", thread_id="t"))
            answer = events[-1].answer
        else:
            answer = analyst.ask("How many tickets last quarter?", thread_id="t")
        # A follow-up in the same thread: the earlier tool turn still carries its reasoning.
        follow = analyst.ask("And in the quarter before?", thread_id="t")
    assert ep.remaining == 0 and answer.verified and answer.text == GOOD and follow.verified
    assert "9,999" not in answer.text and "Q9" not in str(answer.verification)
    later = [m for r in ep.chat_requests[1:] for m in r.json["messages"] if m.get("tool_calls")]
    assert later and all(m["reasoning_content"] == THOUGHT for m in later)
    finals = [m for r in ep.chat_requests for m in r.json["messages"]
              if m["role"] == "assistant" and not m.get("tool_calls")]  # fmt: skip
    assert finals and not any("reasoning_content" in m for m in finals)


def test_an_unknown_name_learns_the_rule_from_the_400(tmp_path: Path) -> None:
    with FakeOpenAIEndpoint(_tickets_script(), family="deepseek-thinking") as ep:
        provider = OpenAIProvider("my-gateway-alias", "k", ep.base_url, max_retries=0)
        answer = make_analyst(tmp_path, provider).ask("How many tickets last quarter?")
    assert answer.verified and provider.replay == "tool_calls"
    # The one refused request was sent again with the reasoning, and nothing else was retried.
    assert len(ep.chat_requests) == 4 and "reasoning_content" in str(ep.chat_requests[2].json)


def test_the_older_reasoner_never_gets_it_back_even_under_a_new_name(tmp_path: Path) -> None:
    with FakeOpenAIEndpoint(_tickets_script(), family="deepseek") as ep:
        provider = OpenAIProvider("deepseek-v4-old-proxy", "k", ep.base_url, max_retries=0)
        answer = make_analyst(tmp_path, provider).ask("How many tickets last quarter?")
    assert answer.verified and provider.replay == "never"
    # Only the one refused request carried it; it was sent again without.
    assert sum("reasoning_content" in str(r.json) for r in ep.chat_requests) == 1
    assert len(ep.chat_requests) == 4


def test_a_fixed_setting_is_not_second_guessed(tmp_path: Path) -> None:
    with FakeOpenAIEndpoint(_tickets_script(), family="deepseek-thinking") as ep:
        provider = OpenAIProvider("m", "k", ep.base_url, max_retries=0, reasoning_replay="never")
        with pytest.raises(ModelError, match="must be passed back"):
            make_analyst(tmp_path, provider).ask("How many tickets last quarter?")

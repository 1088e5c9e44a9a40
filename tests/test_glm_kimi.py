"""GLM (Zhipu) and Kimi (Moonshot) through the real ``openai`` client, against the loopback fake
in each vendor's shape; ``agent/testing_vendors.py`` names the documented behaviour each quirk
follows. What the fakes refuse, reasoning and cache hits, tool calls, and the vendors' error
bodies read into one sentence with the right retry decision.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from agent_support import make_analyst

from servicelens.agent.providers.base import ModelError, override_allow_model_requests
from servicelens.agent.providers.family_rules import replay_for, replay_wanted
from servicelens.agent.providers.openai_provider import OpenAIProvider
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply, FakeToolCall

USER = [{"role": "user", "content": "What was FCR last quarter?"}]
SCHEMA = {"type": "object", "properties": {"metric": {"type": "string"}}}
TOOLS = [
    {"type": "function", "function": {"name": n, "parameters": SCHEMA}}
    for n in ("query_metric", "search_voc")
]
ANSWER = "FCR was 63.2% in 2026-Q3 [Q1]."
THOUGHT = "The user wants FCR. Maybe 99.9% [Q9]? No, query_metric said 63.2%."
CALL = {"id": "c1", "type": "function", "function": {"name": "query_metric", "arguments": "{}"}}
# A tool loop whose assistant message (index 1) comes back without its reasoning.
LOOP = [*USER, {"role": "assistant", "content": None, "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "c1", "content": "[Q1] fcr 63.2%"}]  # fmt: skip
STREAM = pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])


@pytest.fixture(autouse=True)
def _requests_off() -> Iterator[None]:
    with override_allow_model_requests(False):
        yield


def _provider(ep: FakeOpenAIEndpoint, model: str, retries: int = 0) -> OpenAIProvider:
    return OpenAIProvider(model, "sk-test", ep.base_url, timeout_s=5.0, max_retries=retries)


def _post(ep: FakeOpenAIEndpoint, model: str, **extra: Any) -> httpx.Response:
    body = {"model": model, "messages": USER, "tools": TOOLS, **extra}
    return httpx.post(f"{ep.base_url}/chat/completions", json=body, timeout=5.0)


# --- 1. What each fake refuses, in the vendor's own error body ----------------------------------


def test_glm_fake_refuses_what_the_vendor_refuses() -> None:
    refused = [
        {"tool_choice": "required"},
        {"tool_choice": {"type": "function", "function": {"name": "query_metric"}}},
        {"temperature": 1.5},
        {"do_sample": "yes"},
        {"thinking": {"type": "auto"}},
    ]
    with FakeOpenAIEndpoint([FakeReply.say("ok")], family="glm", model="glm-4.6") as ep:
        answers = [_post(ep, "glm-4.6", **extra) for extra in refused]
        fine = _post(ep, "glm-4.6", tool_choice="auto", temperature=0.6, do_sample=True,
                     thinking={"type": "enabled"})  # fmt: skip
    assert ep.base_url.endswith("/api/paas/v4")
    for extra, answer in zip(refused, answers, strict=True):
        error = answer.json()["error"]
        assert answer.status_code == 400 and error["code"] == "1214", extra
        assert next(iter(extra)) in error["message"] and set(error) == {"code", "message"}
    assert fine.status_code == 200 and fine.json()["request_id"]


@pytest.mark.parametrize(
    ("model", "extra", "said"),
    [
        ("kimi-k2-turbo-preview", {"tool_choice": "required"}, "'required' is not supported"),
        (
            "kimi-k2-thinking",
            {"tool_choice": {"type": "function", "function": {"name": "query_metric"}}},
            "incompatible with thinking enabled",
        ),
        ("kimi-k2-turbo-preview", {"temperature": 1.5}, "temperature must be in [0, 1]"),
        (
            "kimi-k2-thinking",
            {"messages": LOOP},
            "reasoning_content is missing in assistant tool call message at index 1",
        ),
    ],
    ids=["required", "forced-while-thinking", "temperature", "reasoning-missing"],
)
def test_kimi_fake_refuses_what_the_vendor_refuses(
    model: str, extra: dict[str, Any], said: str
) -> None:
    with FakeOpenAIEndpoint([FakeReply.say("ok")] * 2, family="kimi", model=model) as ep:
        answer = _post(ep, model, **extra)
        # kimi-k2 does not think, so the same loop without reasoning is fine for it.
        plain = _post(ep, "kimi-k2-turbo-preview", messages=LOOP)
    assert answer.status_code == 400 and said in answer.json()["error"]["message"]
    assert answer.json()["error"]["type"] == "invalid_request_error"
    assert plain.status_code == 200


# --- 2. Reasoning kept apart, cache hits counted, tool calls -------------------------------------


@STREAM
@pytest.mark.parametrize(
    ("fam", "model", "thinks"),
    [
        ("glm", "glm-4.6", True),
        ("kimi", "kimi-k2-thinking", True),
        ("kimi", "kimi-k2-turbo-preview", False),
    ],
)
def test_reasoning_apart_and_cache_hits_counted(
    fam: str, model: str, thinks: bool, stream: bool
) -> None:
    reply = FakeReply.say(ANSWER, reasoning=THOUGHT, chunk_chars=5)
    deltas: list[str] = []
    with FakeOpenAIEndpoint([reply], family=fam, model=model) as ep:
        turn = _provider(ep, model).complete(USER, on_delta=deltas.append if stream else None)
    assert turn.text == ANSWER and turn.reasoning == (THOUGHT if thinks else "")
    assert "99.9%" not in "".join(deltas)
    # GLM: prompt_tokens_details.cached_tokens; Kimi: usage.cached_tokens, inside the
    # finishing choice when streamed.
    assert turn.usage is not None and turn.usage.cached_tokens == 50
    assert turn.usage.completion_tokens >= (len(THOUGHT) // 4 if thinks else 0)


@STREAM
@pytest.mark.parametrize("fam", ["glm", "kimi"])
def test_parallel_tool_calls_and_nothing_the_vendor_refuses_is_sent(fam: str, stream: bool) -> None:
    calls = [FakeToolCall("query_metric", {"metric": "fcr"}),
             FakeToolCall("search_voc", {"query": "维修太慢"})]  # fmt: skip
    reply = FakeReply(text=None, tool_calls=calls, reasoning=THOUGHT, chunk_chars=3)
    with FakeOpenAIEndpoint([reply], family=fam) as ep:
        turn = _provider(ep, "m").complete(
            USER, TOOLS, on_delta=(lambda _: None) if stream else None
        )
    assert [(c.name, c.arguments) for c in turn.tool_calls] == [
        ("query_metric", {"metric": "fcr"}),
        ("search_voc", {"query": "维修太慢"}),
    ]
    (sent,) = ep.chat_requests
    assert "tool_choice" not in sent.json and "temperature" not in sent.json


def _stream_deltas(ep: FakeOpenAIEndpoint, **extra: Any) -> list[dict[str, Any]]:
    body = {"model": "glm-4.6", "messages": USER, "tools": TOOLS, "stream": True, **extra}
    with httpx.stream("POST", f"{ep.base_url}/chat/completions", json=body, timeout=5.0) as r:
        lines = [line[6:] for line in r.iter_lines() if line.startswith("data: {")]
    return [c["choices"][0]["delta"] for c in map(json.loads, lines) if c["choices"]]


def test_glm_streams_each_call_whole_unless_tool_stream_and_thinks_unless_disabled() -> None:
    call = FakeToolCall("query_metric", {"metric": "first_time_fix_rate"})
    reply = FakeReply(text=None, tool_calls=[call], reasoning=THOUGHT, chunk_chars=4)
    with FakeOpenAIEndpoint([reply] * 2, family="glm") as ep:
        plain = _stream_deltas(ep)
        fragments = _stream_deltas(ep, tool_stream=True, thinking={"type": "disabled"})
    assert sum("tool_calls" in d for d in plain) == 1
    assert sum("tool_calls" in d for d in fragments) > 3
    assert any("reasoning_content" in d for d in plain)
    assert not any("reasoning_content" in d for d in fragments)


# --- 3. Errors: one sentence, retried only when trying again can help ---------------------------


@pytest.mark.parametrize(
    ("fam", "status", "code", "message", "said", "attempts"),
    [
        ("glm", 429, "1113", "Your account is in arrears", "balance or quota is used up", 1),
        ("glm", 429, "1302", "High concurrency", "rate-limiting requests (GLM code 1302, HTTP", 2),
        ("glm", 400, "1261", "Prompt exceeds max length", "lower context_tokens", 1),
        ("glm", 400, "1301", "unsafe or sensitive content", "rephrase the question", 1),
        ("glm", 400, "1214", "Invalid messages parameter", "(GLM code 1214: Invalid messages", 1),
        ("kimi", 429, "exceeded_current_quota_error", "You exceeded your current token quota",
         "balance or quota is used up (exceeded_current_quota_error)", 1),
        ("kimi", 429, "engine_overloaded_error", "The engine is currently overloaded",
         "is overloaded (engine_overloaded_error, HTTP 429, after 1 retries)", 2),
        ("kimi", 400, "invalid_request_error", "Your request exceeded model token limit: 262144",
         "lower context_tokens", 1),
    ],
    ids=["glm-arrears", "glm-rate", "glm-too-long", "glm-unsafe", "glm-param", "kimi-quota",
         "kimi-overloaded", "kimi-too-long"],
)  # fmt: skip
def test_vendor_errors_become_one_sentence(
    fam: str, status: int, code: str, message: str, said: str, attempts: int
) -> None:
    script = [FakeReply.error(status, message, error_code=code)] * 2
    with (
        FakeOpenAIEndpoint(script, family=fam) as ep,
        pytest.raises(ModelError) as err,
    ):
        _provider(ep, "m", retries=1).complete(USER)
    text = str(err.value)
    assert said in text and text.startswith("The model endpoint at 127.0.0.1:")
    assert text.endswith(".") and ". " not in text and "sk-test" not in text
    assert len(ep.chat_requests) == attempts


@STREAM
def test_glm_content_filter_stop_is_an_error_not_an_answer(stream: bool) -> None:
    reply = FakeReply.say("The answer is", finish_reason="sensitive")
    with (
        FakeOpenAIEndpoint([reply], family="glm") as ep,
        pytest.raises(ModelError, match=r"content filter .*finish_reason sensitive"),
    ):
        _provider(ep, "glm-4.6").complete(USER, on_delta=(lambda _: None) if stream else None)


# --- 4. Kimi thinking models want their reasoning back within tool loops ------------------------


def test_the_reasoning_rule_per_model_name() -> None:
    for thinking in ("kimi-k2-thinking", "kimi-k2-thinking-turbo", "kimi-k2.5", "Kimi-K2-Thinking"):
        assert replay_for(thinking) == "tool_calls", thinking
    for plain in ("kimi-k2-turbo-preview", "kimi-k2-0905-preview", "glm-4.6", "glm-4.5-air"):
        assert replay_for(plain) == "never", plain
    said = "thinking is enabled but reasoning_content is missing in assistant tool call message"
    assert replay_wanted(f"{said} at index 3", "never") == "tool_calls"


def test_a_kimi_thinking_model_behind_an_alias_learns_the_rule(tmp_path: Path) -> None:
    script = [
        FakeReply.tool("count_tickets", {}, reasoning=THOUGHT),
        FakeReply.say("Counted.", reasoning="Enough."),
        FakeReply.say("There were 1,234 tickets in East [Q1].", reasoning="Write it."),
    ]
    with FakeOpenAIEndpoint(script, family="kimi", thinking=True) as ep:
        provider = OpenAIProvider("my-gateway-alias", "k", ep.base_url, max_retries=0)
        answer = make_analyst(tmp_path, provider).ask("How many tickets last quarter?")
    assert answer.verified and provider.replay == "tool_calls"
    # The one refused request went again with the reasoning; nothing else was retried.
    assert len(ep.chat_requests) == 4 and "reasoning_content" in str(ep.chat_requests[2].json)

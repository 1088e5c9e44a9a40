"""The openai provider against the fake endpoint shaped like each vendor's server.

Reasoning beside the answer, tool calls as text, odd tool-call streams, endpoints that cannot
call tools, and Azure OpenAI — through the real ``openai`` client, on loopback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from servicelens.agent.providers.base import (
    ModelError,
    ModelTurn,
    ToolsUnsupported,
    override_allow_model_requests,
)
from servicelens.agent.providers.openai_provider import OpenAIProvider
from servicelens.agent.settings import load_settings
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply, FakeToolCall

USER = [{"role": "user", "content": "What was FCR last quarter?"}]


def _tool(name: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {"metric": {"type": "string"}}}
    return {"type": "function", "function": {"name": name, "parameters": schema}}


TOOLS = [_tool("query_metric"), _tool("search_voc")]
ANSWER = "FCR was 63.2% in 2026-Q3 [Q1]."
THOUGHT = "The user wants FCR. Maybe 99.9% [Q9]? No, query_metric said 63.2%."


@pytest.fixture(autouse=True)
def _requests_off() -> Iterator[None]:
    with override_allow_model_requests(False):
        yield


def _provider(
    ep: FakeOpenAIEndpoint, model: str = "fake-model", api_version: str | None = None
) -> OpenAIProvider:
    return OpenAIProvider(
        model, "sk-test", ep.base_url, timeout_s=5.0, max_retries=1, api_version=api_version
    )


def _ask(
    ep: FakeOpenAIEndpoint,
    stream: bool,
    tools: list[dict[str, Any]] | None = None,
    model: str = "fake-model",
    api_version: str | None = None,
) -> tuple[ModelTurn, list[str]]:
    deltas: list[str] = []
    provider = _provider(ep, model, api_version)
    turn = provider.complete(USER, tools, on_delta=deltas.append if stream else None)
    return turn, deltas


STREAM = pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])


# --- 1. Reasoning output beside the answer -------------------------------------------------------


@STREAM
@pytest.mark.parametrize("fam", ["deepseek", "dashscope", "vllm", "ollama", "llamacpp"])
def test_reasoning_fields_are_kept_apart_from_the_answer(fam: str, stream: bool) -> None:
    reply = FakeReply.say(ANSWER, reasoning=THOUGHT, chunk_chars=5)
    with FakeOpenAIEndpoint([reply], family=fam) as ep:
        turn, deltas = _ask(ep, stream)
    assert turn.text == ANSWER and turn.reasoning == THOUGHT
    if stream:
        assert "".join(deltas) == ANSWER
    assert turn.usage is not None and turn.usage.completion_tokens >= len(THOUGHT) // 4


@STREAM
def test_deepseek_reports_reasoning_tokens(stream: bool) -> None:
    with FakeOpenAIEndpoint([FakeReply.say(ANSWER, reasoning=THOUGHT)], family="deepseek") as ep:
        turn, _ = _ask(ep, stream)
    assert turn.usage is not None and turn.usage.reasoning_tokens == len(THOUGHT) // 4


def test_deepseek_fake_refuses_reasoning_content_sent_back() -> None:
    # As the vendor does: a later request carrying reasoning_content is a 400.
    sent_back = [*USER, {"role": "assistant", "content": "x", "reasoning_content": "y"}]
    with FakeOpenAIEndpoint([FakeReply.say("unused")], family="deepseek") as ep:
        client = openai.OpenAI(api_key="k", base_url=ep.base_url, max_retries=0)
        with pytest.raises(openai.BadRequestError, match="reasoning_content"):
            client.chat.completions.create(model="deepseek-chat", messages=sent_back)  # type: ignore[arg-type]
    assert ep.remaining == 1


@pytest.mark.parametrize("chunk_chars", [1, 2, 3, 5, 8, 64])
def test_think_blocks_split_anywhere_are_never_shown(chunk_chars: int) -> None:
    reply = FakeReply.say(ANSWER, reasoning=THOUGHT, chunk_chars=chunk_chars)
    with FakeOpenAIEndpoint([reply], family="vllm", reasoning="think") as ep:
        turn, deltas = _ask(ep, stream=True)
    shown = "".join(deltas)
    assert "think>" not in shown and "99.9%" not in shown and shown.strip() == ANSWER
    assert turn.text == ANSWER and turn.reasoning == THOUGHT


def test_think_block_in_a_whole_reply() -> None:
    with FakeOpenAIEndpoint([FakeReply.say(ANSWER, reasoning=THOUGHT)], reasoning="think") as ep:
        turn, _ = _ask(ep, stream=False)
    assert turn.text == ANSWER and turn.reasoning == THOUGHT


@STREAM
def test_reply_opened_inside_the_reasoning_keeps_it_out_of_the_text(stream: bool) -> None:
    # The R1 distills' template puts <think> in the prompt: the reply only closes it.
    with FakeOpenAIEndpoint([FakeReply.say(f"{THOUGHT}\n</think>\n\n{ANSWER}")]) as ep:
        turn, _ = _ask(ep, stream)
    assert turn.text == ANSWER and turn.reasoning == THOUGHT


def test_a_lone_angle_bracket_is_still_text() -> None:
    text = "Backlog < 5% and a <b> tag stay."
    with FakeOpenAIEndpoint([FakeReply.say(text, chunk_chars=1)]) as ep:
        turn, deltas = _ask(ep, stream=True)
    assert turn.text == text == "".join(deltas)


# --- 2. Tool calls as text, parallel calls, ids, finish reasons, odd fragments -------------------


def _two_calls() -> list[FakeToolCall]:
    return [
        FakeToolCall("query_metric", {"metric": "fcr"}),
        FakeToolCall("search_voc", {"query": "维修太慢", "k": 5}),
    ]


@STREAM
@pytest.mark.parametrize("fam", ["vllm", "llamacpp", "dashscope"])
def test_tool_calls_written_as_text_become_tool_calls(fam: str, stream: bool) -> None:
    reply = FakeReply(text=None, tool_calls=_two_calls(), reasoning=THOUGHT, chunk_chars=3)
    with FakeOpenAIEndpoint([reply], family=fam, tools="text", reasoning="think") as ep:
        turn, deltas = _ask(ep, stream, TOOLS)
    assert [(c.name, c.arguments) for c in turn.tool_calls] == [
        ("query_metric", {"metric": "fcr"}),
        ("search_voc", {"query": "维修太慢", "k": 5}),
    ]
    assert turn.text == "" and "".join(deltas).strip() == "" and turn.finish_reason == "stop"
    assert len({c.id for c in turn.tool_calls}) == 2 and all(c.id for c in turn.tool_calls)


def test_an_unreadable_text_tool_call_is_sent_back_to_the_model() -> None:
    reply = FakeReply.say("<tool_call>\nquery_metric please\n</tool_call>")
    with FakeOpenAIEndpoint([reply]) as ep:
        turn, _ = _ask(ep, stream=False, tools=TOOLS)
    (call,) = turn.tool_calls
    assert call.error and turn.text == ""


@pytest.mark.parametrize(
    "content",
    [
        '{"name": "query_metric", "parameters": {"metric": "fcr"}}',
        '<|python_tag|>{"name": "query_metric", "arguments": {"metric": "fcr"}}',
        '[TOOL_CALLS][{"name": "query_metric", "arguments": {"metric": "fcr"}}]',
    ],
    ids=["llama-json", "python-tag", "mistral"],
)
def test_a_whole_reply_that_is_a_json_call_becomes_a_tool_call(content: str) -> None:
    with FakeOpenAIEndpoint([FakeReply.say(content)]) as ep:
        turn, _ = _ask(ep, stream=False, tools=TOOLS)
    assert [(c.name, c.arguments) for c in turn.tool_calls] == [("query_metric", {"metric": "fcr"})]


def test_json_that_names_no_offered_tool_stays_an_answer() -> None:
    text = '{"name": "East", "arguments": "none"}'
    with FakeOpenAIEndpoint([FakeReply.say(text)]) as ep:
        turn, _ = _ask(ep, stream=False, tools=TOOLS)
    assert turn.text == text and turn.tool_calls == []


ALL = ["openai", "deepseek", "dashscope", "vllm", "ollama", "llamacpp", "azure"]


@STREAM
@pytest.mark.parametrize("fam", ALL)
def test_parallel_native_tool_calls_in_every_family(fam: str, stream: bool) -> None:
    reply = FakeReply(text=None, tool_calls=_two_calls(), chunk_chars=3)
    version = "2024-10-21" if fam == "azure" else None
    with FakeOpenAIEndpoint([reply], family=fam) as ep:
        turn, _ = _ask(ep, stream, TOOLS, api_version=version)
    assert [(c.name, c.arguments) for c in turn.tool_calls] == [
        ("query_metric", {"metric": "fcr"}),
        ("search_voc", {"query": "维修太慢", "k": 5}),
    ]
    assert ep.chat_requests[0].json["tools"] == TOOLS


@STREAM
@pytest.mark.parametrize("ids", [("", ""), ("call_1", "call_1")], ids=["missing", "duplicate"])
def test_parallel_calls_get_unique_ids(ids: tuple[str, str], stream: bool) -> None:
    calls = [
        FakeToolCall("query_metric", {"metric": m}, id=i) for m, i in zip("ab", ids, strict=True)
    ]
    with FakeOpenAIEndpoint([FakeReply(text=None, tool_calls=calls)]) as ep:
        turn, _ = _ask(ep, stream, TOOLS)
    assert [c.arguments["metric"] for c in turn.tool_calls] == ["a", "b"]
    assert len({c.id for c in turn.tool_calls}) == 2 and all(c.id for c in turn.tool_calls)


@STREAM
def test_ollama_whole_calls_in_one_chunk_with_finish_stop(stream: bool) -> None:
    with FakeOpenAIEndpoint([FakeReply(text=None, tool_calls=_two_calls())], family="ollama") as ep:
        turn, _ = _ask(ep, stream, TOOLS)
    assert [c.name for c in turn.tool_calls] == ["query_metric", "search_voc"]
    assert turn.finish_reason == "stop"


@STREAM
def test_tool_calls_without_a_finish_reason(stream: bool) -> None:
    reply = FakeReply(text=None, tool_calls=_two_calls(), finish=False, done=True)
    with FakeOpenAIEndpoint([reply]) as ep:
        turn, _ = _ask(ep, stream, TOOLS)
    assert [c.name for c in turn.tool_calls] == ["query_metric", "search_voc"]
    assert turn.finish_reason is None and len(ep.chat_requests) == 1


@pytest.mark.parametrize("chunk_chars", [1, 2, 3, 7])
def test_arguments_split_mid_key_and_mid_unicode_escape(chunk_chars: int) -> None:
    raw = '{"query": "\\u7ef4\\u4fee\\u592a\\u6162", "k": 5}'
    reply = FakeReply(text=None, tool_calls=[FakeToolCall("search_voc", raw)])
    reply.chunk_chars = chunk_chars
    with FakeOpenAIEndpoint([reply]) as ep:
        turn, _ = _ask(ep, stream=True, tools=TOOLS)
    (call,) = turn.tool_calls
    assert call.arguments == {"query": "维修太慢", "k": 5} and call.error is None


def test_index_less_fragments_repeating_their_id_make_one_call() -> None:
    chunks = [
        {"tool_calls": [{"id": "c1", "function": {"name": "query_metric", "arguments": '{"me'}}]},
        {"tool_calls": [{"id": "c1", "function": {"arguments": 'tric": "fcr"}'}}]},
    ]
    lines = [{"choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in chunks] + [
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}
    ]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in lines) + "data: [DONE]\n\n"
    junk = FakeReply.junk(body, content_type="text/event-stream")
    with FakeOpenAIEndpoint([junk]) as ep:
        turn, _ = _ask(ep, stream=True, tools=TOOLS)
    assert [(c.id, c.arguments) for c in turn.tool_calls] == [("c1", {"metric": "fcr"})]


# --- 3. Endpoints and models without tool calling -------------------------------------------------


@pytest.mark.parametrize(
    ("fam", "model", "hint"),
    [
        ("llamacpp", "qwen2.5-7b", "start llama-server with --jinja"),
        ("vllm", "Qwen/Qwen3-8B", "--enable-auto-tool-choice"),
        ("ollama", "gemma2:2b", "Ollama model whose library page lists tools"),
    ],
)
def test_a_server_refusing_tools_names_the_setting(fam: str, model: str, hint: str) -> None:
    with (
        FakeOpenAIEndpoint([FakeReply.say("unused")], family=fam, tools="refused") as ep,
        pytest.raises(ToolsUnsupported, match=hint) as err,
    ):
        _provider(ep, model).complete(USER, TOOLS)
    assert model in str(err.value) and "HTTP 400" in str(err.value)
    assert len(ep.chat_requests) == 1  # not retried


def test_deepseek_reasoner_with_tools_points_at_deepseek_chat() -> None:
    with FakeOpenAIEndpoint([FakeReply.say("unused")], family="deepseek") as ep:
        with pytest.raises(ToolsUnsupported, match="deepseek-chat"):
            _provider(ep, "deepseek-reasoner").complete(USER, TOOLS)
        # Without tools (the writing step) the reasoner answers.
        assert _provider(ep, "deepseek-reasoner").complete(USER).text == "unused"


def test_a_model_writing_about_a_tool_instead_of_calling_it_is_reported() -> None:
    prose = "To answer this I would call query_metric with metric fcr."
    with (
        FakeOpenAIEndpoint([FakeReply.say(prose)], family="llamacpp") as ep,
        pytest.raises(ToolsUnsupported, match="instead of calling it") as err,
    ):
        _provider(ep).complete(USER, TOOLS)
    assert "--jinja" in str(err.value)


def test_naming_a_tool_after_its_results_is_fine() -> None:
    done = [
        *USER,
        {"role": "assistant", "content": None, "tool_calls": [_call_message()]},
        {"role": "tool", "tool_call_id": "c1", "content": "[Q1] fcr 63.2%"},
    ]
    with FakeOpenAIEndpoint([FakeReply.say("query_metric gave FCR [Q1].")]) as ep:
        turn = _provider(ep).complete(done, TOOLS)
    assert turn.text.startswith("query_metric")


def _call_message() -> dict[str, object]:
    fn = {"name": "query_metric", "arguments": '{"metric": "fcr"}'}
    return {"id": "c1", "type": "function", "function": fn}


# --- 4. Azure OpenAI ---------------------------------------------------------------------------


@STREAM
def test_azure_deployment_url_version_and_key(stream: bool) -> None:
    script = [FakeReply.tool("query_metric", {"metric": "fcr"}, chunk_chars=3)]
    with FakeOpenAIEndpoint(script, family="azure", model="sl-gpt4o") as ep:
        turn, _ = _ask(ep, stream, TOOLS, model="sl-gpt4o", api_version="2024-10-21")
    assert [c.arguments for c in turn.tool_calls] == [{"metric": "fcr"}]
    (sent,) = ep.chat_requests
    assert sent.path == "/openai/deployments/sl-gpt4o/chat/completions?api-version=2024-10-21"
    assert sent.headers["api-key"] == "sk-test" and "authorization" not in sent.headers


def test_azure_unknown_deployment_names_the_settings() -> None:
    with FakeOpenAIEndpoint([], family="azure", model="sl-gpt4o") as ep:
        provider = _provider(ep, "gpt-4o", api_version="2024-10-21")
        with pytest.raises(ModelError, match=r"deployment 'gpt-4o'.*OPENAI_API_VERSION"):
            provider.complete(USER)


def test_azure_fake_wants_the_api_version_and_key() -> None:
    with FakeOpenAIEndpoint([], family="azure", model="d") as ep:
        url = f"{ep.base_url}/openai/deployments/d/chat/completions"
        no_version = httpx.post(url, json={"messages": []}, headers={"api-key": "k"})
        no_key = httpx.post(url, params={"api-version": "2024-10-21"}, json={"messages": []})
    assert no_version.status_code == 404
    assert no_version.json() == {"error": {"code": "404", "message": "Resource not found"}}
    assert no_key.status_code == 401


def test_settings_express_azure() -> None:
    env = {
        "OPENAI_BASE_URL": "https://contoso.openai.azure.com",
        "OPENAI_API_KEY": "k",
        "OPENAI_API_VERSION": "2024-10-21",
        "SERVICELENS_MODEL": "sl-gpt4o",
    }
    settings = load_settings("/nonexistent-home", environ=env)
    provider = OpenAIProvider.from_settings(settings)
    assert provider.api_version == "2024-10-21"
    assert isinstance(provider._client, openai.AzureOpenAI)


def test_azure_without_an_endpoint_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="OPENAI_BASE_URL"):
        OpenAIProvider("d", "k", None, api_version="2024-10-21")


# --- 5. The README's matrix names tests that exist ------------------------------------------------

_FILES = {
    "MF": "test_model_families.py",
    "OP": "test_openai_provider.py",
    "E2E": "test_agent_e2e.py",
    "DS": "test_deepseek_thinking.py",
    "DP": "test_doctor_probe.py",
    "SM": "test_slow_models.py",
    "GK": "test_glm_kimi.py",
}


def test_every_matrix_cell_names_a_test_that_exists() -> None:
    here = Path(__file__).resolve().parent
    readme = (here.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("What each family is tested for", 1)[1].split("### ", 1)[0]
    cited = re.findall(r"`([A-Z0-9]+)::(test_\w+)", block)
    assert {"GK", "E2E", "DP"} <= {abbr for abbr, _ in cited}
    for abbr, name in cited:
        source = (here / _FILES[abbr]).read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"README cites {abbr}::{name}, which does not exist"
    rows = {line.split("|")[1].strip() for line in block.splitlines() if line.startswith("| ")}
    assert {"GLM (Zhipu)", "Kimi K2 (Moonshot)", "Kimi thinking"} <= rows

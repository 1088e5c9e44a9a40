"""The openai provider through the real openai client against a fake endpoint on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from servicelens.agent.providers.base import (
    ModelError,
    ModelRequestsBlocked,
    allow_model_requests,
    is_loopback_url,
    override_allow_model_requests,
)
from servicelens.agent.providers.openai_provider import OpenAIProvider
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply, FakeToolCall
from servicelens.data.errors import ServiceLensError

USER = [{"role": "user", "content": "What was FCR last quarter?"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "query_metric",
            "description": "Query a catalog metric.",
            "parameters": {"type": "object", "properties": {"metric": {"type": "string"}}},
        },
    }
]
KEY = "sk-test-secret-123"


@pytest.fixture(autouse=True)
def _requests_off() -> Iterator[None]:
    # As the lead's conftest will: real model requests are off, loopback stays usable.
    with override_allow_model_requests(False):
        yield


def _provider(ep: FakeOpenAIEndpoint, timeout_s: float = 5.0, retries: int = 1) -> OpenAIProvider:
    return OpenAIProvider("fake-model", KEY, ep.base_url, timeout_s=timeout_s, max_retries=retries)


def test_text_answer_and_what_was_sent() -> None:
    with FakeOpenAIEndpoint([FakeReply.say("FCR was 63.2% [Q1].")]) as ep:
        turn = _provider(ep).complete(USER, TOOLS)
    assert turn.text == "FCR was 63.2% [Q1]."
    assert turn.tool_calls == [] and turn.finish_reason == "stop"
    assert turn.usage is not None and turn.usage.prompt_tokens == 100
    sent = ep.chat_requests[0]
    assert sent.json["model"] == "fake-model"
    assert sent.json["messages"] == USER and sent.json["tools"] == TOOLS
    assert sent.headers["authorization"] == f"Bearer {KEY}"


def test_streaming_delivers_deltas_and_usage() -> None:
    deltas: list[str] = []
    with FakeOpenAIEndpoint([FakeReply.say("Streaming answer text.", chunk_chars=3)]) as ep:
        turn = _provider(ep).complete(USER, on_delta=deltas.append)
    assert len(deltas) > 3 and "".join(deltas) == turn.text == "Streaming answer text."
    assert ep.chat_requests[0].json["stream_options"] == {"include_usage": True}
    assert turn.usage is not None and turn.usage.completion_tokens > 0


def test_server_that_rejects_stream_options_is_asked_again_without() -> None:
    deltas: list[str] = []
    with FakeOpenAIEndpoint([FakeReply.say("ok then")], reject_stream_options=True) as ep:
        turn = _provider(ep).complete(USER, on_delta=deltas.append)
    assert turn.text == "ok then" and turn.usage is None
    assert [("stream_options" in r.json) for r in ep.chat_requests] == [True, False]


def test_tool_call_non_streamed() -> None:
    with FakeOpenAIEndpoint([FakeReply.tool("query_metric", {"metric": "fcr"})]) as ep:
        turn = _provider(ep).complete(USER, TOOLS)
    (call,) = turn.tool_calls
    assert (call.name, call.arguments, call.error) == ("query_metric", {"metric": "fcr"}, None)
    assert call.id.startswith("call_fake_") and turn.finish_reason == "tool_calls"


def test_tool_calls_streamed_in_fragments_are_assembled() -> None:
    reply = FakeReply(
        text=None,
        tool_calls=[
            FakeToolCall("query_metric", {"metric": "fcr", "period": "2026-Q3"}),
            FakeToolCall("search_voc", {"query": "维修太慢", "k": 5}),
        ],
        chunk_chars=3,
    )
    with FakeOpenAIEndpoint([reply]) as ep:
        turn = _provider(ep).complete(USER, TOOLS, on_delta=lambda _: None)
    assert [(c.name, c.arguments) for c in turn.tool_calls] == [
        ("query_metric", {"metric": "fcr", "period": "2026-Q3"}),
        ("search_voc", {"query": "维修太慢", "k": 5}),
    ]
    assert all(c.error is None for c in turn.tool_calls)


@pytest.mark.parametrize(
    "raw",
    [
        "{'metric': 'fcr', 'compare': True,}",
        '```json\n{"metric": "fcr"}\n```',
        '{metric: "fcr", "region": None}',
        '{"metric": "fcr"',
    ],
)
def test_malformed_arguments_are_repaired(raw: str) -> None:
    with FakeOpenAIEndpoint([FakeReply.tool("query_metric", raw)]) as ep:
        (call,) = _provider(ep).complete(USER, TOOLS).tool_calls
    assert call.error is None
    assert call.arguments["metric"] == "fcr"
    assert call.raw_arguments == raw


def test_unrepairable_arguments_become_a_tool_call_error() -> None:
    with FakeOpenAIEndpoint([FakeReply.tool("query_metric", "metric = fcr please")]) as ep:
        (call,) = _provider(ep).complete(USER, TOOLS).tool_calls
    assert call.arguments == {}
    assert call.error and "JSON" in call.error


def test_lenient_server_shapes() -> None:
    # No usage, an empty tool-call id and content null, all in one reply.
    reply = FakeReply(text=None, tool_calls=[FakeToolCall("query_metric", "", id="")], usage=False)
    with FakeOpenAIEndpoint([reply]) as ep:
        turn = _provider(ep).complete(USER, TOOLS)
    assert turn.usage is None and turn.text == ""
    (call,) = turn.tool_calls
    assert call.id.startswith("call_") and call.arguments == {}


def test_timeout_ends_in_a_clear_error_within_the_retry_budget() -> None:
    with FakeOpenAIEndpoint([FakeReply.slow(5), FakeReply.slow(5)]) as ep:
        provider = _provider(ep, timeout_s=0.5, retries=1)
        started = time.perf_counter()
        with pytest.raises(ModelError, match=r"did not answer within 0.5 s") as err:
            provider.complete(USER)
        elapsed = time.perf_counter() - started
    # Two attempts of 0.5 s plus the SDK's backoff (at most about 0.5 s for the first retry).
    assert elapsed < 0.5 * 2 + 1.0
    assert len(ep.chat_requests) == 2
    assert "request_timeout_s" in str(err.value)
    assert isinstance(err.value, ServiceLensError)


def test_server_error_then_success_is_one_retry() -> None:
    with FakeOpenAIEndpoint([FakeReply.error(500), FakeReply.say("recovered")]) as ep:
        turn = _provider(ep).complete(USER)
    assert turn.text == "recovered" and len(ep.chat_requests) == 2


def test_server_error_after_retries() -> None:
    with (
        FakeOpenAIEndpoint([FakeReply.error(503), FakeReply.error(503)]) as ep,
        pytest.raises(ModelError, match="HTTP 503 after 1 retries"),
    ):
        _provider(ep).complete(USER)
    assert len(ep.chat_requests) == 2


def test_bad_key_is_named_without_leaking_it() -> None:
    with (
        FakeOpenAIEndpoint([FakeReply.error(401, f"Incorrect API key {KEY}")]) as ep,
        pytest.raises(ModelError, match="check OPENAI_API_KEY") as err,
    ):
        _provider(ep).complete(USER)
    assert KEY not in str(err.value)
    assert len(ep.chat_requests) == 1  # 401 is not retried


def test_unknown_model_points_at_the_setting() -> None:
    with (
        FakeOpenAIEndpoint([FakeReply.error(404, "model not found")]) as ep,
        pytest.raises(ModelError, match="SERVICELENS_MODEL"),
    ):
        _provider(ep).complete(USER)


def test_junk_body_is_a_model_error() -> None:
    with FakeOpenAIEndpoint([FakeReply.junk()]) as ep, pytest.raises(ModelError, match="not JSON"):
        _provider(ep).complete(USER)


def test_json_without_choices_is_a_model_error() -> None:
    with (
        FakeOpenAIEndpoint([FakeReply(body='{"hello": "world"}')]) as ep,
        pytest.raises(ModelError, match="without any choices"),
    ):
        _provider(ep).complete(USER)


def test_junk_stream_is_a_model_error() -> None:
    junk = FakeReply.junk("data: {not json\n\n", content_type="text/event-stream")
    with FakeOpenAIEndpoint([junk]) as ep, pytest.raises(ModelError, match="not JSON"):
        _provider(ep).complete(USER, on_delta=lambda _: None)


def test_connection_refused_points_at_the_base_url() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = OpenAIProvider("m", KEY, f"http://127.0.0.1:{port}/v1", 2.0, max_retries=0)
    with pytest.raises(ModelError, match="check OPENAI_BASE_URL"):
        provider.complete(USER)


def test_models_and_embeddings_routes() -> None:
    import openai

    with FakeOpenAIEndpoint() as ep:
        client = openai.OpenAI(api_key="x", base_url=ep.base_url, max_retries=0)
        assert [m.id for m in client.models.list()] == ["fake-model"]
        first = client.embeddings.create(model="e", input=["a", "b"]).data
        again = client.embeddings.create(model="e", input="a").data
    assert first[0].embedding == again[0].embedding != first[1].embedding


def test_guard_blocks_real_endpoints_but_not_loopback() -> None:
    remote = OpenAIProvider("m", KEY, "https://api.example.com/v1", 1.0, 0)
    with pytest.raises(ModelRequestsBlocked, match=r"api\.example\.com"):
        remote.complete(USER)
    assert is_loopback_url("http://127.0.0.1:9/v1") and is_loopback_url("http://localhost/v1")
    assert is_loopback_url("http://[::1]:8000/v1") and not is_loopback_url(None)
    with FakeOpenAIEndpoint([FakeReply.say("local is fine")]) as ep:
        assert _provider(ep).complete(USER).text == "local is fine"


def test_guard_switch_restores_its_previous_value() -> None:
    with override_allow_model_requests(True):
        pass
    with pytest.raises(ModelRequestsBlocked):
        OpenAIProvider("m", KEY, None, 1.0, 0).complete(USER)
    allow_model_requests(False)


def test_no_endpoint_configured_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="OPENAI_API_KEY"):
        OpenAIProvider("m", None, None)


def test_endpoint_starts_fast_and_reports_overrun() -> None:
    started = time.perf_counter()
    with FakeOpenAIEndpoint([]) as ep:
        assert time.perf_counter() - started < 1.0
        assert ep.base_url.startswith("http://127.0.0.1:")
        with pytest.raises(ModelError):
            _provider(ep, retries=0).complete(USER)
    assert ep.overrun


# --- Faults: each call is bounded, and a broken stream is never a good answer ---------------------


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_dripping_reply_is_cut_at_the_call_deadline(stream: bool) -> None:
    # One byte every 20 ms never trips a 0.5 s read timeout; only a deadline on the call ends it.
    with FakeOpenAIEndpoint([FakeReply.drip(0.02, "x" * 60)]) as ep:
        provider = _provider(ep, timeout_s=0.5, retries=0)
        started = time.perf_counter()
        with pytest.raises(ModelError, match=r"did not finish within 0\.5 s") as err:
            provider.complete(USER, on_delta=(lambda _: None) if stream else None)
        elapsed = time.perf_counter() - started
    assert elapsed < 0.5 + 0.5
    assert "request_timeout_s" in str(err.value)


def test_the_deadline_covers_the_retries() -> None:
    # A budget of 0.3 s × 2 attempts + 0.5 s of backoff: the dripping first attempt uses it all.
    with FakeOpenAIEndpoint([FakeReply.drip(0.02, "x" * 60), FakeReply.say("late")]) as ep:
        provider = _provider(ep, timeout_s=0.3, retries=1)
        started = time.perf_counter()
        with pytest.raises(ModelError, match=r"did not finish within 1\.1 s"):
            provider.complete(USER)
        assert time.perf_counter() - started < 1.1 + 0.5
    assert len(ep.chat_requests) == 1


def test_a_retry_after_longer_than_the_budget_is_not_waited_for() -> None:
    asks = FakeReply.error(429, "slow down", headers={"retry-after": "5"})
    with FakeOpenAIEndpoint([asks, FakeReply.say("too late")]) as ep:
        provider = _provider(ep, timeout_s=0.5, retries=1)
        started = time.perf_counter()
        with pytest.raises(ModelError, match=r"HTTP 429.*asked to wait 5 s") as err:
            provider.complete(USER)
        assert time.perf_counter() - started < 1.0
    assert len(ep.chat_requests) == 1
    assert "request_timeout_s" in str(err.value)


def test_a_retry_after_within_the_budget_is_honoured() -> None:
    asks = FakeReply.error(503, headers={"retry-after-ms": "300"})
    with FakeOpenAIEndpoint([asks, FakeReply.say("recovered")]) as ep:
        started = time.perf_counter()
        turn = _provider(ep, timeout_s=1.0, retries=1).complete(USER)
        assert time.perf_counter() - started >= 0.3
    assert turn.text == "recovered" and len(ep.chat_requests) == 2


def test_a_stream_cut_short_after_text_was_shown_fails_the_call() -> None:
    deltas: list[str] = []
    cut = FakeReply.say("FCR was 63.2% in Q3 and it", finish=False, done=False)
    with (
        FakeOpenAIEndpoint([cut, FakeReply.say("never asked for")]) as ep,
        pytest.raises(ModelError, match="stopped mid-reply") as err,
    ):
        _provider(ep, retries=1).complete(USER, on_delta=deltas.append)
    assert "".join(deltas) == "FCR was 63.2% in Q3 and it"
    # Asking again would show the text twice, so the incomplete text is said to be incomplete.
    assert len(ep.chat_requests) == 1 and "incomplete" in str(err.value)


def test_a_stream_cut_short_before_any_text_is_retried() -> None:
    cut = FakeReply(text=None, tool_calls=[FakeToolCall("query_metric", {"metric": "f"})])
    cut.finish = cut.done = False
    whole = FakeReply.tool("query_metric", {"metric": "fcr"})
    with FakeOpenAIEndpoint([cut, whole]) as ep:
        turn = _provider(ep, retries=1).complete(USER, TOOLS, on_delta=lambda _: None)
    assert [c.arguments for c in turn.tool_calls] == [{"metric": "fcr"}]
    assert turn.finish_reason == "tool_calls" and len(ep.chat_requests) == 2


def test_a_stream_cut_short_with_no_retries_left_fails() -> None:
    cut = FakeReply(text=None, tool_calls=[FakeToolCall("query_metric", {"metric": "f"})])
    cut.finish = cut.done = False
    with FakeOpenAIEndpoint([cut]) as ep, pytest.raises(ModelError, match="stopped mid-reply"):
        _provider(ep, retries=0).complete(USER, TOOLS, on_delta=lambda _: None)


def test_a_dropped_stream_is_not_called_a_failure_to_connect() -> None:
    dropped = FakeReply.say("FCR was 63.2% in Q3 and it rose", reset_after=4)
    with (
        FakeOpenAIEndpoint([dropped]) as ep,
        pytest.raises(ModelError, match="connection broke") as err,
    ):
        _provider(ep, retries=1).complete(USER, on_delta=lambda _: None)
    assert "Could not connect" not in str(err.value) and len(ep.chat_requests) == 1


def test_a_stream_dropped_before_any_text_is_retried() -> None:
    dropped = FakeReply.say("lost", reset_after=0)
    with FakeOpenAIEndpoint([dropped, FakeReply.say("second time lucky")]) as ep:
        turn = _provider(ep, retries=1).complete(USER, on_delta=lambda _: None)
    assert turn.text == "second time lucky" and len(ep.chat_requests) == 2


def test_a_stream_without_any_choice_is_an_empty_reply() -> None:
    with (
        FakeOpenAIEndpoint([FakeReply.say("unsent", choices=False)]) as ep,
        pytest.raises(ModelError, match="empty reply"),
    ):
        _provider(ep, retries=0).complete(USER, on_delta=lambda _: None)


def test_retry_after_is_read_in_seconds_milliseconds_or_as_a_date() -> None:
    import email.utils

    import httpx

    from servicelens.agent.providers.deadline import retry_after_s

    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert retry_after_s(httpx.Headers({"Retry-After": "30"})) == 30.0
    assert retry_after_s(httpx.Headers({"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    assert 55 < (retry_after_s(httpx.Headers({"retry-after": in_a_minute})) or 0) <= 60
    assert retry_after_s(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after_s(httpx.Headers()) is None

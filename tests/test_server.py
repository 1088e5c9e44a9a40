"""The HTTP API over loopback: a real uvicorn server, httpx and the official ``openai`` client.

One ``Analyst`` on the demo workspace serves every request, as in production; its scripted
model answers each thread from that thread's own question and tool results.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from server_support import SLOW_CALL_S, LiveServer, analyst_factory, serving

from servicelens.agent.events import AnswerEvent, StatusEvent, TextDeltaEvent, parse_event
from servicelens.agent.server import Limits, create_app
from servicelens.agent.server.auth import NO_TOKEN_MESSAGE, decide
from servicelens.agent.server.limits import TokenBuckets
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply

TOKEN = "test-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Every month of the demo's history, 2024-11 .. 2026-10: one per concurrent thread.
MONTHS = [f"{2024 + (10 + i) // 12}-{(10 + i) % 12 + 1:02d}" for i in range(24)]


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def access_log() -> Iterator[Captured]:
    handler = Captured()
    logger = logging.getLogger("servicelens.server.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture(scope="module")
def server(demo_home: Path, access_log: Captured) -> Iterator[LiveServer]:
    limits = Limits(max_request_bytes=64_000, rate_per_minute=100_000, burst=1_000)
    app = create_app(analyst_factory(demo_home), tokens=[TOKEN], limits=limits)
    with serving(app) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=60) as c:
        yield c


def _ask(client: httpx.Client, question: str, thread_id: str | None = None) -> dict[str, Any]:
    r = client.post("/v1/ask", json={"question": question, "thread_id": thread_id})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _sse(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs of a Server-Sent-Events body."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and ": " in line)
        if "data" in fields:
            out.append((fields.get("event", "message"), fields["data"]))
    return out


# --- JSON and SSE ---------------------------------------------------------------------------


def test_ask_returns_a_cited_verified_answer(client: httpx.Client) -> None:
    answer = _ask(client, "How many tickets in 2025-03?")
    assert answer["status"] == "answered" and answer["verification"]["ok"]
    [cited] = answer["citations"]
    assert cited["id"] == "Q1" and cited["sql"] and cited["rows"]
    # How the question was read comes first, then the answer as written.
    written = f"There were {cited['rows'][0][0]} tickets in 2025-03 [Q1]."
    assert answer["text"] == f"Read as: Ticket volume · 2025-03\n\n{written}"
    assert answer["reading"]["measures"] == ["Ticket volume"]
    assert answer["period"]["label"] == "2025-03" and answer["usage"]["prompt_tokens"] > 0


def test_follow_up_thread_view_evidence_and_export(client: httpx.Client) -> None:
    first = _ask(client, "How many tickets in 2025-05?")
    thread = first["thread_id"]
    second = _ask(client, "and in 2025-06?", thread)
    assert second["thread_id"] == thread and second["citations"][0]["id"] == "Q2"

    view = client.get(f"/v1/threads/{thread}").json()
    assert [t["question"] for t in view["turns"]] == [
        "How many tickets in 2025-05?",
        "and in 2025-06?",
    ]
    assert [t["answer"] for t in view["turns"]] == [first["text"], second["text"]]
    assert all(t["status"] == "answered" and t["finished_at"] for t in view["turns"])
    assert view["evidence_ids"] == ["Q1", "Q2"] and view["turns"][1]["cited"] == ["Q2"]

    ev = client.get("/v1/evidence/Q1", params={"thread_id": thread}).json()
    assert ev["kind"] == "query" and ev["sql"] and ev["rows"] == first["citations"][0]["rows"]
    missing = client.get("/v1/evidence/Q9", params={"thread_id": thread})
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found"

    md = client.get(f"/v1/export/{thread}.md")
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# and in 2025-06?") and "[Q2]" in md.text and "```sql" in md.text
    page = client.get(f"/v1/export/{thread}.html")
    assert page.text.startswith("<!DOCTYPE html>") and "<table>" in page.text


def test_unknown_thread_is_404(client: httpx.Client) -> None:
    r = client.get("/v1/threads/no-such-thread")
    assert r.status_code == 404
    assert r.json() == {
        "error": {"type": "not_found", "message": "No thread 'no-such-thread' on this server."}
    }


def test_charts_as_png_and_vega_lite(client: httpx.Client) -> None:
    answer = _ask(client, "Chart monthly tickets for 2025-Q3")
    assert [c["id"] for c in answer["citations"]] == ["C1", "Q1"]
    params = {"thread_id": answer["thread_id"]}
    vl = client.get("/v1/charts/C1.json", params=params).json()
    assert vl["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5")
    assert len(vl["data"]["values"]) == 3  # July, August, September
    png = client.get("/v1/charts/C1.png", params=params)
    assert png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png.content[16:20]), int.from_bytes(png.content[20:24])
    assert (width, height) == (800, 450)
    not_chart = client.get("/v1/charts/Q1.png", params=params)
    assert not_chart.status_code == 404 and "not a chart" in not_chart.json()["error"]["message"]


def test_stream_sends_typed_events_ending_with_the_answer(client: httpx.Client) -> None:
    with client.stream("POST", "/v1/ask/stream", json={"question": "Tickets in 2026-02?"}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        body = r.read().decode()
    pairs = _sse(body)
    events = [parse_event(data) for _, data in pairs]
    assert [name for name, _ in pairs] == [e.type for e in events]
    assert events[0].type == "status" and {"tool_call", "tool_result"} <= {e.type for e in events}
    final = events[-1]
    assert isinstance(final, AnswerEvent) and final.answer.status == "answered"
    streamed = "".join(e.text for e in events if isinstance(e, TextDeltaEvent))
    # The reading line is added by code after the checks, and announced as its own event.
    reading = next(e for e in events if isinstance(e, StatusEvent) and e.stage == "reading")
    assert final.answer.text == f"{reading.message}\n\n{streamed}" and "2026-02 [Q1]" in streamed


# --- errors ---------------------------------------------------------------------------------


def test_validation_and_user_errors_are_short_json(client: httpx.Client) -> None:
    r = client.post("/v1/ask", json={"thread_id": "x"})
    assert r.status_code == 422
    assert r.json()["error"] == {
        "type": "validation_error",
        "message": "Invalid request: question: Field required.",
    }
    r = client.post("/v1/ask", json={"question": "   "})
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "ServiceLensError"
    assert r.json()["error"]["message"].startswith("The question is empty")


def test_a_bug_is_a_generic_500_and_a_stream_error_event(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    r = client.post("/v1/ask", json={"question": "BOOM please"})
    assert r.status_code == 500
    error = r.json()["error"]
    assert error["type"] == "internal_error" and "scripted" not in error["message"]
    with client.stream("POST", "/v1/ask/stream", json={"question": "BOOM again"}) as s:
        body = s.read().decode()
    last = parse_event(_sse(body)[-1][1])
    assert last.type == "error" and last.error_type == "internal_error"
    assert "a scripted bug" not in body


# --- auth and limits ------------------------------------------------------------------------


def test_missing_or_wrong_token_is_401(server: LiveServer) -> None:
    missing = httpx.post(f"{server.url}/v1/ask", json={"question": "hi"})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["error"]["type"] == "unauthorized"
    wrong = httpx.get(f"{server.url}/v1/models", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "not valid" in wrong.json()["error"]["message"]
    # Health checks need no token and show no secrets.
    health = httpx.get(f"{server.url}/healthz").json()
    assert health["status"] == "ok" and health["auth"] is True and TOKEN not in json.dumps(health)
    assert health["provider"] == "scripted" and health["data_version"]["warehouse"]


def test_auth_decision_without_tokens_is_loopback_only() -> None:
    assert decide([], None, "127.0.0.1").allowed
    assert decide([], None, "::1").allowed
    remote = decide([], "Bearer anything", "203.0.113.9")
    assert (remote.status, remote.message) == (403, NO_TOKEN_MESSAGE)
    assert "api_tokens" in remote.message
    assert decide(["a", "b"], "Bearer b", "203.0.113.9").principal.startswith("token:")
    assert decide(["a"], "Basic a", "127.0.0.1").status == 401


def test_oversized_requests_get_413(client: httpx.Client) -> None:
    big = {"question": "x" * 70_000}
    r = client.post("/v1/ask", json=big)
    assert r.status_code == 413 and r.json()["error"]["type"] == "request_too_large"
    assert "64000 bytes" in r.json()["error"]["message"]

    # Chunked, with no Content-Length: counted while read.
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(10):
            yield b"y" * 10_000
        yield b'"}'

    r = client.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_rate_limit_is_429_with_retry_after(demo_home: Path) -> None:
    app = create_app(
        analyst_factory(demo_home), tokens=[TOKEN], limits=Limits(rate_per_minute=6, burst=3)
    )
    with serving(app) as live, httpx.Client(base_url=live.url, headers=AUTH) as c:
        codes = [c.get("/v1/models").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.get("/v1/models")
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 10
        assert r.json()["error"]["type"] == "rate_limited"
        assert c.get("/healthz").status_code == 200


def test_token_bucket_refills() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate_per_minute=60, burst=2, clock=lambda: now[0])
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0) and buckets.take("b") == 0.0
    now[0] = 1.0
    assert buckets.take("a") == 0.0


# --- the OpenAI-compatible endpoint ---------------------------------------------------------


@pytest.fixture
def oai(server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=TOKEN, max_retries=0)


def test_openai_client_lists_the_model(oai: openai.OpenAI) -> None:
    assert [m.id for m in oai.models.list()] == ["servicelens"]


def test_openai_client_non_streaming_and_follow_up(oai: openai.OpenAI) -> None:
    messages: list[Any] = [{"role": "user", "content": "How many tickets in 2025-07?"}]
    raw = oai.chat.completions.with_raw_response.create(model="servicelens", messages=messages)
    thread = raw.headers["x-servicelens-thread"]
    first = raw.parse()
    content = first.choices[0].message.content or ""
    assert first.object == "chat.completion" and first.choices[0].finish_reason == "stop"
    assert "tickets in 2025-07 [Q1]" in content and "\n\nSources:\n- [Q1] query_metric" in content
    assert first.usage and first.usage.prompt_tokens > 0

    # The front-end resends the transcript: the server finds the thread from it.
    messages += [
        {"role": "assistant", "content": content},
        {"role": "user", "content": "and 2025-08?"},
    ]
    raw2 = oai.chat.completions.with_raw_response.create(model="servicelens", messages=messages)
    assert raw2.headers["x-servicelens-thread"] == thread
    assert "tickets in 2025-08 [Q2]" in (raw2.parse().choices[0].message.content or "")


def test_openai_client_streaming(oai: openai.OpenAI, server: LiveServer) -> None:
    stream = oai.chat.completions.create(
        model="servicelens",
        messages=[{"role": "user", "content": "How many tickets in 2025-09?"}],
        stream=True,
        stream_options={"include_usage": True},
        metadata={"thread_id": "chat-stream-1"},
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "tickets in 2025-09 [Q1]" in text and "Sources:" in text
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage and chunks[-1].usage.completion_tokens > 0
    # The raw stream ends with [DONE], and the explicit thread id was used.
    view = httpx.get(f"{server.url}/v1/threads/chat-stream-1", headers=AUTH).json()
    assert view["turns"][0]["question"] == "How many tickets in 2025-09?"


def test_openai_client_errors(server: LiveServer, oai: openai.OpenAI) -> None:
    bad = openai.OpenAI(base_url=f"{server.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()
    with pytest.raises(openai.InternalServerError):
        oai.chat.completions.create(
            model="servicelens", messages=[{"role": "user", "content": "BOOM"}]
        )
    with pytest.raises(openai.APIError, match="Internal server error"):
        list(
            oai.chat.completions.create(
                model="servicelens", messages=[{"role": "user", "content": "BOOM"}], stream=True
            )
        )


def test_raw_chat_stream_ends_with_done(client: httpx.Client) -> None:
    body = {"messages": [{"role": "user", "content": "Tickets in 2025-10?"}], "stream": True}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        text = r.read().decode()
    datas = [data for _, data in _sse(text)]
    assert datas[-1] == "[DONE]" and json.loads(datas[0])["choices"][0]["delta"]["role"]


# --- concurrency ----------------------------------------------------------------------------


def _slow_question(month: str) -> str:
    return f"How many tickets in {month}, slowly?"


async def _one(c: httpx.AsyncClient, kind: str, month: str, thread: str | None) -> dict[str, Any]:
    question = _slow_question(month)
    if kind == "ask":
        r = await c.post("/v1/ask", json={"question": question, "thread_id": thread})
        assert r.status_code == 200, r.text
        return dict(r.json())
    if kind == "stream":
        r = await c.post("/v1/ask/stream", json={"question": question})
        assert r.status_code == 200, r.text
        final = parse_event(_sse(r.text)[-1][1])
        assert isinstance(final, AnswerEvent)
        return final.answer.model_dump(mode="json")
    body = {"messages": [{"role": "user", "content": question}]}
    r = await c.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    content = r.json()["choices"][0]["message"]["content"]
    return {"text": content, "thread_id": r.headers["x-servicelens-thread"], "question": question}


async def _burst(url: str, jobs: list[tuple[str, str, str | None]]) -> list[dict[str, Any]]:
    limits = httpx.Limits(max_connections=len(jobs))
    async with httpx.AsyncClient(base_url=url, headers=AUTH, timeout=120, limits=limits) as c:
        return await asyncio.gather(*(_one(c, *job) for job in jobs))


def test_concurrent_requests_do_not_cross_talk(
    server: LiveServer, access_log: Captured, client: httpx.Client
) -> None:
    kinds = ["ask"] * 12 + ["stream"] * 6 + ["chat"] * 6
    jobs: list[tuple[str, str, str | None]] = [
        (k, m, None) for k, m in zip(kinds, MONTHS, strict=True)
    ]
    started = time.perf_counter()
    results = asyncio.run(_burst(server.url, jobs))
    first_round_s = time.perf_counter() - started
    for (_, month, _), result in zip(jobs, results, strict=True):
        assert result["question"] == _slow_question(month)
        assert f"tickets in {month} [Q1]." in result["text"]
    threads = [r["thread_id"] for r in results]
    assert len(set(threads)) == len(jobs)

    # Follow-ups on the first twelve threads at once: each continues only its own thread.
    follow = [("ask", MONTHS[(i + 5) % 24], threads[i]) for i in range(12)]
    started = time.perf_counter()
    again = asyncio.run(_burst(server.url, follow))
    second_round_s = time.perf_counter() - started
    for i, result in enumerate(again):
        assert result["thread_id"] == threads[i]
        assert f"tickets in {follow[i][1]} [Q2]." in result["text"]
        view = client.get(f"/v1/threads/{threads[i]}").json()
        asked = [t["question"] for t in view["turns"]]
        assert asked == [_slow_question(m) for m in (MONTHS[i], follow[i][1])]
        ev = client.get("/v1/evidence/Q1", params={"thread_id": threads[i]}).json()
        assert ev["meta"]["period"]["label"] == MONTHS[i]

    # Three model calls per answer: run one after another, the first round would take this long.
    serial_s = len(jobs) * 3 * SLOW_CALL_S
    assert first_round_s < serial_s / 2
    print(
        f"\nconcurrency: {len(jobs)} requests at once in {first_round_s:.2f} s, "
        f"{len(follow)} follow-ups at once in {second_round_s:.2f} s, 0 errors"
    )
    # The access log has ids and counts, never the question's text.
    lines = [getattr(r, "fields", {}) for r in access_log.records]
    asks = [f for f in lines if f.get("path") == "/v1/ask" and f.get("status") == 200]
    assert asks and all(f["thread_id"] and f["prompt_tokens"] > 0 for f in asks)
    assert all("tickets" not in json.dumps(f) for f in lines)


# --- the command ----------------------------------------------------------------------------


def test_serve_refuses_several_workers_without_shared_stores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from servicelens.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["serve", "--workers", "2"])
    assert exited.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "Several server workers" in err
    assert "SERVICELENS_CHECKPOINT_URL" in err and "SERVICELENS_CHROMA_URL" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fake_model(request: dict[str, Any]) -> FakeReply:
    # The served analyst's model: one metric query, then an answer citing it.
    messages = request["messages"]
    if "Write the answer" in str(messages[0]["content"]):
        return FakeReply.say("Ticket volume for the month is in [Q1].")
    if messages[-1]["role"] == "tool":
        return FakeReply.say("ok")
    return FakeReply.tool("query_metric", {"metrics": ["ticket_count"], "period": "2025-03"})


def test_servicelens_serve_end_to_end(demo_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    shutil.copytree(demo_home, home)  # the server writes its checkpoints into the workspace
    port = _free_port()
    with FakeOpenAIEndpoint([_fake_model] * 3) as ep:
        env = {**os.environ, "OPENAI_BASE_URL": ep.base_url, "OPENAI_API_KEY": "k"}
        cmd = [sys.executable, "-c", "from servicelens.cli import main; main()"]
        args = ["serve", "--home", str(home), "--port", str(port), "--provider", "openai"]
        proc = subprocess.Popen(
            cmd + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", proc)
            oai = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x")
            reply = oai.chat.completions.create(
                model="servicelens",
                messages=[{"role": "user", "content": "Tickets in March 2025?"}],
            )
            assert "[Q1]" in (reply.choices[0].message.content or "")
            assert ep.remaining == 0
        finally:
            proc.terminate()
            out, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in out
    assert "no API token configured" in " ".join(err.split())
    access = [json.loads(line) for line in err.splitlines() if '"msg": "request"' in line]
    chat = next(a for a in access if a["path"] == "/v1/chat/completions")
    assert chat["status"] == 200 and chat["thread_id"] and chat["prompt_tokens"] > 0
    assert "March" not in err  # no question text in the logs


def _wait_healthy(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.communicate()[1][-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError("serve did not become healthy in 90 s")


def test_portal_example_handler(demo_home: Path) -> None:
    # The README's portal snippet, served for real and asked a question and a follow-up.
    import importlib.util

    import servicelens

    path = Path(servicelens.__file__).parent / "examples" / "portal_fastapi.py"
    spec = importlib.util.spec_from_file_location("portal_fastapi", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with serving(module.build_app(analyst_factory(demo_home))) as live:
        first = httpx.post(f"{live.url}/portal/ask", json={"text": "Tickets in 2025-02?"}).json()
        assert first["status"] == "answered" and "2025-02 [Q1]" in first["answer"]
        assert first["sources"][0]["id"] == "Q1" and first["sources"][0]["sql"]
        body = {"text": "and 2025-04?", "conversation": first["conversation"]}
        second = httpx.post(f"{live.url}/portal/ask", json=body).json()
        assert second["conversation"] == first["conversation"] and "[Q2]" in second["answer"]

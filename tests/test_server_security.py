"""The HTTP API against an attacker: DNS rebinding, other tokens' threads, the docs and unknown
routes without a token, spoofed ``X-Forwarded-For``, hostile ids and oversized chat requests.

Each test drives a real uvicorn server on loopback, run as ``servicelens serve`` runs it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from server_support import LiveServer, analyst_factory, serving

from servicelens.agent.server import Limits, create_app

TOKEN_A = "token-of-alice-123"
TOKEN_B = "token-of-bob-456"
AUTH_A = {"Authorization": f"Bearer {TOKEN_A}"}
AUTH_B = {"Authorization": f"Bearer {TOKEN_B}"}
MAX_CHAT_CHARS = 20_000


@pytest.fixture(scope="module")
def tokens_app(demo_home: Path) -> FastAPI:
    limits = Limits(rate_per_minute=100_000, burst=1_000, max_chat_chars=MAX_CHAT_CHARS)
    return create_app(analyst_factory(demo_home), tokens=[TOKEN_A, TOKEN_B], limits=limits)


@pytest.fixture(scope="module")
def tokens_server(tokens_app: FastAPI) -> Iterator[LiveServer]:
    with serving(tokens_app) as live:
        yield live


@pytest.fixture
def alice(tokens_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tokens_server.url, headers=AUTH_A, timeout=60) as c:
        yield c


@pytest.fixture
def bob(tokens_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tokens_server.url, headers=AUTH_B, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def open_server(demo_home: Path) -> Iterator[LiveServer]:
    # No tokens: loopback clients only, as `servicelens serve --host devbox.lan` would serve.
    app = create_app(
        analyst_factory(demo_home), tokens=[], allowed_hosts=["my.box"], bind_host="devbox.lan"
    )
    with serving(app) as live:
        yield live


def _ask(client: httpx.Client, question: str, thread_id: str | None = None) -> dict[str, Any]:
    r = client.post("/v1/ask", json={"question": question, "thread_id": thread_id})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _chat(client: httpx.Client, question: str, **extra: Any) -> httpx.Response:
    body = {"model": "servicelens", "messages": [{"role": "user", "content": question}], **extra}
    return client.post("/v1/chat/completions", json=body)


# --- 1. DNS rebinding: without tokens, Host and Origin must name this machine -----------------


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8765", "127.0.0.1.nip.io", "localhost.evil.example"]
)
def test_without_tokens_a_foreign_host_is_refused(open_server: LiveServer, host: str) -> None:
    for path in ("/v1/models", "/healthz", "/docs"):
        r = httpx.get(open_server.url + path, headers={"Host": host})
        assert r.status_code == 403, (path, r.text)
        error = r.json()["error"]
        assert error["type"] == "forbidden_host"
        # One sentence, naming the setting that allows a host.
        assert (
            "allowed_hosts" in error["message"] and "SERVICELENS_ALLOWED_HOSTS" in error["message"]
        )
        assert error["message"].endswith(".") and ". " not in error["message"]


@pytest.mark.parametrize("origin", ["http://evil.example", "https://evil.example:443", "null"])
def test_without_tokens_a_foreign_origin_is_refused(open_server: LiveServer, origin: str) -> None:
    r = httpx.post(
        f"{open_server.url}/v1/ask",
        json={"question": "Tickets in 2025-03?"},
        headers={"Origin": origin},
    )
    assert r.status_code == 403
    assert r.json()["error"]["type"] == "forbidden_host"
    assert "allowed_hosts" in r.json()["error"]["message"]


def test_without_tokens_loopback_bind_and_allowed_hosts_are_answered(
    open_server: LiveServer,
) -> None:
    port = open_server.port
    hosts = [f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}", "my.box"]
    hosts += ["MY.BOX:80", "devbox.lan"]  # any case and port; the bind host
    for host in hosts:
        r = httpx.get(f"{open_server.url}/v1/models", headers={"Host": host})
        assert r.status_code == 200, (host, r.text)
    for origin in ("http://localhost:3000", f"http://127.0.0.1:{port}", "https://my.box"):
        r = httpx.get(f"{open_server.url}/v1/models", headers={"Origin": origin})
        assert r.status_code == 200, (origin, r.text)


def test_host_parsing() -> None:
    from servicelens.agent.server.hosts import allow_list, host_of, origin_host, refusal

    assert host_of("[::1]:8765") == "::1" and host_of("[0:0::1]") == "::1"
    assert host_of("LocalHost.:80") == "localhost" and host_of("127.0.0.1") == "127.0.0.1"
    # Userinfo, paths and junk name no host.
    assert host_of("evil.example@localhost") is None and host_of("localhost/x") is None
    assert origin_host("http://localhost:3000") == "localhost" and origin_host("null") is None
    assert origin_host("http://evil.example@localhost") is None
    allowed = allow_list("0.0.0.0", ["api.example.com"])
    assert allowed == {"localhost", "127.0.0.1", "::1", "api.example.com"}  # no wildcard
    assert refusal(allowed, None, None) is None  # HTTP/1.0 without Host
    assert refusal(allowed, "api.example.com:8765", "https://api.example.com") is None
    assert refusal(allowed, "localhost", "http://evil.example") is not None


def test_with_tokens_the_host_is_not_checked(alice: httpx.Client) -> None:
    # A page cannot send a token it does not know; behind a proxy any public name is fine.
    r = alice.get("/v1/models", headers={"Host": "api.example.com", "Origin": "https://x.example"})
    assert r.status_code == 200


# --- 2. A thread answers only to the token that started it ------------------------------------


def test_another_token_cannot_read_or_continue_a_thread(
    alice: httpx.Client, bob: httpx.Client, tokens_app: FastAPI
) -> None:
    first = _ask(alice, "Chart monthly tickets for 2025-Q3")
    thread = first["thread_id"]
    not_found = {"error": {"type": "not_found", "message": f"No thread {thread!r} on this server."}}
    reads = [
        f"/v1/threads/{thread}",
        f"/v1/export/{thread}.md",
        f"/v1/export/{thread}.html",
        f"/v1/evidence/Q1?thread_id={thread}",
        f"/v1/charts/C1.json?thread_id={thread}",
        f"/v1/charts/C1.png?thread_id={thread}",
    ]
    for path in reads:
        assert alice.get(path).status_code == 200, path
        r = bob.get(path)
        # 404 with the unknown-thread body, not 403: the id is not confirmed.
        assert (r.status_code, r.json()) == (404, not_found), path

    injected = "and how many in 2025-10?"
    r = bob.post("/v1/ask", json={"question": injected, "thread_id": thread})
    assert (r.status_code, r.json()) == (404, not_found)
    r = bob.post("/v1/ask/stream", json={"question": injected, "thread_id": thread})
    assert (r.status_code, r.json()) == (404, not_found)
    r = _chat(bob, injected, metadata={"thread_id": thread})
    assert (r.status_code, r.json()) == (404, not_found)
    r = bob.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": injected}]},
        headers={"X-ServiceLens-Thread": thread},
    )
    assert (r.status_code, r.json()) == (404, not_found)

    # Nothing was injected, and the owner carries on as before.
    view = alice.get(f"/v1/threads/{thread}").json()
    assert [t["question"] for t in view["turns"]] == ["Chart monthly tickets for 2025-Q3"]
    assert _ask(alice, "How many tickets in 2025-10?", thread)["thread_id"] == thread

    # The thread records a hash label of the token, never the token.
    analyst = tokens_app.state.analyst
    owner = analyst.thread_owner(thread)
    assert owner.startswith("token:") and TOKEN_A not in owner
    cfg = {"configurable": {"thread_id": thread}}
    stored = json.dumps([c.metadata for c in analyst.checkpointer.list(cfg)], default=str)
    assert TOKEN_A not in stored and TOKEN_B not in stored


def test_a_named_new_thread_belongs_to_its_creator(alice: httpx.Client, bob: httpx.Client) -> None:
    r = _chat(alice, "How many tickets in 2025-02?", metadata={"thread_id": "alice-named-1"})
    assert r.status_code == 200 and r.headers["x-servicelens-thread"] == "alice-named-1"
    assert bob.get("/v1/threads/alice-named-1").status_code == 404
    assert alice.get("/v1/threads/alice-named-1").status_code == 200
    # The same transcript from another token starts a thread of its own.
    same = _chat(bob, "How many tickets in 2025-02?")
    assert same.status_code == 200 and same.headers["x-servicelens-thread"] != "alice-named-1"


def test_a_thread_started_without_a_token_answers_to_no_token(
    alice: httpx.Client, tokens_app: FastAPI
) -> None:
    # As `servicelens ask` writes into the same workspace: a thread no token started.
    tokens_app.state.analyst.ask("How many tickets in 2025-01?", "made-on-the-command-line")
    assert alice.get("/v1/threads/made-on-the-command-line").status_code == 404
    r = alice.post(
        "/v1/ask", json={"question": "and 2025-02?", "thread_id": "made-on-the-command-line"}
    )
    assert r.status_code == 404


def test_a_busy_thread_of_another_caller_is_404_not_409() -> None:
    from servicelens.agent.server.errors import HttpError
    from servicelens.agent.server.gate import ThreadGate

    gate = ThreadGate()
    gate.acquire("t1", "token:aaa")
    with pytest.raises(HttpError) as other:
        gate.acquire("t1", "token:bbb")
    assert other.value.status == 404
    with pytest.raises(HttpError) as same:
        gate.acquire("t1", "token:aaa")
    assert same.value.status == 409
    gate.release("t1")
    gate.acquire("t1", "token:bbb")


def test_without_tokens_every_loopback_client_shares_the_threads(open_server: LiveServer) -> None:
    with httpx.Client(base_url=open_server.url, timeout=60) as one:
        thread = _ask(one, "How many tickets in 2025-03?")["thread_id"]
    with httpx.Client(base_url=open_server.url, timeout=60) as other:
        assert other.get(f"/v1/threads/{thread}").status_code == 200
        assert _ask(other, "and 2025-04?", thread)["thread_id"] == thread


# --- 3 and 4. The docs and unknown routes need a token first ----------------------------------


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_docs_need_a_token_when_tokens_are_set(tokens_server: LiveServer, path: str) -> None:
    r = httpx.get(tokens_server.url + path)
    assert r.status_code == 401 and r.json()["error"]["type"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"
    assert httpx.get(tokens_server.url + path, headers=AUTH_A).status_code == 200


def test_docs_stay_open_to_loopback_without_tokens(open_server: LiveServer) -> None:
    assert httpx.get(f"{open_server.url}/openapi.json").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "with_token"),
    [
        ("GET", "/v1/no-such-route", 404),
        ("POST", "/v1/threads", 404),
        ("GET", "/v1/ask", 405),
        ("GET", "/v1", 404),
        ("GET", "/not-the-api", 404),
    ],
)
def test_unknown_routes_answer_401_before_404(
    tokens_server: LiveServer, method: str, path: str, with_token: int
) -> None:
    r = httpx.request(method, tokens_server.url + path)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert httpx.request(method, tokens_server.url + path, headers=AUTH_A).status_code == with_token


# --- 5. X-Forwarded-For counts only from a trusted proxy --------------------------------------


def test_forwarded_for_does_not_pick_a_fresh_rate_limit_bucket(demo_home: Path) -> None:
    app = create_app(
        analyst_factory(demo_home), tokens=[TOKEN_A], limits=Limits(rate_per_minute=6, burst=3)
    )
    with serving(app) as live, httpx.Client(base_url=live.url, headers=AUTH_A) as c:
        codes = [
            c.get("/v1/models", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(4)
        ]
    assert codes == [200, 200, 200, 429]


def test_forwarded_for_counts_from_a_trusted_proxy(demo_home: Path) -> None:
    from servicelens.agent.server.app import uvicorn_options

    assert uvicorn_options() == {"proxy_headers": False}
    app = create_app(
        analyst_factory(demo_home), tokens=[TOKEN_A], limits=Limits(rate_per_minute=6, burst=3)
    )
    options = uvicorn_options(["127.0.0.1", "10.0.0.0/8"])
    with serving(app, **options) as live, httpx.Client(base_url=live.url, headers=AUTH_A) as c:
        # Behind the proxy, each forwarded client has its own bucket...
        fresh = [
            c.get("/v1/models", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(5)
        ]
        # ...and one client is limited whatever it sends in front of the proxy's entry.
        same = [
            c.get(
                "/v1/models", headers={"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.99"}
            ).status_code
            for i in range(4)
        ]
    assert fresh == [200] * 5 and same == [200, 200, 200, 429]


def test_proxy_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    from servicelens.agent.settings import load_settings

    env = {
        "SERVICELENS_ALLOWED_HOSTS": "api.example.com, my.box",
        "SERVICELENS_TRUSTED_PROXIES": "10.0.0.5",
    }
    settings = load_settings(tmp_path, environ=env)
    assert settings.allowed_hosts == ["api.example.com", "my.box"]
    assert settings.trusted_proxies == ["10.0.0.5"] and settings.max_chat_chars == 200_000


# --- 6. Ids are validated and never echoed when invalid ---------------------------------------


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/v1/threads/" + "x" * 10_000, "x" * 200),
        ("/v1/threads/" + "t" * 129, "t" * 129),
        ("/v1/threads/bad%20id%3Cb%3E", "bad id<b>"),
        ("/v1/export/" + "y" * 5_000 + ".md", "y" * 200),
        ("/v1/export/%3Cscript%3E.html", "<script>"),
        ("/v1/evidence/" + "Z" * 5_000 + "?thread_id=abc", "Z" * 200),
        ("/v1/evidence/Q1%3Cb%3E?thread_id=abc", "Q1<b>"),
        ("/v1/charts/C1%3Cb%3E.png?thread_id=abc", "C1<b>"),
        ("/v1/charts/" + "C" * 3_000 + ".json?thread_id=abc", "C" * 200),
    ],
)
def test_invalid_ids_are_400_without_the_id(alice: httpx.Client, path: str, raw: str) -> None:
    r = alice.get(path)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["type"] == "invalid_id"
    assert raw not in r.text and len(r.text) < 300


def test_valid_unknown_ids_are_still_404(alice: httpx.Client) -> None:
    thread = _ask(alice, "How many tickets in 2025-05?")["thread_id"]
    assert len(thread) == 32  # the server's own ids pass the check
    assert alice.get(f"/v1/evidence/V:v000812?thread_id={thread}").status_code == 404
    assert alice.get(f"/v1/evidence/Q7?thread_id={thread}").status_code == 404
    assert alice.get("/v1/threads/" + "u" * 128).status_code == 404


# --- 7. Chat completions: the messages' characters are capped ---------------------------------


def test_an_overlong_chat_question_is_413(alice: httpx.Client) -> None:
    r = _chat(alice, "How many tickets in 2025-03? " + "please " * 700)
    assert r.status_code == 413
    error = r.json()["error"]
    assert error["type"] == "request_too_large" and "4000 characters" in error["message"]


def test_an_overlong_chat_transcript_is_413(alice: httpx.Client) -> None:
    long_turn = "word " * 2_000
    messages = [
        {"role": "user", "content": long_turn},
        {"role": "assistant", "content": long_turn},
        {"role": "user", "content": [{"type": "text", "text": long_turn}]},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "How many tickets in 2025-03?"},
    ]
    r = alice.post("/v1/chat/completions", json={"messages": messages})
    assert r.status_code == 413
    message = r.json()["error"]["message"]
    assert f"{MAX_CHAT_CHARS} characters" in message and "max_chat_chars" in message


@pytest.mark.timeout(60)
def test_a_900_kb_chat_message_is_refused_at_once(alice: httpx.Client) -> None:
    started = time.perf_counter()
    r = _chat(alice, "How many tickets in 2025-03? " + "x" * 900_000)
    assert r.status_code == 413 and time.perf_counter() - started < 5

"""A fake OpenAI-compatible endpoint on loopback that plays a script, for tests and examples.

    with FakeOpenAIEndpoint([FakeReply.tool("query_metric", {"metric": "fcr"}),
                             FakeReply.text("FCR was 71.2% [Q1].")]) as ep:
        provider = OpenAIProvider("fake-model", base_url=ep.base_url, api_key="test")

Each ``POST /v1/chat/completions`` consumes the next reply (streamed as SSE when the request
asks for ``stream``); a reply may be a callable that receives the request JSON. ``GET
/v1/models`` lists the model and ``POST /v1/embeddings`` returns deterministic vectors. Every
request is recorded in ``requests``. The server binds 127.0.0.1 on a free port, so the model
request guard (``allow_model_requests(False)``) lets it through.

Faults real servers show are scripted on the reply: ``drip_s`` sends the body a byte at a time
(a model that trickles), ``finish=False`` / ``done=False`` end a stream without its finish_reason
or its ``[DONE]`` line (a server cut short), ``reset_after`` resets the connection after that many
stream chunks (a crash or a proxy dropping it), and ``choices=False`` streams only a usage chunk
with an empty ``choices`` list (a reply with nothing in it). ``embed_delay_s`` makes every
embeddings request wait that long (a slow embedding service, so a run can be caught mid-way).

``family="deepseek"`` (or ``dashscope``, ``vllm``, ``ollama``, ``llamacpp``, ``azure``,
``glm``, ``kimi``) shapes
replies, reasoning, tool calls, refusals and errors like that vendor's server; keyword arguments
such as ``tools="text"`` or ``reasoning="think"`` adjust it (``testing_families``). A reply's
``reasoning`` is what the model thought before its text.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
import socket
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from . import testing_families as families
from . import testing_vendors as vendors
from .testing_families import Family

if TYPE_CHECKING:
    from .providers.base import Provider

_AZURE_CHAT = re.compile(r"^/openai/deployments/([^/]+)/chat/completions$")
_AZURE_KEY = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
    "a valid key for an active subscription and use a correct regional API endpoint."
)
_CALL_IDS = itertools.count(1)


@dataclass
class FakeToolCall:
    name: str
    # A dict is sent as JSON; a string is sent exactly as given (for malformed arguments).
    arguments: dict[str, Any] | str
    # None draws a fresh id; "" sends an empty id, as some servers do.
    id: str | None = None

    def __post_init__(self) -> None:
        if self.id is None:
            self.id = f"call_fake_{next(_CALL_IDS)}"

    def raw(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, ensure_ascii=False)


@dataclass
class FakeReply:
    text: str | None = ""
    reasoning: str = ""
    tool_calls: list[FakeToolCall] = field(default_factory=list)
    status: int = 200
    error_message: str = ""
    # The vendor's code or type in the error body (GLM "1261", Kimi "engine_overloaded_error").
    error_code: str = ""
    # A finish_reason other than the family's own (GLM's "sensitive").
    finish_reason: str | None = None
    # A raw body replaces the whole response (junk, HTML error pages, truncated JSON).
    body: str | None = None
    content_type: str = "application/json"
    delay_s: float = 0.0
    usage: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    chunk_chars: int = 4
    # Seconds between single bytes of the body; 0 sends it at once.
    drip_s: float = 0.0
    # Streams only: whether the last choice chunk carries a finish_reason, whether [DONE] follows,
    # how many chunks go out before the connection is reset, and whether any chunk has a choice.
    finish: bool = True
    done: bool = True
    reset_after: int | None = None
    choices: bool = True

    @classmethod
    def say(cls, text: str, **kw: Any) -> FakeReply:
        return cls(text=text, **kw)

    @classmethod
    def tool(cls, name: str, arguments: dict[str, Any] | str, **kw: Any) -> FakeReply:
        call_id = kw.pop("call_id", None)
        return cls(text=None, tool_calls=[FakeToolCall(name, arguments, call_id)], **kw)

    @classmethod
    def error(cls, status: int, message: str = "scripted error", **kw: Any) -> FakeReply:
        # A tiny Retry-After keeps the SDK's backoff from slowing tests down.
        kw.setdefault("headers", {"retry-after-ms": "10"})
        return cls(status=status, error_message=message, **kw)

    @classmethod
    def junk(cls, body: str = "<html>502 Bad Gateway</html>", **kw: Any) -> FakeReply:
        kw.setdefault("content_type", "text/html")
        return cls(body=body, **kw)

    @classmethod
    def slow(cls, delay_s: float, text: str = "too late") -> FakeReply:
        return cls(text=text, delay_s=delay_s)

    @classmethod
    def drip(cls, drip_s: float, text: str = "a reply that trickles in", **kw: Any) -> FakeReply:
        return cls(text=text, drip_s=drip_s, **kw)


Script = Sequence[FakeReply | Callable[[dict[str, Any]], FakeReply]]
_PLACEHOLDERS = {"boolean": True, "string": "hi", "integer": 1, "number": 1}


def obliging(request: dict[str, Any]) -> FakeReply:
    """A reply like a willing model's: every offered tool the last user message names is called
    (arguments filled from the schema), JSON when JSON mode is asked, else "pong"; each with a
    line of reasoning, which the family shows or hides. For scripts of ``doctor`` probes."""
    messages = request.get("messages") or [{}]
    asked = str(messages[-1].get("content") or "")
    calls = [
        FakeToolCall(fn["name"], _placeholder_arguments(fn.get("parameters") or {}))
        for fn in (t.get("function") or {} for t in request.get("tools") or [])
        if fn.get("name") and fn["name"] in asked
    ]
    if calls:
        return FakeReply(text=None, tool_calls=calls, reasoning="The user asks for a tool call.")
    if (request.get("response_format") or {}).get("type") == "json_object":
        return FakeReply.say('{"ok": true}', reasoning="JSON is wanted.")
    return FakeReply.say("pong", reasoning="A health check.")


def replaying(provider: Provider) -> Callable[[dict[str, Any]], FakeReply]:
    """A script step that answers every request as ``provider`` (a ``ScriptedProvider``) would:
    the golden cases' scripts, played through a real HTTP endpoint and the ``openai`` client.
    Each reply carries ``reasoning``, which the endpoint's family shows or hides."""

    def reply(request: dict[str, Any]) -> FakeReply:
        turn = provider.complete(request.get("messages") or [], request.get("tools"))
        calls = [FakeToolCall(c.name, c.arguments) for c in turn.tool_calls]
        return FakeReply(text=turn.text or (None if calls else ""), tool_calls=calls,
                         reasoning="Checking what the tools said.")  # fmt: skip

    return reply


def _placeholder_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    return {k: _PLACEHOLDERS.get(v.get("type"), "x") for k, v in properties.items()}


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any


class FakeOpenAIEndpoint:
    def __init__(
        self,
        script: Script = (),
        *,
        model: str = "fake-model",
        reject_stream_options: bool = False,
        embed_delay_s: float = 0.0,
        family: str | Family = "openai",
        **shape: Any,
    ) -> None:
        self.script = list(script)
        self.embed_delay_s = embed_delay_s
        self.model = model
        self.family = families.family(family, **shape)
        self.reject_stream_options = reject_stream_options
        self.requests: list[RecordedRequest] = []
        self.overrun = False
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the endpoint first (use it as a context manager)"
        root = f"http://127.0.0.1:{self._server.server_address[1]}"
        # Azure's base is the resource endpoint; the SDK adds /openai/deployments/… to it.
        return root if self.family.azure else f"{root}{self.family.prefix}"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.split("?")[0].endswith("/chat/completions")]

    @property
    def embedding_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == f"{self.family.prefix}/embeddings"]

    @property
    def remaining(self) -> int:
        return len(self.script)

    def start(self) -> FakeOpenAIEndpoint:
        handler = type("Handler", (_Handler,), {"endpoint": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll interval lets ``close`` return within a few tens of milliseconds.
        serve = functools.partial(self._server.serve_forever, poll_interval=0.02)
        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        # Wake handlers sleeping through a scripted delay so shutdown does not wait for them.
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def next_reply(self, request: dict[str, Any]) -> FakeReply:
        with self._lock:
            if not self.script:
                self.overrun = True
                return FakeReply.error(500, "FakeOpenAIEndpoint: script exhausted", headers={})
            step = self.script.pop(0)
        return step(request) if callable(step) else step


class _Handler(BaseHTTPRequestHandler):
    endpoint: FakeOpenAIEndpoint
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        # Silence the per-request stderr lines; tests read ``endpoint.requests`` instead.
        return

    def do_GET(self) -> None:
        self._record(None)
        fam = self.endpoint.family
        if fam.lists_models and self.path.rstrip("/") == f"{fam.prefix}/models":
            models = [families.model_entry(self.endpoint.family, self.endpoint.model)]
            self._send_json(200, {"object": "list", "data": models})
        else:
            self._error(404, "not found")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        try:
            payload = json.loads(self.rfile.read(length) or b"null")
        except json.JSONDecodeError:
            payload = None
        self._record(payload)
        try:
            if self._is_chat() and isinstance(payload, dict):
                self._chat(payload)
            elif self._is_embeddings() and isinstance(payload, dict):
                self.endpoint._closing.wait(self.endpoint.embed_delay_s)
                self._send_json(200, _embeddings(payload))
            else:
                self._error(404, "not found")
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a scripted delay outlasted its timeout); nothing to answer.
            self.close_connection = True

    def _record(self, payload: Any) -> None:
        self.endpoint.requests.append(
            RecordedRequest(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, payload
            )
        )

    def _is_embeddings(self) -> bool:
        return self.path == f"{self.endpoint.family.prefix}/embeddings"

    def _is_chat(self) -> bool:
        path = urlsplit(self.path).path
        fam = self.endpoint.family
        return (
            bool(_AZURE_CHAT.match(path)) if fam.azure else path == f"{fam.prefix}/chat/completions"
        )

    def _refused(self, request: dict[str, Any], fam: Family) -> vendors.Refusal | None:
        """What the server answers before generating: Azure's URL and key checks, refusals."""
        if fam.azure:
            url = urlsplit(self.path)
            deployment = _AZURE_CHAT.match(url.path)
            if "api-version" not in parse_qs(url.query):
                return 404, "Resource not found", ""
            if "api-key" not in {k.lower() for k in self.headers}:
                return 401, _AZURE_KEY, ""
            if deployment is None or deployment.group(1) != self.endpoint.model:
                return 404, "The API deployment for this resource does not exist.", ""
        if self.endpoint.reject_stream_options and "stream_options" in request:
            return 400, "Unrecognized request argument: stream_options", ""
        return families.refusal(fam, request)

    def _error(
        self, status: int, message: str, headers: dict[str, str] | None = None, code: str = ""
    ) -> None:
        body = families.error_body(self.endpoint.family, status, message, code)
        self._send_json(status, body, headers)

    def _chat(self, request: dict[str, Any]) -> None:
        # The family as it answers this request (a model that thinks or not, GLM's tool_stream).
        fam = vendors.effective(self.endpoint.family, request)
        if refused := self._refused(request, fam):
            status, message, code = refused
            self._error(status, message, code=code)
            return
        reply = self.endpoint.next_reply(request)
        delay = reply.delay_s + fam.think_s
        if delay and self.endpoint._closing.wait(delay):
            return
        if reply.status >= 400:
            self._error(reply.status, reply.error_message, reply.headers, reply.error_code)
        elif reply.body is not None:
            self._send(reply.status, reply.body.encode(), reply.content_type, reply.headers)
        elif request.get("stream"):
            self._stream(reply, request, fam)
        else:
            whole = _completion(reply, self.endpoint.model, fam, request)
            body = json.dumps(whole, ensure_ascii=False)
            self._send(200, body.encode(), "application/json", reply.headers, reply.drip_s)

    def _stream(self, reply: FakeReply, request: dict[str, Any], fam: Family) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True
        want_usage = bool((request.get("stream_options") or {}).get("include_usage"))
        chunks = _chunks(reply, self.endpoint.model, want_usage, fam, request)
        for n, chunk in enumerate(chunks):
            if n == reply.reset_after:
                self._reset()
                return
            line = f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()
            if not self._write(line, reply.drip_s):
                return
        if reply.done:
            self._write(b"data: [DONE]\n\n", reply.drip_s)

    def _write(self, data: bytes, drip_s: float) -> bool:
        """Send ``data``, a byte at a time when dripping; False when the endpoint is closing."""
        pieces = [data[i : i + 1] for i in range(len(data))] if drip_s else [data]
        for piece in pieces:
            self.wfile.write(piece)
            self.wfile.flush()
            if drip_s and self.endpoint._closing.wait(drip_s):
                return False
        return True

    def _reset(self) -> None:
        # Linger 0 makes close send a TCP reset instead of an orderly end of stream.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self._send(status, data, "application/json", headers or {})

    def _send(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str],
        drip_s: float = 0.0,
    ) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self._write(data, drip_s)


def _usage(reply: FakeReply, fam: Family) -> dict[str, Any]:
    reasoning = len(reply.reasoning) // 4 if fam.reasoning != "hidden" else 0
    completion = len(reply.text or "") // 4 + sum(len(c.raw()) // 4 for c in reply.tool_calls)
    completion += reasoning
    usage = {"prompt_tokens": 100, "completion_tokens": completion}
    return {
        **usage,
        "total_tokens": 100 + completion,
        **families.usage_details(fam, reply.reasoning, 100),
    }


def _calls(reply: FakeReply, fam: Family, request: dict[str, Any]) -> list[dict[str, Any]]:
    calls = [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.raw()}}
        for c in reply.tool_calls
    ]
    return families.allowed_calls(fam, calls, request)


def _completion(
    reply: FakeReply, model: str, fam: Family, request: dict[str, Any]
) -> dict[str, Any]:
    calls = _calls(reply, fam, request)
    text = families.content(fam, reply.text, reply.reasoning, calls)
    message: dict[str, Any] = {"role": "assistant", "content": text or reply.text}
    if (field := families.reasoning_field(fam)) and reply.reasoning:
        message[field] = reply.reasoning
    if native := families.native_calls(fam, calls):
        message["tool_calls"] = native
    choice: dict[str, Any] = {"index": 0, "message": message}
    choice["finish_reason"] = _finish(reply, fam, calls) if reply.finish else None
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [choice],
    }
    if fam.azure:
        body["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": {}}]
    if fam.request_id:
        body["request_id"] = "20261205000000fake"
    if reply.usage:
        body["usage"] = _usage(reply, fam)
    return body


def _chunks(
    reply: FakeReply, model: str, want_usage: bool, fam: Family, request: dict[str, Any]
) -> list[dict[str, Any]]:
    if not reply.choices:
        # Usage-only chunks are normal at the end of a stream; a stream of nothing else is empty.
        return [{**_chunk(model, []), "usage": _usage(reply, fam)}]
    calls = _calls(reply, fam, request)
    step = reply.chunk_chars
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    field = families.reasoning_field(fam)
    if field:
        deltas += [
            {field: reply.reasoning[i : i + step]} for i in range(0, len(reply.reasoning), step)
        ]
    text = families.content(fam, reply.text, reply.reasoning, calls)
    deltas += [{"content": text[i : i + step]} for i in range(0, len(text), step)]
    deltas += _call_deltas(families.native_calls(fam, calls), step, fam.whole_calls_in_stream)
    chunks = [_chunk(model, [{"index": 0, "delta": d, "finish_reason": None}]) for d in deltas]
    if fam.azure:
        # Azure opens a stream with the prompt's filter results and no choices.
        chunks.insert(0, {**_chunk("", []), "prompt_filter_results": []})
    usage = _usage(reply, fam) if reply.usage and (reply.finish or reply.done) else None
    if reply.finish:
        end: dict[str, Any] = {"index": 0, "delta": {}, "finish_reason": _finish(reply, fam, calls)}
        if usage and fam.stream_usage == "choice":
            end["usage"] = usage  # Kimi: inside the choice, asked or not
        chunks.append(_chunk(model, [end]))
        if usage and fam.stream_usage == "finish":
            chunks[-1]["usage"] = usage  # GLM: on the finishing chunk, asked or not
    if want_usage and usage and fam.stream_usage == "asked":
        chunks.append({**_chunk(model, []), "usage": usage})
    return chunks


def _finish(reply: FakeReply, fam: Family, calls: list[dict[str, Any]]) -> str:
    return reply.finish_reason or families.finish(fam, calls)


def _call_deltas(calls: list[dict[str, Any]], step: int, whole: bool) -> list[dict[str, Any]]:
    if whole:
        return [{"tool_calls": [{"index": i, **c} for i, c in enumerate(calls)]}] if calls else []
    deltas: list[dict[str, Any]] = []
    for i, call in enumerate(calls):
        fn = call["function"]
        head = {"index": i, "id": call["id"], "type": "function"}
        deltas.append({"tool_calls": [{**head, "function": {"name": fn["name"], "arguments": ""}}]})
        raw = fn["arguments"]
        deltas += [
            {"tool_calls": [{"index": i, "function": {"arguments": raw[j : j + step]}}]}
            for j in range(0, len(raw), step)
        ]
    return deltas


def _chunk(model: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": choices,
    }


def _embeddings(request: dict[str, Any]) -> dict[str, Any]:
    inputs = request.get("input")
    texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
    data = [
        {"object": "embedding", "index": i, "embedding": _vector(str(t))}
        for i, t in enumerate(texts)
    ]
    return {"object": "list", "data": data, "model": request.get("model", "fake-embedding")}


def _vector(text: str, dim: int = 16) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    raw = [(b - 127.5) / 127.5 for b in digest[:dim]]
    norm = sum(v * v for v in raw) ** 0.5 or 1.0
    return [v / norm for v in raw]

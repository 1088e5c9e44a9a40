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
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import socket
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_CHAT = "/v1/chat/completions"
_EMBEDDINGS = "/v1/embeddings"
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
    tool_calls: list[FakeToolCall] = field(default_factory=list)
    status: int = 200
    error_message: str = ""
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
    ) -> None:
        self.script = list(script)
        self.embed_delay_s = embed_delay_s
        self.model = model
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
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == _CHAT]

    @property
    def embedding_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == _EMBEDDINGS]

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
        if self.path.rstrip("/") == "/v1/models":
            models = [{"id": self.endpoint.model, "object": "model", "owned_by": "fake"}]
            self._send_json(200, {"object": "list", "data": models})
        else:
            self._send_json(404, _error_body("not found"))

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        try:
            payload = json.loads(self.rfile.read(length) or b"null")
        except json.JSONDecodeError:
            payload = None
        self._record(payload)
        try:
            if self.path == _CHAT and isinstance(payload, dict):
                self._chat(payload)
            elif self.path == _EMBEDDINGS and isinstance(payload, dict):
                self.endpoint._closing.wait(self.endpoint.embed_delay_s)
                self._send_json(200, _embeddings(payload))
            else:
                self._send_json(404, _error_body("not found"))
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a scripted delay outlasted its timeout); nothing to answer.
            self.close_connection = True

    def _record(self, payload: Any) -> None:
        self.endpoint.requests.append(
            RecordedRequest(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, payload
            )
        )

    def _chat(self, request: dict[str, Any]) -> None:
        if self.endpoint.reject_stream_options and "stream_options" in request:
            self._send_json(400, _error_body("Unrecognized request argument: stream_options"))
            return
        reply = self.endpoint.next_reply(request)
        if reply.delay_s and self.endpoint._closing.wait(reply.delay_s):
            return
        if reply.status >= 400:
            self._send_json(reply.status, _error_body(reply.error_message), reply.headers)
        elif reply.body is not None:
            self._send(reply.status, reply.body.encode(), reply.content_type, reply.headers)
        elif request.get("stream"):
            self._stream(reply, request)
        else:
            body = json.dumps(_completion(reply, self.endpoint.model), ensure_ascii=False)
            self._send(200, body.encode(), "application/json", reply.headers, reply.drip_s)

    def _stream(self, reply: FakeReply, request: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True
        want_usage = bool((request.get("stream_options") or {}).get("include_usage"))
        for n, chunk in enumerate(_chunks(reply, self.endpoint.model, want_usage)):
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


def _error_body(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "fake_error", "code": None}}


def _usage(reply: FakeReply) -> dict[str, int]:
    completion = len(reply.text or "") // 4 + sum(len(c.raw()) // 4 for c in reply.tool_calls)
    return {"prompt_tokens": 100, "completion_tokens": completion, "total_tokens": 100 + completion}


def _completion(reply: FakeReply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": c.raw()},
            }
            for i, c in enumerate(reply.tool_calls)
        ]
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": _finish(reply)}],
    }
    if reply.usage:
        body["usage"] = _usage(reply)
    return body


def _finish(reply: FakeReply) -> str:
    return "tool_calls" if reply.tool_calls else "stop"


def _chunks(reply: FakeReply, model: str, want_usage: bool) -> list[dict[str, Any]]:
    if not reply.choices:
        # Usage-only chunks are normal at the end of a stream; a stream of nothing else is empty.
        return [{**_chunk(model, []), "usage": _usage(reply)}]
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    text, step = reply.text or "", reply.chunk_chars
    deltas += [{"content": text[i : i + step]} for i in range(0, len(text), step)]
    for i, call in enumerate(reply.tool_calls):
        head = {"index": i, "id": call.id, "type": "function"}
        deltas.append({"tool_calls": [{**head, "function": {"name": call.name, "arguments": ""}}]})
        raw = call.raw()
        deltas += [
            {"tool_calls": [{"index": i, "function": {"arguments": raw[j : j + step]}}]}
            for j in range(0, len(raw), step)
        ]
    chunks = [_chunk(model, [{"index": 0, "delta": d, "finish_reason": None}]) for d in deltas]
    if reply.finish:
        end = {"index": 0, "delta": {}, "finish_reason": _finish(reply)}
        chunks.append(_chunk(model, [end]))
    if want_usage and reply.usage and reply.finish:
        chunks.append({**_chunk(model, []), "usage": _usage(reply)})
    return chunks


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

"""An OpenAI-compatible Chat Completions endpoint, so chat front-ends can use ServiceLens.

``POST /v1/chat/completions``: the last user message is the question. The thread is the
``X-ServiceLens-Thread`` request header, else ``metadata.thread_id``, else found from the
transcript (see ``conversations``); the response carries it back in ``X-ServiceLens-Thread``.
The reply's content is the answer text with its inline citations and a short sources list;
``usage`` is the analyst's token count. With ``stream`` the reply is ``chat.completion.chunk``
events ending with ``data: [DONE]``. ``GET /v1/models`` lists the one model, ``servicelens``.

A request's messages hold at most ``max_chat_chars`` characters in all, and its question (the
last user message) at most as many as ``/v1/ask`` takes; more is refused with 413.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from ..analyst import Analyst
from ..answer import Answer, Citation
from ..events import AnswerEvent, ErrorEvent, StatusEvent, TextDeltaEvent
from .auth import Auth
from .conversations import Conversations, Transcript
from .errors import HttpError
from .gate import Claim, new_thread_id
from .limits import Limits
from .logs import record
from .routes import (
    MAX_QUESTION_CHARS,
    SSE_PING_S,
    THREAD_ID_PATTERN,
    AnalystDep,
    CallerDep,
    GateDep,
    answer_while_connected,
    claim,
    guarded,
    record_answer,
)
from .threads import Caller

MODEL_ID = "servicelens"
THREAD_HEADER = "X-ServiceLens-Thread"
_QUOTE_CHARS = 90
_INVALID = "invalid_request"
_REVISION_NOTE = "\n\n---\n*Revised after checking the numbers:*\n\n"
_CHECKED_NOTE = "\n\n---\n*Checked version:*\n\n"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    # A string, or a list of content parts of which the text parts are read.
    content: str | list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    # Sampling options (temperature, max_tokens, ...) are accepted and ignored.
    model_config = ConfigDict(extra="allow")
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=500)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    user: str | None = Field(None, max_length=256)
    metadata: dict[str, str] | None = None


def router(auth: Auth) -> APIRouter:
    api = APIRouter(prefix="/v1", dependencies=[Depends(auth.require)])
    api.add_api_route("/models", models, methods=["GET"])
    api.add_api_route("/chat/completions", chat, methods=["POST"], response_class=Response)
    return api


def models() -> dict[str, Any]:
    """The one model this server offers."""
    entry = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "servicelens"}
    return {"object": "list", "data": [entry]}


def conversations_of(request: Request) -> Conversations:
    found: Conversations = request.app.state.conversations
    return found


def limits_of(request: Request) -> Limits:
    found: Limits = request.app.state.limits
    return found


async def chat(
    body: ChatRequest,
    request: Request,
    analyst: AnalystDep,
    gate: GateDep,
    caller: CallerDep,
    conversations: Annotated[Conversations, Depends(conversations_of)],
    limits: Annotated[Limits, Depends(limits_of)],
) -> Response:
    """Chat Completions over the analyst: the last user message is the question."""
    question, history = _split(body)
    _check_size(body, question, limits.max_chat_chars)
    scope = f"{caller.principal}|{body.user or ''}"
    named = _explicit_thread(request, body)
    thread_id = named or conversations.find(scope, history) or new_thread_id()
    record(request.state, thread_id=thread_id, stream=body.stream)
    turn = _Turn(conversations, caller, scope, [*history, ("user", question)], thread_id)
    headers = {THREAD_HEADER: thread_id}
    held = await claim(analyst, gate, caller, thread_id, named=named is not None)
    if body.stream:
        chunks = _chunks(analyst, question, turn, request, held, _include_usage(body))
        # A stream closed before its first chunk never started the run: free the thread then.
        done = BackgroundTask(held.release_unstarted)
        return EventSourceResponse(
            chunks, sep="\n", ping=SSE_PING_S, headers=headers, background=done
        )
    try:
        answer = await answer_while_connected(request, analyst, question, held, caller)
    finally:
        held.release()
    record_answer(request, answer)
    content = reply_content(answer)
    turn.done(content)
    return JSONResponse(_completion(turn.completion_id, answer, content), headers=headers)


def _check_size(body: ChatRequest, question: str, max_chars: int) -> None:
    """413 for more text than the server reads: in all the messages, or in the question."""
    total = sum(len(m.text) for m in body.messages)
    if total > max_chars:
        message = (
            f"The messages hold more than this server's limit of {max_chars} characters in "
            "all (max_chat_chars); start a new conversation or send a shorter transcript."
        )
        raise HttpError(413, message, "request_too_large")
    if len(question) > MAX_QUESTION_CHARS:
        message = (
            f"The question (the last user message) is longer than this server's limit of "
            f"{MAX_QUESTION_CHARS} characters; shorten it."
        )
        raise HttpError(413, message, "request_too_large")


def _split(body: ChatRequest) -> tuple[str, Transcript]:
    """The question (the last user message) and the user/assistant transcript before it."""
    turns = [(m.role, m.text) for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user" or not turns[-1][1].strip():
        raise HttpError(422, "The last message must be a non-empty user message.", _INVALID)
    return turns[-1][1], turns[:-1]


def _explicit_thread(request: Request, body: ChatRequest) -> str | None:
    given = request.headers.get(THREAD_HEADER) or (body.metadata or {}).get("thread_id")
    if given and not re.match(THREAD_ID_PATTERN, given):
        raise HttpError(422, f"Invalid thread id in {THREAD_HEADER} or metadata.", _INVALID)
    return given or None


def _include_usage(body: ChatRequest) -> bool:
    return bool((body.stream_options or {}).get("include_usage"))


class _Turn:
    """One chat turn: its ids, and remembering its transcript once the reply is complete."""

    def __init__(
        self,
        conversations: Conversations,
        caller: Caller,
        scope: str,
        transcript: Transcript,
        thread_id: str,
    ) -> None:
        self.conversations = conversations
        self.owner = caller.principal
        self.scope = scope
        self.transcript = transcript
        self.thread_id = thread_id
        self.completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())

    def done(self, content: str) -> None:
        transcript = [*self.transcript, ("assistant", content)]
        self.conversations.remember(self.scope, transcript, self.thread_id)


def reply_content(answer: Answer) -> str:
    """The answer text with its inline citations, then one line per cited source."""
    lines = [f"[{c.id}] {citation_line(c)}" for c in answer.citations]
    if not lines:
        return answer.text
    heading = "来源" if answer.language == "zh" else "Sources"
    return answer.text.rstrip() + f"\n\n{heading}:\n" + "\n".join(f"- {line}" for line in lines)


def citation_line(c: Citation) -> str:
    if not c.found:
        return "not produced by any tool in this conversation"
    if c.kind == "voc":
        quote = " ".join((c.quote or "").split())
        quote = quote if len(quote) <= _QUOTE_CHARS else quote[: _QUOTE_CHARS - 1] + "…"
        where = ", ".join(x for x in (c.source, c.date) if x)
        return f"{where}: “{quote}”" if where else f"“{quote}”"
    period = c.meta.get("period")
    label = period.get("label") if isinstance(period, dict) else period
    parts = [c.tool, str(label) if label else "", f"{c.rows_total} row(s)"]
    return " · ".join(p for p in parts if p)


def _usage(answer: Answer) -> dict[str, int]:
    u = answer.usage
    return {
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "total_tokens": u.total_tokens,
    }


def _completion(completion_id: str, answer: Answer, content: str) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(answer),
    }


def _chunk(turn: _Turn, delta: dict[str, Any], finish: str | None = None) -> ServerSentEvent:
    data = {
        "id": turn.completion_id,
        "object": "chat.completion.chunk",
        "created": turn.created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return ServerSentEvent(data=json.dumps(data, ensure_ascii=False))


async def _chunks(
    analyst: Analyst,
    question: str,
    turn: _Turn,
    request: Request,
    held: Claim,
    include_usage: bool,
) -> AsyncIterator[ServerSentEvent]:
    stop = threading.Event()
    try:
        yield _chunk(turn, {"role": "assistant", "content": ""})
        stream = _ContentStream()
        # The worker starts on the first step of the loop below, with no await in between,
        # and frees the thread itself once its run has ended.
        held.run_started()
        answering = analyst.astream(
            question, turn.thread_id, owner=turn.owner, cancel=stop, on_end=held.run_ended
        )
        async for event in guarded(answering):
            if isinstance(event, ErrorEvent):
                yield _error(event)
                return
            if isinstance(event, AnswerEvent):
                record_answer(request, event.answer)
                for text in stream.finish(event.answer):
                    yield _chunk(turn, {"content": text})
                turn.done(stream.sent)
                yield _chunk(turn, {}, "stop")
                if include_usage:
                    yield _usage_chunk(turn, event.answer)
            elif text := stream.feed(event):
                yield _chunk(turn, {"content": text})
        yield ServerSentEvent(data="[DONE]")
    finally:
        # A client that went away: the run stops at its next step; until then, "stopping";
        # a client gone before the run started frees the thread at once.
        stop.set()
        held.client_gone()
        held.release_unstarted()


def _error(event: ErrorEvent) -> ServerSentEvent:
    # The openai client raises an APIError for a streamed object with an "error" key.
    body = {"error": {"type": event.error_type, "message": event.message}}
    return ServerSentEvent(data=json.dumps(body, ensure_ascii=False))


def _usage_chunk(turn: _Turn, answer: Answer) -> ServerSentEvent:
    data = {
        "id": turn.completion_id,
        "object": "chat.completion.chunk",
        "created": turn.created,
        "model": MODEL_ID,
        "choices": [],
        "usage": _usage(answer),
    }
    return ServerSentEvent(data=json.dumps(data))


class _ContentStream:
    """Turns stream events into content deltas that cannot be taken back once sent.

    Draft text streams as written. A revision is announced and streamed after the draft; if
    the checked answer differs from what was streamed (flags added, a partial note), it follows
    in full, so the transcript always ends with the checked text and its sources.
    """

    def __init__(self) -> None:
        self.sent = ""
        self.attempt_text = ""

    def feed(self, event: Any) -> str:
        if isinstance(event, StatusEvent) and event.stage == "revising" and self.attempt_text:
            self.attempt_text = ""
            return self._send(_REVISION_NOTE)
        if isinstance(event, TextDeltaEvent):
            self.attempt_text += event.text
            return self._send(event.text)
        return ""

    def finish(self, answer: Answer) -> list[str]:
        out: list[str] = []
        if answer.text.strip() != self.attempt_text.strip():
            note = _CHECKED_NOTE if self.attempt_text else ""
            out.append(self._send(note + answer.text))
        full = reply_content(answer)
        if len(full) > len(answer.text):
            out.append(self._send(full[len(answer.text.rstrip()) :]))
        return out

    def _send(self, text: str) -> str:
        self.sent += text
        return text

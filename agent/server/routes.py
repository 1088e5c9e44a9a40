"""The JSON and Server-Sent-Events routes: ask, stream, threads, evidence, charts, exports."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from ...tools.ledger import Evidence
from ..analyst import Analyst
from ..answer import Answer
from ..events import AnswerEvent, ErrorEvent, Event
from ..render.charts import ChartSpec, to_png, to_vega_lite
from ..render.report import to_html
from ..results import RequestError
from ..threads import ThreadView
from . import threads
from .auth import Auth
from .errors import INTERNAL_MESSAGE, HttpError
from .gate import Claim, ThreadGate, lapsed, new_thread_id
from .generations import Generations
from .logs import record
from .threads import THREAD_ID_PATTERN, Caller, caller_of, valid_evidence_id, valid_thread_id

log = logging.getLogger("servicelens.server")
ThreadQuery = Annotated[str, Query(pattern=THREAD_ID_PATTERN, description="The thread id.")]
# The longest question /v1/ask (and a chat completion's last user message) takes.
MAX_QUESTION_CHARS = 4000
# Seconds between SSE keep-alive comments, so idle proxies do not cut a long answer.
SSE_PING_S = 15


class AskRequest(BaseModel):
    question: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, description="The question to answer."
    )
    thread_id: str | None = Field(
        None, pattern=THREAD_ID_PATTERN, description="Continue this thread; omit to start one."
    )


def analyst_of(request: Request) -> Iterator[Analyst]:
    """The analyst over the data as it is now, as the caller sees it (their token's data scope
    applied, see ``auth``), held open until the response is sent."""
    generations: Generations = request.app.state.generations
    with generations.lease() as analyst:
        principal = getattr(request.state, "principal", None)
        yield request.app.state.views.view(analyst, principal)


def gate_of(request: Request) -> ThreadGate:
    gate: ThreadGate = request.app.state.gate
    return gate


AnalystDep = Annotated[Analyst, Depends(analyst_of)]
GateDep = Annotated[ThreadGate, Depends(gate_of)]
CallerDep = Annotated[Caller, Depends(caller_of)]


def router(auth: Auth) -> APIRouter:
    api = APIRouter(prefix="/v1", dependencies=[Depends(auth.require)])
    api.add_api_route("/ask", ask, methods=["POST"], response_model=Answer)
    api.add_api_route("/ask/stream", ask_stream, methods=["POST"], response_class=Response)
    api.add_api_route("/threads/{thread_id}", thread, methods=["GET"])
    api.add_api_route("/evidence/{evidence_id}", evidence, methods=["GET"])
    api.add_api_route("/charts/{chart_id}.json", chart_json, methods=["GET"])
    api.add_api_route("/charts/{chart_id}.png", chart_png, methods=["GET"], response_class=Response)
    api.add_api_route("/export/{thread_id}.md", export_md, methods=["GET"])
    api.add_api_route("/export/{thread_id}.html", export_html, methods=["GET"])
    return api


async def claim(
    analyst: Analyst, gate: ThreadGate, caller: Caller, thread_id: str, *, named: bool
) -> Claim:
    """Take the thread's gate for this caller; a thread the client ``named`` that another caller
    started is refused with 404 (see ``threads``). The claim is freed once the run has ended."""
    held = Claim(gate, thread_id, gate.acquire(thread_id, caller.principal))
    try:
        if named:
            await asyncio.to_thread(threads.may_continue, analyst, caller, thread_id)
    except BaseException:
        held.release()
        raise
    return held


async def ask(
    body: AskRequest, request: Request, analyst: AnalystDep, gate: GateDep, caller: CallerDep
) -> Answer:
    """Answer one question (JSON ``Answer``); ``thread_id`` continues a conversation."""
    thread_id = body.thread_id or new_thread_id()
    record(request.state, thread_id=thread_id)
    held = await claim(analyst, gate, caller, thread_id, named=body.thread_id is not None)
    try:
        answer = await answer_while_connected(request, analyst, body.question, held, caller)
    finally:
        held.release()
    record_answer(request, answer)
    return answer


async def answer_while_connected(
    request: Request, analyst: Analyst, question: str, held: Claim, caller: Caller
) -> Answer:
    """The answer, unless the client goes away first: then the run is cancelled (its turn
    ends "cancelled" instead of computing on, unseen) and the request ends with 499 once the
    run has stopped — the thread stays held meanwhile, for at most ``stop_wait_s``."""
    thread_id = held.thread_id
    held.run_started()
    asking = asyncio.ensure_future(analyst.aask(question, thread_id, owner=caller.principal))
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({asking, gone}, return_when=asyncio.FIRST_COMPLETED)
        if asking.done():
            return asking.result()
        asking.cancel()  # aask stops the run and waits for it to record why
        held.client_gone()
        stopped, _ = await asyncio.wait({asking}, timeout=held.stop_wait_s)
        if not stopped:
            lapsed(thread_id, held.stop_wait_s)  # the caller's release frees it now
        elif not asking.cancelled():
            asking.exception()  # a run that failed while stopping: already recorded on its turn
        raise HttpError(499, "The client went away; the run was cancelled.", "client_gone")
    finally:
        gone.cancel()


async def _disconnected(request: Request) -> None:
    # The body has been read, so the next message the server has for this request is the
    # client's disconnect.
    while (await request.receive())["type"] != "http.disconnect":
        pass


def record_answer(request: Request, answer: Answer) -> None:
    usage = answer.usage
    record(
        request.state,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        status=answer.status,
    )


async def ask_stream(
    body: AskRequest, request: Request, analyst: AnalystDep, gate: GateDep, caller: CallerDep
) -> EventSourceResponse:
    """Server-Sent Events: one ``event: <type>`` per stream event, JSON data, answer last."""
    thread_id = body.thread_id or new_thread_id()
    record(request.state, thread_id=thread_id, stream=True)
    held = await claim(analyst, gate, caller, thread_id, named=body.thread_id is not None)
    events = _sse(analyst, body.question, caller, request, held)
    # A stream closed before its first event never started the run: free the thread then.
    done = BackgroundTask(held.release_unstarted)
    return EventSourceResponse(events, sep="\n", ping=SSE_PING_S, background=done)


async def _sse(
    analyst: Analyst, question: str, caller: Caller, request: Request, held: Claim
) -> AsyncIterator[ServerSentEvent]:
    stop = threading.Event()
    try:
        # The worker starts on the first step of the loop below, with no await in between,
        # and frees the thread itself once its run has ended.
        held.run_started()
        answering = analyst.astream(
            question, held.thread_id, owner=caller.principal, cancel=stop, on_end=held.run_ended
        )
        async for event in guarded(answering):
            if isinstance(event, AnswerEvent):
                record_answer(request, event.answer)
            yield ServerSentEvent(data=event.model_dump_json(), event=event.type)
    finally:
        # A client that went away: the run stops at its next step; until then, "stopping".
        stop.set()
        held.client_gone()


async def guarded(events: AsyncIterator[Event]) -> AsyncIterator[Event]:
    """The events; a bug mid-stream ends it with a generic error event, logged in full here."""
    try:
        async for event in events:
            yield event
    except Exception:
        # The response has started, so no 500 status can be sent; the stream says it failed.
        log.exception("stream failed")
        yield ErrorEvent(message=INTERNAL_MESSAGE, error_type="internal_error")


def thread(thread_id: str, request: Request, analyst: AnalystDep, caller: CallerDep) -> ThreadView:
    """The thread's turns (question, answer text, status, timestamps) and its evidence ids."""
    valid_thread_id(thread_id)
    record(request.state, thread_id=thread_id)
    return threads.view(analyst, caller, thread_id)


def evidence(
    evidence_id: str,
    thread_id: ThreadQuery,
    request: Request,
    analyst: AnalystDep,
    caller: CallerDep,
) -> Evidence:
    """One evidence item of a thread: SQL and rows, a quote with its source, a chart spec."""
    valid_evidence_id(evidence_id)
    record(request.state, thread_id=thread_id)
    return threads.evidence(analyst, caller, thread_id, evidence_id)


def _chart(analyst: Analyst, caller: Caller, thread_id: str, chart_id: str) -> ChartSpec:
    valid_evidence_id(chart_id)
    ev = threads.evidence(analyst, caller, thread_id, chart_id)
    if ev.kind != "chart" or "spec" not in ev.meta:
        raise HttpError(404, f"{chart_id} is not a chart.", "not_found")
    try:
        return analyst.chart(thread_id, chart_id)
    except RequestError as exc:
        raise HttpError(404, str(exc), "not_found") from None


def chart_json(
    chart_id: str, thread_id: ThreadQuery, request: Request, analyst: AnalystDep, caller: CallerDep
) -> dict[str, Any]:
    """The chart as Vega-Lite v5 JSON with its data inline."""
    record(request.state, thread_id=thread_id)
    return to_vega_lite(_chart(analyst, caller, thread_id, chart_id))


def chart_png(
    chart_id: str, thread_id: ThreadQuery, request: Request, analyst: AnalystDep, caller: CallerDep
) -> Response:
    """The chart as a PNG image drawn on the server (no browser needed)."""
    record(request.state, thread_id=thread_id)
    png = to_png(_chart(analyst, caller, thread_id, chart_id))
    return Response(png, media_type="image/png")


def export_md(
    thread_id: str, request: Request, analyst: AnalystDep, caller: CallerDep
) -> PlainTextResponse:
    """The thread's latest answer with its sources, as Markdown."""
    valid_thread_id(thread_id)
    record(request.state, thread_id=thread_id)
    report = threads.report(analyst, caller, thread_id)
    return PlainTextResponse(report.markdown, media_type="text/markdown; charset=utf-8")


def export_html(
    thread_id: str, request: Request, analyst: AnalystDep, caller: CallerDep
) -> HTMLResponse:
    """The thread's latest answer with its sources, as a standalone HTML page."""
    valid_thread_id(thread_id)
    record(request.state, thread_id=thread_id)
    report = threads.report(analyst, caller, thread_id)
    return HTMLResponse(to_html(report.markdown, title=report.title, lang=report.language))

"""The graph's nodes: prepare the turn, act (pick tools), run tools, write, verify.

Each node reads the state and returns the fields it changes. Tool activity and text deltas go
out through LangGraph's custom stream writer as typed events (a no-op when nobody streams).
"""

from __future__ import annotations

import re
import time
from typing import Any

from langgraph.config import get_stream_writer

from ..data.periods import Period, read_periods
from ..prompts import render
from .answer_clock import AnswerClock, batch_note
from .conversation import (
    ALL_DATA_NOTE,
    add_usage,
    assistant_tool_message,
    evidence_digest,
    language_name,
    language_of,
    model_input,
    period_note,
    period_text,
    revision_request,
    writer_notes,
)
from .deps import Deps
from .events import Stage, StatusEvent, TextDeltaEvent, ToolCallEvent, ToolResultEvent
from .heartbeat import heartbeat
from .inert import InertStream, inert
from .partial import evidence_lines, partial_note
from .providers.base import AnswerOverdue, ModelError, ModelTurn, ToolCall, TurnContext
from .reading import (
    Reading,
    ReadingNotes,
    default_period_note,
    header,
    read_calls,
    render_line,
)
from .state import AgentState, ledger_of, turn_reset
from .toolset import ToolOutcome, refusal
from .verifier import flag_unsupported, verify

# Steps the act node must leave for tools → act → write → verify → write → verify.
STEP_RESERVE = 7
_STATUS_MARK = re.compile(r"^\s*\[(insufficient_data|refused)\]\s*", re.IGNORECASE)


class Nodes:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.tool_schemas = deps.toolset.schemas()

    def prepare(self, state: AgentState) -> dict[str, Any]:
        question = state["question"].strip()
        update = turn_reset(question, language_of(question))
        messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
        # The one place the question's dates are resolved; everything after reads them here.
        reading = read_periods(question, self.deps.as_of)
        period = reading.period
        update["period_named"] = period is not None or reading.all_data
        if period is not None:
            update["period"] = period.state()
            cmp = reading.comparison
            update["comparison"] = cmp.state() if cmp is not None else None
            note = period_note(period, self.deps.as_of, cmp, reading.compare)
            messages.append({"role": "system", "content": note})
            _emit(StatusEvent(stage="period", message=period.describe()))
        elif reading.all_data:
            update["all_data"] = True
            messages.append({"role": "system", "content": ALL_DATA_NOTE})
            _emit(StatusEvent(stage="period", message="all data"))
        else:
            # A follow-up without a date phrase keeps the periods the thread was talking about.
            update["period"] = state.get("period")
            update["comparison"] = state.get("comparison")
            update["all_data"] = bool(state.get("all_data"))
        update["messages"] = messages
        return update

    def act(self, state: AgentState) -> dict[str, Any]:
        if state.get("remaining_steps", STEP_RESERVE) < STEP_RESERVE:
            limited = "the step limit of this question was reached"
            _emit(StatusEvent(stage="limited", message=limited))
            return {"limited": limited}
        clock = self._clock(state)
        if clock.over(gathering=True):
            return self._stop_gathering(clock)
        _emit(StatusEvent(stage="thinking"))
        system = render(
            "system.md", as_of=self.deps.as_of.isoformat(), max_tool_calls=self._max_calls()
        )
        messages = model_input(system, state["messages"], self._history_budget())
        messages += batch_note(clock, state.get("model_calls", 0), state.get("model_ms", 0.0))
        context = _context(state, deadline=clock.deadline(gathering=True))
        try:
            turn, ms = self._complete(messages, self.tool_schemas, context=context)
        except AnswerOverdue:
            return self._stop_gathering(clock)
        update = self._accounting(state, messages, turn, ms)
        if turn.tool_calls:
            update["messages"] = [assistant_tool_message(turn)]
            update["pending"] = [c.model_dump() for c in turn.tool_calls]
        return update

    def tools(self, state: AgentState) -> dict[str, Any]:
        ledger = ledger_of(state)
        # A turn is its question and its start; results of a statement repeated in it are kept.
        ctx = self.deps.tool_context(ledger, turn=(state.get("started_at"), state.get("question")))
        count, limited = state.get("tool_calls", 0), state.get("limited", "")
        outcomes: list[ToolOutcome] = []
        for raw in state.get("pending") or []:
            call = ToolCall.model_validate(raw)
            if count >= self._max_calls():
                limited = f"the cap of {self._max_calls()} tool calls per question was reached"
                outcomes.append(refusal(call, f"Not run: {limited}. Write the answer now."))
                continue
            count += 1
            _emit(ToolCallEvent(call_id=call.id, name=call.name, arguments=call.arguments))
            outcome = self.deps.toolset.run(call, ctx)
            _emit(_result_event(outcome))
            outcomes.append(outcome)
        if limited and not state.get("limited"):
            _emit(StatusEvent(stage="limited", message=limited))
        produced = [i for o in outcomes if o.result for i in o.result.evidence_ids]
        return {
            "messages": [o.message for o in outcomes],
            "pending": [],
            "ledger": ledger.model_dump(mode="json"),
            "turn_ids": [*state.get("turn_ids", []), *produced],
            "tool_calls": count,
            "limited": limited,
            "trace": [*state.get("trace", []), *(_trace_entry(o) for o in outcomes)],
            "tools_ms": state.get("tools_ms", 0.0) + sum(o.ms for o in outcomes),
        }

    def write(self, state: AgentState) -> dict[str, Any]:
        attempt = state.get("revisions", 0)
        clock = self._clock(state)
        if clock.over(gathering=False):
            return self._evidence_only(state, clock)
        _emit(StatusEvent(stage="revising" if attempt else "writing"))
        system = render(
            "writer.md",
            as_of=self.deps.as_of.isoformat(),
            period=period_text(state.get("period")),
            evidence=evidence_digest(ledger_of(state), state.get("turn_ids", [])),
            language=language_name(state.get("language", "en")),
            notes=writer_notes(state),
        )
        history = list(state["messages"])
        if attempt:
            history += revision_request(state)
        messages = model_input(system, history, self._history_budget())
        writer = get_stream_writer()
        context = _context(state, bool(attempt), clock.deadline(gathering=False))
        # What streams is already inert: a front-end renders it before the answer is checked.
        inert_stream = InertStream()

        def send(text: str) -> None:
            if text:
                writer(TextDeltaEvent(text=text, attempt=attempt))

        try:
            turn, ms = self._complete(
                messages, None, lambda t: send(inert_stream.feed(t)), context=context
            )
        except AnswerOverdue:
            return self._evidence_only(state, clock)
        send(inert_stream.flush())
        if not turn.text.strip():
            # An empty draft would verify as nothing to check and be written again, step after
            # step, until the step limit ended the run as if the question were too big.
            raise ModelError(
                "The model sent an empty reply where the answer should be; try again, or "
                "check that SERVICELENS_MODEL names a chat model."
            )
        update = self._accounting(state, messages, turn, ms)
        update["draft"] = turn.text.strip()
        # The revision keeps what the first draft said about declining and about the reading.
        update["draft_status"] = turn.status or (state.get("draft_status", "") if attempt else "")
        if turn.reading is not None or not attempt:
            notes = turn.reading
            update["reading_notes"] = notes.model_dump(mode="json") if notes is not None else None
        return update

    def verify(self, state: AgentState) -> dict[str, Any]:
        _emit(StatusEvent(stage="verifying"))
        # A language model marks a declined answer in its text; other providers say it as data.
        mark = _STATUS_MARK.match(state.get("draft", ""))
        text = state.get("draft", "")[mark.end() if mark else 0 :]
        declined = state.get("draft_status") or (mark.group(1).lower() if mark else None)
        # The ledger is this thread's: ids from earlier turns stay citable in a follow-up.
        report = verify(text, ledger_of(state), question=state.get("question", ""))
        update: dict[str, Any] = {"report": report.model_dump(mode="json")}
        # No revision once the time budget is spent: what could not be checked is flagged.
        late = state.get("budget_cut") or self._clock(state).over(gathering=False)
        if not report.ok and state.get("revisions", 0) == 0 and not late:
            update["revisions"] = 1
            return update
        final = text if report.ok else flag_unsupported(text, report)
        if state.get("budget_cut"):
            budget = self.deps.settings.answer_budget_s or 0.0
            final = f"{partial_note(budget, state.get('language', 'en'))}\n\n{final}"
        reading = self._reading(state)
        if reading is not None:
            final = _with_reading(final, reading, state.get("language", "en"))
            update["reading"] = reading.model_dump(mode="json")
            _emit(StatusEvent(stage="reading", message=reading.line))
        final = inert(final)
        update["answer_text"] = final
        update["status"] = _status(state, declined)
        update["messages"] = [{"role": "assistant", "content": final}]
        return update

    def _reading(self, state: AgentState) -> Reading | None:
        """How the question was read, from the tool calls this turn made (code, not model)."""
        notes = state.get("reading_notes")
        lang = state.get("language", "en")
        reading = read_calls(
            state.get("trace") or [],
            ledger_of(state),
            self.deps.workspace.catalog,
            lang,
            ReadingNotes.model_validate(notes) if notes else None,
        )
        if reading is not None and not reading.period_note and not state.get("period_named"):
            kept = bool(state.get("period") or state.get("all_data"))
            reading.period_note = default_period_note(reading, self.deps.as_of, lang, kept=kept)
            reading.line = render_line(reading, lang)
        scope = self.deps.workspace.scope
        if reading is not None and scope is not None:
            reading.scope = scope.label()
            reading.line = render_line(reading, lang)
        return reading

    def _complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None,
        on_delta: Any = None,
        *,
        context: TurnContext,
    ) -> tuple[ModelTurn, float]:
        started = time.perf_counter()
        stage: Stage = "thinking" if tools else "writing"
        with heartbeat(get_stream_writer(), stage, self.deps.settings.status_every_s):
            turn = self.deps.provider.complete(messages, tools, on_delta=on_delta, context=context)
        return turn, (time.perf_counter() - started) * 1000

    def _clock(self, state: AgentState) -> AnswerClock:
        return AnswerClock(
            state.get("started_at") or time.time(), self.deps.settings.answer_budget_s
        )

    def _stop_gathering(self, clock: AnswerClock) -> dict[str, Any]:
        _emit(StatusEvent(stage="limited", message=clock.reason()))
        return {"limited": clock.reason(), "pending": []}

    def _evidence_only(self, state: AgentState, clock: AnswerClock) -> dict[str, Any]:
        """The draft when the time budget ends before the model has written: the evidence."""
        _emit(StatusEvent(stage="limited", message=clock.reason()))
        # Text already streamed from a cut-short draft is replaced, as after a revision.
        _emit(StatusEvent(stage="revising", message=clock.reason()))
        lines = evidence_lines(
            ledger_of(state), state.get("turn_ids", []), state.get("language", "en")
        )
        return {
            "draft": lines,
            "draft_status": "partial",
            "budget_cut": True,
            "limited": state.get("limited") or clock.reason(),
        }

    def _accounting(
        self, state: AgentState, messages: list[dict[str, Any]], turn: ModelTurn, ms: float
    ) -> dict[str, Any]:
        return {
            "usage": add_usage(state.get("usage"), messages, turn),
            "model_calls": state.get("model_calls", 0) + 1,
            "model_ms": state.get("model_ms", 0.0) + ms,
            "model_name": turn.model or self.deps.provider.model,
        }

    def _max_calls(self) -> int:
        return self.deps.settings.max_tool_calls

    def _history_budget(self) -> int:
        # The context window less room for the reply (a quarter of a small window); tool
        # schemas are counted with the history.
        window = self.deps.context_tokens
        return window - min(4_000, window // 4)


def _with_reading(text: str, reading: Reading, lang: str) -> str:
    return header(reading, lang) + text


def _context(
    state: AgentState, revising: bool = False, deadline: float | None = None
) -> TurnContext:
    period, comparison = state.get("period"), state.get("comparison")
    findings = (state.get("report") or {}).get("findings", []) if revising else []
    return TurnContext(
        question=state["question"],
        language=state.get("language", "en"),
        period=Period.from_state(period) if period else None,
        comparison=Period.from_state(comparison) if comparison else None,
        all_data=bool(state.get("all_data")),
        unsupported=tuple(f["span"] for f in findings if f.get("span")),
        deadline=deadline,
    )


def _emit(event: Any) -> None:
    get_stream_writer()(event)


def _result_event(o: ToolOutcome) -> ToolResultEvent:
    ids = o.result.evidence_ids if o.result else []
    summary = (o.result.summary if o.result else "") or (o.error or "done")
    return ToolResultEvent(
        call_id=o.call.id, name=o.call.name, summary=summary, evidence_ids=ids, ms=o.ms, ok=o.ok
    )


def _trace_entry(o: ToolOutcome) -> dict[str, Any]:
    return {
        "call_id": o.call.id,
        "name": o.call.name,
        "arguments": o.call.arguments,
        "raw_arguments": o.call.raw_arguments,
        "ok": o.ok,
        "error": o.error,
        "summary": o.result.summary if o.result else "",
        "evidence_ids": o.result.evidence_ids if o.result else [],
        "ms": round(o.ms, 3),
    }


def _status(state: AgentState, mark: str | None) -> str:
    if state.get("limited"):
        return "partial"
    return mark or "answered"

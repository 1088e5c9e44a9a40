"""The ``Answer``: the text a manager reads plus everything needed to trust and replay it.

Citations are resolved to their evidence (SQL and rows, quotes with source and date); the trace
lists every tool call with its arguments; data version, model, prompt version and the resolved
period make a re-run comparable.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..tools.ledger import Evidence, Ledger
from .reading import Reading, header

Status = Literal["answered", "partial", "insufficient_data", "refused", "error"]
# Rows kept per cited query result: enough to show and check, small enough to ship.
CITATION_ROW_CAP = 50
_BRACKET = re.compile(r"\[([^\[\]\n]{1,200})\]")
_ID = re.compile(r"^(?:[QTC]\d+|V:[\w.\-]+)$")


class Citation(BaseModel):
    id: str
    kind: str
    tool: str
    found: bool = True
    sql: str | None = None
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    rows_total: int = 0
    truncated: bool = False
    quote: str | None = None
    source: str | None = None
    date: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class ToolTrace(BaseModel):
    call_id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    raw_arguments: str = ""
    ok: bool = True
    error: str | None = None
    summary: str = ""
    evidence_ids: list[str] = Field(default_factory=list)
    ms: float = 0.0


class TokenUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # The part of completion_tokens a reasoning model spent thinking.
    reasoning_tokens: int = 0
    # The part of prompt_tokens served from the vendor's prompt cache (billed lower).
    cached_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Timings(BaseModel):
    total_ms: float = 0.0
    model_ms: float = 0.0
    tools_ms: float = 0.0
    # Everything that is not the model: tools, graph, checkpointing, verification.
    overhead_ms: float = 0.0


class PeriodInfo(BaseModel):
    label: str
    start: str
    end_exclusive: str
    last_day: str
    phrase: str = ""


class DataVersion(BaseModel):
    warehouse: str = ""
    index: str = ""
    catalog: str = ""


class Answer(BaseModel):
    question: str
    text: str
    status: Status
    language: str = "en"
    thread_id: str = ""
    period: PeriodInfo | None = None
    # How the question was read (also the first line of ``text``), and other readings offered.
    reading: Reading | None = None
    citations: list[Citation] = Field(default_factory=list)
    trace: list[ToolTrace] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    timings: Timings = Field(default_factory=Timings)
    verification: dict[str, Any] | None = None
    revised: bool = False
    as_of: str = ""
    model: str = ""
    provider: str = ""
    prompt_version: str = ""
    data_version: DataVersion = Field(default_factory=DataVersion)
    created_at: str = Field(default_factory=lambda: datetime.now().isoformat(timespec="seconds"))

    @property
    def verified(self) -> bool:
        return bool(self.verification and self.verification.get("ok"))

    @property
    def body(self) -> str:
        """The answer without the reading header above it (the analysis itself)."""
        if self.reading is not None:
            top = header(self.reading, self.language)
            if self.text.startswith(top):
                return self.text[len(top) :]
        return self.text

    @property
    def follow_ups(self) -> list[str]:
        """Other readings of the question, as questions to ask next (one click in a UI)."""
        return [a.question for a in self.reading.alternatives] if self.reading else []

    @property
    def flagged(self) -> bool:
        """True when the verifier found something the revision did not fix."""
        return self.verification is not None and not self.verification.get("ok", False)


def cited_ids(text: str) -> list[str]:
    """Evidence ids cited in the text, in order of first appearance."""
    found: list[str] = []
    for group in _BRACKET.findall(text):
        for part in re.split(r"[,;，；\s]+", group):
            if _ID.match(part) and part not in found:
                found.append(part)
    return found


def resolve_citations(text: str, ledger: Ledger) -> list[Citation]:
    return [_citation(i, ledger.get(i)) for i in cited_ids(text)]


def _citation(ev_id: str, ev: Evidence | None) -> Citation:
    if ev is None:
        return Citation(id=ev_id, kind="unknown", tool="", found=False)
    meta = dict(ev.meta)
    return Citation(
        id=ev.id,
        kind=ev.kind,
        tool=ev.tool,
        sql=ev.sql,
        columns=ev.columns,
        rows=ev.rows[:CITATION_ROW_CAP],
        rows_total=len(ev.rows),
        truncated=ev.truncated or len(ev.rows) > CITATION_ROW_CAP,
        quote=ev.text,
        source=_str_or_none(meta.get("source")),
        date=_str_or_none(meta.get("created_at") or meta.get("date")),
        meta=meta,
    )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def answer_from_state(
    values: dict[str, Any],
    *,
    thread_id: str,
    total_ms: float,
    provider: str,
    as_of: str,
    prompt_version: str,
    data_version: DataVersion,
) -> Answer:
    """The ``Answer`` for the turn that just ended, from the graph's final state."""
    ledger = Ledger.model_validate(values.get("ledger") or {})
    text = values.get("answer_text") or ""
    status: Status = values.get("status") or "partial"
    if not text:
        # The recursion backstop fired before the verify node finished the turn.
        text = _unfinished_text(values)
    model_ms = float(values.get("model_ms", 0.0))
    period = values.get("period")
    return Answer(
        question=values.get("question", ""),
        text=text,
        status=status,
        language=values.get("language", "en"),
        thread_id=thread_id,
        period=PeriodInfo(**period) if period else None,
        reading=Reading.model_validate(values["reading"]) if values.get("reading") else None,
        citations=resolve_citations(text, ledger),
        trace=[ToolTrace(**t) for t in values.get("trace", [])],
        usage=TokenUsage(**(values.get("usage") or {})),
        timings=Timings(
            total_ms=round(total_ms, 3),
            model_ms=round(model_ms, 3),
            tools_ms=round(float(values.get("tools_ms", 0.0)), 3),
            overhead_ms=round(max(total_ms - model_ms, 0.0), 3),
        ),
        verification=values.get("report"),
        revised=values.get("revisions", 0) > 0,
        as_of=as_of,
        model=values.get("model_name", ""),
        provider=provider,
        prompt_version=prompt_version,
        data_version=data_version,
    )


def _unfinished_text(values: dict[str, Any]) -> str:
    note = (
        "This answer is partial: the analysis stopped at its step limit before the answer was "
        "written and checked."
    )
    draft = values.get("draft") or ""
    return f"{note}\n\n{draft}" if draft else note

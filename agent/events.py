"""Typed events streamed while an answer is produced.

``Analyst.stream`` yields them in order: status and tool activity while evidence is gathered,
text deltas while the answer is written (a ``StatusEvent`` with stage ``revising`` means the
text so far is being rewritten), and one final ``AnswerEvent`` — or an ``ErrorEvent`` when the
run ends in an error. They are pydantic models discriminated by ``type``, so they serialise to
JSON (Server-Sent Events, logs) and parse back with ``parse_event``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from .answer import Answer

Stage = Literal[
    "started", "period", "thinking", "writing", "verifying", "revising", "limited", "reading"
]


class StatusEvent(BaseModel):
    type: Literal["status"] = "status"
    stage: Stage
    message: str = ""


class ToolCallEvent(BaseModel):
    type: Literal["tool_call"] = "tool_call"
    call_id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResultEvent(BaseModel):
    type: Literal["tool_result"] = "tool_result"
    call_id: str
    name: str
    summary: str
    evidence_ids: list[str] = Field(default_factory=list)
    ms: float = 0.0
    ok: bool = True


class TextDeltaEvent(BaseModel):
    type: Literal["text_delta"] = "text_delta"
    text: str
    # 0 for the first draft, 1 for the revision after verification findings.
    attempt: int = 0


class AnswerEvent(BaseModel):
    type: Literal["answer"] = "answer"
    answer: Answer


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    message: str
    error_type: str = "ServiceLensError"


Event = Annotated[
    StatusEvent | ToolCallEvent | ToolResultEvent | TextDeltaEvent | AnswerEvent | ErrorEvent,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(data: dict[str, Any] | str) -> Event:
    """An event back from its JSON text or dict form."""
    if isinstance(data, str):
        return _ADAPTER.validate_json(data)
    return _ADAPTER.validate_python(data)

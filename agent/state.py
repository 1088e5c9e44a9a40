"""The graph state: one conversation thread, checkpointed after every step.

Everything in it is plain JSON-able data (dicts, lists, strings, numbers) so that any
checkpointer — SQLite in the workspace, Postgres later — stores and restores it without custom
serialisers; the evidence ledger travels as ``Ledger.model_dump()`` and is rebuilt with
``ledger_of``. ``messages`` is the whole conversation (OpenAI chat dicts) and only grows; the
per-turn fields are reset by the ``prepare`` node at the start of every question.
"""

from __future__ import annotations

import operator
import time
from typing import Annotated, Any, TypedDict

from langgraph.managed import RemainingSteps

from ..tools.ledger import Ledger

Message = dict[str, Any]


class AgentState(TypedDict, total=False):
    # The conversation, appended to by every node that talks to the model.
    messages: Annotated[list[Message], operator.add]
    # The whole thread's evidence (ids stay valid for follow-ups), as Ledger.model_dump().
    ledger: dict[str, Any]

    # Per turn: the question, what the tools produced and what the writer made of it.
    question: str
    language: str
    period: dict[str, Any] | None
    # A second period the question compares with, and whether it asks about all the data.
    comparison: dict[str, Any] | None
    all_data: bool
    # Whether the question itself named its period (or all the data); else a default applied.
    period_named: bool
    turn_ids: list[str]
    # Tool calls the model asked for and the tools node has not run yet (ToolCall dumps).
    pending: list[dict[str, Any]]
    tool_calls: int
    trace: list[dict[str, Any]]
    # Why evidence gathering stopped early ("" when it did not): tool-call cap or step limit.
    limited: str
    draft: str
    # "insufficient_data" or "refused" when the provider said so as data (not in the text).
    draft_status: str
    # What the provider knows about how it read the question, and the reading shown.
    reading_notes: dict[str, Any] | None
    reading: dict[str, Any] | None
    revisions: int
    report: dict[str, Any] | None
    answer_text: str
    status: str
    # Why the turn ended without an answer ("" while it runs or once answered): a run stopped
    # because its client went away ("cancelled"), or one that raised ("failed").
    ended: str
    usage: dict[str, int]
    model_ms: float
    tools_ms: float
    model_name: str
    # When the question was read (time.time()), model calls made, and whether the answer's
    # time budget cut the writing short (its text then comes from the evidence alone).
    started_at: float
    model_calls: int
    budget_cut: bool

    # Managed by LangGraph: steps left before the recursion limit.
    remaining_steps: RemainingSteps


def ledger_of(state: AgentState) -> Ledger:
    """The thread's ledger as a live object (a copy; return its dump to change the state)."""
    return Ledger.model_validate(state.get("ledger") or {})


def turn_reset(question: str, language: str) -> dict[str, Any]:
    """The per-turn fields at the start of a question."""
    return {
        "question": question,
        "language": language,
        "period": None,
        "comparison": None,
        "all_data": False,
        "period_named": False,
        "turn_ids": [],
        "pending": [],
        "tool_calls": 0,
        "trace": [],
        "limited": "",
        "draft": "",
        "draft_status": "",
        "reading_notes": None,
        "reading": None,
        "revisions": 0,
        "report": None,
        "answer_text": "",
        "status": "",
        "ended": "",
        "usage": {"prompt_tokens": 0, "completion_tokens": 0},
        "model_ms": 0.0,
        "tools_ms": 0.0,
        "model_name": "",
        "started_at": time.time(),
        "model_calls": 0,
        "budget_cut": False,
    }

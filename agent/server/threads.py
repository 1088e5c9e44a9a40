"""Read-only views of a conversation thread from the analyst's checkpointed graph state.

The ``Analyst`` exposes no history API yet, so this reads its compiled graph directly: the
latest state holds the thread's ledger, and the checkpoint history marks each turn (an
``input`` checkpoint starts one; the next checkpoint with nothing left to run ends it).
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, Field

from ...tools.ledger import Evidence, Ledger
from ..analyst import Analyst
from ..answer import cited_ids
from .errors import HttpError


class Turn(BaseModel):
    index: int
    question: str = ""
    answer: str = ""
    # "running" while unanswered (or when the run ended in an error before an answer).
    status: str = "running"
    language: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    cited: list[str] = Field(default_factory=list)


class ThreadView(BaseModel):
    thread_id: str
    turns: list[Turn]
    evidence_ids: list[str]


def _config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}


def _values(analyst: Analyst, thread_id: str) -> dict[str, Any]:
    snapshot = analyst.graph.get_state(_config(thread_id))
    if not snapshot.values:
        raise HttpError(404, f"No thread {thread_id!r} on this server.", "not_found")
    return dict(snapshot.values)


def ledger(analyst: Analyst, thread_id: str) -> Ledger:
    return Ledger.model_validate(_values(analyst, thread_id).get("ledger") or {})


def evidence(analyst: Analyst, thread_id: str, evidence_id: str) -> Evidence:
    found = ledger(analyst, thread_id).get(evidence_id)
    if found is None:
        raise HttpError(404, f"No evidence {evidence_id!r} in thread {thread_id!r}.", "not_found")
    return found


def view(analyst: Analyst, thread_id: str) -> ThreadView:
    """The thread's turns in order, with its evidence ids."""
    latest = _values(analyst, thread_id)
    history = list(analyst.graph.get_state_history(_config(thread_id)))
    turns: list[Turn] = []
    for snapshot in reversed(history):
        if snapshot.metadata and snapshot.metadata.get("source") == "input":
            turns.append(Turn(index=len(turns), started_at=snapshot.created_at))
        elif turns:
            _update(turns[-1], dict(snapshot.values), finished=not snapshot.next, at=snapshot)
    items = Ledger.model_validate(latest.get("ledger") or {}).items
    return ThreadView(thread_id=thread_id, turns=turns, evidence_ids=list(items))


def _update(turn: Turn, values: dict[str, Any], *, finished: bool, at: Any) -> None:
    turn.question = values.get("question") or turn.question
    if finished and values.get("answer_text"):
        turn.answer = values["answer_text"]
        turn.status = values.get("status") or "answered"
        turn.language = values.get("language") or ""
        turn.finished_at = at.created_at
        turn.cited = cited_ids(turn.answer)


def last_turn(analyst: Analyst, thread_id: str) -> tuple[Turn, Ledger]:
    """The thread's latest answered turn and its ledger, for exports."""
    values = _values(analyst, thread_id)
    text = values.get("answer_text") or ""
    if not text:
        raise HttpError(404, f"Thread {thread_id!r} has no finished answer yet.", "not_found")
    turn = Turn(
        index=-1,
        question=values.get("question", ""),
        answer=text,
        status=values.get("status") or "answered",
        language=values.get("language") or "en",
        cited=cited_ids(text),
    )
    return turn, Ledger.model_validate(values.get("ledger") or {})

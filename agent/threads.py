"""Conversation threads read back from the checkpointer: turns, answers and evidence.

The graph checkpoints its state after every step. A turn starts at an ``input`` checkpoint; its
answer is the last state before the next one (``answer_text`` is cleared when a turn starts
and set when it is verified, so an empty one means the turn is still running or ended in an
error). Works with any LangGraph checkpointer; the graph itself is not needed to read.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from pydantic import BaseModel, Field

from ..tools.ledger import Ledger
from .answer import cited_ids


class Turn(BaseModel):
    index: int
    question: str = ""
    answer: str = ""
    # "running" while unanswered; "cancelled" or "failed" (with ``reason``) when the run
    # ended without an answer.
    status: str = "running"
    reason: str = ""
    language: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    cited: list[str] = Field(default_factory=list)


class ThreadView(BaseModel):
    thread_id: str
    turns: list[Turn]
    evidence_ids: list[str]


class ThreadSummary(BaseModel):
    thread_id: str
    turns: int
    first_question: str
    updated: str


Checkpointer = BaseCheckpointSaver[Any]


def thread_config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}


def checkpoint_values(found: CheckpointTuple) -> dict[str, Any]:
    return dict(found.checkpoint.get("channel_values") or {})


def latest_values(cp: Checkpointer, thread_id: str) -> dict[str, Any] | None:
    """The thread's current state, or None for a thread this checkpointer does not hold."""
    found = cp.get_tuple(thread_config(thread_id))
    return checkpoint_values(found) if found is not None else None


def owner(cp: Checkpointer, thread_id: str) -> str | None:
    """The ``owner`` in the metadata of the thread's first checkpoint (its first question's
    input, step -1): "" when that run named none, None for a thread this checkpointer does not
    hold. The first checkpoint, not the latest: a later run (the CLI's) may name nobody."""
    for found in cp.list(thread_config(thread_id), filter={"step": -1}, limit=1):
        return str((found.metadata or {}).get("owner") or "")
    return "" if cp.get_tuple(thread_config(thread_id)) is not None else None


def delete(cp: Checkpointer, thread_id: str) -> bool:
    """Remove every checkpoint of the thread; False for a thread this checkpointer does not hold."""
    if cp.get_tuple(thread_config(thread_id)) is None:
        return False
    cp.delete_thread(thread_id)
    return True


def ledger(cp: Checkpointer, thread_id: str) -> Ledger | None:
    values = latest_values(cp, thread_id)
    if values is None:
        return None
    return Ledger.model_validate(values.get("ledger") or {})


def view(cp: Checkpointer, thread_id: str) -> ThreadView | None:
    """The thread's turns in order, with its evidence ids; None for an unknown thread."""
    history = list(reversed(list(cp.list(thread_config(thread_id)))))  # oldest first
    if not history:
        return None
    groups: list[list[CheckpointTuple]] = []
    for found in history:
        if (found.metadata or {}).get("source") == "input":
            groups.append([found])
        elif groups:
            groups[-1].append(found)
    turns = [_turn(i, group) for i, group in enumerate(groups)]
    items = Ledger.model_validate(checkpoint_values(history[-1]).get("ledger") or {}).items
    return ThreadView(thread_id=thread_id, turns=turns, evidence_ids=list(items))


def _turn(index: int, group: list[CheckpointTuple]) -> Turn:
    start = group[0]
    turn = Turn(index=index, question=_asked(start), started_at=start.checkpoint.get("ts"))
    # Until the turn's first step clears it, answer_text still holds the previous answer.
    cleared = False
    for found in group[1:]:
        values = checkpoint_values(found)
        cleared = cleared or not values.get("answer_text")
        # The end of a run without an answer is written by the analyst as a state update.
        if values.get("ended") and (found.metadata or {}).get("source") == "update":
            turn.status = values.get("status") or "failed"
            turn.reason = values["ended"]
            turn.finished_at = found.checkpoint.get("ts")
        elif cleared and values.get("answer_text"):
            turn.answer = values["answer_text"]
            turn.status = values.get("status") or "answered"
            turn.language = values.get("language") or ""
            turn.finished_at = found.checkpoint.get("ts")
            turn.cited = cited_ids(turn.answer)
    return turn


def _asked(start: CheckpointTuple) -> str:
    """The question of the turn an ``input`` checkpoint starts."""
    given = checkpoint_values(start).get("__start__")
    return str(given.get("question") or "") if isinstance(given, dict) else ""


def summaries(cp: Checkpointer, limit: int = 20) -> list[ThreadSummary]:
    """The most recently used threads, newest first."""
    order: list[str] = []
    for found in cp.list(None, filter={"source": "input"}):
        thread_id = str(found.config["configurable"]["thread_id"])
        if thread_id not in order:
            order.append(thread_id)
            if len(order) >= limit:
                break
    return [s for s in (_summary(cp, t) for t in order) if s is not None]


def _summary(cp: Checkpointer, thread_id: str) -> ThreadSummary | None:
    starts = list(cp.list(thread_config(thread_id), filter={"source": "input"}))
    latest = cp.get_tuple(thread_config(thread_id))
    if not starts or latest is None:
        return None
    updated = str(latest.checkpoint.get("ts") or "")[:19].replace("T", " ")
    return ThreadSummary(
        thread_id=thread_id, turns=len(starts), first_question=_asked(starts[-1]), updated=updated
    )

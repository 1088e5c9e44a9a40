"""Checkpoint retention: how long conversation threads are kept, how many, and how much of each.

LangGraph checkpoints a thread after every step, each checkpoint holding the whole state (the
conversation so far included), so a store grows with steps × conversation length. ``prune``
bounds it three ways, each a setting:

- ``checkpoint_max_age_days``: a thread last used longer ago is deleted (0 keeps them all);
- ``checkpoint_max_threads``: beyond this many, the least recently used threads are deleted;
- ``checkpoint_compact``: of each finished turn, only the checkpoints the thread's history is
  read from are kept — the turn's input, its first step and its last — so a thread grows with
  its turns, not with every tool step. The latest checkpoint holds the whole state, so
  follow-ups and evidence are unaffected; the turn in progress is never touched.

Threads and checkpoints are found and deleted through the checkpointer's own API where it has
one (``list``, ``get_tuple``, ``delete_thread``) and with plain SQL on its tables (SQLite or
PostgreSQL, the stores ``checkpoints.open_checkpointer`` opens) for single checkpoints.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple

from .settings import Settings
from .threads import checkpoint_values, thread_config

Checkpointer = BaseCheckpointSaver[Any]


@dataclass(frozen=True)
class Retention:
    max_age_days: float = 90.0  # 0: kept whatever their age
    max_threads: int = 10_000  # 0: no limit
    compact: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls(
            settings.checkpoint_max_age_days,
            settings.checkpoint_max_threads,
            settings.checkpoint_compact,
        )


@dataclass
class PruneReport:
    threads_before: int = 0
    threads_deleted: int = 0
    checkpoints_deleted: int = 0

    def summary(self) -> str:
        kept = self.threads_before - self.threads_deleted
        return (
            f"{self.threads_deleted} of {self.threads_before} threads deleted, {kept} kept; "
            f"{self.checkpoints_deleted} intermediate checkpoints removed."
        )


def prune(cp: Checkpointer, retention: Retention, now: datetime) -> PruneReport:
    """Apply ``retention`` to every thread ``cp`` holds, as of ``now`` (timezone-aware)."""
    store = _Store.of(cp)
    report = PruneReport()
    if store is None:
        return report  # a store kept in memory ends with its process
    last_used = {t: _last_used(cp, t) for t in store.thread_ids()}
    report.threads_before = len(last_used)
    doomed = _expired(last_used, retention, now)
    for thread_id in doomed:
        cp.delete_thread(thread_id)
    report.threads_deleted = len(doomed)
    if retention.compact:
        for thread_id in last_used.keys() - set(doomed):
            report.checkpoints_deleted += store.delete(thread_id, _droppable(cp, thread_id))
    return report


def _last_used(cp: Checkpointer, thread_id: str) -> datetime:
    found = cp.get_tuple(thread_config(thread_id))
    ts = found.checkpoint.get("ts") if found is not None else None
    return datetime.fromisoformat(ts) if ts else datetime.min


def _expired(last_used: dict[str, datetime], retention: Retention, now: datetime) -> list[str]:
    newest_first = sorted(last_used, key=lambda t: _aware(last_used[t]), reverse=True)
    doomed = newest_first[retention.max_threads :] if retention.max_threads else []
    if retention.max_age_days:
        cutoff = now - timedelta(days=retention.max_age_days)
        doomed += [t for t in newest_first if _aware(last_used[t]) < cutoff and t not in doomed]
    return doomed


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _droppable(cp: Checkpointer, thread_id: str) -> list[str]:
    """Checkpoint ids of finished turns that the thread's history is not read from."""
    history = list(reversed(list(cp.list(thread_config(thread_id)))))  # oldest first
    turns: list[list[CheckpointTuple]] = []
    for found in history:
        if (found.metadata or {}).get("source") == "input" or not turns:
            turns.append([found])
        else:
            turns[-1].append(found)
    drop: list[str] = []
    for turn in turns[:-1]:  # the latest turn may still be running: left whole
        keep = {id(turn[0]), id(turn[-1])}
        first = next((c for c in turn[1:] if not checkpoint_values(c).get("answer_text")), None)
        if first is not None:
            keep.add(id(first))
        drop += [str(c.config["configurable"]["checkpoint_id"]) for c in turn if id(c) not in keep]
    return drop


class _Store:
    """Deletes single checkpoints (and their pending writes) from a SQL checkpointer's tables."""

    def __init__(self, execute: Any, placeholder: str, writes: str, blobs: bool) -> None:
        self._execute = execute
        self._p = placeholder
        self._writes = writes
        self._blobs = blobs

    @classmethod
    def of(cls, cp: Checkpointer) -> _Store | None:
        conn = getattr(cp, "conn", None)
        if isinstance(conn, sqlite3.Connection):
            return cls(_sqlite_executor(cp, conn), "?", "writes", blobs=False)
        if type(cp).__name__ == "PostgresSaver":
            return cls(_postgres_executor(cp), "%s", "checkpoint_writes", blobs=True)
        return None

    def thread_ids(self) -> list[str]:
        rows = self._execute("SELECT DISTINCT thread_id FROM checkpoints", ())
        return [str(r[0]) for r in rows]

    def delete(self, thread_id: str, checkpoint_ids: list[str]) -> int:
        p = self._p
        for i in range(0, len(checkpoint_ids), 500):
            chunk = tuple(checkpoint_ids[i : i + 500])
            marks = ", ".join([p] * len(chunk))
            where = f"thread_id = {p} AND checkpoint_ns = '' AND checkpoint_id IN ({marks})"
            self._execute(f"DELETE FROM {self._writes} WHERE {where}", (thread_id, *chunk))
            self._execute(f"DELETE FROM checkpoints WHERE {where}", (thread_id, *chunk))
        if self._blobs and checkpoint_ids:
            # PostgreSQL keeps channel values apart, by version; drop those no kept checkpoint
            # names any more.
            self._execute(
                f"DELETE FROM checkpoint_blobs b WHERE b.thread_id = {p} AND NOT EXISTS ("
                "SELECT 1 FROM checkpoints c WHERE c.thread_id = b.thread_id "
                "AND c.checkpoint_ns = b.checkpoint_ns "
                "AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version)",
                (thread_id,),
            )
        return len(checkpoint_ids)


def _sqlite_executor(cp: Checkpointer, conn: sqlite3.Connection) -> Any:
    def execute(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        # The saver's own lock: the server's worker threads share this one connection.
        with cp.lock:  # type: ignore[attr-defined]
            cur = conn.execute(sql, params)
            rows = cur.fetchall()
            conn.commit()
            return rows

    return execute


def _postgres_executor(cp: Checkpointer) -> Any:
    def execute(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with cp._cursor() as cur:  # type: ignore[attr-defined]
            cur.execute(sql, params)
            rows = cur.fetchall() if cur.description else []
            return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]

    return execute

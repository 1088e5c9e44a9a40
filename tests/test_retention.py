"""Checkpoint retention: with pruning, a SQLite checkpoint store stops growing while questions
keep coming; compaction keeps every turn readable and follow-ups working; old threads go.

Real SQLite files in a temporary folder, the real graph and a scripted model.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver
from server_support import STEPS, brain

from servicelens.agent.analyst import Analyst
from servicelens.agent.providers.scripted import ScriptedProvider as S
from servicelens.agent.retention import Retention, prune


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[SqliteSaver, Path]]:
    path = tmp_path / "checkpoints.sqlite"
    conn = sqlite3.connect(str(path), check_same_thread=False)
    yield SqliteSaver(conn), path
    conn.close()


@pytest.fixture
def analyst(demo_home: Path, store: tuple[SqliteSaver, Path]) -> Iterator[Analyst]:
    with Analyst.open(demo_home, provider=S([brain] * STEPS), checkpointer=store[0]) as a:
        yield a


def _stored_bytes(path: Path) -> int:
    with sqlite3.connect(str(path)) as conn:
        rows = conn.execute(
            "SELECT (SELECT coalesce(sum(length(checkpoint) + length(metadata)), 0) "
            "FROM checkpoints) + (SELECT coalesce(sum(length(value)), 0) FROM writes)"
        ).fetchone()
    return int(rows[0])


def _checkpoints(path: Path, thread_id: str) -> int:
    with sqlite3.connect(str(path)) as conn:
        found = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = ?", (thread_id,))
        return int(found.fetchone()[0])


def test_with_pruning_the_store_stops_growing(
    analyst: Analyst, store: tuple[SqliteSaver, Path]
) -> None:
    _, path = store
    retention = Retention(max_age_days=0, max_threads=4, compact=True)
    after_prune: list[int] = []
    before_prune: list[int] = []
    for round_ in range(3):
        for i in range(6):
            analyst.ask(f"How many tickets in 2026-0{i + 1}?", f"r{round_}-t{i}")
        before_prune.append(_stored_bytes(path))
        report = analyst.prune_threads(retention)
        assert report.threads_deleted == report.threads_before - 4
        after_prune.append(_stored_bytes(path))
        assert len(analyst.threads(100)) == 4
    # Unpruned, each round adds as much again; pruned, the store is back to the same size.
    assert before_prune[2] > after_prune[2] * 1.5
    assert max(after_prune) <= min(after_prune) * 1.1
    assert {t.thread_id for t in analyst.threads(100)} == {f"r2-t{i}" for i in range(2, 6)}


def test_compaction_keeps_every_turn_and_follow_ups_work(
    analyst: Analyst, store: tuple[SqliteSaver, Path]
) -> None:
    _, path = store
    for month in ("2026-01", "2026-02", "2026-03"):
        analyst.ask(f"How many tickets in {month}?", "long")
    before = analyst.thread("long")
    ledger_before = analyst.ledger("long")
    count_before = _checkpoints(path, "long")
    report = analyst.prune_threads(Retention(max_age_days=0, max_threads=0, compact=True))
    assert report.checkpoints_deleted > 0
    assert _checkpoints(path, "long") == count_before - report.checkpoints_deleted
    assert analyst.thread("long") == before
    assert analyst.ledger("long") == ledger_before
    # The next question continues the thread as before, and compacting again is stable.
    answer = analyst.ask("How many tickets in 2026-04?", "long")
    assert answer.status == "answered"
    view = analyst.thread("long")
    assert view is not None and [t.status for t in view.turns] == ["answered"] * 4
    assert [t.question for t in view.turns[:3]] == [t.question for t in before.turns]  # type: ignore[union-attr]


def test_threads_unused_past_the_age_limit_are_deleted(
    analyst: Analyst, store: tuple[SqliteSaver, Path]
) -> None:
    saver, _ = store
    analyst.ask("How many tickets in 2026-01?", "old")
    retention = Retention(max_age_days=30, max_threads=0, compact=False)
    assert prune(saver, retention, datetime.now(UTC)).threads_deleted == 0
    later = datetime.now(UTC) + timedelta(days=31)
    assert prune(saver, retention, later).threads_deleted == 1
    assert analyst.thread("old") is None

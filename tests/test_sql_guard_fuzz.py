"""The guard, fuzzed: what it accepts runs read-only, reads no file or URL, and it never crashes.

A few hundred examples of the grammar in ``evals/sql_grammar.py`` (derandomised, so CI sees the
same ones every run); ``python -m servicelens.evals.fuzz_guard --examples 100000`` runs the same
checks at full size (SECURITY.md has its figures).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicelens.evals.fuzz_guard import FuzzTarget, fuzz

_CI = settings(
    max_examples=300, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    fuzz_target = FuzzTarget(Path(tmp_path_factory.mktemp("fuzz")))
    yield fuzz_target
    fuzz_target.close()


@_CI
@given(data=st.data())
def test_whatever_the_guard_accepts_is_harmless(target: FuzzTarget, data: st.DataObject) -> None:
    sql = data.draw(target.strategy, label="sql")
    outcome = target.check(sql)
    assert outcome.verdict in ("accepted", "refused"), outcome.violations
    assert not outcome.violations


def test_a_run_exercises_both_sides_of_the_guard(target: FuzzTarget) -> None:
    summary = fuzz(target, 150, seed=1)
    assert summary.examples == 150 and summary.clean, summary.failures
    # The grammar is only a test of the guard if much of it is accepted and run, and much refused.
    assert summary.accepted >= 20 and summary.refused >= 20
    assert summary.ran.get("ok", 0) >= 5


def test_the_checks_see_reads_a_guard_would_have_let_through(target: FuzzTarget) -> None:
    # The audit is DuckDB's own parse, independent of sqlglot: SQL that skipped the guard is
    # caught for every way it reaches outside the catalog.
    canary = target.vocabulary.paths[0]
    problems = target.audit(
        f"SELECT getenv('HOME'), * FROM read_text('{canary}'), '{canary}', duckdb_settings(), "
        "information_schema.tables, tickets"
    )
    assert any("getenv" in p for p in problems)
    assert any("table function read_text" in p for p in problems)
    assert any(canary in p for p in problems)
    assert any("duckdb_settings" in p for p in problems)
    assert any("information_schema" in p for p in problems)
    assert not any("tickets" in p for p in problems)
    assert target.audit("WITH c AS (SELECT 1) SELECT * FROM c, range(3), tickets") == []


def test_the_canary_and_the_warehouse_file_are_watched(target: FuzzTarget) -> None:
    # A result holding the canary's contents counts as a file read; a changed file as a write.
    before = target.db_path.read_bytes()
    try:
        target.db_path.write_bytes(before + b"\0")
        outcome = target.check(f"SELECT '{target.token}' AS leaked")
    finally:
        target.db_path.write_bytes(before)
    assert outcome.verdict == "accepted"
    assert "file read: the canary's contents are in the result" in outcome.violations
    assert "write: digest changed" in outcome.violations
    assert target.check("SELECT 1").violations == []

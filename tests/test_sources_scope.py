"""Data scopes on live sources: a caller limited to the East region sees only East rows of the
tables that live in a real PostgreSQL and a real MariaDB, by the metric tool, by SQL however
hostile (the scope tests' own corpus) and by feedback search; a table outside the scope is
refused there as it is in DuckDB.

The servers and the workspace whose tables all live in them are the session's (conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_data_scope import EAST, HOSTILE_REGION_SQL, REFUSED_SQL

from servicelens import Analyst
from servicelens.data.sources import Federation
from servicelens.data.sql_guard import QueryError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def duck(demo_home: Path) -> Iterator[Analyst]:
    with Analyst.open(demo_home) as opened:
        yield opened


@pytest.fixture(scope="module")
def on_source(source_home: Path) -> Iterator[Analyst]:
    with Analyst.open(source_home) as opened:
        yield opened


def _executed(analyst: Analyst) -> int:
    federation = analyst.workspace.warehouse
    assert isinstance(federation, Federation)
    return federation.sources["live"].executed


def test_metrics_and_sql_of_a_scoped_caller_read_only_in_scope_rows_there(
    duck: Analyst, on_source: Analyst
) -> None:
    east = on_source.scoped(EAST)
    before = _executed(on_source)
    everyone = {r[0]: r[1] for r in duck.metric("ticket_count", by="region").rows}
    assert [r[:2] for r in east.metric("ticket_count", by="region").rows] == [
        ["East", everyone["East"]]
    ]
    assert east.metric("ticket_count", where={"region": "North"}).rows[0][0] == 0
    want = {str(r[0]) for r in duck.sql(
        "SELECT ticket_id FROM tickets WHERE region = 'East'", max_rows=100_000).rows}  # fmt: skip
    got = {str(r[0]) for r in east.sql("SELECT ticket_id FROM tickets", max_rows=100_000).rows}
    assert got == want
    # Surveys have no region: the scope reaches them through their ticket, on the server.
    joined = "SELECT count(*) FROM surveys s JOIN tickets t USING (ticket_id) WHERE region = 'East'"
    assert east.sql("SELECT count(*) FROM surveys").rows == duck.sql(joined).rows
    # Every one of those answers came from the server.
    assert _executed(on_source) - before >= 4


def test_hostile_sql_of_a_scoped_caller_sees_only_in_scope_rows(on_source: Analyst) -> None:
    east = on_source.scoped(EAST)
    answered = 0
    for sql in HOSTILE_REGION_SQL:
        try:
            result = east.sql(sql, max_rows=100_000)
        except QueryError:
            continue  # refused by the guard, the scope or the server: closed
        regions = {row[result.columns.index("region")] for row in result.rows}
        assert regions - {None} <= {"East"}, sql
        answered += 1
    # Most of the corpus is plain SQL both engines run; the test is not passed by refusals.
    assert answered >= len(HOSTILE_REGION_SQL) - 8, answered
    for sql in REFUSED_SQL:
        with pytest.raises(QueryError):
            east.sql(sql)


def test_search_of_a_scoped_caller_sees_only_in_scope_feedback(
    duck: Analyst, on_source: Analyst
) -> None:
    east_voc = {str(r[0]) for r in duck.sql(
        "SELECT voc_id FROM voc WHERE region = 'East'", max_rows=100_000).rows}  # fmt: skip
    east = on_source.scoped(EAST)
    found = east.search("noise", k=20)
    assert found.hits and {h.id.removeprefix("V:") for h in found.hits} <= east_voc
    assert found.total_matching == len(east_voc)

"""Values compared on how often their records carry an event a yes/no column records ("which
one gets its complaints disputed more often? Give me both rates"): that column's rate for each
value, not their counts; one value against all the others, the records with none left out when
the question says so. The export is written by the test; every expected figure is counted from
its rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from agent_support import ask_offline
from ingest_support import offline_analyst

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
Rows = list[dict[str, str]]

# Company → (complaints, every how-many-th one disputed).
_COMPANIES = {"Acme Bank": (40, 2), "Birch Credit": (36, 4), "Cobalt Finance": (30, 3)}


@pytest.fixture(scope="module")
def complaints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows: Rows = []
    start = datetime(2024, 2, 1, 9)
    for company, (size, every) in _COMPANIES.items():
        for i in range(size):
            rows.append(
                {
                    "complaint_id": f"C{len(rows):04d}",
                    "received_at": (start + timedelta(hours=29 * len(rows))).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "company": company,
                    "consumer_disputed": "Yes" if i % every == 0 else "No",
                    # Many teams (their values are not all listed), some records with none.
                    "team": "" if len(rows) % 9 == 4 else f"Team {len(rows) % 83}",
                    "updates": str(2 + (len(rows) * 7) % 11 + (6 if len(rows) % 9 == 4 else 0)),
                }
            )
    folder: Path = tmp_path_factory.mktemp("event_rates")
    with offline_analyst(
        folder, rows, file="complaints.csv", as_of="2025-01-02", id="complaint_id"
    ) as an:
        yield an, rows


def _rate(rows: Rows, company: str) -> str:
    mine = [r for r in rows if r["company"] == company]
    share = 100 * sum(r["consumer_disputed"] == "Yes" for r in mine) / len(mine)
    return f"{share:.1f}".rstrip("0").rstrip(".") + "%"


def test_values_compared_on_how_often_an_event_happens(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    acme, birch = _rate(rows, "Acme Bank"), _rate(rows, "Birch Credit")
    assert acme != birch
    answer = ask_offline(
        an, "Acme Bank vs Birch Credit - which one gets its complaints disputed more often? "
        "Give me both rates."
    )  # fmt: skip
    assert acme in answer.body and birch in answer.body, answer.body
    # Counted when how many is asked, not how often.
    answer = ask_offline(an, "Acme Bank vs Birch Credit - how many complaints did each get?")
    assert "40" in answer.body and "36" in answer.body, answer.body


def test_one_value_against_the_others_leaving_out_the_records_with_none(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints

    def mean(rs: Rows) -> str:
        return f"{round(sum(int(r['updates']) for r in rs) / len(rs), 2):g}"

    team = [r for r in rows if r["team"] == "Team 7"]
    others = [r for r in rows if r["team"] not in ("Team 7", "")]
    with_none = [r for r in rows if r["team"] != "Team 7"]
    assert mean(others) != mean(with_none)
    answer = ask_offline(
        an, "What are the average updates for Team 7 vs all other teams (skip complaints with "
        "no team)?"
    )  # fmt: skip
    assert f"was {mean(team)}" in answer.body and f"was {mean(others)}" in answer.body, (
        mean(others),
        answer.body,
    )

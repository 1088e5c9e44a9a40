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
from agent_support import ask_offline, lead_of
from ingest_support import offline_analyst

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
Rows = list[dict[str, str]]

# Company → (complaints, every how-many-th one disputed).
_COMPANIES = {"Acme Bank": (40, 2), "Birch Credit": (36, 4), "Cobalt Finance": (30, 3)}
# Company → which of every ten complaints were closed with monetary relief: Acme Bank has the
# most of them (24), Cobalt Finance the highest share (70%).
_RELIEF = {"Acme Bank": range(6), "Birch Credit": range(2), "Cobalt Finance": range(7)}


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
                    "response": "Closed with monetary relief"
                    if i % 10 in _RELIEF[company]
                    else "Closed with explanation",
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


def test_which_group_most_often_has_a_value_is_ranked_by_its_share(
    complaints: tuple[Analyst, Rows],
) -> None:
    # "Which company most often closes complaints with monetary relief": how likely each
    # company's complaints are to be closed so, not how many are; said before the group, the
    # value names the complaints counted.
    an, rows = complaints

    def relief(company: str) -> tuple[int, int]:
        mine = [r for r in rows if r["company"] == company]
        return sum(r["response"] == "Closed with monetary relief" for r in mine), len(mine)

    (acme, _), (cobalt, of_cobalt) = relief("Acme Bank"), relief("Cobalt Finance")
    assert acme > cobalt and cobalt / of_cobalt > acme / 40
    share = f"{100 * cobalt / of_cobalt:.1f}".rstrip("0").rstrip(".") + "%"
    answer = ask_offline(an, "Which company most often closes complaints with monetary relief?")
    lead = lead_of(answer.text)
    assert "Cobalt Finance" in lead and share in lead and f"{cobalt} of {of_cobalt}" in lead, lead
    answer = ask_offline(an, "Which company's complaints are disputed most often?")
    lead = lead_of(answer.text)
    assert "Acme Bank" in lead and _rate(rows, "Acme Bank") in lead, lead
    answer = ask_offline(
        an, "Complaints closed with monetary relief - which company do they most often come from?"
    )
    lead = lead_of(answer.text)
    assert "Acme Bank" in lead and str(acme) in lead and share not in lead, lead

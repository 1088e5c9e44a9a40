"""Staffing by Erlang C (``Analyst.staffing`` / ``servicelens staffing``): the formula against
textbook values, and the demo's Thursday-afternoon peak turned into agents to add."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run_cli

from servicelens.agent.analyst import Analyst
from servicelens.agent.erlang import agents_needed, erlang_b, erlang_c, service_level


def test_erlang_against_textbook_values() -> None:
    # Erlang B tables: 10 erlangs on 10 lines block 21.46% of calls.
    assert erlang_b(10, 10.0) == pytest.approx(0.2146, abs=1e-4)
    # The classic contact-centre example: 100 calls per half hour, 3-minute handling time
    # (10 erlangs): with 11 agents 68.21% wait, the average answer takes 122.8 s, and 80% in
    # 20 s needs 14 agents (88.8%), 20 on shift with 30% shrinkage.
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=1e-4)
    plan = agents_needed(200, 180, target=0.8, within_s=20)
    assert plan.productive == 14
    assert plan.service_level == pytest.approx(0.8884, abs=1e-4)
    assert service_level(13, 10.0, 180, 20) < 0.8
    assert agents_needed(200, 180, target=0.8, within_s=20, shrinkage=0.3).agents == 20
    assert erlang_c(11, 10.0) * 180 / (11 - 10) == pytest.approx(122.8, abs=0.1)


def test_no_contacts_need_no_agents_and_occupancy_caps() -> None:
    assert agents_needed(0, 300, target=0.8, within_s=20).agents == 0
    capped = agents_needed(200, 180, target=0.5, within_s=60, max_occupancy=0.7)
    assert capped.occupancy <= 0.7 and capped.productive == 15


def test_the_thursday_peak_becomes_agents_to_add(demo_home: Path) -> None:
    with Analyst.open(demo_home, provider="offline") as an:
        report = an.staffing(handle_minutes=30)
    assert report.kind == "forecast" and report.week_of >= an.as_of
    assert report.handle_source == "setting" and any("handling time" in n for n in report.notes)
    assert len(report.hours) <= 7 * 24
    assert report.proposals, report.staffed
    top = report.proposals[0]
    assert top.weekday == 4 and 14 <= top.start_hour < top.end_hour <= 17
    assert top.text.en.startswith("add one agent Thu") and "80% within 20 s" in top.text.en
    thursday = {h.hour: h for h in report.hours if h.weekday == 4}
    assert thursday[15].arrivals > thursday[10].arrivals


def test_cli_staffing(capsys: pytest.CaptureFixture[str], demo_home: Path) -> None:
    home = ("--home", str(demo_home))
    code, out, _ = run_cli(capsys, "staffing", *home, "--target", "0.8", "--within", "20s",
                           "--aht", "30m")  # fmt: skip
    assert code == 0 and "FORECAST" in out and "to answer 80% within 20 s" in out
    code, out, _ = run_cli(capsys, "staffing", *home, "--aht", "30m", "--json")
    data = json.loads(out)
    assert data["handle_minutes"] == 30 and data["evidence"]["sql"]
    code, _, err = run_cli(capsys, "staffing", *home, "--within", "soon")
    assert code != 0 and "duration" in err

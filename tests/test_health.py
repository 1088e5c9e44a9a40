"""Customer health (``Analyst.customer_health`` / ``servicelens health``): transparent scores,
key accounts first, the demo's key account whose CSAT dropped is at risk, and a workspace
without the inputs says which components it could not compute."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import run_cli

from servicelens.agent.analyst import Analyst
from servicelens.agent.health import COMPONENTS, HealthReport
from servicelens.agent.results import RequestError
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

END_OF_Q3 = "2026-10-01"  # the recent window is 2026-Q3, when key accounts' CSAT fell


@pytest.fixture(scope="module")
def report(demo_home: Path) -> Iterator[HealthReport]:
    with Analyst.open(demo_home, provider="offline") as an:
        yield an.customer_health(END_OF_Q3, top=10)


def test_every_component_is_shown_with_its_value_points_and_weight(report: HealthReport) -> None:
    assert report.missing_inputs == {}
    assert set(report.weights) == set(COMPONENTS) == set(report.queries)
    for h in report.customers[:50]:
        assert [c.name for c in h.components] == list(COMPONENTS)
        known = [c for c in h.components if c.points is not None]
        assert {c.name for c in h.components if c.points is None} == set(h.missing)
        if h.score is not None:
            total = sum(c.weight for c in known)
            mean = sum(c.weight * (c.points or 0) for c in known) / total
            assert h.score == pytest.approx(mean, abs=0.06)


def test_key_accounts_come_first_and_a_dropping_one_is_at_risk(report: HealthReport) -> None:
    assert report.key_account_marker is not None
    flags = [h.key_account for h in report.at_risk]
    assert flags == sorted(flags, reverse=True) and flags[0]
    dropped = [
        h for h in report.at_risk
        if h.key_account and any(c.name == "csat_trend" and (c.value or 0) < 0
                                 for c in h.components)
    ]  # fmt: skip
    assert dropped, [(h.customer, h.reasons) for h in report.at_risk]
    h = dropped[0]
    assert h.score is not None and h.score < 60 and h.reasons and h.reasons_zh
    assert h.evidence is not None and h.customer in h.evidence.sql


def test_the_distribution_counts_every_scored_customer(report: HealthReport) -> None:
    assert sum(report.distribution.values()) == report.scored > 100


def test_weights_come_from_the_settings(demo_home: Path, tmp_path: Path) -> None:
    with Analyst.open(demo_home, provider="offline") as an:
        rules = an.settings.health.model_copy(
            update={"weights": an.settings.health.weights.model_copy(update={"renewal": 0.0})}
        )
        from servicelens.agent.health import customer_health

        only = customer_health(an, as_of=an._day(END_OF_Q3), rules=rules, top=3)
    assert only.weights["renewal"] == 0.0
    assert all(
        c.weight == 0.0 for h in only.customers[:20] for c in h.components if c.name == "renewal"
    )


def _export(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    f = tmp_path / "cases.csv"
    with f.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ingest(WorkspacePaths(tmp_path / "ws"), [f], IngestOptions(id="case_id"), index=False)
    return tmp_path / "ws"


def test_a_workspace_without_surveys_or_contracts_lists_what_is_missing(tmp_path: Path) -> None:
    rows = [
        {"case_id": f"C{i:04d}", "opened_at": f"2026-09-{1 + i % 28:02d} 10:00",
         "customer_id": f"K{i % 40:03d}", "category": ["fault", "setup"][i % 2],
         "made_sla": "no" if i % 5 == 0 else "yes"}
        for i in range(400)
    ]  # fmt: skip
    with Analyst.open(_export(tmp_path, rows), provider="offline") as an:
        health = an.customer_health("2026-10-01")
    assert set(health.missing_inputs) == {"csat_trend", "nps", "sentiment", "renewal"}
    assert health.scored == 40
    assert all(set(h.missing) >= set(health.missing_inputs) for h in health.customers)


def test_no_customer_column_is_a_clear_error(tmp_path: Path) -> None:
    rows = [{"case_id": f"C{i}", "created_at": "2026-09-01", "region": "North"} for i in range(50)]
    with (
        Analyst.open(_export(tmp_path, rows), provider="offline") as an,
        pytest.raises(RequestError, match="customer"),
    ):
        an.customer_health("2026-10-01")


def test_cli_health(capsys: pytest.CaptureFixture[str], demo_home: Path) -> None:
    args = ("health", "--home", str(demo_home), "--as-of", END_OF_Q3, "--top", "3")
    code, out, _ = run_cli(capsys, *args, "--json")
    assert code == 0 and len(json.loads(out)["at_risk"]) <= 3
    code, out, _ = run_cli(capsys, *args)
    assert code == 0 and "At risk" in out and "weights" in out

"""Early warnings (``Analyst.warnings`` / ``servicelens warnings``): the demo's planted stories
are found through the catalog, a shuffled-period twin of a planted export raises nothing, and a
workspace without the inputs says which kinds it could not compute and why.

The code knows none of the demo's names; the tests read the planted facts from facts.json.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_support import run_cli

from servicelens.agent.analyst import Analyst
from servicelens.agent.warnings import WarningReport
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths


@pytest.fixture(scope="module")
def analyst(demo_home: Path) -> Iterator[Analyst]:
    with Analyst.open(demo_home, provider="offline") as an:
        yield an


@pytest.fixture(scope="module")
def facts(demo_home: Path) -> dict[str, Any]:
    doc = json.loads((demo_home / "facts.json").read_text(encoding="utf-8"))
    return {f["id"]: f for f in doc["facts"]}


@pytest.fixture(scope="module")
def today(analyst: Analyst) -> WarningReport:
    return analyst.warnings()


def test_the_two_unanswered_influencer_posts_are_warned_about(
    today: WarningReport, facts: dict[str, Any]
) -> None:
    params = facts["influencer_complaints"]["parameters"]
    high = {
        fid
        for w in today.warnings
        if w.kind == "unanswered_feedback" and w.severity == "high"
        for fid in w.evidence.feedback_ids
    }
    assert high == {f"V:{i}" for i in params["unanswered_voc_ids"]}
    flagged = {i for w in today.warnings for i in w.evidence.ids}
    assert not flagged & set(params["answered_voc_ids"])
    post = next(w for w in today.warnings if w.kind == "unanswered_feedback")
    assert post.owner.team == "social" and post.due > today.as_of
    assert "SELECT" in post.evidence.sql and post.evidence.numbers["reach"] > 100_000
    assert post.title.en and post.title.zh and post.action.zh


def test_first_response_misses_cluster_on_thursday_afternoon(
    today: WarningReport, facts: dict[str, Any]
) -> None:
    peak = facts["thursday_peak"]["parameters"]
    slots = [w for w in today.warnings if w.kind == "sla_cluster"]
    thursday = [w for w in slots if w.subject["weekday"] == "Thu"]
    assert thursday, [w.title.en for w in slots]
    start, end = (int(h) for h in thursday[0].subject["hours"].split("-"))
    assert start <= peak["hours"][0] and end >= peak["hours"][1] - 1
    n = thursday[0].evidence.numbers
    assert n["miss_rate"] > 2 * n["other_miss_rate"] and n["q_value"] <= 0.01
    assert thursday[0].owner.team == "workforce" and thursday[0].evidence.ids


def test_the_compressor_noise_rise_on_the_defective_model(
    analyst: Analyst, facts: dict[str, Any]
) -> None:
    model = facts["compressor_defect"]["parameters"]["model"]
    report = analyst.warnings("2026-06-01", kinds=["rising_problem"])
    # The rise is told once, about the model or a grouping holding it, naming the other.
    themes = [
        w for w in report.warnings
        if w.subject["signal"].startswith("theme:")
        and model in json.dumps(w.subject) + str(w.evidence.numbers["also"])
    ]  # fmt: skip
    assert themes, [w.title.en for w in report.warnings]
    w = themes[0]
    assert w.owner.team == "rd" and w.evidence.feedback_ids
    assert w.evidence.numbers["after"] > w.evidence.numbers["before"]
    assert w.evidence.numbers["q_value"] <= 0.05


def test_the_parts_wait_spike_goes_to_supply(analyst: Analyst, facts: dict[str, Any]) -> None:
    line = facts["parts_shortage"]["parameters"]["product_line"]
    report = analyst.warnings("2026-07-01", kinds=["rising_problem"])
    supply = [w for w in report.warnings if w.owner.team == "supply"]
    assert supply, [w.title.en for w in report.warnings]
    w = supply[0]
    assert line in json.dumps(w.subject) + str(w.evidence.numbers["also"])
    assert w.evidence.numbers["after"] >= 2 * w.evidence.numbers["before"]
    assert w.evidence.ids and w.severity == "high"


def test_a_quiet_period_raises_no_product_warning(analyst: Analyst) -> None:
    # Before any planted product story began, the same tests find nothing.
    report = analyst.warnings("2025-09-01", kinds=["rising_problem"])
    assert report.computed == ["rising_problem"]
    assert report.warnings == []


def test_the_report_is_json_with_evidence(today: WarningReport) -> None:
    data = json.loads(today.model_dump_json())
    assert set(data["computed"]) == {
        "unanswered_feedback", "repeat_contact", "rising_problem", "sla_cluster"
    }  # fmt: skip
    assert all(w["evidence"]["sql"] for w in data["warnings"])
    severities = [w["severity"] for w in data["warnings"]]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)


# --- A planted export and its shuffled-period twin ---------------------------------------------

AS_OF = "2026-10-29"
PRODUCTS = ("Alpha", "Beta", "Gamma", "Delta")


def _cases(shuffle: bool, seed: int = 5) -> list[dict[str, str]]:
    """300 days of cases: Gamma's first-time fix falls from 70% to 35% in the last 8 weeks,
    and Wednesdays 10:00-12:00 miss the SLA far more often. The twin keeps every row's values
    but shuffles their times, so any warning on it is noise."""
    rng = random.Random(seed)
    start, rows = datetime(2026, 1, 2), []
    for i in range(8000):
        at = start + timedelta(minutes=rng.randrange(300 * 24 * 60))
        product = rng.choice(PRODUCTS)
        late = product == "Gamma" and at >= datetime(2026, 9, 3)
        busy = at.isoweekday() == 3 and 10 <= at.hour < 12
        rows.append({
            "case_id": f"C{i:05d}", "opened_at": at.strftime("%Y-%m-%d %H:%M"),
            "customer_id": f"K{rng.randrange(2000):05d}", "product": product,
            "category": rng.choice(["billing", "fault", "setup"]),
            "made_sla": "no" if rng.random() < (0.55 if busy else 0.15) else "yes",
            "fixed_first_time": "yes" if rng.random() < (0.35 if late else 0.7) else "no",
        })  # fmt: skip
    if shuffle:
        times = [r["opened_at"] for r in rows]
        rng.shuffle(times)
        for r, t in zip(rows, times, strict=True):
            r["opened_at"] = t
    return rows


def _workspace(root: Path, rows: list[dict[str, str]]) -> Path:
    export = root / "cases.csv"
    with export.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ingest(WorkspacePaths(root / "ws"), [export], IngestOptions(id="case_id"), index=False)
    return root / "ws"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> WarningReport:
    home = _workspace(tmp_path_factory.mktemp("planted"), _cases(shuffle=False))
    with Analyst.open(home, provider="offline") as an:
        return an.warnings(AS_OF, kinds=["rising_problem", "sla_cluster"])


@pytest.fixture(scope="module")
def shuffled_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _workspace(tmp_path_factory.mktemp("shuffled"), _cases(shuffle=True))


@pytest.fixture(scope="module")
def shuffled(shuffled_home: Path) -> WarningReport:
    with Analyst.open(shuffled_home, provider="offline") as an:
        return an.warnings(AS_OF, kinds=["rising_problem", "sla_cluster"])


def test_an_export_with_its_own_names_gets_the_planted_warnings(planted: WarningReport) -> None:
    rising = [w for w in planted.warnings if w.kind == "rising_problem"]
    assert [w.subject.get("product") for w in rising] == ["Gamma"]
    slots = [w for w in planted.warnings if w.kind == "sla_cluster"]
    assert [(w.subject["weekday"], w.subject["hours"]) for w in slots] == [("Wed", "10-12")]


def test_the_shuffled_period_twin_raises_nothing(shuffled: WarningReport) -> None:
    assert shuffled.computed == ["rising_problem", "sla_cluster"]
    assert shuffled.warnings == [], [w.title.en for w in shuffled.warnings]


def test_the_digest_of_the_shuffled_twin_reports_no_change_and_no_warning(
    shuffled_home: Path,
) -> None:
    with Analyst.open(shuffled_home, provider="offline") as an:
        digest = an.digest("8w", as_of=date.fromisoformat(AS_OF))
    sections = {s.key: s for s in digest.sections}
    assert sections["changes"].status == "empty", [i.title for i in sections["changes"].items]
    # Repeat contacts are pairs of records, not a move between periods: random data has some.
    # Every warning that rests on a trend or a cluster is gone.
    found = [i for i in sections["warnings"].items if not i.method.startswith("Contacts of one")]
    assert found == [], [i.title for i in found]
    # What it could not check, it names: the export has no feedback text.
    assert "Cannot compute here: unanswered feedback (" in sections["warnings"].note


def test_a_workspace_without_the_inputs_says_what_is_missing(tmp_path: Path) -> None:
    rows = [
        {"case_id": f"C{i}", "created_at": f"2026-0{1 + i % 9}-1{i % 10}", "region": "North",
         "resolved": "yes" if i % 3 else "no"}
        for i in range(200)
    ]  # fmt: skip
    home = _workspace(tmp_path, rows)
    with Analyst.open(home, provider="offline") as an:
        report = an.warnings("2026-10-01")
    assert report.warnings == [] and report.computed == []
    reasons = {s.kind: s.reason for s in report.skipped}
    assert set(reasons) == {"unanswered_feedback", "repeat_contact", "rising_problem",
                            "sla_cluster"}  # fmt: skip
    assert "feedback" in reasons["unanswered_feedback"]
    assert "customer" in reasons["repeat_contact"]
    assert "product" in reasons["rising_problem"]
    assert "SLA" in reasons["sla_cluster"]
    assert all(s.needs for s in report.skipped)


def test_cli_warnings(capsys: pytest.CaptureFixture[str], demo_home: Path) -> None:
    code, out, _ = run_cli(capsys, "warnings", "--home", str(demo_home), "--kind",
                           "unanswered_feedback", "--json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["computed"] == ["unanswered_feedback"] and data["warnings"]
    code, out, _ = run_cli(capsys, "warnings", "--home", str(demo_home), "--kind",
                           "unanswered_feedback", "--lang", "zh")  # fmt: skip
    assert code == 0 and "无人响应" in out
    code, _, err = run_cli(capsys, "warnings", "--home", str(demo_home), "--kind", "nonsense")
    assert code != 0 and "Unknown warning kind" in err


def test_the_readme_rules_load_as_settings(tmp_path: Path) -> None:
    from servicelens.agent.settings import load_settings

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("### Early warnings, customer health and staffing", 1)[1]
    toml = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "servicelens.toml").write_text(toml, encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.warnings.feedback.reach_threshold == 100_000
    assert settings.warnings.rising.persist == 2 and settings.health.weights.renewal == 0.15
    assert settings.staffing == type(settings.staffing)()  # the README shows the defaults


def test_a_role_declared_in_the_catalog_is_used(tmp_path: Path) -> None:
    import yaml

    rows = [
        {"case_id": f"C{i:04d}", "opened_at": f"2026-09-{1 + i % 28:02d} 10:00",
         "acct": f"A{i % 30:02d}", "category": ["fault", "setup"][i % 2]}
        for i in range(300)
    ]  # fmt: skip
    home = _workspace(tmp_path, rows)
    with Analyst.open(home, provider="offline") as an:
        before = an.warnings("2026-10-01", kinds=["repeat_contact"])
    assert before.computed == [] and "customer" in before.skipped[0].reason
    path = home / "catalog.yaml"
    catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalog["tables"]["cases"]["columns"]["acct"]["role"] = "customer"
    path.write_text(yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with Analyst.open(home, provider="offline") as an:
        after = an.warnings("2026-10-01", kinds=["repeat_contact"])
    assert after.computed == ["repeat_contact"] and after.warnings
    assert after.warnings[0].subject["customer"].startswith("A")


SERVICENOW = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "datasets"
    / "servicenow_incident_log"
    / "incident_event_log_every4th_incident.csv"
)


@pytest.mark.slow
def test_a_real_incident_log_gets_what_its_data_allow(tmp_path: Path) -> None:
    if not SERVICENOW.is_file():
        pytest.skip("servicenow_incident_log is not available in ../shared/datasets")
    ingest(WorkspacePaths(tmp_path / "ws"), [SERVICENOW], IngestOptions(), index=False)
    with Analyst.open(tmp_path / "ws", provider="offline") as an:
        report = an.warnings("2016-10-01")
        health = an.customer_health("2016-10-01")
    # An event log of incidents: callers, symptoms and an SLA flag, but no feedback text and
    # no product grouping.
    assert report.computed == ["repeat_contact", "sla_cluster"]
    assert {s.kind for s in report.skipped} == {"unanswered_feedback", "rising_problem"}
    assert set(health.missing_inputs) == {"csat_trend", "nps", "sentiment", "renewal"}
    assert health.scored > 0
    # The digest computes the sections its data allow and says why it cannot compute the rest.
    with Analyst.open(tmp_path / "ws", provider="offline") as an:
        digest = an.digest("4w", as_of=date(2016, 10, 1))
    notes = {s.key: (s.status, s.note) for s in digest.sections}
    assert notes["warnings"][0] != "unavailable"
    assert "Cannot compute here: unanswered feedback (" in notes["warnings"][1]
    assert "rising product problems (" in notes["warnings"][1]
    assert "Components it cannot compute here: csat_trend (" in notes["at_risk"][1]

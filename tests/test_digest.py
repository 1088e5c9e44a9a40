"""The digest (``Analyst.digest``, ``servicelens digest``, ``GET /v1/digest``) on the demo: the
planted stories surface, unprompted, in the digest of the period each happens in (the East
installation decline, the two unanswered influencer posts and the key accounts' CSAT drop in
the quarter of the installation surge; the compressor-noise rise in the defect's first three
months; the parts-wait spike in the shortage's two months), a shuffled-period control reports
no noise, every number in an item is one of its figures, warnings go to the department that
owns them, and a workspace without the inputs says what it cannot compute.

The code knows none of the demo's names or dates; the tests read them from facts.json."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_support import run_cli
from server_support import serving

from servicelens.agent.analyst import Analyst
from servicelens.agent.digest import UncheckedNumberError, check_numbers, item_rows
from servicelens.agent.digest_model import Digest
from servicelens.agent.digest_sections import SECTIONS
from servicelens.agent.results import RequestError
from servicelens.agent.server.app import create_app
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.period_types import add_months
from servicelens.data.workspace import WorkspacePaths

# The small demo has a tenth of the default's records: a quarter, not a week, holds enough
# East installations on both sides to test (the default scale finds it in two weeks).
SINCE, MIN_N = "3m", 20


def _story(home: Path) -> tuple[date, str]:
    """The end of the quarter the installation story happens in, and its region."""
    surge = _fact(home, "installation_surge")
    return date.fromisoformat(surge["date_ranges"]["quarter"]["end"]), surge["parameters"]["region"]


def _fact(home: Path, fact_id: str) -> dict[str, Any]:
    facts = json.loads((home / "facts.json").read_text(encoding="utf-8"))["facts"]
    return dict(next(f for f in facts if f["id"] == fact_id))


@pytest.fixture(scope="module")
def analyst(demo_home: Path) -> Iterator[Analyst]:
    with Analyst.open(demo_home, provider="offline", public_url="https://sl.example") as an:
        yield an


@pytest.fixture(scope="module")
def digest(analyst: Analyst, demo_home: Path) -> Digest:
    as_of, _ = _story(demo_home)
    return analyst.digest(SINCE, as_of=as_of, min_n=MIN_N)


def test_the_east_installation_decline_surfaces(digest: Digest, demo_home: Path) -> None:
    _, region = _story(demo_home)
    changes = next(s for s in digest.sections if s.key == "changes")
    falls = [
        i
        for i in changes.items
        if i.direction == "worse" and f"= {region}" in i.title and "%" in i.title
    ]
    assert falls, [i.title for i in changes.items]
    fall = falls[0]
    assert fall.figures["after"] < fall.figures["before"] - 20  # type: ignore[operator]
    assert fall.figures["q_value"] <= 0.05  # type: ignore[operator]
    assert fall.label == "Significant change" and "z-test" in fall.method
    assert "FROM tickets" in fall.evidence.sql
    assert fall.evidence.link and fall.evidence.link.startswith("https://sl.example/v1/digest/")


def test_the_two_unanswered_influencer_posts_are_warnings_for_social_care(
    digest: Digest, analyst: Analyst, demo_home: Path
) -> None:
    story = _fact(demo_home, "influencer_complaints")["parameters"]
    warnings = next(s for s in digest.sections if s.key == "warnings")
    posts = [i for i in warnings.items if i.team == "social"]
    cited = {v for i in posts for v in i.evidence.ids}
    assert cited == {f"V:{v}" for v in story["unanswered_voc_ids"]}, [i.title for i in posts]
    assert not cited & {f"V:{v}" for v in story["answered_voc_ids"]}
    post = posts[0]
    assert post.label == "Early warning · high" and post.ref and post.ref.startswith("W-")
    assert post.audiences == ["service", "management"] and "Owner: Social care" in post.text
    assert post.figures["reach"] > story["reach_threshold"]  # type: ignore[operator]
    assert post.evidence.link and f"/v1/digest/items/{post.id}?" in post.evidence.link
    rows = item_rows(analyst, post).records()  # the warning's query, run again
    assert [r for r in rows if f"V:{r['id']}" in cited]


def test_the_key_accounts_csat_drop_puts_them_at_risk(digest: Digest, demo_home: Path) -> None:
    assert _fact(demo_home, "key_accounts")["date_ranges"]["quarter"]["end"] == str(
        digest.period.as_of
    )
    at_risk = next(s for s in digest.sections if s.key == "at_risk")
    assert at_risk.status == "ok" and "key accounts first" in at_risk.note
    keys = [i for i in at_risk.items if "(key account)" in i.text]
    assert keys and at_risk.items[: len(keys)] == keys  # key accounts come first
    dropped = [i for i in keys if (i.figures["csat_trend"] or 0) < 0]  # type: ignore[operator]
    assert dropped, [i.text for i in keys]
    item = dropped[0]
    assert "satisfaction -" in item.text and item.figures["score"] < 60  # type: ignore[operator]
    assert item.label == "Customer at risk" and item.ref and item.ref in item.evidence.sql


def test_the_compressor_noise_rise_surfaces_in_the_defects_first_months(
    analyst: Analyst, demo_home: Path
) -> None:
    story = _fact(demo_home, "compressor_defect")
    start = date.fromisoformat(story["date_ranges"]["defect"]["start"])
    digest = analyst.digest(SINCE, as_of=add_months(start, 3), min_n=MIN_N)
    warnings = next(s for s in digest.sections if s.key == "warnings")
    model = story["parameters"]["model"]
    noise = [i for i in warnings.items if i.team == "rd" and model in i.text]
    assert noise, [i.text for i in warnings.items]
    item = noise[0]
    assert item.figures["after"] > item.figures["before"]  # type: ignore[operator]
    assert item.figures["q_value"] <= 0.05  # type: ignore[operator]
    assert item.audiences == ["product", "management"] and item.evidence.ids[0].startswith("V:")
    assert digest.period.start == start


def test_the_parts_wait_spike_reaches_the_product_team(analyst: Analyst, demo_home: Path) -> None:
    story = _fact(demo_home, "parts_shortage")
    end = date.fromisoformat(story["date_ranges"]["shortage"]["end"])
    product = analyst.digest("2m", as_of=end, audience="product", min_n=MIN_N)
    warnings = next(s for s in product.sections if s.key == "warnings")
    supply = [i for i in warnings.items if i.team == "supply"]
    assert supply, [i.text for i in warnings.items]
    item = supply[0]
    assert story["parameters"]["product_line"] in item.text
    assert item.figures["after"] >= 2 * item.figures["before"]  # type: ignore[operator]
    assert item.evidence.ids and "Owner: Spare parts" in item.text
    # The product team gets R&D and supply warnings only; the others are the service team's.
    assert {i.team for i in warnings.items} <= {"rd", "supply"}
    assert next(s for s in product.sections if s.key == "at_risk").items == []


def test_every_section_is_registered_and_the_forecast_is_labelled(digest: Digest) -> None:
    assert [s.key for s in digest.sections] == [spec.key for spec in SECTIONS]
    forecast = next(s for s in digest.sections if s.key == "forecast")
    assert forecast.status == "ok"
    item = forecast.items[0]
    assert item.kind == "forecast" and item.label == "Forecast"
    assert "80% interval" in item.text and "backtest" in item.method
    assert digest.period.start == date(digest.period.as_of.year, digest.period.as_of.month - 3, 1)


def test_numbers_come_from_the_figures(digest: Digest) -> None:
    for item in digest.items():
        check_numbers(item)  # raises on a number that is none of the item's figures
    forged = digest.items()[0].model_copy(update={"text": "It rose to 97.3%."})
    with pytest.raises(UncheckedNumberError):
        check_numbers(forged)


def test_chinese_and_audiences(analyst: Analyst, demo_home: Path) -> None:
    as_of, _ = _story(demo_home)
    zh = analyst.digest(SINCE, as_of=as_of, lang="zh", min_n=MIN_N)
    assert zh.title.startswith("服务简报") and zh.items()[0].label == "显著变化"
    management = analyst.digest(SINCE, as_of=as_of, audience="management", min_n=MIN_N)
    assert 0 < len(management.items()) <= 3 * len(management.sections)
    product = analyst.digest(SINCE, as_of=as_of, audience="product", min_n=MIN_N)
    assert all("product" in i.audiences for i in product.items())
    with pytest.raises(RequestError, match="audience"):
        analyst.digest(SINCE, as_of=as_of, audience="sales")  # type: ignore[arg-type]
    with pytest.raises(RequestError, match="since"):
        analyst.digest("fortnight-ish", as_of=as_of)


def test_a_shuffled_period_control_reports_no_noise(tmp_path: Path, demo_home: Path) -> None:
    # The demo's tickets of two quarters, each given a day drawn at random from the two:
    # whatever moved (volumes included) is now spread evenly, so a change reported is noise.
    as_of, _ = _story(demo_home)
    with Analyst.open(demo_home, provider="offline") as an:
        rows = an.sql(
            "SELECT ticket_id, CAST(opened_at AS VARCHAR) AS opened_at, region, type, "
            "CAST(sla_met AS VARCHAR) AS on_time FROM tickets "
            "WHERE opened_at >= DATE '2026-04-01' AND opened_at < DATE '2026-10-01'",
            max_rows=100_000,
        ).rows
    rng, first = random.Random(3), date(2026, 4, 1)
    days = [(first + timedelta(days=rng.randrange(183))).isoformat() for _ in rows]
    export = tmp_path / "cases.csv"
    with export.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["case_id", "created_at", "region", "type", "on_time"])
        writer.writerows([[r[0], d, r[2], r[3], r[4]] for r, d in zip(rows, days, strict=True)])
    ingest(WorkspacePaths(tmp_path / "ws"), [export], IngestOptions(id="case_id"), index=False)
    with Analyst.open(tmp_path / "ws", provider="offline") as an:
        control = an.digest(SINCE, as_of=as_of)
    changes = next(s for s in control.sections if s.key == "changes")
    assert changes.status == "empty", [i.title for i in changes.items]
    assert "segments moved beyond noise" in changes.note
    warnings = next(s for s in control.sections if s.key == "warnings")
    assert warnings.items == [], [i.title for i in warnings.items]


def test_a_workspace_without_dates_says_what_it_cannot_compute(tmp_path: Path) -> None:
    export = tmp_path / "parts.csv"
    export.write_text("part,stock\n" + "".join(f"P{i},{i % 7}\n" for i in range(50)))
    ingest(WorkspacePaths(tmp_path / "ws"), [export], IngestOptions(id="part"), index=False)
    with Analyst.open(tmp_path / "ws", provider="offline") as an:
        digest = an.digest("7d", as_of=date(2026, 7, 8))
    notes = {s.key: (s.status, s.note) for s in digest.sections}
    assert notes["changes"][0] == "unavailable" and "date column" in notes["changes"][1]
    assert notes["forecast"][0] == "unavailable" and "forecast" in notes["forecast"][1]
    assert notes["warnings"][0] == "unavailable"
    assert "Cannot compute here: unanswered feedback (" in notes["warnings"][1]
    assert notes["at_risk"] == (
        "unavailable",
        "No column identifies the customer, so there is no health to score.",
    )
    assert digest.items() == []


def test_cli_and_http_give_the_same_digest(
    demo_home: Path, digest: Digest, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    as_of = digest.period.as_of.isoformat()
    args = ["--since", SINCE, "--as-of", as_of, "--min-n", str(MIN_N), "--home", str(demo_home)]
    code, out, err = run_cli(capsys, "digest", *args, "--format", "json")
    assert code == 0, err
    assert Digest.model_validate_json(out).items()[0].text == digest.items()[0].text
    html_out = ["--format", "html", "--out", str(tmp_path / "d.html")]
    code, _, err = run_cli(capsys, "digest", *args, *html_out)
    page = (tmp_path / "d.html").read_text()
    assert code == 0 and "Content-Security-Policy" in page and "Significant change" in page
    code, out, err = run_cli(capsys, "digest", "--home", str(demo_home), "--format", "pdf")
    assert code != 0 and "--format" in out + err

    app = create_app(lambda: Analyst.open(demo_home, provider="offline"), tokens=[])
    with serving(app) as live:
        query = {"since": SINCE, "as_of": as_of}
        got = httpx.get(f"{live.url}/v1/digest", params={**query, "format": "md"}, timeout=120)
        assert got.status_code == 200 and "# Service digest" in got.text
        item = httpx.get(f"{live.url}/v1/digest/items/F1", params=query, timeout=120)
        assert item.status_code == 200 and item.json()["rows"]
        bad = httpx.get(f"{live.url}/v1/digest/items/DROP", params=query, timeout=120)
        assert bad.status_code == 400


def test_the_repl_digest_command(demo_home: Path, tmp_path: Path) -> None:
    from rich.console import Console

    from servicelens.agent.cli.chat_commands import COMMANDS, dispatch
    from servicelens.agent.cli.chat_session import ChatSession

    out = io.StringIO()
    session = ChatSession(
        lambda model: Analyst.open(demo_home, provider="offline"),
        dispatch=dispatch,
        console=Console(file=out, width=120, color_system=None),
        exports_dir=tmp_path,
    )
    assert "/digest" in COMMANDS and COMMANDS["/digest"].help
    assert dispatch(session, "/digest 3m") and dispatch(session, "/digest someday")
    screen = out.getvalue()
    assert "Service digest" in screen and "Forecast (not actual data)" in screen
    assert "Unknown --since 'someday'" in screen

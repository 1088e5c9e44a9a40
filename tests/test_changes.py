"""What changed, tested (``Analyst.changes`` / ``servicelens changes``): moves larger than noise are
found, noise is not reported as news, and every figure and p-value can be checked by hand.

An export is written on the spot with a fixed seed: two quarters drawn from the same process in
every region but one, where the resolved share falls; a tiny region has too few records to test.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from cli_support import run_cli

from servicelens.agent.analyst import Analyst
from servicelens.agent.changes import ChangeReport
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

AS_OF = "2026-11-01"  # "last quarter" is 2026-Q3, compared with 2026-Q2
STEADY = ("North", "South", "East", "West")
FALLING = "Central"  # resolved share 60% -> 40%


def _rows(seed: int = 11) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for quarter_start in (date(2026, 4, 1), date(2026, 7, 1)):
        late = quarter_start.month == 7
        for region, n in [*((r, 300) for r in STEADY), (FALLING, 300), ("Islands", 12)]:
            share = 0.4 if (late and region == FALLING) else 0.6
            for _ in range(n):
                day = quarter_start + timedelta(days=rng.randrange(90))
                resolved = "yes" if rng.random() < share else "no"
                rows.append({"created_at": day.isoformat(), "region": region, "resolved": resolved})
    for i, row in enumerate(rows):
        row["case_id"] = f"C{i:05d}"
    return rows


@pytest.fixture(scope="module")
def records() -> list[dict[str, str]]:
    return _rows()


@pytest.fixture(scope="module")
def home(records: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("changes")
    export = root / "cases.csv"
    with export.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["case_id", "created_at", "region", "resolved"])
        writer.writeheader()
        writer.writerows(records)
    ingest(WorkspacePaths(root / "ws"), [export], IngestOptions(id="case_id"), index=False)
    return root / "ws"


@pytest.fixture(scope="module")
def analyst(home: Path) -> Iterator[Analyst]:
    with Analyst.open(home, provider="offline", as_of=AS_OF) as an:
        yield an


def _rate_metric(analyst: Analyst) -> str:
    assert analyst.catalog is not None
    return next(n for n, m in analyst.catalog.metrics.items() if m.unit == "%")


def test_the_planted_fall_is_found_and_the_steady_regions_are_not(analyst: Analyst) -> None:
    report = analyst.changes(metrics=[_rate_metric(analyst)], by=["region"])
    segments = {(c.dimension, c.value) for c in report.findings}
    assert ("region", FALLING) in segments
    assert not any(value in STEADY for _, value in segments)
    fall = next(c for c in report.findings if c.value == FALLING)
    assert fall.after < fall.before and fall.q_value <= 0.05
    assert fall.test == "two-proportion z-test"
    assert (report.period, report.comparison) == ("2026-Q3", "2026-Q2")


def test_segments_with_too_few_records_are_not_tested(analyst: Analyst) -> None:
    report = analyst.changes(metrics=[_rate_metric(analyst)], by=["region"], min_n=30)
    assert report.too_small >= 1
    assert all(c.value != "Islands" for c in report.findings)
    # Overall plus the five regions large enough; the tiny one is left out.
    assert report.tested == 1 + len(STEADY) + 1


def test_the_p_value_and_its_adjustment_can_be_checked_by_hand(
    analyst: Analyst, records: list[dict[str, str]]
) -> None:
    report = analyst.changes(metrics=[_rate_metric(analyst)], by=["region"], fdr=0.5)
    fall = next(c for c in report.findings if c.value == FALLING)

    def share(quarter: str) -> tuple[float, int]:
        mine = [r for r in records if r["region"] == FALLING and r["created_at"][:7] in quarter]
        return sum(r["resolved"] == "yes" for r in mine) / len(mine), len(mine)

    (p1, n1), (p0, n0) = share("2026-07 2026-08 2026-09"), share("2026-04 2026-05 2026-06")
    assert (fall.n_after, fall.n_before) == (n1, n0)
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    z = abs(p1 - p0) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    assert fall.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=0.02)
    assert all(c.q_value >= c.p_value for c in report.findings)


def test_the_adjustment_is_benjamini_hochberg() -> None:
    from servicelens.agent.changes import Change, _adjust

    ps = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    changes = [
        Change(metric="m", label="m", unit="%", direction="neutral", before=0, after=0, delta=0,
               n_before=1, n_after=1, test="t", p_value=p)
        for p in ps
    ]  # fmt: skip
    _adjust(changes, 0.05)
    m = len(ps)
    # q_i = min over j >= i of p_j * m / j (p sorted ascending, ranks from 1).
    want = [min(ps[j] * m / (j + 1) for j in range(i, m)) for i in range(m)]
    assert [c.q_value for c in changes] == pytest.approx(want)
    # Five raw p-values are under 0.05, only two survive the adjustment.
    assert [c.significant for c in changes] == [True, True] + [False] * 8


def test_noise_alone_is_not_news(tmp_path: Path) -> None:
    # Both quarters from one process everywhere: nothing should pass the adjusted threshold.
    rows = [r for r in _rows(seed=5) if r["region"] != FALLING]
    export = tmp_path / "steady.csv"
    with export.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["case_id", "created_at", "region", "resolved"])
        writer.writeheader()
        writer.writerows(rows)
    ingest(WorkspacePaths(tmp_path / "ws"), [export], IngestOptions(id="case_id"), index=False)
    with Analyst.open(tmp_path / "ws", provider="offline", as_of=AS_OF) as an:
        report = an.changes(by=["region"])
    assert report.tested >= 5
    assert [c.segment for c in report.findings] == []


def test_the_command_line_gives_the_same_report(
    home: Path,
    analyst: Analyst,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SERVICELENS_AS_OF", AS_OF)
    code, out, err = run_cli(capsys, "changes", "--home", str(home), "--by", "region", "--json")
    assert code == 0, err
    report = ChangeReport.model_validate(json.loads(out))
    assert report == analyst.changes(by=["region"])
    code, out, err = run_cli(capsys, "changes", "--home", str(home), "--metric", "nope")
    assert code != 0 and "Unknown metric" in out + err

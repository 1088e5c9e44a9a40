"""Forecasts (``Analyst.forecast`` / ``servicelens forecast``): intervals that hold later values
about as often as they claim, a model that beats the seasonal-naive forecast where there is a
season and a trend to learn, the non-seasonal fallback said out loud, and forward periods.

An export is written on the spot with a fixed seed: weekly cases in four regions following a
yearly cycle (±35%) on a rising trend, Poisson noise, 3.5 years; a fifth region fades towards
zero; and a table of sites without dates. The ingested catalog has no week dimension, so the
weekly history goes through the catalog's compiler and the SQL guard; the demo's catalog has
one, so its run goes through the metric tool.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from cli_support import run_cli

from servicelens.agent.analyst import Analyst
from servicelens.agent.forecast import ForecastReport
from servicelens.agent.results import RequestError
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.period_ahead import resolve_ahead
from servicelens.data.periods import PeriodError
from servicelens.data.workspace import WorkspacePaths

START, WEEKS = date(2023, 1, 2), 182  # Mondays: the data end on Sunday 2026-06-28
AS_OF = "2026-06-29"  # the Monday after: every week of data is complete
STEADY = {"North": 24, "South": 20, "East": 16, "West": 12}
METRIC = "cases_count"


def _weekly(base: float, t: int) -> float:
    return base * (1 + 0.004 * t) * (1 + 0.35 * math.sin(2 * math.pi * t / 52))


def _rows(seed: int = 7) -> list[dict[str, str]]:
    rng, draws = random.Random(seed), np.random.default_rng(seed)
    rows = []
    for t in range(WEEKS):
        monday = START + timedelta(weeks=t)
        means = {**{r: _weekly(b, t) for r, b in STEADY.items()}, "Fading": 16 * (1 - t / 190)}
        for region, mean in means.items():
            for _ in range(int(draws.poisson(mean))):
                day = monday + timedelta(days=rng.randrange(7))
                rows.append({"created_at": day.isoformat(), "region": region})
    for i, row in enumerate(rows):
        row["case_id"] = f"C{i:06d}"
    return rows


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def records() -> list[dict[str, str]]:
    return _rows()


@pytest.fixture(scope="module")
def home(records: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("forecast")
    ws = WorkspacePaths(root / "ws")
    ingest(ws, [_write(root / "cases.csv", records)], IngestOptions(id="case_id"), index=False)
    sites = [{"site_id": f"S{i}", "capacity": str(10 + i)} for i in range(12)]
    ingest(ws, [_write(root / "sites.csv", sites)], IngestOptions(id="site_id"), index=False)
    return root / "ws"


@pytest.fixture(scope="module")
def analyst(home: Path) -> Iterator[Analyst]:
    with Analyst.open(home, provider="offline", as_of=AS_OF) as an:
        yield an


def _weekly_counts(records: list[dict[str, str]]) -> Counter[tuple[date, str]]:
    def monday(text: str) -> date:
        day = date.fromisoformat(text)
        return day - timedelta(days=day.weekday())

    return Counter((monday(r["created_at"]), r["region"]) for r in records)


def test_intervals_hold_held_back_weeks_about_as_often_as_they_claim(
    home: Path, records: list[dict[str, str]]
) -> None:
    # Today set back: the weeks after it are in the data but not in the history.
    actual = _weekly_counts(records)
    inside = {80: 0, 95: 0}
    total = 0
    for as_of in ("2025-10-06", "2026-01-05", "2026-04-06"):
        with Analyst.open(home, provider="offline", as_of=as_of) as an:
            report = an.forecast(METRIC, by="region", where={"region": list(STEADY)}, horizon=12)
        assert {s.value for s in report.series} == set(STEADY)
        assert report.history_end == date.fromisoformat(as_of) - timedelta(days=1)
        for series in report.series:
            assert series.seasonal and "seasonality of 52" in series.model
            for p in series.forecast:
                a = actual[(p.start, series.value or "")]
                inside[80] += p.lower_80 <= a <= p.upper_80
                inside[95] += p.lower_95 <= a <= p.upper_95
                total += 1
    assert total == 3 * 4 * 12
    assert 0.68 <= inside[80] / total <= 0.92, inside
    assert 0.87 <= inside[95] / total <= 1.0, inside
    assert inside[95] > inside[80]


def test_the_model_beats_the_seasonal_naive_forecast_in_the_backtest(analyst: Analyst) -> None:
    report = analyst.forecast(
        METRIC, where={"region": list(STEADY)}, horizon=4, backtest=True, folds=10
    )
    bt = report.series[0].backtest
    assert bt is not None and bt.baseline == "seasonal naive"
    assert (bt.folds, len(bt.steps), bt.origins[-1]) == (10, 4, "2026-06-01")
    assert bt.beats_baseline is True
    for step in bt.steps:
        assert step.model_mape is not None and step.seasonal_naive_mape is not None
        assert step.model_mape < step.seasonal_naive_mape
        assert step.baseline_mape == step.seasonal_naive_mape
        assert 0 <= step.covered_80 <= step.covered_95 <= 1
    assert bt.model_mape is not None and bt.baseline_mape is not None
    assert bt.model_mape < bt.baseline_mape


def test_mape_by_hand_and_zero_actuals_are_skipped() -> None:
    from servicelens.agent.forecast_model import backtest, mape

    assert mape([0, 10, 20], [5, 12, 15]) == pytest.approx(100 * (0.2 + 0.25) / 2)
    assert mape([0, 0], [1, 2]) is None
    y = np.array([5, 0, 6, 4, 0, 7, 5, 0, 6, 5, 0, 6, 4, 0], dtype=float)
    scores = backtest(y, 2, 52, 3, 0.0, None)
    assert scores is not None
    assert scores.zero_actuals == sum(y[o + s] == 0 for o in scores.origins for s in range(2))
    assert scores.zero_actuals > 0
    # A season is longer than the history: only the naive baseline can be scored.
    assert all(s.seasonal_naive_mape is None and s.naive_mape is not None for s in scores.steps)


def test_with_too_little_history_the_non_seasonal_model_is_used_and_said(home: Path) -> None:
    # 60 weeks of history: fewer than two 52-week seasons.
    with Analyst.open(home, provider="offline", as_of="2024-02-26") as an:
        report = an.forecast(METRIC, horizon=4, backtest=True, folds=3)
    series = report.series[0]
    assert not series.seasonal and "no season" in series.model
    assert len(series.history) == 60
    assert any("fewer than two full seasons" in n for n in series.notes)
    bt = series.backtest
    assert bt is not None and bt.models == [series.model]
    # A model without a season is held to the naive forecast (both baselines are scored).
    assert bt.baseline == "naive"
    assert all(s.baseline_mape == s.naive_mape for s in bt.steps)
    assert all(s.seasonal_naive_mape is not None for s in bt.steps)


def test_counts_are_never_negative(analyst: Analyst) -> None:
    report = analyst.forecast(METRIC, by="region", where={"region": ["Fading"]}, horizon=16)
    points = report.series[0].forecast
    values = [v for p in points for v in (p.forecast, p.lower_80, p.lower_95)]
    assert min(values) == 0.0  # the falling trend is stopped at zero, not carried below it
    assert all(p.lower_95 <= p.lower_80 <= p.forecast <= p.upper_80 <= p.upper_95 for p in points)


def test_top_values_and_the_rest(analyst: Analyst) -> None:
    report = analyst.forecast(METRIC, by="region", top=2, horizon=2)
    assert [s.value for s in report.series] == ["North", "South"]
    assert report.other_values == 3
    assert any("3 more region value(s)" in n for n in report.notes)


@pytest.mark.parametrize(
    ("phrase", "first", "last"),
    [
        ("next quarter", "2026-07-01", "2026-09-30"),
        ("下个月", "2026-07-01", "2026-07-31"),
        ("next 4 weeks", "2026-06-29", "2026-07-26"),
        ("未来4周", "2026-06-29", "2026-07-26"),
        ("下周", "2026-07-06", "2026-07-12"),
        ("明年", "2027-01-01", "2027-12-31"),
        ("this month", "2026-06-29", "2026-06-30"),
        ("2026-Q4", "2026-10-01", "2026-12-31"),
    ],
)
def test_forward_phrases_resolve_forwards(phrase: str, first: str, last: str) -> None:
    period = resolve_ahead(phrase, date.fromisoformat(AS_OF))
    assert (period.start.isoformat(), period.last_day.isoformat()) == (first, last)


def test_forward_phrases_that_are_past_or_unknown_are_refused() -> None:
    today = date.fromisoformat(AS_OF)
    with pytest.raises(PeriodError, match="before today"):
        resolve_ahead("last quarter", today)
    with pytest.raises(PeriodError, match="Unknown forecast period"):
        resolve_ahead("soonish", today)


def test_until_sets_the_horizon_through_the_period_asked_for(analyst: Analyst) -> None:
    weeks = analyst.forecast(METRIC, until="next 4 weeks")
    assert weeks.horizon == 4 and weeks.series[0].forecast[0].period == "2026-06-29"
    quarter = analyst.forecast(METRIC, until="next quarter")
    last = quarter.series[0].forecast[-1]
    assert last.start <= date(2026, 9, 30) <= last.end and quarter.target is not None
    months = analyst.forecast(METRIC, grain="month", until="下个月")
    # June is under way (today is 2026-06-29), so it is forecast too, then July.
    assert [p.period for p in months.series[0].forecast] == ["2026-06", "2026-07"]
    assert months.series[0].history[-1].period == "2026-05"


def test_the_command_line_json_is_the_library_report(
    home: Path,
    analyst: Analyst,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SERVICELENS_AS_OF", AS_OF)
    args = ("--by", "region", "--top", "2", "--horizon", "3", "--backtest", "--folds", "2")
    code, out, err = run_cli(capsys, "forecast", METRIC, "--home", str(home), *args, "--json")
    assert code == 0, err
    report = ForecastReport.model_validate(json.loads(out))
    assert report == analyst.forecast(METRIC, by="region", top=2, horizon=3, backtest=True, folds=2)
    points = report.series[0].forecast
    assert report.kind == "forecast" and all(p.kind == "forecast" for p in points)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope",), "Unknown metric 'nope'"),
        ((METRIC, "--horizon", "0"), "The horizon must be between 1 and 104 weeks"),
        (("sites_count",), "sites_count has no time column"),
        ((METRIC, "--grain", "day"), "Unknown grain 'day'; forecast by week or month."),
        ((METRIC, "--until", "last month"), "before today"),
        ((METRIC, "--by", "month"), "month is a time dimension"),
    ],
)
def test_bad_input_gets_one_clear_sentence(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.setenv("SERVICELENS_AS_OF", AS_OF)
    code, out, err = run_cli(capsys, "forecast", *args, "--home", str(home))
    assert code == 2 and out == ""
    text = " ".join(err.split())
    assert message in text and "Traceback" not in text
    assert text.startswith("Error:") and len(text) < 260


def test_the_library_raises_a_request_error(analyst: Analyst) -> None:
    with pytest.raises(RequestError, match="between 1 and 104"):
        analyst.forecast(METRIC, horizon=0)
    with pytest.raises(RequestError, match="not both"):
        analyst.forecast(METRIC, horizon=3, until="next month")


def test_the_demo_ticket_volume_by_type(
    demo_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Analyst.open(demo_home, provider="offline") as an:
        types = set(an.catalog.dimensions["type"].values or []) if an.catalog else set()
        report = an.forecast("ticket_count", by="type", top=2, horizon=4, backtest=True, folds=3)
    assert len(report.series) == 2 and {s.value for s in report.series} <= types
    for series in report.series:
        assert len(series.forecast) == 4 and series.history
        assert series.backtest is not None and [s.step for s in series.backtest.steps] == [
            1,
            2,
            3,
            4,
        ]
        assert '"week"' in series.sql  # the demo catalog's own week dimension, via the metric tool
    code, out, err = run_cli(capsys, "forecast", "ticket_count", "--home", str(demo_home),
                          "--by", "type", "--top", "1", "--horizon", "2", "--backtest",
                          "--folds", "2")  # fmt: skip
    assert code == 0, err
    assert "FORECAST of Ticket volume" in out and "80% interval" in out
    assert "Backtest: 2 origins" in out and "MAPE" in out and "Forecast, not actual data" in out
    assert "baseline: MAPE" in " ".join(out.split())

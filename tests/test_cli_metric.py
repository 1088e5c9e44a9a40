"""`servicelens metric` and `servicelens describe` on the seeded demo workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from cli_support import run_cli


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The small demo without its VOC index: these commands only read the warehouse and catalog.
    from servicelens.data.demo.build import build_demo

    home = tmp_path_factory.mktemp("metric") / "ws"
    build_demo(home, scale="small", seed=7, index=False)
    return home


def as_json(capsys: pytest.CaptureFixture[str], home: Path, *argv: str) -> dict[str, Any]:
    code, out, err = run_cli(capsys, *argv, "--home", str(home), "--json")
    assert code == 0, err
    return json.loads(out)


EAST_INSTALLS = """
    SELECT 100.0 * AVG(CAST(sla_met AS DOUBLE)) FROM tickets
    WHERE type = 'installation' AND region = 'East' AND opened_at >= ? AND opened_at < ?"""


def test_east_installation_drop_matches_the_tables(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    data = as_json(capsys, home, "metric", "sla_attainment", "--by", "region",
                   "--where", "type=installation", "--period", "last quarter",
                   "--compare", "previous")  # fmt: skip
    assert data["period"] == {"label": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert data["comparison_period"]["label"] == "2026-Q2"
    east = next(r for r in data["rows"] if r["region"] == "East")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        q3 = con.execute(EAST_INSTALLS, ["2026-07-01", "2026-10-01"]).fetchone()[0]
        q2 = con.execute(EAST_INSTALLS, ["2026-04-01", "2026-07-01"]).fetchone()[0]
    assert (east["sla_attainment"], east["sla_attainment_prev"]) == (round(q3, 1), round(q2, 1))
    # The planted fact: East installations on time fall by roughly 30 points.
    assert east["sla_attainment_delta"] < -20 and east["sla_attainment_prev"] > 85


def test_chinese_request_gives_the_same_numbers(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    english = as_json(capsys, home, "metric", "installation_on_time_rate", "--by", "region",
                      "--where", "region=East", "--period", "last quarter")  # fmt: skip
    chinese = as_json(capsys, home, "metric", "安装及时率", "--by", "地区",
                      "--where", "区域=华东", "--period", "上季度")  # fmt: skip
    assert english["rows"] == chinese["rows"] and len(english["rows"]) == 1


def test_table_shows_dates_deltas_and_percent(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    code, out, _ = run_cli(capsys, "metric", "sla_attainment", "--by", "region", "--where",
                       "type=installation", "--period", "last quarter", "--compare", "previous",
                       "--home", str(home))  # fmt: skip
    assert code == 0
    flat = " ".join(out.split())
    for text in ("East", "2026-07-01 – 2026-09-30", "2026-04-01 – 2026-06-30", "pp", "▼", "%"):
        assert text in flat, text


def test_unknown_metric_exits_2_with_suggestion(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    code, _, err = run_cli(capsys, "metric", "sla_atainment", "--home", str(home))
    assert code == 2 and "sla_attainment" in err


@pytest.mark.parametrize(
    "argv",
    [("--where", "region"), ("--compare", "lastyear"), ("--period", "someday")],
)
def test_bad_options_exit_2(
    capsys: pytest.CaptureFixture[str], home: Path, argv: tuple[str, ...]
) -> None:
    code, _, err = run_cli(capsys, "metric", "ticket_count", *argv, "--home", str(home))
    assert code == 2 and err.strip()


def test_describe_json_lists_metrics_values_and_coverage(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    data = as_json(capsys, home, "describe")
    assert data["coverage"]["tickets"]["from"].startswith("2024-11-01")
    assert data["coverage"]["tickets"]["to"].startswith("2026-10-31")
    assert len(data["metrics"]) >= 15 and data["as_of"] == "2026-11-01"
    assert "East" in data["dimensions"]["region"]
    # Dimensions without a fixed value list show the most frequent values from the data.
    assert "AC-X735" in data["dimensions"]["model"]


def test_describe_table_renders(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, out, _ = run_cli(capsys, "describe", "--home", str(home))
    assert code == 0 and "sla_attainment" in out and "tickets" in out

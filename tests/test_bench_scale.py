"""The scale benchmark runs end to end at a tiny size: its report's shape, not its figures.

One run (20k tickets, 5k feedback records, one timed repetition) builds the synthetic warehouse
and the real Chroma + keyword index, and measures everything once; the tests below read it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from servicelens.cli import build_app
from servicelens.data.workspace import WorkspacePaths
from servicelens.evals import bench_data
from servicelens.evals.bench_scale import run_scale_bench
from servicelens.evals.bench_scale_report import (
    growth_markdown,
    growth_png,
    growth_row,
    report_markdown,
    write_report,
)
from servicelens.evals.bench_scale_search import search_shapes

SIZE = bench_data.Size(tickets=20_000, feedback=5_000)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scale") / "ws"


@pytest.fixture(scope="module")
def report(work: Path, demo_home: Path) -> dict[str, Any]:
    return run_scale_bench(SIZE, work=work, repeats=1, ingest_rows=5_000, agent_home=demo_home)


def _finite_positive(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def test_report_has_every_measure_with_finite_ratios(report: dict[str, Any]) -> None:
    assert report["size"] == {"tickets": 20_000, "feedback": 5_000}
    assert report["warehouse"]["counts"]["tickets"] == 20_000
    assert report["index_build"]["records"] == report["search"]["records"] == 5_000
    sql = report["sql"]
    # The compiled metric SQL and the hand-written baseline give the same answer.
    assert sql["all_same_rows"] is True
    assert _finite_positive(sql["ratio_p50"])
    for request in sql["per_request"].values():
        assert request["same_rows"] and _finite_positive(request["ratio"])
    assert _finite_positive(sql["guard"]["p50_ms"]) and _finite_positive(sql["guard"]["cpu_p50_ms"])
    for name in search_shapes():
        shape = report["search"][name]
        assert shape["matching"] > 0 and _finite_positive(shape["ratio_p50"])
        assert 0.0 <= shape["hybrid_recall_at_10"] <= 1.0
        assert 0.0 <= shape["vector_recall_at_10"] <= 1.0
        parts = shape["parts_p50_ms"]
        assert set(parts) == {"filter_mask", "keyword", "vector"}
        assert shape["vector_path"]
    assert _finite_positive(report["ingest"]["rows_per_s"])
    assert _finite_positive(report["agent"]["overhead_ms_p50"])
    assert set(report["peak_rss_mb"]) >= {"build_warehouse", "build_index", "query", "search"}
    assert all(_finite_positive(v) for v in report["peak_rss_mb"].values())


def test_every_budget_is_judged(report: dict[str, Any]) -> None:
    budgets = report["budgets"]
    assert len(budgets) == 8
    for b in budgets:
        assert isinstance(b["met"], bool) and b["met"] == (b["measured"] <= b["budget"])
    text = report_markdown(report)
    assert "| budget (DESIGN §9) |" in text and "agent overhead" in text
    assert report["machine"]["cores"] >= 1 and report["machine"]["cpu"] in text


def test_report_files_and_growth_plot(report: dict[str, Any], tmp_path: Path) -> None:
    json_path, md_path = write_report(report, tmp_path)
    assert json.loads(json_path.read_text())["size"]["tickets"] == 20_000
    assert md_path.read_text().startswith("# Budgets at 20,000 tickets")
    small = growth_row(report)
    bigger = {**small, "tickets": 200_000, "feedback": 50_000, "in_chroma": 30_000}
    table = growth_markdown([small, bigger])
    assert "| 20,000 | 5,000 |" in table and "(30,000 in Chroma)" in table
    assert growth_png([small, bigger]).startswith(b"\x89PNG")


def test_synthetic_warehouse_is_deterministic_and_demo_shaped(tmp_path: Path) -> None:
    size = bench_data.Size(tickets=2_000, feedback=300)
    paths = [tmp_path / "a.duckdb", tmp_path / "b.duckdb"]
    for path in paths:
        bench_data.build_warehouse(path, size, seed=3)
    rows = []
    for path in paths:
        con = duckdb.connect(str(path), read_only=True)
        rows.append(con.execute("SELECT * FROM tickets ORDER BY ticket_id LIMIT 50").fetchall())
        # Columns are drawn independently: every region meets every product line.
        pairs = con.execute(
            "SELECT count(DISTINCT (t.region, p.product_line)) FROM tickets t "
            "JOIN products p USING (product_id)"
        ).fetchone()
        con.close()
        assert pairs is not None and pairs[0] == 36
    assert rows[0] == rows[1]
    assert WorkspacePaths(tmp_path).warehouse.name == "warehouse.duckdb"


def test_search_alone_on_kept_data(report: dict[str, Any], work: Path, tmp_path: Path) -> None:
    # ``bench scale --data DIR`` keeps what it built; ``bench scale-search`` measures it again.
    out = tmp_path / "out"
    result = CliRunner().invoke(
        build_app(),
        ["bench", "scale-search", "--data", str(work), "--out", str(out), "--repeats", "1"],
    )
    assert result.exit_code == 0, result.output
    again = json.loads((out / "bench_scale_search.json").read_text())["search"]
    assert again["records"] == again["chroma_records"] == 5_000
    for name in search_shapes():
        assert again[name]["matching"] == report["search"][name]["matching"]
        assert _finite_positive(again[name]["hybrid"]["p50_ms"])
    assert (out / "bench_scale_search.md").read_text().startswith("# Feedback search at 5,000")
    empty = CliRunner().invoke(build_app(), ["bench", "scale-search", "--data", str(tmp_path)])
    assert empty.exit_code == 1 and "bench scale --data DIR" in empty.output


def test_bench_scale_command_rejects_a_bad_size() -> None:
    result = CliRunner().invoke(build_app(), ["bench", "scale", "--scale", "huge"])
    assert result.exit_code != 0 and "Unknown scale 'huge'" in result.output
    result = CliRunner().invoke(build_app(), ["bench", "scale", "--tickets", "5000"])
    assert result.exit_code != 0 and "--feedback" in result.output

"""The SQL benchmark runs end to end at a tiny scale (its figures are not asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicelens.data.workspace import WorkspacePaths
from servicelens.evals.bench_sql import main, run_sql_bench
from servicelens.evals.sql_corpus import LEGIT_QUERIES, build_sample_warehouse


def test_bench_reports_medians_and_ratios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "ws"
    home.mkdir()
    build_sample_warehouse(WorkspacePaths(home).warehouse, tickets=200)
    result = run_sql_bench(home, repeats=1)
    assert result["tickets"] == 200 and result["baseline_select_1_ms"] > 0
    assert result["guard"]["queries"] == len(LEGIT_QUERIES)
    for section in (result["guard"], result["query_metric"], result["run_sql"]):
        assert section["median_ms"] > 0 and section["ratio_to_baseline"] > 0
    assert result["compile_and_guard"]["compile_plus_guard"]["median_ms"] > 0

    main(["--home", str(home), "--repeats", "1"])
    out = capsys.readouterr().out
    assert "guard (per query, corpus)" in out and '"query_metric"' in out

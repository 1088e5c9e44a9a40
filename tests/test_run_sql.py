"""The run_sql tool: guarded, capped, evidence registered, model-fixable errors."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from servicelens.data.warehouse import SqlLimits, Warehouse
from servicelens.evals.sql_corpus import build_sample_warehouse
from servicelens.tools.base import ToolContext, ToolError
from servicelens.tools.ledger import Ledger
from servicelens.tools.run_sql import ROWS_SHOWN, TOOL


class _Catalog:
    # Stands in for data.catalog.Catalog: run_sql only reads the names of its tables.
    def __init__(self, tables: set[str]) -> None:
        self.tables = {name: object() for name in tables}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    path = build_sample_warehouse(tmp_path_factory.mktemp("runsql") / "w.duckdb")
    with Warehouse.open(path, SqlLimits(row_cap=50, timeout_s=1.0)) as wh:
        yield wh


def _ctx(warehouse: Warehouse, catalog: object = None) -> ToolContext:
    return ToolContext(
        ledger=Ledger(), as_of=date(2026, 11, 1), warehouse=warehouse, catalog=catalog
    )


def test_result_is_compact_and_the_ledger_keeps_every_row(warehouse: Warehouse) -> None:
    ctx = _ctx(warehouse)
    result = TOOL.run(ctx, {"sql": "SELECT ticket_id, cost FROM tickets", "purpose": "all costs"})
    content = result.content
    assert content["truncated"] is True and content["row_count"] == 50
    assert len(content["rows"]) == ROWS_SHOWN
    assert "showing 20 of 50 rows" in content["note"] and "capped at 50" in content["note"]
    evidence = ctx.ledger.get(content["id"])
    assert evidence is not None and result.evidence_ids == [evidence.id] == ["Q1"]
    assert evidence.truncated and len(evidence.rows) == 50
    assert evidence.rows[:ROWS_SHOWN] == content["rows"]
    assert evidence.sql is not None and evidence.sql.endswith("LIMIT 51")
    assert evidence.meta["purpose"] == "all costs"


def test_small_result_is_complete_and_rounded_as_stored(warehouse: Warehouse) -> None:
    ctx = _ctx(warehouse)
    sql = (
        "SELECT region, avg(cost) / 7 AS x, min(opened_at) AS first FROM tickets "
        "GROUP BY 1 ORDER BY 1"
    )
    content = TOOL.run(ctx, {"sql": sql, "purpose": "cost by region"}).content
    assert content["truncated"] is False and content["row_count"] == 4 and "note" not in content
    region, x, first = content["rows"][0]
    assert region == "East" and isinstance(first, str)
    assert x == round(x, 4)
    assert ctx.ledger.get(content["id"]).rows == content["rows"]


def test_rejection_is_a_tool_error_with_the_reason(warehouse: Warehouse) -> None:
    ctx = _ctx(warehouse)
    with pytest.raises(ToolError, match="DELETE"):
        TOOL.run(
            ctx,
            {
                "sql": "WITH x AS (DELETE FROM tickets RETURNING *) SELECT * FROM x",
                "purpose": "sneaky",
            },
        )
    with pytest.raises(ToolError, match="read_csv"):
        TOOL.run(ctx, {"sql": "SELECT * FROM read_csv('/etc/passwd')", "purpose": "files"})
    assert len(ctx.ledger) == 0


def test_catalog_decides_the_allowed_tables(warehouse: Warehouse) -> None:
    ctx = _ctx(warehouse, catalog=_Catalog({"tickets"}))
    with pytest.raises(ToolError, match="voc is not in the catalog"):
        TOOL.run(ctx, {"sql": "SELECT count(*) FROM voc", "purpose": "count feedback"})
    assert TOOL.run(ctx, {"sql": "SELECT count(*) FROM tickets", "purpose": "count"}).content


def test_timeout_and_database_errors_are_tool_errors(warehouse: Warehouse) -> None:
    ctx = _ctx(warehouse)
    runaway = (
        "SELECT count(*) FROM range(100000000000) a, range(1000) b WHERE a.range % 7 = b.range"
    )
    with pytest.raises(ToolError, match="ran longer than 1 s"):
        TOOL.run(ctx, {"sql": runaway, "purpose": "too much"})
    with pytest.raises(ToolError, match="nope"):
        TOOL.run(ctx, {"sql": "SELECT nope FROM tickets", "purpose": "typo"})


def test_empty_result_says_so(warehouse: Warehouse) -> None:
    content = TOOL.run(
        _ctx(warehouse), {"sql": "SELECT * FROM tickets WHERE 1 = 0", "purpose": "nothing"}
    ).content
    assert content["rows"] == [] and "no rows" in content["note"]


def test_schema_and_description_are_prompt_ready() -> None:
    schema = TOOL.schema()["function"]
    assert "DuckDB" in schema["description"] and "describe_data" in schema["description"]
    assert set(schema["parameters"]["required"]) == {"sql", "purpose"}


def test_missing_arguments_are_a_tool_error(warehouse: Warehouse) -> None:
    with pytest.raises(ToolError, match="purpose"):
        TOOL.run(_ctx(warehouse), {"sql": "SELECT 1"})


def test_a_huge_value_is_cut_with_a_marker_not_fetched(warehouse: Warehouse) -> None:
    ctx = _ctx(warehouse)
    sql = "SELECT repeat('ab', 50000000) AS big, 7 AS n"
    content = TOOL.run(ctx, {"sql": sql, "purpose": "a huge string"}).content
    big, n = content["rows"][0]
    assert n == 7
    assert big.startswith("abab") and len(big) < warehouse.limits.cell_chars + 80
    assert big.endswith("[value cut: 100,000,000 bytes in all]")
    assert "1 long value was cut" in content["note"]
    assert ctx.ledger.get(content["id"]).rows == content["rows"]


def test_a_result_over_the_byte_cap_is_refused(tmp_path: Path) -> None:
    path = build_sample_warehouse(tmp_path / "w.duckdb")
    limits = SqlLimits(row_cap=200, byte_cap=50_000, timeout_s=5.0)
    with Warehouse.open(path, limits) as small:
        ctx = _ctx(small)
        sql = "SELECT ticket_id, repeat('x', 1000) AS padding FROM tickets"
        with pytest.raises(ToolError, match="larger than the 50 kB result cap"):
            TOOL.run(ctx, {"sql": sql, "purpose": "wide"})
        assert len(ctx.ledger) == 0
        assert TOOL.run(ctx, {"sql": "SELECT ticket_id FROM tickets", "purpose": "ids"}).content


def test_a_huge_aggregate_stays_inside_duckdb_and_its_memory_limit(tmp_path: Path) -> None:
    # array_agg over a cross join built a multi-GB Python object from one row; the value now
    # stays in DuckDB, under memory_limit, and either comes back cut or fails with a clear error.
    path = build_sample_warehouse(tmp_path / "w.duckdb")
    limits = SqlLimits(memory_limit="256MB", timeout_s=30.0)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with Warehouse.open(path, limits) as small:
        ctx = _ctx(small)
        sql = "SELECT array_agg(t) AS everything FROM tickets t, range(500)"
        try:
            cell = TOOL.run(ctx, {"sql": sql, "purpose": "all"}).content["rows"][0][0]
            assert isinstance(cell, str) and "[value cut:" in cell
        except ToolError as exc:
            assert "more memory than its limit of 256MB" in str(exc)
        with pytest.raises(ToolError, match="more memory than its limit of 256MB"):
            sql = "SELECT array_agg(t) AS everything FROM tickets t, range(20000)"
            TOOL.run(ctx, {"sql": sql, "purpose": "more than memory"})
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mb < 400

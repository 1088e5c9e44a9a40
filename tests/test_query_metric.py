"""query_metric: compiled catalog metrics agree with hand-written SQL, and errors are fixable.

The warehouse here is a small hand-seeded DuckDB file (real DuckDB, real locked-down Warehouse),
so each expected number is computed independently of the compiler.
"""

from __future__ import annotations

import random
import shutil
import statistics
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from servicelens.data.catalog import Catalog, demo_catalog
from servicelens.data.metric_query import MetricRequest, compile_request
from servicelens.data.periods import parse_period
from servicelens.data.schema import columns, create_statements
from servicelens.data.warehouse import SqlLimits, Warehouse
from servicelens.tools.base import ToolContext, ToolError
from servicelens.tools.describe_data import TOOL as DESCRIBE
from servicelens.tools.ledger import Ledger
from servicelens.tools.query_metric import TOOL

AS_OF = date(2026, 11, 1)
REGIONS = ["North", "East", "South"]
TYPES = ["installation", "repair", "inquiry"]
SEGMENTS = ["key account", "SMB", "consumer"]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    # One Arrow batch per table: row-by-row inserts would dominate the test's run time.
    names = columns(table)
    batch = pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows])
    con.register("batch", batch)
    con.execute(f"INSERT INTO {table} SELECT * FROM batch")
    con.unregister("batch")


def _seed(con: duckdb.DuckDBPyConnection) -> None:
    rng = random.Random(11)
    for stmt in create_statements():
        con.execute(stmt)
    customers = [(f"c{i}", f"Cust {i}", SEGMENTS[i % 3], "retail", REGIONS[i % 3], "X", "gold",
                  date(2020, 1, 1)) for i in range(12)]  # fmt: skip
    _insert(con, "customers", customers)
    products = [(f"p{i}", "Air Conditioners" if i < 2 else "Refrigerators", f"M{i}", "home",
                 date(2022, 1, 1)) for i in range(4)]  # fmt: skip
    _insert(con, "products", products)
    _insert(
        con,
        "engineers",
        [(f"e{i}", f"Eng {i}", REGIONS[i % 3], "senior", date(2021, 1, 1)) for i in range(4)],
    )
    tickets, surveys = [], []
    for i in range(600):
        opened = datetime(2026, 3, 1) + timedelta(hours=rng.randrange(0, 24 * 240))
        resolved = None if rng.random() < 0.1 else opened + timedelta(hours=rng.uniform(1, 90))
        sla_met = None if resolved is None else rng.random() < 0.8
        tickets.append((
            f"t{i}", f"c{rng.randrange(12)}", f"p{rng.randrange(4)}", f"e{rng.randrange(4)}",
            rng.choice(["phone", "chat"]), rng.choice(TYPES), "medium", rng.choice(REGIONS),
            opened, opened + timedelta(minutes=rng.randrange(5, 300)), resolved, resolved,
            "closed", 48.0, sla_met, True, rng.choice([1, 1, 2]), rng.random() < 0.7,
            rng.random() < 0.2, rng.choice([0.0, 0.0, 2.5]), rng.uniform(50, 500),
            rng.uniform(0, 300), rng.random() < 0.05, None,
        ))  # fmt: skip
        if rng.random() < 0.5:
            surveys.append(
                (
                    f"s{i}",
                    f"t{i}",
                    tickets[-1][1],
                    opened + timedelta(days=1),
                    float(rng.randint(1, 5)),
                    rng.randint(0, 10),
                    float(rng.randint(1, 7)),
                )
            )
    _insert(con, "tickets", tickets)
    _insert(con, "surveys", surveys)
    contracts = [(f"k{i}", f"c{i % 12}", "Refrigerators", "maintenance", date(2025, 9, 1),
                  date(2026, 7, 1) + timedelta(days=i), 1000.0 + i, i % 3 != 0)
                 for i in range(30)]  # fmt: skip
    _insert(con, "contracts", contracts)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        _seed(con)
    return path


@pytest.fixture(scope="module")
def warehouse(db_path: Path) -> Iterator[Warehouse]:
    wh = Warehouse.open(db_path, SqlLimits(row_cap=200))
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def raw(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    # The reference SQL runs on a copy: DuckDB allows one configuration per open file.
    copy = shutil.copy(db_path, db_path.with_name("reference.duckdb"))
    con = duckdb.connect(str(copy), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return demo_catalog()


@pytest.fixture
def ctx(warehouse: Warehouse, catalog: Catalog) -> ToolContext:
    return ToolContext(Ledger(), AS_OF, warehouse, catalog, None)


def run(ctx: ToolContext, **args: Any) -> dict[str, dict[str, Any]]:
    """Rows of a query_metric call keyed by the first column (or "all")."""
    content = TOOL.run(ctx, args).content
    cols = content["columns"]
    keyed = {}
    for row in content["rows"]:
        record = dict(zip(cols, row, strict=True))
        keyed[str(row[0]) if args.get("group_by") else "all"] = record
    return keyed


def test_sla_attainment_by_region_matches_hand_sql(ctx: ToolContext, raw: Any) -> None:
    got = run(ctx, metrics=["sla_attainment"], group_by=["region"],
              filters={"type": "installation"}, period="last quarter",
              compare="previous")  # fmt: skip
    sql = """SELECT region, 100.0 * SUM(CASE WHEN sla_met THEN 1 ELSE 0 END) / COUNT(sla_met),
                    COUNT(*)
             FROM tickets WHERE type = 'installation' AND opened_at >= ? AND opened_at < ?
             GROUP BY region"""
    q3 = {r[0]: r[1:] for r in raw.execute(sql, [date(2026, 7, 1), date(2026, 10, 1)]).fetchall()}
    q2 = {r[0]: r[1:] for r in raw.execute(sql, [date(2026, 4, 1), date(2026, 7, 1)]).fetchall()}
    assert set(got) == set(q3) == set(REGIONS)
    for region in REGIONS:
        row = got[region]
        assert row["sla_attainment"] == round(q3[region][0], 1)
        assert row["sla_attainment_prev"] == round(q2[region][0], 1)
        assert row["sla_attainment_delta"] == pytest.approx(
            q3[region][0] - q2[region][0], abs=0.051
        )
        pct = 100 * (q3[region][0] - q2[region][0]) / q2[region][0]
        assert row["sla_attainment_pct_change"] == pytest.approx(pct, abs=0.051)
        assert (row["n_tickets"], row["n_tickets_prev"]) == (q3[region][1], q2[region][1])


def test_chinese_aliases_give_the_same_numbers(ctx: ToolContext) -> None:
    english = run(
        ctx,
        metrics=["sla_attainment"],
        group_by=["region"],
        filters={"type": "installation", "region": ["East"]},
        period="last quarter",
    )
    chinese = run(ctx, metrics=["SLA达成率"], group_by=["地区"],
                  filters={"类型": "安装", "region": "华东"}, period="上季度")  # fmt: skip
    assert english == chinese and list(english) == ["East"]


def test_csat_by_segment_joins_customers(ctx: ToolContext, raw: Any) -> None:
    got = run(ctx, metrics=["csat_avg"], group_by=["segment"], period="2026-Q3")
    rows = raw.execute(
        """SELECT c.segment, AVG(s.csat) FROM surveys s JOIN customers c USING (customer_id)
           WHERE s.submitted_at >= '2026-07-01' AND s.submitted_at < '2026-10-01'
           GROUP BY 1"""
    ).fetchall()
    assert {k: v["csat_avg"] for k, v in got.items()} == {s: round(v, 2) for s, v in rows}


def test_nps_and_first_time_fix_match_python(ctx: ToolContext, raw: Any) -> None:
    got = run(ctx, metrics=["nps", "first_time_fix_rate"], period="past 3 months")["all"]
    scores = [r[0] for r in raw.execute(
        "SELECT nps FROM surveys WHERE submitted_at >= '2026-08-01' AND submitted_at < '2026-11-01'"
    ).fetchall()]  # fmt: skip
    nps = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
    fixes = [r[0] for r in raw.execute(
        "SELECT first_time_fix FROM tickets WHERE opened_at >= '2026-08-01' "
        "AND opened_at < '2026-11-01'"
    ).fetchall()]  # fmt: skip
    assert got["nps"] == round(nps, 2)
    assert got["first_time_fix_rate"] == round(100 * statistics.mean(fixes), 1)
    assert got["n_surveys"] == len(scores) and got["n_tickets"] == len(fixes)


def test_metrics_from_two_tables_in_one_query(ctx: ToolContext) -> None:
    both = run(ctx, metrics=["sla_attainment", "csat_avg"], group_by=["region"], period="2026-Q3")
    sla = run(ctx, metrics=["sla_attainment"], group_by=["region"], period="2026-Q3")
    csat = run(ctx, metrics=["csat_avg"], group_by=["region"], period="2026-Q3")
    for region in REGIONS:
        assert both[region]["sla_attainment"] == sla[region]["sla_attainment"]
        assert both[region]["csat_avg"] == csat[region]["csat_avg"]


def test_time_dimension_and_year_ago(ctx: ToolContext, raw: Any) -> None:
    got = run(ctx, metrics=["ticket_count"], group_by=["month"], period="2026")
    rows = raw.execute("SELECT strftime(opened_at, '%Y-%m'), COUNT(*) FROM tickets GROUP BY 1")
    assert {k: v["ticket_count"] for k, v in got.items()} == dict(rows.fetchall())
    ya = run(ctx, metrics=["ticket_count"], period="2026-Q3", compare="year_ago")["all"]
    assert ya["ticket_count_prev"] == 0 and ya["ticket_count_pct_change"] is None


def test_a_month_of_a_named_period_with_no_record_of_the_slice_counts_zero(
    ctx: ToolContext, raw: Any
) -> None:
    # The months the tickets span; one engineer and type has none in some of them.
    span = [
        r[0]
        for r in raw.execute(
            "SELECT DISTINCT strftime(opened_at, '%Y-%m') FROM tickets ORDER BY 1"
        ).fetchall()
    ]
    combos = raw.execute(
        "SELECT engineer_id, type, channel, list(DISTINCT strftime(opened_at, '%Y-%m')) "
        "FROM tickets GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    engineer, kind, channel, months = next(c for c in combos if len(c[3]) < len(span))
    got = run(ctx, metrics=["ticket_count"], group_by=["month"], period="2026",
              filters={"engineer": engineer, "type": kind, "channel": channel})  # fmt: skip
    # Every month the data spans, and no month of 2026 outside it (January, December).
    assert sorted(got) == span
    assert {m for m, row in got.items() if row["ticket_count"] == 0} == set(span) - set(months)
    # A rate has no value in a month without records: it is not given one.
    rated = run(ctx, metrics=["sla_attainment"], group_by=["month"], period="2026",
                filters={"engineer": engineer, "type": kind, "channel": channel})  # fmt: skip
    assert sorted(rated) == sorted(months)


def test_renewal_rate_uses_its_own_time_column(ctx: ToolContext, raw: Any) -> None:
    got = run(ctx, metrics=["contract_renewal_rate"], period="2026-07")["all"]
    expected = raw.execute(
        "SELECT 100.0 * AVG(renewed::INT), COUNT(*) FROM contracts "
        "WHERE ends_on >= '2026-07-01' AND ends_on < '2026-08-01'"
    ).fetchone()
    assert (got["contract_renewal_rate"], got["n_contracts"]) == (
        round(expected[0], 1),
        expected[1],
    )


def test_order_by_and_limit(ctx: ToolContext) -> None:
    args = {"metrics": ["ticket_count"], "group_by": ["region"], "period": "2026"}
    content = TOOL.run(ctx, args | {"order_by": "-ticket_count", "limit": 2}).content
    counts = [row[1] for row in content["rows"]]
    assert len(counts) == 2 and counts == sorted(counts, reverse=True)


def test_evidence_records_exactly_what_the_model_saw(ctx: ToolContext) -> None:
    result = TOOL.run(ctx, {"metrics": ["sla_attainment"], "group_by": ["region"],
                            "period": "last quarter", "compare": "previous"})  # fmt: skip
    assert result.evidence_ids == ["Q1"]
    evidence = ctx.ledger.get("Q1")
    assert evidence is not None and evidence.tool == "query_metric"
    assert evidence.rows == result.content["rows"] and evidence.columns == result.content["columns"]
    assert evidence.sql and "?" in evidence.sql
    assert evidence.meta["period"] == {
        "label": "2026-Q3",
        "start": "2026-07-01",
        "end": "2026-09-30",
    }
    assert evidence.meta["comparison_period"]["label"] == "2026-Q2"
    assert result.content["period"]["start"] == "2026-07-01"
    assert "percentage points" in result.content["note"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"metrics": ["first_time_fx_rate"]}, "Did you mean: first_time_fix_rate"),
        ({"metrics": ["ticket_count"], "group_by": ["regoin"]}, "Did you mean: region"),
        ({"metrics": ["ticket_count"], "filters": {"region": "Esat"}}, "Did you mean: East"),
        ({"metrics": ["ticket_count"], "period": "next quarter"}, "Unknown period"),
        ({"metrics": ["ticket_count"], "compare": "previous"}, "needs a period"),
        ({"metrics": ["ticket_count"], "group_by": ["month"], "period": "2026",
          "compare": "previous"}, "group by month"),
        ({"metrics": ["contract_renewal_rate"], "group_by": ["channel"]}, "cannot be broken down"),
        ({"metrics": ["ticket_count"], "order_by": "-nothing"}, "Unknown order_by"),
        ({"metrics": []}, "Invalid arguments"),
    ],
)  # fmt: skip
def test_model_fixable_problems_are_tool_errors(
    ctx: ToolContext, args: dict[str, Any], message: str
) -> None:
    with pytest.raises(ToolError, match=message):
        TOOL.run(ctx, args)
    assert len(ctx.ledger) == 0


def test_filter_values_are_bound_never_spliced(ctx: ToolContext, catalog: Catalog) -> None:
    hostile = "x' OR '1'='1"
    compiled = compile_request(catalog, MetricRequest(["ticket_count"], filters={"model": hostile}))
    assert hostile not in compiled.sql and hostile in compiled.params
    assert (
        run(ctx, metrics=["ticket_count"], filters={"model": hostile})["all"]["ticket_count"] == 0
    )


def test_empty_slice_says_so(ctx: ToolContext) -> None:
    content = TOOL.run(ctx, {"metrics": ["csat_avg"], "period": "2025-01"}).content
    assert content["rows"][0][0] is None and "insufficient" in content["note"]


def test_compiled_sql_for_one_request_is_stable(catalog: Catalog) -> None:
    period = parse_period("last quarter", AS_OF)
    request = MetricRequest(["sla_attainment"], ["region"], {"type": "安装"}, period, "previous")
    first, second = compile_request(catalog, request), compile_request(catalog, request)
    assert first.sql == second.sql and first.params == second.params
    assert first.params[:3] == [date(2026, 7, 1), date(2026, 10, 1), "installation"]


def test_number_and_weekday_filters(ctx: ToolContext, raw: Any) -> None:
    got = run(ctx, metrics=["ticket_count"], filters={"hour": 14, "weekday": "周四"})["all"]
    expected = raw.execute(
        "SELECT COUNT(*) FROM tickets WHERE hour(opened_at) = 14 AND isodow(opened_at) = 4"
    ).fetchone()[0]
    assert got["ticket_count"] == expected > 0


def test_tool_schemas_and_descriptions_render() -> None:
    for tool in (TOOL, DESCRIBE):
        schema = tool.schema()["function"]
        assert schema["description"] and schema["parameters"]["type"] == "object"


def test_describe_data_shows_coverage_and_values(ctx: ToolContext) -> None:
    content = DESCRIBE.run(ctx, {}).content
    assert content["coverage"]["tickets"]["rows"] == 600
    assert content["coverage"]["contracts"]["from"] == "2025-09-01"
    assert content["dimensions"]["model"].endswith("M0, M1, M2, M3")
    assert any(line.startswith("first_time_fix_rate (") for line in content["metrics"])
    assert len(ctx.ledger) == 0


def test_describe_data_focus(ctx: ToolContext) -> None:
    metric = DESCRIBE.run(ctx, {"focus": "一次修复率"}).content
    assert metric["name"] == "first_time_fix_rate" and "tickets.first_time_fix" in metric["sql"]
    region = DESCRIBE.run(ctx, {"focus": "地区"}).content
    assert "华东" in region["values"]["East"]
    with pytest.raises(ToolError, match="region"):
        DESCRIBE.run(ctx, {"focus": "regoin"})


def test_exclude_keeps_every_other_value_and_rows_without_one(ctx: ToolContext, raw: Any) -> None:
    got = run(ctx, metrics=["ticket_count"], exclude={"region": ["华东"]}, period="last quarter")
    sql = """SELECT COUNT(*) FROM tickets WHERE (region IS NULL OR region <> 'East')
             AND opened_at >= ? AND opened_at < ?"""
    want = raw.execute(sql, [date(2026, 7, 1), date(2026, 10, 1)]).fetchone()[0]
    every = run(ctx, metrics=["ticket_count"], period="last quarter")["all"]["ticket_count"]
    assert got["all"]["ticket_count"] == want and 0 < want < every
    content = TOOL.run(ctx, {"metrics": ["ticket_count"], "exclude": {"region": ["East"]}}).content
    assert content["exclude"] == {"region": ["East"]}

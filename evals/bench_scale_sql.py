"""query_metric at scale against the same answers written by hand, the guard and compile +
guard: the SQL part of ``bench_scale``."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

from ..data.catalog import demo_catalog
from ..data.sql_guard import check_sql
from ..data.warehouse import SqlLimits, Warehouse
from ..data.workspace import WorkspacePaths
from ..tools.base import ToolContext
from ..tools.ledger import Ledger
from ..tools.query_metric import TOOL as QUERY_METRIC
from ..tools.query_metric import QueryMetricInput, compile_args
from .bench_data import AS_OF
from .bench_sql import METRIC_REQUESTS, _compile_bench, _guard_bench
from .bench_timing import Samples, ratio, summary, timed
from .sql_corpus import LEGIT_QUERIES

# The same answers as METRIC_REQUESTS, written by hand as one pass over the table (the
# comparison periods as FILTER clauses), returning the same columns: $1/$2 is the period,
# $3/$4 the comparison period.
HANDWRITTEN: dict[str, str] = {
    "sla_east_install_vs_previous": """
        WITH a AS (
          SELECT region,
            100.0 * AVG(sla_met::DOUBLE) FILTER (WHERE opened_at >= $1 AND opened_at < $2) AS cur,
            100.0 * AVG(sla_met::DOUBLE) FILTER (WHERE opened_at >= $3 AND opened_at < $4) AS prev,
            COUNT(*) FILTER (WHERE opened_at >= $1 AND opened_at < $2) AS n,
            COUNT(*) FILTER (WHERE opened_at >= $3 AND opened_at < $4) AS n_prev
          FROM tickets
          WHERE type = 'installation' AND opened_at >= $3 AND opened_at < $2
          GROUP BY region)
        SELECT region, ROUND(cur, 1), ROUND(prev, 1), ROUND(cur - prev, 1),
          ROUND(100.0 * (cur - prev) / NULLIF(ABS(prev), 0), 1), n, n_prev
        FROM a ORDER BY region""",
    "volume_by_month": """
        SELECT strftime(opened_at, '%Y-%m') AS month, COUNT(*), COUNT(*)
        FROM tickets WHERE opened_at >= $1 AND opened_at < $2 GROUP BY 1 ORDER BY 1""",
    "csat_nps_by_segment": """
        SELECT c.segment, ROUND(AVG(s.csat), 2),
          ROUND(100.0 * (AVG(CASE WHEN s.nps >= 9 THEN 1.0 ELSE 0.0 END)
                         - AVG(CASE WHEN s.nps <= 6 THEN 1.0 ELSE 0.0 END)), 2), COUNT(*)
        FROM surveys s LEFT JOIN customers c ON c.customer_id = s.customer_id
        WHERE s.submitted_at >= $1 AND s.submitted_at < $2
        GROUP BY 1 ORDER BY 1 NULLS LAST""",
    "first_response_by_channel": """
        SELECT channel, ROUND(AVG(date_diff('second', opened_at, first_response_at)) / 3600.0, 1),
          COUNT(*)
        FROM tickets WHERE opened_at >= $1 AND opened_at < $2 GROUP BY 1 ORDER BY 1""",
    "cost_by_product_year_ago": """
        WITH a AS (
          SELECT p.product_line,
            AVG(t.cost) FILTER (WHERE t.opened_at >= $1 AND t.opened_at < $2) AS cost,
            AVG(t.cost) FILTER (WHERE t.opened_at >= $3 AND t.opened_at < $4) AS cost_prev,
            100.0 * AVG(t.first_time_fix::DOUBLE)
              FILTER (WHERE t.opened_at >= $1 AND t.opened_at < $2) AS ftf,
            100.0 * AVG(t.first_time_fix::DOUBLE)
              FILTER (WHERE t.opened_at >= $3 AND t.opened_at < $4) AS ftf_prev,
            COUNT(*) FILTER (WHERE t.opened_at >= $1 AND t.opened_at < $2) AS n,
            COUNT(*) FILTER (WHERE t.opened_at >= $3 AND t.opened_at < $4) AS n_prev
          FROM tickets t LEFT JOIN products p ON p.product_id = t.product_id
          WHERE (t.opened_at >= $1 AND t.opened_at < $2) OR (t.opened_at >= $3 AND t.opened_at < $4)
          GROUP BY 1)
        SELECT product_line, ROUND(cost, 0), ROUND(cost_prev, 0), ROUND(cost - cost_prev, 0),
          ROUND(100.0 * (cost - cost_prev) / NULLIF(ABS(cost_prev), 0), 1),
          ROUND(ftf, 1), ROUND(ftf_prev, 1), ROUND(ftf - ftf_prev, 1),
          ROUND(100.0 * (ftf - ftf_prev) / NULLIF(ABS(ftf_prev), 0), 1), n, n_prev
        FROM a ORDER BY 1 NULLS LAST""",
}


def _limits() -> SqlLimits:
    # The product's defaults (memory and threads capped), with room to measure slow queries.
    return replace(SqlLimits(), timeout_s=120.0)


def sql_measures(ws: WorkspacePaths, repeats: int) -> dict[str, Any]:
    catalog = demo_catalog()
    with Warehouse.open(ws.warehouse, _limits()) as warehouse:
        ctx = ToolContext(ledger=Ledger(), as_of=AS_OF, warehouse=warehouse, catalog=catalog)
        select_1 = statistics.median(timed(lambda: warehouse.execute("SELECT 1"), repeats))
        per_request: dict[str, Any] = {}
        tool_all, hand_all = Samples(), Samples()
        for name, request in METRIC_REQUESTS.items():
            args = QueryMetricInput.model_validate(request)
            compiled = compile_args(catalog, args, ctx)
            params = _period_params(compiled.period, compiled.comparison)
            hand_sql = HANDWRITTEN[name]
            tool = timed(partial(_fresh_ledger_call, ctx, args), repeats)
            hand = timed(partial(warehouse.execute, hand_sql, params), repeats)
            tool_all.add(tool)
            hand_all.add(hand)
            same = _same_rows(
                warehouse.execute(compiled.sql, compiled.params).rows,
                warehouse.execute(hand_sql, params).rows,
            )
            per_request[name] = {
                "query_metric": summary(tool),
                "handwritten": summary(hand),
                "ratio": ratio(statistics.median(tool), statistics.median(hand)),
                "same_rows": same,
            }
        tables = set(catalog.tables)
        guard = _guard_bench(tables, repeats, select_1)
        compile_guard = _compile_bench(ctx, repeats, select_1)["compile_plus_guard"]
        guard_cpu = _per_item_cpu(
            [partial(check_sql, q, tables, row_cap=200) for q in LEGIT_QUERIES.values()], repeats
        )
        compile_cpu = _per_item_cpu(
            [
                partial(_compile_and_guard, catalog, QueryMetricInput.model_validate(r), ctx)
                for r in METRIC_REQUESTS.values()
            ],
            repeats,
        )
    return {
        "select_1_ms": round(select_1, 3),
        "query_metric": summary(tool_all),
        "handwritten": summary(hand_all),
        "ratio_p50": ratio(statistics.median(tool_all), statistics.median(hand_all)),
        "all_same_rows": all(r["same_rows"] for r in per_request.values()),
        "per_request": per_request,
        "guard": {
            "p50_ms": guard["median_ms"],
            "p95_ms": guard["p95_ms"],
            "queries": guard["queries"],
            "slowest": guard["slowest_query"],
            "cpu_p50_ms": guard_cpu,
        },
        "compile_plus_guard": {
            "p50_ms": compile_guard["median_ms"],
            "p95_ms": compile_guard["p95_ms"],
            "cpu_p50_ms": compile_cpu,
        },
    }


def _per_item_cpu(calls: list[Callable[[], object]], repeats: int) -> float:
    """Median CPU milliseconds of one call, over the whole list run ``repeats`` times."""
    per_round = timed(lambda: [c() for c in calls], repeats).cpu
    return round(statistics.median(per_round) / len(calls), 3)


def _compile_and_guard(catalog: Any, args: QueryMetricInput, ctx: ToolContext) -> str:
    compiled = compile_args(catalog, args, ctx)
    return check_sql(compiled.sql, set(catalog.tables), row_cap=200, allow_parameters=True)


def _fresh_ledger_call(ctx: ToolContext, args: QueryMetricInput) -> object:
    # One answer's ledger, not one growing over hundreds of timed calls.
    return QUERY_METRIC.fn(replace(ctx, ledger=Ledger()), args)


def _period_params(period: Any, comparison: Any) -> list[date]:
    params = [period.start, period.end]
    if comparison is not None:
        params += [comparison.start, comparison.end]
    return params


def _same_rows(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b, strict=True):
        if len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb, strict=True):
            if isinstance(x, int | float) and isinstance(y, int | float):
                # Sums in another order may round the last shown digit the other way.
                if not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=0.11):
                    return False
            elif x != y:
                return False
    return True

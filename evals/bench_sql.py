"""The SQL benchmark: the guard, catalog compilation, query_metric and run_sql, as medians.

Every figure is a median (and p95) of ``repeats`` timed runs after one warm-up, next to its
ratio to a baseline measured in the same process — a trivial ``SELECT 1`` round trip through the
warehouse — because the machines these run on are noisy. Budgets are DESIGN §9.

Run: ``servicelens bench sql [--home DIR]`` or ``python -m servicelens.evals.bench_sql --home DIR``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from ..agent.settings import Settings, load_settings
from ..data.catalog import Catalog, demo_catalog, load_catalog
from ..data.sql_guard import check_sql
from ..data.warehouse import SqlLimits, Warehouse
from ..tools.base import ToolContext
from ..tools.ledger import Ledger
from ..tools.query_metric import TOOL as QUERY_METRIC
from ..tools.query_metric import QueryMetricInput, compile_args
from ..tools.run_sql import TOOL as RUN_SQL
from ..tools.run_sql import RunSqlInput
from .sql_corpus import LEGIT_QUERIES

BUDGETS_MS = {"guard_per_query": 5.0, "compile_and_guard": 10.0, "query_metric_p50_at_10M": 300.0}

# Typical requests a manager's question turns into.
METRIC_REQUESTS: dict[str, dict[str, Any]] = {
    "sla_east_install_vs_previous": {
        "metrics": ["sla_attainment"],
        "group_by": ["region"],
        "filters": {"type": "installation"},
        "period": "last quarter",
        "compare": "previous",
    },
    "volume_by_month": {"metrics": ["ticket_count"], "group_by": ["month"], "period": "this year"},
    "csat_nps_by_segment": {
        "metrics": ["csat_avg", "nps"],
        "group_by": ["segment"],
        "period": "last quarter",
    },
    "first_response_by_channel": {
        "metrics": ["first_response_hours"],
        "group_by": ["channel"],
        "period": "last month",
    },
    "cost_by_product_year_ago": {
        "metrics": ["cost_per_ticket", "first_time_fix_rate"],
        "group_by": ["product_line"],
        "period": "last quarter",
        "compare": "year_ago",
    },
}

# run_sql end to end: a few of the corpus's analytical queries (the rest only time the guard).
RUN_SQL_QUERIES = [
    "filter_sla_by_quarter",
    "cte_monthly_lag",
    "join_csat_by_segment",
    "qualify_latest_per_customer",
]


def _stats(samples_ms: list[float], baseline_ms: float) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    return {
        "median_ms": round(median, 3),
        "p95_ms": round(p95, 3),
        "ratio_to_baseline": round(median / baseline_ms, 2) if baseline_ms else 0.0,
    }


def _timed(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm-up: caches, first-touch of the data, lazy imports
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _catalog(settings: Settings) -> Catalog:
    path = settings.paths.catalog
    return load_catalog(path) if path.is_file() else demo_catalog()


def _limits(settings: Settings) -> SqlLimits:
    return SqlLimits(
        row_cap=settings.sql_row_cap,
        byte_cap=settings.sql_byte_cap,
        timeout_s=max(settings.sql_timeout_s, 60.0),  # measure slow queries instead of losing them
        memory_limit=settings.sql_memory_limit,
        threads=settings.sql_threads,
    )


def run_sql_bench(home: Path, *, repeats: int = 20) -> dict[str, Any]:
    settings = load_settings(home)
    catalog = _catalog(settings)
    with Warehouse.open(settings.paths.warehouse, _limits(settings)) as warehouse:
        ctx = ToolContext(
            ledger=Ledger(), as_of=settings.today(), warehouse=warehouse, catalog=catalog
        )
        baseline = statistics.median(_timed(lambda: warehouse.execute("SELECT 1"), repeats))
        tickets = warehouse.execute("SELECT count(*) FROM tickets").rows[0][0]
        return {
            "home": str(home),
            "tickets": tickets,
            "repeats": repeats,
            "baseline_select_1_ms": round(baseline, 3),
            "guard": _guard_bench(set(catalog.tables), repeats, baseline),
            "compile_and_guard": _compile_bench(ctx, repeats, baseline),
            "query_metric": _query_metric_bench(ctx, repeats, baseline),
            "run_sql": _run_sql_bench(ctx, repeats, baseline),
            "budgets_ms": BUDGETS_MS,
        }


def _guard_bench(tables: set[str], repeats: int, baseline: float) -> dict[str, Any]:
    per_query: dict[str, float] = {}
    samples: list[float] = []
    for name, sql in LEGIT_QUERIES.items():
        times = _timed(partial(check_sql, sql, tables, row_cap=200), repeats)
        per_query[name] = round(statistics.median(times), 3)
        samples.extend(times)
    worst = max(per_query, key=per_query.__getitem__)
    return {
        "queries": len(per_query),
        **_stats(samples, baseline),
        "median_of_query_medians_ms": round(statistics.median(per_query.values()), 3),
        "slowest_query": f"{worst} ({per_query[worst]} ms)",
        "per_query_ms": per_query,
    }


def _compile_bench(ctx: ToolContext, repeats: int, baseline: float) -> dict[str, Any]:
    catalog = ctx.catalog
    assert catalog is not None  # the benchmark opens a workspace with its catalog
    tables = set(catalog.tables)

    def compile_and_guard(args: QueryMetricInput) -> str:
        compiled = compile_args(catalog, args, ctx)
        return check_sql(compiled.sql, tables, row_cap=200, allow_parameters=True)

    compile_only: list[float] = []
    with_guard: list[float] = []
    for request in METRIC_REQUESTS.values():
        args = QueryMetricInput.model_validate(request)
        compile_only += _timed(partial(compile_args, catalog, args, ctx), repeats)
        with_guard += _timed(partial(compile_and_guard, args), repeats)
    return {
        "compile": _stats(compile_only, baseline),
        "compile_plus_guard": _stats(with_guard, baseline),
    }


def _query_metric_bench(ctx: ToolContext, repeats: int, baseline: float) -> dict[str, Any]:
    per_request: dict[str, float] = {}
    samples: list[float] = []
    for name, request in METRIC_REQUESTS.items():
        args = QueryMetricInput.model_validate(request)
        times = _timed(partial(QUERY_METRIC.fn, ctx, args), repeats)
        per_request[name] = round(statistics.median(times), 3)
        samples.extend(times)
    return {**_stats(samples, baseline), "per_request_median_ms": per_request}


def _run_sql_bench(ctx: ToolContext, repeats: int, baseline: float) -> dict[str, Any]:
    per_query: dict[str, float] = {}
    samples: list[float] = []
    for name in RUN_SQL_QUERIES:
        args = RunSqlInput(sql=LEGIT_QUERIES[name], purpose=f"bench {name}")
        times = _timed(partial(RUN_SQL.fn, ctx, args), repeats)
        per_query[name] = round(statistics.median(times), 3)
        samples.extend(times)
    return {**_stats(samples, baseline), "per_query_median_ms": per_query}


def _print_table(result: dict[str, Any]) -> None:
    print(
        f"SQL bench on {result['home']} ({result['tickets']:,} tickets, {result['repeats']} runs)"
    )
    print(f"{'measure':<34}{'median ms':>12}{'p95 ms':>12}{'x baseline':>12}")
    rows = [
        ("baseline SELECT 1", {"median_ms": result["baseline_select_1_ms"]}),
        ("guard (per query, corpus)", result["guard"]),
        ("catalog compile", result["compile_and_guard"]["compile"]),
        ("catalog compile + guard", result["compile_and_guard"]["compile_plus_guard"]),
        ("query_metric end to end", result["query_metric"]),
        ("run_sql end to end", result["run_sql"]),
    ]
    for label, s in rows:
        cells = [s.get("median_ms", ""), s.get("p95_ms", ""), s.get("ratio_to_baseline", "")]
        print(f"{label:<34}" + "".join(f"{c:>12}" for c in cells))
    print(f"budgets (ms): {result['budgets_ms']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the SQL guard, query_metric, run_sql.")
    parser.add_argument("--home", type=Path, required=True, help="WorkspacePaths directory.")
    parser.add_argument("--repeats", type=int, default=20, help="Timed runs per measure.")
    args = parser.parse_args(argv)
    result = run_sql_bench(args.home, repeats=args.repeats)
    _print_table(result)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

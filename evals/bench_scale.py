"""Budgets at scale: one report of DESIGN §9's budgets over a synthetic warehouse of any size.

``run_scale_bench`` builds a demo-shaped warehouse and a real feedback index at the requested
size (``bench_data``), then measures, each against a baseline run in the same process:

- ``query_metric`` end to end (compile, run, ledger) against the same result written by hand
  as one SQL query (``HANDWRITTEN``), rows checked equal;
- the SQL guard per query and catalog compile + guard (``bench_sql``'s corpus);
- hybrid search, unfiltered and filtered, against exact brute force (every candidate vector
  scored), with recall@10 of the index's top 10 against the exact top 10;
- ingest rows/s of a helpdesk CSV (``bench_ingest``), agent overhead per answer on a demo
  workspace when one is given (``bench_agent``), and peak RSS per phase.

Medians and ratios, with the machine described. ``report_markdown`` renders the result;
``bench_growth`` runs several sizes, each in its own process so peak memory is its own.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from ..agent.settings import load_settings
from ..data.catalog import demo_catalog
from ..data.sql_guard import check_sql
from ..data.voc_index import VocFilters, VocIndex
from ..data.warehouse import SqlLimits, Warehouse
from ..data.workspace import WorkspacePaths
from ..tools.base import ToolContext
from ..tools.ledger import Ledger
from ..tools.query_metric import TOOL as QUERY_METRIC
from ..tools.query_metric import QueryMetricInput, compile_args
from . import bench_data
from .bench_data import AS_OF, Size
from .bench_sql import METRIC_REQUESTS, _compile_bench, _guard_bench
from .bench_voc import QUERIES
from .sql_corpus import LEGIT_QUERIES

SCALES: dict[str, Size] = {
    "demo": Size(60_000, 8_000),
    "1m": Size(1_000_000, 100_000),
    "10m": Size(10_000_000, 1_000_000),
}
GROWTH = (Size(10_000, 1_000), Size(100_000, 10_000), Size(1_000_000, 100_000), SCALES["10m"])

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


class PhaseMemory:
    """Peak RSS per phase, sampled by a thread every 20 ms from ``/proc/self/status``."""

    def __init__(self) -> None:
        self.peaks: dict[str, float] = {}
        self._phase = "start"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PhaseMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            time.sleep(0.02)

    def _sample(self) -> None:
        mb = rss_mb()
        self.peaks[self._phase] = max(self.peaks.get(self._phase, 0.0), mb)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self._phase = name
        self._sample()
        try:
            yield
        finally:
            self._sample()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def machine() -> dict[str, Any]:
    """What the figures were measured on; the load average says how shared it was."""
    import chromadb
    import duckdb

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1]) / 1024**2
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gb": round(mem, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "chromadb": chromadb.__version__,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Samples(list[float]):
    """Wall-clock milliseconds per run, with the process's CPU milliseconds beside them: on a
    shared machine the wall clock waits for a core, CPU time mostly does not (DuckDB's own
    threads count too, so a parallel query's CPU time can exceed its wall time)."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []

    def add(self, other: Samples) -> None:
        self.extend(other)
        self.cpu.extend(other.cpu)


def _timed(fn: Callable[[], object], repeats: int, *, warm: bool = True) -> Samples:
    if warm:
        fn()
    out = Samples()
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - wall) * 1000)
        out.cpu.append((time.process_time() - cpu) * 1000)
    return out


def _summary(samples: list[float]) -> dict[str, float]:
    out = {"p50_ms": round(statistics.median(samples), 3), "p95_ms": round(_p(samples, 0.95), 3)}
    if isinstance(samples, Samples) and samples.cpu:
        out["cpu_p50_ms"] = round(statistics.median(samples.cpu), 3)
    return out


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b > 0 else math.inf


def run_scale_bench(
    size: Size,
    *,
    work: Path | None = None,
    repeats: int = 10,
    agent_home: Path | None = None,
    ingest_rows: int | None = None,
    chroma_max: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Build the data at ``size`` under ``work`` (a temporary directory if None) and measure."""
    with tempfile.TemporaryDirectory(prefix="sl-bench-scale-") as tmp:
        home = Path(work) if work else Path(tmp) / "ws"
        home.mkdir(parents=True, exist_ok=True)
        ws = WorkspacePaths(home)
        result: dict[str, Any] = {
            "size": {"tickets": size.tickets, "feedback": size.feedback},
            "machine": machine(),
            "repeats": repeats,
        }
        with PhaseMemory() as memory:
            with memory.phase("build_warehouse"):
                result["warehouse"] = bench_data.build_warehouse(ws.warehouse, size, seed=seed)
            with memory.phase("build_index"):
                result["index_build"] = bench_data.build_index(ws, seed=seed, chroma_max=chroma_max)
                bench_data.release_chroma()
            with memory.phase("query"):
                result["sql"] = sql_measures(ws, repeats)
            with memory.phase("search"):
                result["search"] = search_measures(ws, repeats, seed)
            with memory.phase("ingest"):
                result["ingest"] = ingest_measure(ingest_rows or min(size.tickets, 1_000_000))
            if agent_home is not None:
                with memory.phase("agent"):
                    result["agent"] = agent_measure(agent_home, repeats)
        result["peak_rss_mb"] = {k: v for k, v in memory.peaks.items() if k != "start"}
        result["prompt_tokens"] = prompt_tokens()
        result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        result["budgets"] = budgets(result)
        return result


def _limits() -> SqlLimits:
    # The product's defaults (memory and threads capped), with room to measure slow queries.
    return replace(SqlLimits(), timeout_s=120.0)


def sql_measures(ws: WorkspacePaths, repeats: int) -> dict[str, Any]:
    catalog = demo_catalog()
    with Warehouse.open(ws.warehouse, _limits()) as warehouse:
        ctx = ToolContext(ledger=Ledger(), as_of=AS_OF, warehouse=warehouse, catalog=catalog)
        select_1 = statistics.median(_timed(lambda: warehouse.execute("SELECT 1"), repeats))
        per_request: dict[str, Any] = {}
        tool_all, hand_all = Samples(), Samples()
        for name, request in METRIC_REQUESTS.items():
            args = QueryMetricInput.model_validate(request)
            compiled = compile_args(catalog, args, ctx)
            params = _period_params(compiled.period, compiled.comparison)
            hand_sql = HANDWRITTEN[name]
            tool = _timed(partial(_fresh_ledger_call, ctx, args), repeats)
            hand = _timed(partial(warehouse.execute, hand_sql, params), repeats)
            tool_all.add(tool)
            hand_all.add(hand)
            same = _same_rows(
                warehouse.execute(compiled.sql, compiled.params).rows,
                warehouse.execute(hand_sql, params).rows,
            )
            per_request[name] = {
                "query_metric": _summary(tool),
                "handwritten": _summary(hand),
                "ratio": _ratio(statistics.median(tool), statistics.median(hand)),
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
        "query_metric": _summary(tool_all),
        "handwritten": _summary(hand_all),
        "ratio_p50": _ratio(statistics.median(tool_all), statistics.median(hand_all)),
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
    per_round = _timed(lambda: [c() for c in calls], repeats).cpu
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


def search_shapes() -> dict[str, VocFilters | None]:
    quarter = VocFilters(start=date(2026, 7, 1), end=date(2026, 10, 1))
    narrow = replace(quarter, region="East", product_line="Air Conditioners")
    return {"unfiltered": None, "filtered_quarter": quarter, "filtered_narrow": narrow}


def search_measures(ws: WorkspacePaths, repeats: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    index = bench_data.open_index(ws, seed=seed)
    out: dict[str, Any] = {"records": len(index), "open_s": round(time.perf_counter() - started, 2)}
    out["rss_after_open_mb"] = rss_mb()
    for name, filters in search_shapes().items():
        out[name] = _search_shape(index, filters, repeats)
    index.close()
    bench_data.release_chroma()
    return out


def _search_shape(index: VocIndex, filters: VocFilters | None, repeats: int) -> dict[str, Any]:
    default_max = index.exact_max
    mask = index.mask(filters)
    matching = len(index) if mask is None else int(mask.sum())

    def run(mode: str, exact: bool) -> tuple[Samples, list[list[str]]]:
        index.exact_max = 10**12 if exact else default_max
        samples = Samples()
        tops: list[list[str]] = []
        for q in QUERIES:
            index.search(q, filters=filters, k=10, mode=mode)  # type: ignore[arg-type]
        for r in range(repeats):
            for q in QUERIES:
                wall, cpu = time.perf_counter(), time.process_time()
                res = index.search(q, filters=filters, k=10, mode=mode)  # type: ignore[arg-type]
                samples.append((time.perf_counter() - wall) * 1000)
                samples.cpu.append((time.process_time() - cpu) * 1000)
                if r == 0:
                    tops.append([h.voc_id for h in res.hits])
        index.exact_max = default_max
        return samples, tops

    hybrid, hybrid_top = run("hybrid", exact=False)
    exact, exact_top = run("hybrid", exact=True)
    _, vector_top = run("vector", exact=False)
    _, vector_exact_top = run("vector", exact=True)
    return {
        "matching": matching,
        "vector_path": "exact" if matching <= default_max else "chroma_hnsw",
        "parts_p50_ms": _search_parts(index, filters, repeats),
        "hybrid": _summary(hybrid),
        "exact_brute_force": _summary(exact),
        "ratio_p50": _ratio(statistics.median(hybrid), statistics.median(exact)),
        "hybrid_recall_at_10": _recall(hybrid_top, exact_top),
        "vector_recall_at_10": _recall(vector_top, vector_exact_top),
    }


def _search_parts(index: VocIndex, filters: VocFilters | None, repeats: int) -> dict[str, float]:
    """Where a hybrid search's time goes: BM25, the vector ranking, and the ranking of texts in
    the languages the query is not written in (a second, language-filtered vector search)."""
    mask = index.mask(filters)
    depth = 100  # what ``search`` asks each retriever for at k=10
    parts: dict[str, Callable[[str], object]] = {
        "filter_mask": lambda q: index.mask(filters),
        "keyword": lambda q: index._keyword_ranking(q, mask, depth),
        "vector": lambda q: index._vector_ranking(q, mask, filters, depth),
        "other_language_vector": lambda q: index._other_language_ranking(q, filters, depth),
    }
    out = {}
    for name, fn in parts.items():
        samples = _timed(lambda fn=fn: [fn(q) for q in QUERIES], repeats)  # type: ignore[misc]
        out[name] = round(statistics.median(samples) / len(QUERIES), 3)
    return out


def _recall(found: list[list[str]], truth: list[list[str]]) -> float:
    scores = [len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True) if t]
    return round(statistics.mean(scores), 3) if scores else math.nan


def ingest_measure(rows: int) -> dict[str, Any]:
    from .bench_ingest import run_ingest_bench

    result = run_ingest_bench(rows=rows)
    return {k: result[k] for k in ("rows", "file_mb", "seconds", "rows_per_s")}


def agent_measure(home: Path, repeats: int) -> dict[str, Any]:
    from .bench_agent import run_agent_bench

    result = run_agent_bench(home, repeats=repeats)
    settings = load_settings(home)
    with Warehouse.open(settings.paths.warehouse) as warehouse:
        tickets = warehouse.execute("SELECT count(*) FROM tickets").rows[0][0]
    keep = ("overhead_ms_p50", "overhead_ms_p90", "tools_ms_p50", "graph_ms_p50", "answers")
    return {"tickets": tickets, **{k: result[k] for k in keep}}


def prompt_tokens() -> dict[str, int]:
    """System prompt + tool schemas as the model receives them (as ``test_agent_prompts``)."""
    from ..agent.budget import count_tokens, count_tools
    from ..agent.toolset import Toolset
    from ..prompts import render

    system = count_tokens(render("system.md", as_of=AS_OF.isoformat(), max_tool_calls=12))
    tools = count_tools(Toolset.default().schemas())
    return {"system": system, "tool_schemas": tools, "total": system + tools}


def budgets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each DESIGN §9 budget this report measures: the figure, met or not, and at what size."""
    size = result["size"]
    sql, search = result["sql"], result["search"]
    slowest = max(
        (search[name]["hybrid"] for name in ("filtered_quarter", "filtered_narrow")),
        key=lambda h: h["p50_ms"],
    )
    demo_feedback = size["feedback"] <= 10_000
    rows = [
        _budget(
            f"query_metric p50 at {size['tickets']:,} tickets (budget set at 10M)",
            sql["query_metric"]["p50_ms"], 300.0, cpu=sql["query_metric"].get("cpu_p50_ms"),
        ),
        _budget(
            "catalog compile + guard per query_metric",
            sql["compile_plus_guard"]["p50_ms"], 10.0,
            cpu=sql["compile_plus_guard"].get("cpu_p50_ms"),
        ),
        _budget("run_sql guard per query (p50)", sql["guard"]["p50_ms"], 5.0,
                cpu=sql["guard"].get("cpu_p50_ms")),
        _budget(
            f"search_voc hybrid filtered p50 at {size['feedback']:,} records "
            f"(budget {'30 ms at demo scale' if demo_feedback else '100 ms at 1M'})",
            slowest["p50_ms"], 30.0 if demo_feedback else 100.0, cpu=slowest.get("cpu_p50_ms"),
        ),
        _budget(
            f"memory while answering at {size['tickets']:,} tickets (peak RSS, query and "
            "search phases; the budget is set at demo scale)",
            max(result["peak_rss_mb"].get("query", 0), result["peak_rss_mb"].get("search", 0)),
            1536.0, unit="MB",
        ),
    ]  # fmt: skip
    if "prompt_tokens" in result:
        rows.append(
            _budget("system prompt + tool schemas", result["prompt_tokens"]["total"], 2500.0,
                    unit="tokens")
        )  # fmt: skip
    if "agent" in result:
        rows.append(
            _budget(
                f"agent overhead per answer p50 (scripted, {result['agent']['tickets']:,} tickets)",
                result["agent"]["overhead_ms_p50"],
                150.0,
            )
        )
        rows.append(
            _budget(
                "memory while answering at demo scale (peak RSS of the agent phase)",
                result["peak_rss_mb"]["agent"], 1536.0, unit="MB",
            )
        )  # fmt: skip
    return rows


def _budget(
    what: str, measured: float, budget: float, unit: str = "ms", cpu: float | None = None
) -> dict[str, Any]:
    return {
        "what": what,
        "measured": measured,
        "cpu": cpu,
        "budget": budget,
        "unit": unit,
        "met": measured <= budget,
        "headroom": round(budget / measured, 2) if measured else math.inf,
    }


def report_markdown(result: dict[str, Any]) -> str:
    """The report as Markdown: the machine, the budgets, then every measure with its baseline."""
    size, m = result["size"], result["machine"]
    sql, search = result["sql"], result["search"]
    lines = [
        f"# Budgets at {size['tickets']:,} tickets / {size['feedback']:,} feedback records",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['os']}; Python "
        f"{m['python']}, DuckDB {m['duckdb']}, Chroma {m['chromadb']}. Load average "
        f"{m['load_average_at_start'][0]} at start, {m.get('load_average_at_end', ['?'])[0]} at "
        f"end (the cores are shared). {result['repeats']} timed runs per measure after a warm-up.",
        "",
        "| budget (DESIGN §9) | measured p50 | CPU p50 | budget | met |",
        "| --- | --- | --- | --- | --- |",
    ]
    for b in result["budgets"]:
        met = "yes" if b["met"] else f"**no** ({b['measured'] / b['budget']:.1f}x over)"
        cpu = f"{b['cpu']:,.1f} {b['unit']}" if b.get("cpu") is not None else "—"
        shown = f"{b['measured']:,.0f}" if b["unit"] != "ms" else f"{b['measured']:,.1f}"
        lines.append(f"| {b['what']} | {shown} {b['unit']} | {cpu} | "
                     f"{b['budget']:,.0f} {b['unit']} | {met} |")  # fmt: skip
    lines += [
        "",
        "| measure | p50 ms | p95 ms | CPU p50 ms | baseline p50 ms | ratio | check |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        _row("query_metric, 5 requests (vs the same SQL by hand)", sql["query_metric"],
             sql["handwritten"], sql["ratio_p50"], f"same rows: {sql['all_same_rows']}"),
    ]  # fmt: skip
    for name, r in sql["per_request"].items():
        lines.append(_row(f"· {name}", r["query_metric"], r["handwritten"], r["ratio"], ""))
    lines.append(_row("run_sql guard, per corpus query", sql["guard"], None, None, ""))
    lines.append(_row("catalog compile + guard", sql["compile_plus_guard"], None, None, ""))
    for name in search_shapes():
        s = search[name]
        check = f"recall@10 hybrid {s['hybrid_recall_at_10']}, vector {s['vector_recall_at_10']}"
        label = f"search_voc hybrid {name} ({s['matching']:,} match, {s['vector_path']})"
        lines.append(_row(label, s["hybrid"], s["exact_brute_force"], s["ratio_p50"], check))
    parts = [
        f"{name}: " + ", ".join(f"{k} {v:,.2f}" for k, v in search[name]["parts_p50_ms"].items())
        for name in search_shapes()
        if "parts_p50_ms" in search[name]
    ]
    if parts:
        lines += ["", "Hybrid search by part (p50 ms per query): " + "; ".join(parts) + "."]
    w, ix, ing = result["warehouse"], result["index_build"], result["ingest"]
    lines += [
        "",
        f"Build: warehouse {sum(w['counts'].values()):,} rows in {w['seconds']} s "
        f"({w['rows_per_s']:,} rows/s, {w['file_mb']} MB); feedback index {ix['records']:,} "
        f"records: Chroma {ix['chroma_s']} s for {ix.get('in_chroma', ix['records']):,} records "
        f"({ix['chroma_mb']} MB), keyword index "
        f"{ix['keyword_s']} s ({ix['keyword_mb']} MB); index opened in {search['open_s']} s. "
        f"Ingest of a helpdesk CSV: {ing['rows']:,} rows in {ing['seconds']} s "
        f"({ing['rows_per_s']:,} rows/s).",
    ]
    if "agent" in result:
        a = result["agent"]
        lines.append(
            f"Agent overhead per answer (scripted provider, demo workspace of {a['tickets']:,} "
            f"tickets, {a['answers']} answers): p50 {a['overhead_ms_p50']} ms, p90 "
            f"{a['overhead_ms_p90']} ms, of which tools {a['tools_ms_p50']} ms."
        )
    peaks = ", ".join(f"{k} {v:,.0f} MB" for k, v in result["peak_rss_mb"].items())
    lines += [f"Peak RSS by phase: {peaks}.", ""]
    return "\n".join(lines)


def _row(
    label: str,
    s: dict[str, float],
    base: dict[str, float] | None,
    ratio: float | None,
    check: str,
) -> str:
    b = f"{base['p50_ms']:,.2f}" if base else "—"
    r = f"{ratio:.2f}x" if ratio is not None else "—"
    cpu = f"{s['cpu_p50_ms']:,.2f}" if "cpu_p50_ms" in s else "—"
    return f"| {label} | {s['p50_ms']:,.2f} | {s['p95_ms']:,.2f} | {cpu} | {b} | {r} | {check} |"


def write_report(result: dict[str, Any], out: Path, stem: str = "bench_scale") -> list[Path]:
    import json

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.json", out / f"{stem}.md"]
    paths[0].write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    paths[1].write_text(report_markdown(result))
    return paths


def bench_growth(
    sizes: tuple[Size, ...] = GROWTH,
    *,
    out: Path,
    repeats: int = 10,
    chroma_max: int | None = None,
    agent_home: Path | None = None,
) -> dict[str, Any]:
    """Each size in its own process (so peak memory is its own); a table and a PNG plot.
    The largest size's report also measures the agent on ``agent_home`` (a demo workspace)."""
    import json
    import subprocess
    import sys

    out.mkdir(parents=True, exist_ok=True)
    points = []
    for size in sizes:
        stem = f"scale_{size.tickets}"
        cmd = [sys.executable, "-m", "servicelens.evals.bench_scale", "--tickets",
               str(size.tickets), "--feedback", str(size.feedback), "--out", str(out),
               "--stem", stem, "--repeats", str(repeats)]  # fmt: skip
        if chroma_max is not None:
            cmd += ["--chroma-max", str(chroma_max)]
        if agent_home is not None and size == sizes[-1]:
            cmd += ["--agent-home", str(agent_home)]
        subprocess.run(cmd, check=True)
        points.append(json.loads((out / f"{stem}.json").read_text()))
    return write_growth(points, out)


def write_growth(points: list[dict[str, Any]], out: Path) -> dict[str, Any]:
    """growth.json, growth.md and growth.png from the reports of several sizes."""
    import json

    rows = [growth_row(p) for p in sorted(points, key=lambda p: p["size"]["tickets"])]
    (out / "growth.json").write_text(json.dumps(rows, indent=2))
    (out / "growth.md").write_text(growth_markdown(rows))
    (out / "growth.png").write_bytes(growth_png(rows))
    return {"rows": rows, "files": [str(out / n) for n in ("growth.md", "growth.png")]}


def growth_row(result: dict[str, Any]) -> dict[str, Any]:
    search, ix, peaks = result["search"], result["index_build"], result["peak_rss_mb"]
    return {
        "tickets": result["size"]["tickets"],
        "feedback": result["size"]["feedback"],
        "in_chroma": ix["in_chroma"],
        "warehouse_s": result["warehouse"]["seconds"],
        "query_metric_p50_ms": result["sql"]["query_metric"]["p50_ms"],
        "handwritten_p50_ms": result["sql"]["handwritten"]["p50_ms"],
        "search_unfiltered_p50_ms": search["unfiltered"]["hybrid"]["p50_ms"],
        "search_filtered_p50_ms": search["filtered_quarter"]["hybrid"]["p50_ms"],
        "index_s": round(ix["chroma_s"] + ix["keyword_s"], 1),
        "chroma_s": ix["chroma_s"],
        "keyword_s": ix["keyword_s"],
        "rss_build_mb": max(peaks.get("build_warehouse", 0), peaks.get("build_index", 0)),
        "rss_answering_mb": max(peaks.get("query", 0), peaks.get("search", 0)),
    }


def growth_markdown(rows: list[dict[str, Any]]) -> str:
    head = (
        "| tickets | feedback | warehouse build s | query_metric p50 ms (by hand) | "
        "search p50 ms unfiltered / filtered | index build s (Chroma + keyword) | "
        "peak RSS MB building / answering |\n| --- | --- | --- | --- | --- | --- | --- |"
    )
    lines = [head]
    for r in rows:
        chroma = f" ({r['in_chroma']:,} in Chroma)" if r["in_chroma"] < r["feedback"] else ""
        lines.append(
            f"| {r['tickets']:,} | {r['feedback']:,} | {r['warehouse_s']} | "
            f"{r['query_metric_p50_ms']:.1f} ({r['handwritten_p50_ms']:.1f}) | "
            f"{r['search_unfiltered_p50_ms']:.1f} / {r['search_filtered_p50_ms']:.1f} | "
            f"{r['index_s']} ({r['chroma_s']} + {r['keyword_s']}){chroma} | "
            f"{r['rss_build_mb']:,.0f} / {r['rss_answering_mb']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def build_title(rows: list[dict[str, Any]]) -> str:
    capped = [r for r in rows if r["in_chroma"] < r["feedback"]]
    if not capped:
        return "Build time (s)"
    r = capped[-1]
    return f"Build time (s); Chroma at {r['feedback']:,}: {r['in_chroma']:,} records"


def growth_png(rows: list[dict[str, Any]]) -> bytes:
    """Four log-log panels against tickets, rendered offline by vl-convert."""
    import vl_convert as vlc

    panels = [
        ("Query p50 (ms)", {"query_metric": "query_metric_p50_ms",
                            "same SQL by hand": "handwritten_p50_ms"}),
        ("Hybrid search p50 (ms)", {"unfiltered": "search_unfiltered_p50_ms",
                                    "filtered (quarter)": "search_filtered_p50_ms"}),
        (build_title(rows), {"warehouse": "warehouse_s", "Chroma": "chroma_s",
                            "keyword index": "keyword_s"}),
        ("Peak RSS (MB)", {"building": "rss_build_mb", "answering": "rss_answering_mb"}),
    ]  # fmt: skip
    charts = []
    for title, series in panels:
        values = [
            {"tickets": r["tickets"], "series": label, "value": max(float(r[key]), 1e-3)}
            for r in rows
            for label, key in series.items()
        ]
        charts.append({
            "title": title,
            "width": 260,
            "height": 170,
            "data": {"values": values},
            "mark": {"type": "line", "point": {"filled": True, "size": 40}},
            "encoding": {
                "x": {"field": "tickets", "type": "quantitative", "scale": {"type": "log"},
                      "title": "tickets (feedback = tickets / 10)"},
                "y": {"field": "value", "type": "quantitative", "scale": {"type": "log"},
                      "title": None},
                "color": {"field": "series", "type": "nominal", "title": None,
                          "legend": {"orient": "bottom", "columns": 3}},
            },
        })  # fmt: skip
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "ServiceLens cost growth",
        "concat": charts,
        "columns": 2,
        "resolve": {"scale": {"color": "independent"}},
    }
    png: bytes = vlc.vegalite_to_png(spec, scale=1.5)
    return png


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Budgets at scale (DESIGN §9).")
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--feedback", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stem", default="bench_scale")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--chroma-max", type=int, default=None)
    parser.add_argument("--agent-home", type=Path, default=None)
    args = parser.parse_args(argv)
    result = run_scale_bench(
        Size(args.tickets, args.feedback),
        repeats=args.repeats,
        chroma_max=args.chroma_max,
        agent_home=args.agent_home,
    )
    for path in write_report(result, args.out, args.stem):
        print(path)


if __name__ == "__main__":
    main()

"""The scale report: DESIGN §9 budgets judged, Markdown, and the growth table and plot."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from .bench_scale_search import search_shapes


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
    lines += _search_lines(search)
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


def _search_lines(search: dict[str, Any]) -> list[str]:
    lines = []
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
    if "chroma_records" in search:
        lines += ["", f"Chroma holds {search['chroma_records']:,} of the {search['records']:,} "
                  f"records; the index opened in {search['open_s']} s."]  # fmt: skip
    return lines


def search_report_markdown(result: dict[str, Any]) -> str:
    """The search-only report (``bench scale-search``): hybrid search against exact brute force."""
    m, search = result["machine"], result["search"]
    lines = [
        f"# Feedback search at {search['records']:,} records",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Chroma {m['chromadb']}. "
        f"Load average {m['load_average_at_start'][0]} at start, "
        f"{m['load_average_at_end'][0]} at end (the cores are shared). {result['repeats']} timed "
        "runs per measure after a warm-up. Budget: p50 ≤ 100 ms at 1M records.",
        "",
        "| measure | p50 ms | p95 ms | CPU p50 ms | baseline p50 ms | ratio | check |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *_search_lines(search),
        "",
        f"Peak RSS: {result['peak_rss_mb']['search']:,.0f} MB.",
        "",
    ]
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
    render = report_markdown if "sql" in result else search_report_markdown
    paths[1].write_text(render(result))
    return paths


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

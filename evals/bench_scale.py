"""Budgets at scale: one report of DESIGN §9's budgets over a synthetic warehouse of any size.

``run_scale_bench`` builds a demo-shaped warehouse and a real feedback index at the requested
size (``bench_data``), then measures, each against a baseline run in the same process:

- ``query_metric`` end to end (compile, run, ledger) against the same result written by hand
  as one SQL query (``bench_scale_sql``), rows checked equal;
- the SQL guard per query and catalog compile + guard (``bench_sql``'s corpus);
- hybrid search, unfiltered and filtered, against exact brute force (every candidate vector
  scored), with recall@10 of the index's top 10 against the exact top 10;
- ingest rows/s of a helpdesk CSV (``bench_ingest``), agent overhead per answer on a demo
  workspace when one is given (``bench_agent``), and peak RSS per phase.

Medians and ratios, with the machine described (``bench_timing``); ``bench_scale_report``
judges the budgets and renders the result; ``bench_growth`` runs several sizes, each in its own
process so peak memory is its own.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..agent.settings import load_settings
from ..data.warehouse import Warehouse
from ..data.workspace import WorkspacePaths
from . import bench_data
from .bench_data import AS_OF, Size
from .bench_scale_report import budgets, write_growth, write_report
from .bench_scale_search import search_measures
from .bench_scale_sql import sql_measures
from .bench_timing import PhaseMemory, machine

SCALES: dict[str, Size] = {
    "demo": Size(60_000, 8_000),
    "1m": Size(1_000_000, 100_000),
    "10m": Size(10_000_000, 1_000_000),
}
GROWTH = (Size(10_000, 1_000), Size(100_000, 10_000), Size(1_000_000, 100_000), SCALES["10m"])


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


def run_search_bench(work: Path, *, repeats: int = 10, seed: int = 0) -> dict[str, Any]:
    """Only the search measures, on the data an earlier ``bench scale --data DIR`` kept there
    (so a change to search is measured again without rebuilding the warehouse and index)."""
    from ..data.errors import WorkspaceError
    from ..data.voc_index import read_fingerprint

    ws = WorkspacePaths(Path(work))
    fingerprint = read_fingerprint(ws)
    if fingerprint is None or fingerprint.get("generation") != "bench":
        raise WorkspaceError(
            f"{work} holds no scale-bench data; build it with "
            "`servicelens bench scale --data DIR` first."
        )
    result: dict[str, Any] = {"machine": machine(), "repeats": repeats}
    with PhaseMemory() as memory, memory.phase("search"):
        result["search"] = search_measures(ws, repeats, seed)
    result["size"] = {"feedback": result["search"]["records"]}
    result["peak_rss_mb"] = {"search": memory.peaks["search"]}
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


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

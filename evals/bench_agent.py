"""Agent overhead per answer: everything except model time, with the scripted provider.

Each answer runs the real graph over a real workspace: a metric comparison and a VOC search in
one tool turn, a text turn, a written answer citing both, verification, and SQLite
checkpointing (in a temporary file, so the workspace is left untouched). The scripted model
answers instantly, so nearly all of the time measured is ours; the model time it does take is
subtracted anyway (``Answer.timings.overhead_ms``).
"""

from __future__ import annotations

import re
import sqlite3
import statistics
import tempfile
from pathlib import Path
from typing import Any

from ..agent.analyst import Analyst
from ..agent.providers.base import ModelTurn
from ..agent.providers.scripted import ScriptedProvider
from ..agent.settings import load_settings

QUESTION = "How did SLA attainment by region change last quarter, and what do customers say?"
BUDGET_MS = 150.0  # DESIGN §9
WARMUP = 2
_IDS = re.compile(r"\[((?:Q\d+)|(?:V:[\w.\-]+))\]")


def run_agent_bench(home: str | Path, *, repeats: int = 20) -> dict[str, Any]:
    """Median and p90 of the agent overhead per answer over ``repeats`` answers, after warm-up."""
    n = repeats
    from langgraph.checkpoint.sqlite import SqliteSaver

    settings = load_settings(home)
    provider = ScriptedProvider(_script() * (n + WARMUP))
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(str(Path(tmp) / "checkpoints.sqlite"), check_same_thread=False)
        try:
            with Analyst.open(
                settings=settings, provider=provider, checkpointer=SqliteSaver(conn)
            ) as analyst:
                answers = [analyst.ask(QUESTION) for _ in range(n + WARMUP)][WARMUP:]
        finally:
            conn.close()
    provider.assert_done()
    overhead = [a.timings.overhead_ms for a in answers]
    tools = [a.timings.tools_ms for a in answers]
    return {
        "answers": n,
        "overhead_ms_p50": round(statistics.median(overhead), 2),
        "overhead_ms_p90": round(_p90(overhead), 2),
        "tools_ms_p50": round(statistics.median(tools), 2),
        "graph_ms_p50": round(
            statistics.median(o - t for o, t in zip(overhead, tools, strict=True)), 2
        ),
        "model_ms_p50": round(statistics.median(a.timings.model_ms for a in answers), 2),
        "budget_ms": BUDGET_MS,
        "within_budget": statistics.median(overhead) <= BUDGET_MS,
        "statuses": sorted({a.status for a in answers}),
        "verified": sum(a.verified for a in answers),
    }


def _script() -> list[Any]:
    gather = ScriptedProvider.tools(
        (
            "query_metric",
            {"metrics": ["sla_attainment"], "group_by": ["region"], "period": "last quarter",
             "compare": "previous"},
        ),
        ("search_voc", {"query": "installation delay", "period": "last quarter"}),
    )  # fmt: skip
    return [gather, "Gathered the comparison and the quotes.", _write]


def _write(messages: list[dict[str, Any]]) -> ModelTurn:
    # Cite whatever ids the tools produced; no numbers, so the verifier has nothing to reject.
    ids = list(dict.fromkeys(_IDS.findall(str(messages[0].get("content")))))
    cites = "".join(f"[{i}]" for i in ids[:3])
    return ScriptedProvider.text(
        f"SLA attainment by region for the quarter is compared with the quarter before {cites}. "
        "Recommended: review the regions that fell."
    )


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]

"""Scripted conversations on the demo workspace for the REPL tests (in-process and in tmux).

The writer steps read the tool result the graph sent to the model and quote its numbers, so
the verifier passes the answer the way it would pass a good model's.
"""

from __future__ import annotations

import json
from typing import Any

QUESTION = "How did SLA attainment change by region last quarter?"
SLA_BY_REGION = {
    "metrics": ["sla_attainment"],
    "group_by": ["region"],
    "period": "last quarter",
    "compare": "previous",
}
EAST_MONTHLY = {
    "metrics": ["ticket_count"],
    "group_by": ["month"],
    "filters": {"region": ["East"]},
    "period": "last quarter",
}


def last_tool_result(messages: list[dict[str, Any]]) -> dict[str, Any]:
    content = [m for m in messages if m.get("role") == "tool"][-1]["content"]
    result: dict[str, Any] = json.loads(content)
    return result


def sla_answer(messages: list[dict[str, Any]]) -> str:
    """A cited Markdown answer built from the query_metric result the writer was sent."""
    result = last_tool_result(messages)
    cols, ev_id = result["columns"], result["id"]
    rows = [dict(zip(cols, row, strict=True)) for row in result["rows"]]
    worst = min(rows, key=lambda r: r["sla_attainment_delta"])
    # Plain numbers: the verifier does not yet treat a "%" metric column as a percentage.
    table = ["| Region | 2026-Q3 | 2026-Q2 |", "|---|---|---|"]
    table += [
        f"| {r['region']} | {r['sla_attainment']} | {r['sla_attainment_prev']} |" for r in rows
    ]
    return "\n".join(
        [
            f"SLA attainment fell most in **{worst['region']}**: {worst['sla_attainment']} in "
            f"2026-Q3 against {worst['sla_attainment_prev']} in 2026-Q2 [{ev_id}].",
            "",
            *table,
            "",
            "Recommended actions:",
            "",
            f"- Review dispatch and parts availability in {worst['region']}.",
            "- Track SLA attainment weekly until it recovers.",
        ]
    )

"""Recommended actions for metric answers: the lever that fits the metric, aimed at a group.

An action names the group the data points at and the metric, and cites the figures that make
the case ("Add installation capacity in East, where the on-time rate went from 95.8% to 48.6%
[Q1]"), so it is specific to both the playbook and the data, and the verifier checks its numbers.
"""

from __future__ import annotations

from typing import Any

from .narrative import Writer
from .playbooks import direction

# The lever phrase used for each metric (``act.lever.<key>`` in offline_narrative.yaml).
_LEVERS = {
    "ticket_count": "volume",
    "installation_on_time_rate": "install",
    "sla_attainment": "sla",
    "first_time_fix_rate": "fix",
    "repeat_visit_rate": "fix",
    "reopen_rate": "fix",
    "first_response_hours": "response",
    "first_response_sla_miss_rate": "response",
    "avg_resolution_hours": "resolution",
    "median_resolution_hours": "resolution",
    "parts_wait_days_avg": "parts",
    "cost_per_ticket": "cost",
    "total_cost": "cost",
    "csat_avg": "csat",
    "csat_top2_share": "csat",
    "nps": "csat",
    "ces_avg": "csat",
    "remote_resolution_share": "remote",
    "service_revenue": "revenue",
    "contract_value": "revenue",
    "contract_renewal_rate": "revenue",
    "contract_count": "revenue",
}


def lever_action(
    w: Writer, metric: str, name: str, row: dict[str, Any], ref: str, *, with_prev: bool = True
) -> str:
    """The metric's lever for ``name``, with the figures that justify it."""
    kind = _LEVERS.get(metric, "look" if direction(w, metric) == "neutral" else "default")
    lever = w.say(f"act.lever.{kind}", name=name)
    prev = row.get(f"{metric}_prev")
    if with_prev and prev is not None:
        return w.say(
            "act.moved",
            lever=lever,
            metric=w.metric(metric),
            prev=w.value(metric, prev),
            cur=w.value(metric, row.get(metric)),
            ref=ref,
        )
    return w.say(
        "act.level",
        lever=lever,
        metric=w.metric(metric),
        cur=w.value(metric, row.get(metric)),
        ref=ref,
    )


def learn_action(
    w: Writer, metric: str, dim: str, weak: str, strong: dict[str, Any], ref: str
) -> str:
    """Learn from the strongest group: it shows the level is reachable."""
    return w.say(
        "act.learn",
        weak=weak,
        strong=w.label(dim, strong[dim]),
        metric=w.metric(metric),
        value=w.value(metric, strong.get(metric)),
        ref=ref,
    )

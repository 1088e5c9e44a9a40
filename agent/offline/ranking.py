"""Rankings ("which region is worst on X") and breakdowns ("X by channel").

A ranking that also asks how the figures moved ("…and how did it change?", "变化") and every
breakdown bring the previous period and are written by ``grouped``; a plain ranking lists the
groups for one period, worst (or best) first.
"""

from __future__ import annotations

from typing import Any

from .grouped import DEFAULT_PERIOD, grouped_calls, write_grouped
from .metric_actions import learn_action, lever_action
from .narrative import Writer
from .playbooks import (
    Call,
    Playbook,
    dim_name,
    direction,
    failed,
    fmt_row,
    metric_or,
    metric_query,
    n_of,
    phrase,
    solid,
    table,
)
from .transcript import Results
from .understand import Intent


def _rank_stage(intent: Intent, results: Results) -> dict[str, Call]:
    dim = intent.group_by or "region"
    metric = metric_or(intent, "first_time_fix_rate")
    if intent.compare:
        return grouped_calls(intent, metric, dim)
    filters = {k: v for k, v in intent.filters.items() if k != dim}
    return {
        "rank": metric_query(
            [metric], filters=filters, group_by=[dim], period=phrase(intent, DEFAULT_PERIOD)
        )
    }


def _write_rank(intent: Intent, results: Results, w: Writer) -> None:
    if "groups" in results:
        write_grouped(intent, results, w)
        return
    res = results.get("rank")
    if failed(w, res) or res is None:
        return
    dim = res.columns[0]
    metric = next(iter(res.content["units"]))  # type: ignore[index]
    rows = [r for r in res.records() if r.get(metric) is not None]
    pool = solid(w, metric, rows)
    ordered = _ordered(w, metric, pool, worst_first=intent.order != "best")
    top, other = ordered[0], ordered[-1]
    period = res.content["period"]  # type: ignore[index]
    w.lead.append(
        w.say(
            "rank.lead_" + ("best" if intent.order == "best" else "worst"),
            metric=w.metric(metric),
            dim=dim_name(w, dim),
            period=period["label"],
            name=w.label(dim, top[dim]),
            value=w.value(metric, top[metric]),
            other=w.label(dim, other[dim]),
            other_value=w.value(metric, other[metric]),
            ref=res.id,
        )
    )
    shown = _ordered(w, metric, rows, worst_first=intent.order != "best")
    body = [
        fmt_row([w.label(dim, r[dim]), w.value(metric, r[metric]), n_of(w, metric, r) or ""])
        for r in shown
    ]
    headers = [dim_name(w, dim), w.metric(metric), w.say("table.n")]
    w.body += table(w, headers, body, res.id)
    if len(pool) < len(rows):
        w.coverage.append(w.say("rank.solid"))
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))
    by_worst = _ordered(w, metric, pool, worst_first=True)
    worst, best = by_worst[0], by_worst[-1]
    name = w.label(dim, worst[dim])
    w.actions.append(lever_action(w, metric, name, worst, res.id, with_prev=False))
    if best[dim] != worst[dim] and direction(w, metric) != "neutral":
        w.actions.append(learn_action(w, metric, dim, name, best, res.id))


def _ordered(w: Writer, metric: str, rows: list[Any], worst_first: bool) -> list[Any]:
    high_first = direction(w, metric) in ("lower_is_better", "neutral")
    ordered = sorted(rows, key=lambda r: r[metric], reverse=high_first)
    return ordered if worst_first else ordered[::-1]


RANKING = Playbook("ranking", (_rank_stage,), _write_rank)


def _breakdown_stage(intent: Intent, results: Results) -> dict[str, Call]:
    return grouped_calls(intent, metric_or(intent, "ticket_count"), intent.group_by or "region")


BREAKDOWN = Playbook("breakdown", (_breakdown_stage,), write_grouped)

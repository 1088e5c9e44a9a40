"""Remote vs onsite resolution: what a remotely resolved repair saves, and at what CSAT."""

from __future__ import annotations

from .narrative import Writer
from .playbooks import (
    Call,
    Needs,
    Playbook,
    failed,
    metric_query,
    period_or_all,
    where_sql,
)
from .transcript import Results
from .understand import Intent

SAVING_SQL = (
    "SELECT ROUND(100 * (1 - AVG(cost) FILTER (WHERE remote_resolved) / "
    "AVG(cost) FILTER (WHERE NOT remote_resolved)), 1) AS remote_cost_saving_pct, "
    "COUNT(*) FILTER (WHERE remote_resolved) AS remote_repairs, "
    "COUNT(*) FILTER (WHERE NOT remote_resolved) AS onsite_repairs "
    "FROM tickets WHERE type = 'repair'{where}"
)


def _remote_stage(intent: Intent, results: Results) -> dict[str, Call]:
    return {
        "remote": metric_query(
            ["cost_per_ticket", "csat_avg"],
            filters={"type": "repair"},
            group_by=["remote"],
            period=period_or_all(intent),
        ),
        "saving": (
            "run_sql",
            {
                "sql": SAVING_SQL.format(where=where_sql(intent, "opened_at")),
                "purpose": "How much less a remotely resolved repair costs",
            },
        ),
    }


def _write_remote(intent: Intent, results: Results, w: Writer) -> None:
    res, saving = results.get("remote"), results.get("saving")
    if failed(w, res, saving) or res is None or saving is None:
        return
    by = {bool(r["remote"]): r for r in res.records() if r["remote"] is not None}
    remote, onsite = by.get(True), by.get(False)
    if remote is None or onsite is None:
        failed(w, None)
        return
    s = saving.records()[0]
    w.lead.append(w.say("remote.lead", pct=w.pct(s["remote_cost_saving_pct"]), ref=saving.id))
    w.evidence.append(
        w.say(
            "remote.cost",
            remote=w.value("cost_per_ticket", remote["cost_per_ticket"]),
            onsite=w.value("cost_per_ticket", onsite["cost_per_ticket"]),
            ref=res.id,
        )
    )
    better = (remote["csat_avg"] or 0) >= (onsite["csat_avg"] or 0)
    w.evidence.append(
        w.say(
            "remote.csat_ok" if better else "remote.csat_worse",
            remote=remote["csat_avg"],
            onsite=onsite["csat_avg"],
            ref=res.id,
        )
    )
    w.coverage.append(
        w.say("remote.n", remote=s["remote_repairs"], onsite=s["onsite_repairs"], ref=saving.id)
    )
    w.actions += [
        w.say(
            "remote.action1",
            remote=w.value("cost_per_ticket", remote["cost_per_ticket"]),
            onsite=w.value("cost_per_ticket", onsite["cost_per_ticket"]),
            ref=res.id,
        ),
        w.say("remote.action2"),
    ]


# The repair costs and CSAT of remotely and onsite resolved repairs, and its own SQL.
NEEDS = Needs(
    metrics=("cost_per_ticket", "csat_avg"),
    dimensions=("remote", "type"),
    columns=("tickets.cost", "tickets.remote_resolved", "tickets.type", "tickets.opened_at"),
)
REMOTE = Playbook("remote_vs_onsite", (_remote_stage,), _write_remote, NEEDS)

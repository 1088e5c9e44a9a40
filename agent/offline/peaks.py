"""The peak-times playbook: when inquiries pile up, and when first responses run late."""

from __future__ import annotations

from .narrative import Writer
from .playbooks import (
    Call,
    Needs,
    Playbook,
    day_label,
    failed,
    metric_query,
    period_or_all,
    where_sql,
)
from .transcript import Results
from .understand import Intent

_LATE_SQL = (
    "SELECT isodow(opened_at) || '-' || strftime(opened_at, '%a') AS weekday, "
    "hour(opened_at) AS hour, COUNT(*) AS inq_n, "
    "COUNT(*) FILTER (WHERE date_diff('second', opened_at, first_response_at) > 3600) "
    "AS slow_n FROM tickets WHERE type = 'inquiry'{where} "
    "GROUP BY 1, 2 ORDER BY slow_n DESC, inq_n DESC LIMIT 8"
)


def _peak_stage(intent: Intent, results: Results) -> dict[str, Call]:
    filters = {"type": "inquiry", **{k: v for k, v in intent.filters.items() if k != "type"}}
    return {
        "peak": metric_query(
            ["ticket_count"],
            filters=filters,
            group_by=["weekday", "hour"],
            period=period_or_all(intent),
            order_by="-ticket_count",
            limit=8,
        ),
        "late": (
            "run_sql",
            {
                "sql": _LATE_SQL.format(where=where_sql(intent, "opened_at")),
                "purpose": "Inquiries and first responses later than 1 hour by weekday and hour",
            },
        ),
    }


def _write_peaks(intent: Intent, results: Results, w: Writer) -> None:
    peak, late = results.get("peak"), results.get("late")
    if failed(w, peak) or peak is None:
        return
    top = peak.records()[0]
    w.lead.append(
        w.say(
            "peak.lead",
            day=day_label(w, top["weekday"]),
            hour=top["hour"],
            n=top["ticket_count"],
            ref=peak.id,
        )
    )
    cells = [
        f"{day_label(w, r['weekday'])} {r['hour']}:00 ({r['ticket_count']})"
        for r in peak.records()[1:5]
    ]
    w.evidence.append(w.say("peak.next", cells=", ".join(cells), ref=peak.id))
    if late is not None and late.ok and late.rows:
        worst = late.records()[0]
        w.evidence.append(
            w.say(
                "peak.late",
                day=day_label(w, worst["weekday"]),
                hour=worst["hour"],
                late=worst["slow_n"],
                n=worst["inq_n"],
                ref=late.id,
            )
        )
    period = peak.content.get("period") if peak.content else None
    w.coverage.append(
        w.say(
            "coverage.rows",
            period=w.period(period if isinstance(period, dict) else None),
            ref=peak.id,
        )
    )
    same_day = [r for r in peak.records()[:4] if r["weekday"] == top["weekday"]]
    slots = ", ".join(f"{r['hour']}:00" for r in sorted(same_day, key=lambda r: r["hour"]))
    w.actions += [
        w.say("peak.action1", day=day_label(w, top["weekday"]), slots=slots, ref=peak.id),
        w.say("peak.action2"),
    ]


NEEDS = Needs(
    metrics=("ticket_count",),
    dimensions=("weekday", "hour", "type"),
    columns=("tickets.opened_at", "tickets.first_response_at", "tickets.type"),
)
PEAKS = Playbook("peak_times", (_peak_stage,), _write_peaks, NEEDS)

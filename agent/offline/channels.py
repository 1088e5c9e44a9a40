"""The channel comparison: response time, first-time fix and CSAT per contact channel."""

from __future__ import annotations

from .narrative import Writer
from .playbooks import (
    Call,
    Needs,
    Playbook,
    failed,
    metric_query,
    period_or_all,
    table,
)
from .transcript import Results
from .understand import Intent

_CHANNEL_METRICS = ["first_response_hours", "first_time_fix_rate", "csat_avg"]


def _channel_stage(intent: Intent, results: Results) -> dict[str, Call]:
    filters = {k: v for k, v in intent.filters.items() if k != "channel"}
    return {
        "channels": metric_query(
            _CHANNEL_METRICS, filters=filters, group_by=["channel"], period=period_or_all(intent)
        )
    }


def _write_channels(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("channels")
    if failed(w, res) or res is None:
        return
    rows = [r for r in res.records() if r.get("csat_avg") is not None]
    least_fix = min(rows, key=lambda r: r["first_time_fix_rate"] or 1e9)
    best = max(rows, key=lambda r: r["csat_avg"])
    worst = min(rows, key=lambda r: r["csat_avg"])
    lab = lambda r: w.label("channel", r["channel"])  # noqa: E731
    w.lead.append(
        w.say(
            "chan.lead",
            best=_capital(lab(best)),
            best_csat=best["csat_avg"],
            worst=lab(worst),
            worst_csat=worst["csat_avg"],
            ref=res.id,
        )
    )
    quickest = min(r["first_response_hours"] or 1e9 for r in rows)
    fastest = [lab(r) for r in rows if r["first_response_hours"] == quickest]
    w.evidence.append(
        w.say(
            "chan.fast" if len(fastest) == 1 else "chan.fast_many",
            name=_capital(_join(w, fastest)),
            hours=w.value("first_response_hours", quickest),
            ref=res.id,
        )
    )
    w.evidence.append(
        w.say(
            "chan.fix",
            name=_capital(lab(least_fix)),
            ftf=w.value("first_time_fix_rate", least_fix["first_time_fix_rate"]),
            ref=res.id,
        )
    )
    body = [
        [
            lab(r),
            w.value("first_response_hours", r["first_response_hours"]),
            w.value("first_time_fix_rate", r["first_time_fix_rate"]),
            str(r["csat_avg"]),
        ]
        for r in rows
    ]
    headers = [w.say("table.channel")] + [w.metric(m) for m in _CHANNEL_METRICS]
    w.body += table(w, headers, body, res.id)
    period = res.content.get("period") if res.content else None
    w.coverage.append(
        w.say(
            "coverage.rows",
            period=w.period(period if isinstance(period, dict) else None),
            ref=res.id,
        )
    )
    w.actions += [
        w.say(
            "chan.action1",
            name=lab(least_fix),
            ftf=w.value("first_time_fix_rate", least_fix["first_time_fix_rate"]),
            ref=res.id,
        ),
        w.say(
            "chan.action2",
            name=lab(worst),
            csat=worst["csat_avg"],
            best=lab(best),
            best_csat=best["csat_avg"],
            ref=res.id,
        ),
    ]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(w: Writer, names: list[str]) -> str:
    if w.lang == "zh":
        return "、".join(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


NEEDS = Needs(
    metrics=("csat_avg", "first_response_hours", "first_time_fix_rate"), dimensions=("channel",)
)
CHANNELS = Playbook("channel_comparison", (_channel_stage,), _write_channels, NEEDS)

"""Operations playbooks: peak times, channels, remote vs onsite, key accounts, what changed."""

from __future__ import annotations

from typing import Any

from .narrative import Writer
from .playbooks import Call, Playbook, failed, metric_query, phrase, table
from .transcript import Results
from .understand import Intent

MAIN_METRICS = [
    "ticket_count",
    "sla_attainment",
    "first_time_fix_rate",
    "first_response_hours",
    "avg_resolution_hours",
    "csat_avg",
    "cost_per_ticket",
    "repeat_visit_rate",
]


def _period_or_all(intent: Intent) -> str | None:
    return intent.period.phrase if intent.period else None


def _where_sql(intent: Intent, column: str) -> str:
    if not intent.period:
        return ""
    p = intent.period
    return (
        f" AND {column} >= DATE '{p.start.isoformat()}' AND {column} < DATE '{p.end.isoformat()}'"
    )


def _day(w: Writer, weekday: Any) -> str:
    text = str(weekday)
    return w.label("weekday", text) if w.lang == "zh" else text.split("-")[-1]


# --- Peak times -----------------------------------------------------------------------------

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
            period=_period_or_all(intent),
            order_by="-ticket_count",
            limit=8,
        ),
        "late": (
            "run_sql",
            {
                "sql": _LATE_SQL.format(where=_where_sql(intent, "opened_at")),
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
            day=_day(w, top["weekday"]),
            hour=top["hour"],
            n=top["ticket_count"],
            ref=peak.id,
        )
    )
    cells = [
        f"{_day(w, r['weekday'])} {r['hour']}:00 ({r['ticket_count']})" for r in peak.records()[1:5]
    ]
    w.evidence.append(w.say("peak.next", cells=", ".join(cells), ref=peak.id))
    if late is not None and late.ok and late.rows:
        worst = late.records()[0]
        w.evidence.append(
            w.say(
                "peak.late",
                day=_day(w, worst["weekday"]),
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
    w.actions += [w.say("peak.action1", day=_day(w, top["weekday"])), w.say("peak.action2")]


PEAKS = Playbook("peak_times", (_peak_stage,), _write_peaks)


# --- Channel comparison ---------------------------------------------------------------------

_CHANNEL_METRICS = ["first_response_hours", "first_time_fix_rate", "csat_avg"]


def _channel_stage(intent: Intent, results: Results) -> dict[str, Call]:
    filters = {k: v for k, v in intent.filters.items() if k != "channel"}
    return {
        "channels": metric_query(
            _CHANNEL_METRICS, filters=filters, group_by=["channel"], period=_period_or_all(intent)
        )
    }


def _write_channels(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("channels")
    if failed(w, res) or res is None:
        return
    rows = [r for r in res.records() if r.get("csat_avg") is not None]
    fastest = min(rows, key=lambda r: r["first_response_hours"] or 1e9)
    least_fix = min(rows, key=lambda r: r["first_time_fix_rate"] or 1e9)
    best = max(rows, key=lambda r: r["csat_avg"])
    worst = min(rows, key=lambda r: r["csat_avg"])
    lab = lambda r: w.label("channel", r["channel"])  # noqa: E731
    w.lead.append(
        w.say(
            "chan.lead",
            best=lab(best),
            best_csat=best["csat_avg"],
            worst=lab(worst),
            worst_csat=worst["csat_avg"],
            ref=res.id,
        )
    )
    w.evidence.append(
        w.say(
            "chan.fast",
            name=lab(fastest),
            hours=w.value("first_response_hours", fastest["first_response_hours"]),
            ref=res.id,
        )
    )
    w.evidence.append(
        w.say(
            "chan.fix",
            name=lab(least_fix),
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
        w.say("chan.action1", name=lab(least_fix)),
        w.say("chan.action2", name=lab(worst)),
    ]


CHANNELS = Playbook("channel_comparison", (_channel_stage,), _write_channels)


# --- Remote vs onsite -----------------------------------------------------------------------

_SAVING_SQL = (
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
            period=_period_or_all(intent),
        ),
        "saving": (
            "run_sql",
            {
                "sql": _SAVING_SQL.format(where=_where_sql(intent, "opened_at")),
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
    w.actions += [w.say("remote.action1"), w.say("remote.action2")]


REMOTE = Playbook("remote_vs_onsite", (_remote_stage,), _write_remote)


# --- Key-account health ---------------------------------------------------------------------


def _ka_stage(intent: Intent, results: Results) -> dict[str, Call]:
    period = phrase(intent, "last quarter")
    return {
        "ka": metric_query(
            ["service_revenue", "csat_avg"],
            group_by=["segment"],
            period=period,
            compare="previous",
            order_by="-service_revenue",
        ),
        "ka_voc": (
            "voc_themes",
            {"period": period, "segment": "key account", "top": 3, "quotes_per_theme": 1},
        ),
    }


def _write_ka(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("ka")
    if failed(w, res) or res is None:
        return
    rows = {r["segment"]: r for r in res.records()}
    ka = rows.get("key account")
    if ka is None:
        failed(w, None)
        return
    top = max(rows.values(), key=lambda r: r["service_revenue"] or 0)
    w.lead.append(
        w.say(
            "ka.lead",
            revenue=w.value("service_revenue", ka["service_revenue"]),
            csat=ka["csat_avg"],
            prev=ka["csat_avg_prev"],
            delta=w.change("csat_avg", ka["csat_avg_delta"]),
            ref=res.id,
        )
    )
    if top is ka:
        w.evidence.append(w.say("ka.top", ref=res.id))
    others = [r for r in rows.values() if r is not ka]
    for r in others:
        w.evidence.append(
            w.say(
                "ka.other",
                name=w.label("segment", r["segment"]),
                csat=r["csat_avg"],
                delta=w.change("csat_avg", r["csat_avg_delta"]),
                ref=res.id,
            )
        )
    _ka_themes(results, w)
    w.coverage.append(
        w.say(
            "coverage.n",
            n=ka["n_surveys"],
            n_prev=ka["n_surveys_prev"],
            period=w.period(res.content["period"]),  # type: ignore[index]
            prev_period=w.period(res.content.get("comparison_period")),  # type: ignore[union-attr]
            ref=res.id,
        )
    )
    if w.small(ka["n_surveys"]) or w.small(ka["n_surveys_prev"]):
        w.coverage.append(w.say("coverage.small"))
    w.actions += [w.say("ka.action1"), w.say("ka.action2")]


def _ka_themes(results: Results, w: Writer) -> None:
    voc = results.get("ka_voc")
    if voc is None or not voc.ok or not voc.content:
        return
    themes = [t for t in voc.content.get("themes", []) if t.get("count")]
    if not themes:
        return
    t = themes[0]
    name = t["theme_name_zh"] if w.lang == "zh" else t["theme_name"]
    w.evidence.append(w.say("ka.theme", theme=name, count=t["count"], ref=voc.id))
    quote = (t.get("quotes") or [None])[0]
    if quote:
        text = quote["customer_text"]
        limit = 70 if any("\u4e00" <= ch <= "\u9fff" for ch in text) else 160
        w.evidence.append(w.say("quote", text=short_quote(text, limit), ref=quote["id"]))


def short_quote(text: str, limit: int = 120) -> str:
    """A verbatim excerpt: the text up to ``limit`` characters, cut with "…" when longer."""
    text = " ".join(text.replace("“", "").replace("”", "").split())
    if len(text) <= limit:
        return text.rstrip("…")
    return text[:limit].rstrip() + "…"


KEY_ACCOUNTS = Playbook("key_account_health", (_ka_stage,), _write_ka)


# --- What changed ---------------------------------------------------------------------------


def changed_phrase(intent: Intent) -> str:
    p = intent.period
    if p is None:
        return "last month"
    if p.to_date and p.days < 7 and p.kind in ("month", "quarter", "year", "week"):
        return f"last {p.kind}"
    return p.phrase


def _changed_stage(intent: Intent, results: Results) -> dict[str, Call]:
    period = changed_phrase(intent)
    return {
        "moves": metric_query(
            MAIN_METRICS, filters=intent.filters, period=period, compare="previous"
        ),
        "new_themes": ("voc_themes", {"period": period, "top": 12, "quotes_per_theme": 0}),
    }


def _write_changed(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("moves")
    if failed(w, res) or res is None or w.catalog is None:
        return
    row = res.records()[0]
    period = res.content["period"]  # type: ignore[index]
    if changed_phrase(intent) != (intent.period.phrase if intent.period else ""):
        w.lead.append(w.say("changed.period", period=w.period(period)))
    moves = [m for m in MAIN_METRICS if row.get(f"{m}_pct_change") is not None]
    moves.sort(key=lambda m: -abs(row[f"{m}_pct_change"]))
    for m in moves[:3]:
        w.evidence.append(
            w.say(
                "changed.move",
                metric=w.metric(m),
                cur=w.value(m, row[m]),
                prev=w.value(m, row[f"{m}_prev"]),
                delta=w.change(m, row[f"{m}_delta"]),
                pct=w.pct_change(row[f"{m}_pct_change"]),
                ref=res.id,
            )
        )
    if moves:
        w.lead.append(
            w.say(
                "changed.lead",
                metric=w.metric(moves[0]),
                pct=w.pct_change(row[f"{moves[0]}_pct_change"]),
                ref=res.id,
            )
        )
    _emerging(results, w)
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))
    w.actions += [w.say("changed.action1"), w.say("changed.action2")]


def _emerging(results: Results, w: Writer) -> None:
    voc = results.get("new_themes")
    if voc is None or not voc.ok or not voc.content:
        return
    rising = [
        t
        for t in voc.content.get("themes", [])
        if (t.get("change_pp") or 0) > 0 and t.get("theme") != "other"
    ]
    rising.sort(key=lambda t: -t["change_pp"])
    for t in rising[:2]:
        name = t["theme_name_zh"] if w.lang == "zh" else t["theme_name"]
        w.evidence.append(
            w.say(
                "changed.theme",
                theme=name,
                count=t["count"],
                share=w.pct(t["share_pct"]),
                pp=w.pp(t["change_pp"]),
                ref=voc.id,
            )
        )


WHAT_CHANGED = Playbook("what_changed", (_changed_stage,), _write_changed)

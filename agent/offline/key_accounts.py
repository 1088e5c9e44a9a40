"""Key-account health: revenue, CSAT now vs before, and what key accounts complain about."""

from __future__ import annotations

from .narrative import Writer
from .playbooks import (
    Call,
    Needs,
    Playbook,
    failed,
    metric_query,
    phrase,
)
from .transcript import Results
from .understand import Intent
from .voc_common import short_quote


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
            {
                "period": period,
                "segment": "key account",
                "sentiment": "negative",
                "top": 3,
                "quotes_per_theme": 1,
            },
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
    fell = (ka.get("csat_avg_delta") or 0) < 0
    w.actions += [
        w.say(
            "ka.action1" if fell else "ka.action1_held",
            prev=ka["csat_avg_prev"],
            csat=ka["csat_avg"],
            ref=res.id,
        ),
        w.say("ka.action2"),
    ]


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


NEEDS = Needs(metrics=("service_revenue", "csat_avg"), dimensions=("segment",))
KEY_ACCOUNTS = Playbook("key_account_health", (_ka_stage,), _write_ka, NEEDS)

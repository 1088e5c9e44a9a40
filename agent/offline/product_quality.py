"""The product-quality drill-down: a model's first-time fix and repeat visits against its peers."""

from __future__ import annotations

from .narrative import Writer
from .playbooks import (
    Call,
    Needs,
    Playbook,
    failed,
    fmt_row,
    metric_query,
    phrase,
    table,
)
from .transcript import Result, Results
from .understand import Intent
from .voc_common import quote_lines, theme_name

_QUALITY = ["first_time_fix_rate", "repeat_visit_rate"]


def _find_model(intent: Intent, results: Results) -> dict[str, Call]:
    if intent.slots.model:
        return {}
    return {
        "models": metric_query(
            ["first_time_fix_rate"],
            group_by=["model"],
            period=phrase(intent, "last 6 months"),
            order_by="first_time_fix_rate",
            limit=30,
        )
    }


def model_of(intent: Intent, results: Results) -> str | None:
    if intent.slots.model:
        return intent.slots.model
    found = results.get("models")
    rows = [r for r in found.records() if (r.get("n_tickets") or 0) >= 20] if found else []
    return str(rows[0]["model"]) if rows else None


def _quality_stage(intent: Intent, results: Results) -> dict[str, Call]:
    model = model_of(intent, results)
    if model is None:
        return {}
    period = phrase(intent, "last 6 months")
    return {
        "model": metric_query(
            _QUALITY, filters={"model": model}, group_by=["product_line"], period=period
        ),
        "model_voc": (
            "voc_themes",
            {"period": period, "model": model, "top": 3, "quotes_per_theme": 1},
        ),
    }


def _peer_stage(intent: Intent, results: Results) -> dict[str, Call]:
    mine = results.get("model")
    if mine is None or not mine.ok or not mine.rows:
        return {}
    line = mine.records()[0]["product_line"]
    return {
        "peers": metric_query(
            _QUALITY,
            filters={"product_line": line},
            group_by=["model"],
            period=phrase(intent, "last 6 months"),
            order_by="-first_time_fix_rate",
        )
    }


def _write_quality(intent: Intent, results: Results, w: Writer) -> None:
    mine, peers = results.get("model"), results.get("peers")
    model = model_of(intent, results)
    if failed(w, mine, peers) or mine is None or peers is None or model is None:
        return
    me = mine.records()[0]
    others = [r for r in peers.records() if r["model"] != model and r["first_time_fix_rate"]]
    best = others[0] if others else None
    w.lead.append(
        w.say(
            "quality.lead",
            model=model,
            ftf=w.pct(me["first_time_fix_rate"]),
            repeat=w.pct(me["repeat_visit_rate"]),
            ref=mine.id,
        )
    )
    if best:
        w.evidence.append(
            w.say(
                "quality.peer",
                name=best["model"],
                ftf=w.pct(best["first_time_fix_rate"]),
                repeat=w.pct(best["repeat_visit_rate"]),
                ref=peers.id,
            )
        )
    body = [
        fmt_row(
            [
                r["model"],
                w.pct(r["first_time_fix_rate"]),
                w.pct(r["repeat_visit_rate"]),
                r["n_tickets"],
            ]
        )
        for r in peers.records()
    ]
    w.body += table(
        w,
        [w.say("table.model"), w.metric(_QUALITY[0]), w.metric(_QUALITY[1]), w.say("table.n")],
        body,
        peers.id,
    )
    _quality_voice(results.get("model_voc"), w)
    w.coverage.append(w.say("coverage.n1", n=me["n_tickets"], ref=mine.id))
    if w.small(me["n_tickets"]):
        w.coverage.append(w.say("coverage.small"))
    w.actions += [w.say("quality.action1", model=model), w.say("quality.action2", model=model)]


def _quality_voice(voc: Result | None, w: Writer) -> None:
    if voc is None or not voc.ok or not voc.content:
        return
    themes = [t for t in voc.content.get("themes", []) if t.get("count") and t["theme"] != "other"]
    if not themes:
        return
    t = themes[0]
    w.evidence.append(
        w.say(
            "quality.theme",
            theme=theme_name(w, t),
            count=t["count"],
            share=w.pct(t["share_pct"]),
            ref=voc.id,
        )
    )
    w.evidence += quote_lines(w, t.get("quotes", []), 2)


NEEDS = Needs(metrics=tuple(_QUALITY), dimensions=("model", "product_line"))
PRODUCT_QUALITY = Playbook(
    "product_quality", (_find_model, _quality_stage, _peer_stage), _write_quality, NEEDS
)

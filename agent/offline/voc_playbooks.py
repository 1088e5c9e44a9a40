"""Customer-voice playbooks: top themes, evidence for a theme, influencers, product quality."""

from __future__ import annotations

import re
from typing import Any

from .narrative import Writer
from .ops_playbooks import short_quote
from .playbooks import Call, Playbook, failed, fmt_row, metric_query, phrase, table
from .transcript import Result, Results
from .understand import Intent

_NEGATIVE = re.compile(r"(?i)complain|problem|issue|negative|投诉|抱怨|问题|不满|差评")
_COUNT_WORDS = {
    "en": ["no", "one", "two", "three", "four", "five", "six", "seven", "eight"],
    "zh": ["零", "一", "两", "三", "四", "五", "六", "七", "八"],
}
_VOC_FILTERS = ("region", "product_line", "segment")


def count_word(w: Writer, n: int) -> str:
    """Small counts in words, which are not figures the verifier must find in evidence."""
    words = _COUNT_WORDS["zh" if w.lang == "zh" else "en"]
    return words[n] if 0 <= n < len(words) else str(n)


def voc_slice(intent: Intent) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in intent.filters.items() if k in _VOC_FILTERS}
    if intent.slots.model:
        out["model"] = intent.slots.model
    return out


def theme_name(w: Writer, theme: dict[str, Any]) -> str:
    return str(theme.get("theme_name_zh") if w.lang == "zh" else theme.get("theme_name"))


def quote_lines(w: Writer, quotes: list[dict[str, Any]], limit: int = 3) -> list[str]:
    lines = []
    for q in quotes[:limit]:
        meta = ", ".join(str(x) for x in (q.get("source"), q.get("date")) if x)
        raw = str(q.get("customer_text") or "")
        text = short_quote(raw, 70 if re.search(r"[\u4e00-\u9fff]", raw) else 160)
        if text:
            lines.append(w.say("quote.meta", text=text, ref=q["id"], meta=meta))
    return lines


# --- Top themes -----------------------------------------------------------------------------


def _themes_stage(intent: Intent, results: Results) -> dict[str, Call]:
    # Small enough that the tool message is never clipped (clipped JSON cannot be read back).
    args: dict[str, Any] = {
        "period": phrase(intent, "last quarter"),
        "top": 5,
        "quotes_per_theme": 1,
    }
    args |= voc_slice(intent)
    if _NEGATIVE.search(intent.question) or intent.filters.get("type") == "complaint":
        args["sentiment"] = "negative"
    return {"themes": ("voc_themes", args)}


def _write_themes(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("themes")
    if res is None or not res.ok or not res.content:
        failed(w, res)
        return
    c = res.content
    themes = [t for t in c.get("themes", []) if t.get("count") and t["theme"] != "other"]
    if not themes:
        failed(w, None)
        return
    top = themes[0]
    w.lead.append(
        w.say(
            "themes.lead",
            theme=theme_name(w, top),
            count=top["count"],
            share=w.pct(top["share_pct"]),
            records=c["records"],
            ref=res.id,
        )
    )
    for t in themes[1:4]:
        w.evidence.append(
            w.say(
                "themes.item",
                theme=theme_name(w, t),
                count=t["count"],
                share=w.pct(t["share_pct"]),
                ref=res.id,
            )
        )
    moved = [t for t in themes if t.get("change_pp") is not None]
    if moved:
        m = max(moved, key=lambda t: t["change_pp"])
        w.evidence.append(
            w.say("themes.rising", theme=theme_name(w, m), pp=w.pp(m["change_pp"]), ref=res.id)
        )
    w.evidence += quote_lines(w, top.get("quotes", []), 1)
    period = c.get("period") if isinstance(c.get("period"), dict) else None
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))
    w.actions += [w.say("themes.action1", theme=theme_name(w, top)), w.say("themes.action2")]


THEMES = Playbook("voc_themes", (_themes_stage,), _write_themes)


# --- Evidence for a theme -------------------------------------------------------------------


def _evidence_stage(intent: Intent, results: Results) -> dict[str, Call]:
    search: dict[str, Any] = {"query": intent.question[:300], "k": 5} | voc_slice(intent)
    if intent.period:
        search["period"] = intent.period.phrase
    calls: dict[str, Call] = {}
    if intent.theme:
        search["theme"] = intent.theme
        filters = {"theme": intent.theme} | {
            k: v for k, v in intent.filters.items() if k in ("region", "segment", "product_line")
        }
        calls["count"] = metric_query(
            ["voc_count"], filters=filters, period=intent.period.phrase if intent.period else None
        )
    calls["quotes"] = ("search_voc", search)
    return calls


def _write_evidence(intent: Intent, results: Results, w: Writer) -> None:
    quotes, count = results.get("quotes"), results.get("count")
    found = (quotes.content or {}).get("quotes", []) if quotes and quotes.ok else []
    if not found:
        failed(w, quotes)
        return
    shown = count_word(w, min(len(found), 3))
    if count is not None and count.ok and count.rows:
        total = count.records()[0]["voc_count"]
        period = (count.content or {}).get("period")
        w.lead.append(
            w.say(
                "evidence.lead_count",
                theme=_theme_label(w, intent),
                total=total,
                shown=shown,
                period=w.period(period if isinstance(period, dict) else None),
                ref=count.id,
            )
        )
    else:
        w.lead.append(w.say("evidence.lead", shown=shown))
    w.evidence += quote_lines(w, found, 3)
    w.coverage.append(w.say("evidence.coverage"))
    w.actions += [w.say("evidence.action1"), w.say("evidence.action2")]


def _theme_label(w: Writer, intent: Intent) -> str:
    from ...data.taxonomy import default_taxonomy

    return default_taxonomy().name(intent.theme or "", w.lang)


EVIDENCE = Playbook("voc_evidence", (_evidence_stage,), _write_evidence)


# --- Influencer complaints not answered in time ---------------------------------------------

_INFLUENCER_SQL = (
    "WITH posts AS (SELECT voc_id, customer_id, created_at, author_reach, region FROM voc "
    "WHERE source = 'social' AND author_reach > 100000 AND created_at >= DATE '{start}' "
    "AND created_at < DATE '{end}'), answered AS (SELECT p.voc_id, COUNT(t.ticket_id) AS "
    "tickets_within_2h FROM posts p LEFT JOIN tickets t ON (t.customer_id = p.customer_id "
    "AND t.opened_at >= p.created_at AND t.opened_at < p.created_at + INTERVAL 2 HOUR) "
    "GROUP BY p.voc_id) SELECT p.voc_id, strftime(p.created_at, '%Y-%m-%d %H:%M') AS posted_at, "
    "p.author_reach, p.region, a.tickets_within_2h, "
    "SUM(CASE WHEN a.tickets_within_2h = 0 THEN 1 ELSE 0 END) OVER () AS unanswered_posts, "
    "COUNT(*) OVER () AS high_reach_posts FROM posts p JOIN answered a ON a.voc_id = p.voc_id "
    "ORDER BY p.created_at"
)


def _influencer_stage(intent: Intent, results: Results) -> dict[str, Call]:
    from ...data.periods import parse_period

    p = intent.period or parse_period("last 3 months", intent.as_of)
    sql = _INFLUENCER_SQL.format(start=p.start.isoformat(), end=p.end.isoformat())
    purpose = "High-reach social posts and whether a ticket followed within 2 hours"
    search = {
        "query": "complaint",
        "source": "social",
        "min_reach": 100001,
        "k": 10,
        "period": p.phrase,
    }
    return {
        "posts": ("run_sql", {"sql": sql, "purpose": purpose}),
        "post_text": ("search_voc", search),
    }


def _write_influencers(intent: Intent, results: Results, w: Writer) -> None:
    posts = results.get("posts")
    if posts is None or not posts.ok:
        failed(w, posts)
        return
    rows = posts.records()
    if not rows:
        w.lead.append(w.say("infl.none", ref=posts.id))
        return
    first = rows[0]
    w.lead.append(
        w.say(
            "infl.lead",
            posts=first["high_reach_posts"],
            unanswered=first["unanswered_posts"],
            ref=posts.id,
        )
    )
    texts = {q["id"]: q for q in _quotes(results.get("post_text"))}
    for r in rows:
        key = "infl.unanswered" if r["tickets_within_2h"] == 0 else "infl.answered"
        line = w.say(
            key,
            when=r["posted_at"],
            reach=f"{r['author_reach']:,}",
            region=w.label("region", r["region"]),
            ref=posts.id,
        )
        quote = texts.get(f"V:{r['voc_id']}")
        if quote and r["tickets_within_2h"] == 0:
            line = " ".join([line, *quote_lines(w, [quote], 1)])
        w.evidence.append(line)
    w.coverage.append(w.say("infl.coverage", period=w.period(_period_of(intent))))
    w.actions += [w.say("infl.action1"), w.say("infl.action2")]


def _quotes(result: Result | None) -> list[dict[str, Any]]:
    return list((result.content or {}).get("quotes", [])) if result and result.ok else []


def _period_of(intent: Intent) -> dict[str, Any]:
    from ...data.periods import parse_period

    return (intent.period or parse_period("last 3 months", intent.as_of)).as_dict()


INFLUENCERS = Playbook("influencer_complaints", (_influencer_stage,), _write_influencers)


# --- Product-quality drill-down -------------------------------------------------------------

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


PRODUCT_QUALITY = Playbook(
    "product_quality", (_find_model, _quality_stage, _peer_stage), _write_quality
)

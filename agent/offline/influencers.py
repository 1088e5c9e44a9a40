"""High-reach social complaints and whether a ticket followed within two hours."""

from __future__ import annotations

from typing import Any

from ...data.periods import parse_period, phrase_for
from .narrative import Writer
from .playbooks import (
    Call,
    Playbook,
    failed,
)
from .transcript import Result, Results
from .understand import Intent
from .voc_common import count_word, quote_lines

INFLUENCER_SQL = (
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

    p = intent.period or parse_period("last 3 months", intent.as_of)
    sql = INFLUENCER_SQL.format(start=p.start.isoformat(), end=p.end.isoformat())
    purpose = "High-reach social posts and whether a ticket followed within 2 hours"
    search = {
        "query": "complaint",
        "source": "social",
        "min_reach": 100001,
        "k": 10,
        "period": phrase_for(p, intent.as_of),
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
    missed = [r for r in rows if r["tickets_within_2h"] == 0]
    if missed:
        regions = "、" if w.lang == "zh" else ", "
        w.actions.append(
            w.say(
                "infl.action_contact",
                n=count_word(w, len(missed)),
                regions=regions.join(w.label("region", r["region"]) for r in missed),
            )
        )
    w.actions.append(w.say("infl.action1"))


def _quotes(result: Result | None) -> list[dict[str, Any]]:
    return list((result.content or {}).get("quotes", [])) if result and result.ok else []


def _period_of(intent: Intent) -> dict[str, Any]:

    return (intent.period or parse_period("last 3 months", intent.as_of)).as_dict()


INFLUENCERS = Playbook("influencer_complaints", (_influencer_stage,), _write_influencers)

"""High-reach or urgent feedback that nobody answered within the configured time.

A record counts as answered when the feedback table says so (a response time within the
window, or a responded flag), when the case it is linked to was open before the window
ended, or when its customer had a case opened within the window after it. Records younger
than the window are not overdue yet and are left out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .proactive_query import Evidence, day, stamp
from .proactive_rules import Severity
from .roles import Feedback
from .warning_types import OWNERS, Context, EarlyWarning, Text, Unavailable, warning_id

NEEDS = [
    "a feedback table (a text column and a time column)",
    "an author reach column or an urgency dimension",
    "a way to see a response: a response time or flag, a linked case, or the customer key "
    "on feedback and cases",
]


def unanswered_feedback(ctx: Context) -> list[EarlyWarning]:
    fb = ctx.roles.feedback
    if fb is None:
        raise Unavailable("no table of customer feedback with a text and a time column", NEEDS)
    rule = ctx.rules.feedback
    flags = _flags(fb, rule.reach_threshold, rule.include_urgent)
    if not flags:
        raise Unavailable(f"{fb.table} has no author reach column and no urgency values", NEEDS)
    answered = _answered(ctx, fb, rule.response_hours)
    if not answered:
        raise Unavailable(f"nothing tells whether a {fb.table} record was answered", NEEDS)
    sql = _sql(ctx, fb, flags, answered)
    result = ctx.source.sql(sql, max_rows=2_000)
    theme = ctx.roles.problem_dimension(fb.table)
    return [_warning(ctx, fb, r, sql, theme is not None) for r in result.records()]


def _flags(fb: Feedback, threshold: int, urgent: bool) -> dict[str, str]:
    out = {}
    if fb.reach is not None:
        out["high_reach"] = f"COALESCE({fb.reach.sql}, 0) >= {int(threshold)}"
    if urgent and fb.urgency is not None:
        values = ", ".join(f"'{v.replace(chr(39), chr(39) * 2)}'" for v in fb.urgency[1])
        out["urgent"] = f"{fb.urgency[0]} IN ({values})"
    return out


def _answered(ctx: Context, fb: Feedback, hours: float) -> list[str]:
    """SQL conditions, each true when the record ``f`` was answered in time."""
    window = f"f.at + INTERVAL {round(hours * 60)} MINUTE"
    out = []
    if fb.responded_at is not None:
        out.append(f"(f.responded_at IS NOT NULL AND f.responded_at <= {window})")
    if fb.responded is not None:
        out.append("COALESCE(f.responded, FALSE)")
    if fb.linked_case is not None:
        _, case, key = fb.linked_case
        time = f"{case}.{ctx.roles.time_of(case)}"
        out.append(f"EXISTS (SELECT 1 FROM {case} WHERE {key} = f.case_id AND {time} < {window})")
    cust = ctx.roles.customer
    if cust is not None and fb.table in cust.by_table:
        for case in ctx.roles.case_tables():
            time, who = f"{case}.{ctx.roles.time_of(case)}", cust.by_table[case]
            out.append(
                f"EXISTS (SELECT 1 FROM {case} WHERE {who} = f.customer "
                f"AND {time} >= f.at AND {time} < {window})"
            )
    return out


def _sql(ctx: Context, fb: Feedback, flags: dict[str, str], answered: list[str]) -> str:
    rule = ctx.rules.feedback
    cust = ctx.roles.customer
    theme = ctx.roles.problem_dimension(fb.table)
    cols = [f"{fb.table}.{fb.key} AS id", f"{fb.table}.{fb.time} AS at"]
    cols.append(f"{fb.reach.sql} AS reach" if fb.reach else "NULL AS reach")
    cols.append(f"{fb.urgency[0]} AS urgency" if fb.urgency else "NULL AS urgency")
    cols.append(f"{theme.sources[fb.table]} AS theme" if theme else "NULL AS theme")
    who = cust.by_table.get(fb.table) if cust else None
    cols.append(f"{who} AS customer" if who else "NULL AS customer")
    cols.append(f"{fb.linked_case[0]} AS case_id" if fb.linked_case else "NULL AS case_id")
    if fb.responded_at is not None:
        cols.append(f"{fb.responded_at.sql} AS responded_at")
    if fb.responded is not None:
        cols.append(f"{fb.responded.sql} AS responded")
    cols += [f"({cond}) AS {name}" for name, cond in flags.items()]
    start = ctx.as_of - timedelta(days=rule.lookback_days)
    cutoff = datetime.combine(ctx.as_of, datetime.min.time()) - timedelta(
        minutes=round(rule.response_hours * 60)
    )
    time = f"{fb.table}.{fb.time}"
    return (
        f"WITH f AS (SELECT {', '.join(cols)} FROM {fb.table} "
        f"WHERE {time} >= {stamp(start)} AND {time} < TIMESTAMP '{cutoff:%Y-%m-%d %H:%M:%S}' "
        f"AND ({' OR '.join(flags.values())})) "
        f"SELECT f.*, {day(ctx.as_of)} AS as_of FROM f "
        f"WHERE NOT ({' OR '.join(answered)}) ORDER BY f.at"
    )


def _warning(ctx: Context, fb: Feedback, r: dict[str, Any], sql: str, themed: bool) -> EarlyWarning:
    hours = ctx.rules.feedback.response_hours
    high = bool(r.get("high_reach"))
    severity: Severity = "high" if high else "medium"
    at = str(r["at"])[:16]
    reach = int(r["reach"]) if r.get("reach") is not None else None
    about_en = f" about {r['theme']}" if themed and r.get("theme") else ""
    about_zh = f"（{r['theme']}）" if themed and r.get("theme") else ""
    if high and reach is not None:
        en = (
            f"Post by a high-reach author ({reach:,} followers){about_en} on {at} "
            f"got no response within {hours:g} h"
        )
        zh = (
            f"高影响力作者（{reach:,} 粉丝）于 {at} 发布的内容{about_zh}在 {hours:g} 小时内无人响应"
        )
    else:
        en = f"Urgent feedback{about_en} on {at} got no response within {hours:g} h"
        zh = f"{at} 的紧急反馈{about_zh}在 {hours:g} 小时内无人响应"
    numbers: dict[str, Any] = {
        "reach": reach,
        "posted_at": at,
        "response_hours": hours,
        "urgency": r.get("urgency"),
        "customer": r.get("customer"),
    }
    return EarlyWarning(
        id=warning_id("unanswered_feedback", r["id"]),
        kind="unanswered_feedback",
        severity=severity,
        title=Text(en=en, zh=zh),
        action=Text(
            en="Reply publicly and reach the author privately today; open a case and follow "
            "it to resolution.",
            zh="今天内公开回复并私信联系作者；建立工单并跟进到解决。",
        ),
        owner=OWNERS["social"] if high else OWNERS["service"],
        due=ctx.due(severity),
        subject={
            "feedback": str(r["id"]),
            **({"theme": str(r["theme"])} if r.get("theme") else {}),
        },
        evidence=Evidence(
            sql=sql,
            table=fb.table,
            ids=[str(r["id"])],
            feedback_ids=[f"V:{r['id']}"],
            numbers=numbers,
        ),
    )

"""Records counted by the date of an event the question names: "how many tickets did we resolve
in May compared with April" counts the tickets whose resolution date falls in May (and in
April), whenever they were opened; the records' own time column would count those opened then.
"Which group resolved the most in June" counts each group's records the same way.

One guarded SQL query gives the count in the period, in the comparison period when there is one,
and the difference (per group when the question groups), so every number of the answer is a
cell of its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...data.duck import q
from ...data.periods import Period
from ..reading import sql_purpose
from .narrative import Writer
from .playbooks import Call, dim_name, failed, fmt_row, slice_text, table
from .slice_sql import reach, slice_where
from .transcript import Result
from .understand import Intent

EVENT = "event"
_ROWS = 30


@dataclass(frozen=True)
class Split:
    """How the counts are split, as the playbook asking reads it: by a grouping (the most first
    unless the fewest are asked) or by a unit of time, in order."""

    dim: str | None = None
    most_first: bool = True
    in_time: bool = False


def _within(column: str, p: Period) -> str:
    return f"{column} >= DATE '{p.start.isoformat()}' AND {column} < DATE '{p.end.isoformat()}'"


def _comparison(intent: Intent) -> Period | None:
    if intent.comparison is not None:
        return intent.comparison
    if intent.compare and not intent.whole_data and intent.period is not None:
        return intent.period.previous()
    return None


def event_call(intent: Intent, split: Split | None = None) -> dict[str, Call]:
    cat, period, column = intent.catalog, intent.period, intent.event_column
    if cat is None or period is None or column is None or not intent.metrics:
        return {}
    base = cat.metrics[intent.metrics[0]].table
    joins: dict[str, str] = {}
    where = slice_where(cat, base, dict(intent.filters), None, joins)
    if where is None:
        return {}
    col = f"{base}.{q(column)}"
    now = f"count(*) FILTER (WHERE {_within(col, period)})"
    select = [f"{now} AS in_period"]
    before = _comparison(intent)
    then = f"count(*) FILTER (WHERE {_within(col, before)})" if before is not None else ""
    if before is not None:
        select += [f"{then} AS in_comparison", f"{now} - {then} AS change"]
    split = split or Split()
    dim = split.dim
    expr = _group_expr(intent, dim, base, col, joins) if dim else None
    if dim and expr is None:
        return {}
    conditions = [*where, f"{col} IS NOT NULL"]
    if expr is not None:
        select = [f"{expr} AS {q(dim or '')}", *select, "count(*) OVER () AS groups"]
        conditions.append(f"({expr}) IS NOT NULL")
    sql = f"SELECT {', '.join(select)} FROM {base}"
    sql += "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    sql += f" WHERE {' AND '.join(conditions)}"
    if expr is not None:
        kept = f"{now} > 0" + (f" OR {then} > 0" if then else "")
        if split.in_time:  # in time order, every unit of the period
            sql += f" GROUP BY 1 HAVING {kept} ORDER BY 1"
        else:
            order = "DESC" if split.most_first else "ASC"
            sql += f" GROUP BY 1 HAVING {kept} ORDER BY in_period {order}, 1 LIMIT {_ROWS}"
    w = Writer(lang=intent.language, seed="", catalog=cat)
    by = f", {dim_name(w, dim)}" if dim else ""
    purpose = (
        w.say(
            "event.purpose",
            column=column.replace("_", " "),
            where=slice_text(w, dict(intent.filters)),
        )
        + by
    )
    label = period.label + (f" vs {before.label}" if before is not None else "")
    return {EVENT: ("run_sql", {"sql": sql, "purpose": sql_purpose(purpose, label, w.lang)})}


def _group_expr(intent: Intent, dim: str, base: str, col: str, joins: dict[str, str]) -> str | None:
    """The grouping's SQL; a unit of time (month, weekday) is read on the event's own date."""
    cat = intent.catalog
    if cat is None or dim not in cat.dimensions:
        return None
    d = cat.dimensions[dim]
    if d.from_time:
        return d.spec.time.replace("{time}", col) if d.spec.time else None
    return reach(cat, base, dim, joins)


def write_event(intent: Intent, res: Result | None, w: Writer, split: Split | None = None) -> None:
    if failed(w, res) or res is None or intent.period is None:
        return
    split = split or Split()
    if split.dim and split.dim in res.columns:
        _write_groups(intent, split, res, w)
        return
    row: dict[str, Any] = res.records()[0]
    column = (intent.event_column or "").replace("_", " ")
    where = slice_text(w, dict(intent.filters))
    before = _comparison(intent)
    if before is None or "in_comparison" not in row:
        w.lead.append(
            w.say(
                "event.lead", column=column, where=where, period=intent.period.label,
                n=fmt_row([row["in_period"]])[0], ref=res.id,
            )
        )  # fmt: skip
        return
    change = int(row["change"])
    w.lead.append(
        w.say(
            "event.change", column=column, where=where, period=intent.period.label,
            n=fmt_row([row["in_period"]])[0], prev_period=before.label,
            m=fmt_row([row["in_comparison"]])[0], delta=f"{change:+,}", ref=res.id,
        )
    )  # fmt: skip


def _write_groups(intent: Intent, split: Split, res: Result, w: Writer) -> None:
    """Each group's count by the event's date: the first and last groups named, then a table."""
    dim, period = split.dim or "", intent.period
    rows = res.records()
    if period is None or not rows:
        return
    column = (intent.event_column or "").replace("_", " ")
    where = slice_text(w, dict(intent.filters))
    if split.in_time:
        high = max(rows, key=lambda r: r["in_period"])
        low = min(rows, key=lambda r: r["in_period"])
        w.lead.append(
            w.say(
                "event.trend", column=column, where=where, dim=dim_name(w, dim),
                period=period.label, high=w.label(dim, high[dim]),
                n=fmt_row([high["in_period"]])[0], low=w.label(dim, low[dim]),
                m=fmt_row([low["in_period"]])[0], ref=res.id,
            )
        )  # fmt: skip
        headers = [dim_name(w, dim), w.say("event.records")]
        body = [[w.label(dim, r[dim]), *fmt_row([r["in_period"]])] for r in rows]
        w.body += table(w, headers, body, res.id)
        return
    first, last = rows[0], rows[-1]
    whole = int(first.get("groups") or len(rows)) <= len(rows)
    before = _comparison(intent)
    w.learn_names(res.columns, rows)
    w.lead.append(
        w.say(
            "event.rank_lead" if split.most_first else "event.rank_lead_low",
            column=column, where=where, period=period.label, dim=dim_name(w, dim),
            name=w.label(dim, first[dim]), n=fmt_row([first["in_period"]])[0], ref=res.id,
        )
    )  # fmt: skip
    if whole and len(rows) > 1:
        w.lead.append(
            w.say(
                "event.rank_other", dim=dim_name(w, dim), name=w.label(dim, last[dim]),
                n=fmt_row([last["in_period"]])[0], groups=len(rows), ref=res.id,
            )
        )  # fmt: skip
    headers = [dim_name(w, dim), period.label]
    if before is not None and "in_comparison" in res.columns:
        headers += [before.label, w.say("table.delta")]
    body = []
    for r in rows:
        cells = [w.label(dim, r[dim]), *fmt_row([r["in_period"]])]
        if len(headers) > 2:
            cells += [*fmt_row([r["in_comparison"]]), f"{int(r['change']):+,}"]
        body.append(cells)
    w.body += table(w, headers, body, res.id)

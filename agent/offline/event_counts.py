"""Records counted by the date of an event the question names: "how many tickets did we resolve
in May compared with April" counts the tickets whose resolution date falls in May (and in
April), whenever they were opened; the records' own time column would count those opened then.

One guarded SQL query gives the count in the period, in the comparison period when there is one,
and the difference, so every number of the answer is a cell of its result.
"""

from __future__ import annotations

from typing import Any

from ...data.duck import q
from ...data.periods import Period
from ..reading import sql_purpose
from .narrative import Writer
from .playbooks import Call, failed, fmt_row, slice_text
from .slice_sql import slice_where
from .transcript import Result
from .understand import Intent

EVENT = "event"


def _within(column: str, p: Period) -> str:
    return f"{column} >= DATE '{p.start.isoformat()}' AND {column} < DATE '{p.end.isoformat()}'"


def _comparison(intent: Intent) -> Period | None:
    if intent.comparison is not None:
        return intent.comparison
    if intent.compare and not intent.whole_data and intent.period is not None:
        return intent.period.previous()
    return None


def event_call(intent: Intent) -> dict[str, Call]:
    cat, period, column = intent.catalog, intent.period, intent.event_column
    if cat is None or period is None or column is None or not intent.metrics:
        return {}
    base = cat.metrics[intent.metrics[0]].table
    joins: dict[str, str] = {}
    where = slice_where(cat, base, dict(intent.filters), None, joins)
    if where is None:
        return {}
    col = f"{base}.{q(column)}"
    select = [f"count(*) FILTER (WHERE {_within(col, period)}) AS in_period"]
    before = _comparison(intent)
    if before is not None:
        now = f"count(*) FILTER (WHERE {_within(col, period)})"
        then = f"count(*) FILTER (WHERE {_within(col, before)})"
        select += [f"{then} AS in_comparison", f"{now} - {then} AS change"]
    sql = f"SELECT {', '.join(select)} FROM {base}"
    sql += "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    sql += f" WHERE {' AND '.join([*where, f'{col} IS NOT NULL'])}"
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say(
        "event.purpose", column=column.replace("_", " "), where=slice_text(w, dict(intent.filters))
    )
    label = period.label + (f" vs {before.label}" if before is not None else "")
    return {EVENT: ("run_sql", {"sql": sql, "purpose": sql_purpose(purpose, label, w.lang)})}


def write_event(intent: Intent, res: Result | None, w: Writer) -> None:
    if failed(w, res) or res is None or intent.period is None:
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

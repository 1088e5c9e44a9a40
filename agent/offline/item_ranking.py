"""The items of a list column ranked by the records listing them: "which defect code shows up
on the most complaints", "哪个故障代码出现得最多", "the five most common tags".

A list cell ("H93,H15,") holds several items; a record listing an item twice counts once. One
guarded SQL query lists the items of the records in the slice and counts, for each item, the
records listing it, beside the records in the slice, so every number of the answer is a cell
of its result.
"""

from __future__ import annotations

import re
from typing import Any

from ...data.list_items import items_list
from ..reading import sql_purpose
from .narrative import Writer
from .playbooks import Call, Playbook, failed, fmt_row, slice_text, table
from .slice_sql import slice_where
from .transcript import Results
from .understand import Intent

ITEMS = "items"
_ROWS = 20


def item_noun(w: Writer, metric: str) -> str:
    """What the items are called ("problem codes", "问题代码"), from their measure's name."""
    name = w.metric(metric)
    name = re.sub(r"(?i)^average number of\s+|\s+per record$|^平均|个数$", "", name).strip()
    return name


def _stage(intent: Intent, results: Results) -> dict[str, Call]:
    cat, metric = intent.catalog, intent.items_ranked
    if cat is None or metric is None or metric not in cat.metrics:
        return {}
    m = cat.metrics[metric]
    listed = items_list(m.expr)
    joins: dict[str, str] = {}
    period = None if intent.whole_data else intent.period
    where = slice_where(cat, m.table, dict(intent.filters), period, joins)
    if listed is None or where is None:
        return {}
    tables = m.table + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    sql = (
        f"WITH r AS (SELECT list_distinct({listed}) AS items FROM {tables} "
        f"WHERE {' AND '.join(where) or 'TRUE'}), "
        "i AS (SELECT trim(unnest(items)) AS item FROM r) "
        "SELECT item, count(*) AS records, (SELECT count(*) FROM r) AS all_records, "
        "round(100.0 * count(*) / nullif((SELECT count(*) FROM r), 0), 1) AS share_pct "
        f"FROM i WHERE item <> '' GROUP BY item ORDER BY records DESC, item LIMIT {_ROWS}"
    )
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say(
        "items.purpose", noun=item_noun(w, metric), where=slice_text(w, dict(intent.filters))
    )
    label = period.label if period is not None else None
    return {ITEMS: ("run_sql", {"sql": sql, "purpose": sql_purpose(purpose, label, w.lang)})}


def _write(intent: Intent, results: Results, w: Writer) -> None:
    res, metric = results.get(ITEMS), intent.items_ranked
    if metric is None or failed(w, res) or res is None:
        return
    rows: list[dict[str, Any]] = res.records()
    if not rows:
        w.status = "insufficient_data"
        w.lead.append(w.say("insufficient", reason=w.say("no_rows")))
        return
    top, noun = rows[0], item_noun(w, metric)
    tied = [r["item"] for r in rows if r["records"] == top["records"]]
    w.lead.append(
        w.say(
            "items.lead" if len(tied) == 1 else "items.tied",
            noun=noun, name="、".join(tied) if w.lang == "zh" else ", ".join(tied),
            n=fmt_row([top["records"]])[0], total=fmt_row([top["all_records"]])[0],
            share=w.pct(top["share_pct"]), where=slice_text(w, dict(intent.filters)),
            ref=res.id,
        )
    )  # fmt: skip
    heads = [noun, w.say("labels.records"), w.say("mention.col_share")]
    body = [fmt_row([r["item"], r["records"], w.pct(r["share_pct"])]) for r in rows]
    w.body += table(w, heads, body, res.id)


ITEM_RANKING = Playbook("item_ranking", (_stage,), _write)

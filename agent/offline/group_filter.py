"""Groups that pass a condition on the group as a whole: "how many categories have a negative
share below 50%, and which", "among companies with at least 100 complaints, which respond on
time less than 97% of the time", "among groups that handled at least 200 tickets, which takes
longest to resolve".

One guarded SQL query measures every group (its records, and the share or measure asked), keeps
those passing the conditions and says how many passed, of how many, and how many records they
hold, so every number of the answer is a cell of its result.
"""

from __future__ import annotations

from typing import Any

from ...data.catalog import Catalog
from ...data.duck import q
from ..reading import sql_purpose
from .narrative import Writer
from .playbooks import Call, Playbook, dim_name, failed, fmt_row, slice_text, table
from .ranking import high_first
from .slice_sql import reach, slice_where
from .transcript import Results
from .understand import Intent

GROUPS = "group_filter"
_ROWS = 30


def groups_sql(cat: Catalog, intent: Intent) -> str | None:
    test = intent.group_test
    if test is None or test.metric not in cat.metrics:
        return None
    metric = cat.metrics[test.metric]
    base = metric.table
    joins: dict[str, str] = {}
    period = None if intent.whole_data else intent.period
    filters = {d: v for d, v in intent.filters.items() if d != test.dimension}
    where = slice_where(cat, base, filters, period, joins)
    expr = reach(cat, base, test.dimension, joins)
    part_where = slice_where(cat, base, dict(test.part), None, joins) if test.part else []
    if test.unset is not None:
        column = test.unset[0]
        if column.startswith("dim:"):
            column = reach(cat, base, column[4:], joins) or ""
        part_where = [f"({column}) IS NULL"] if column else None
    if where is None or expr is None or part_where is None:
        return None
    tables = base + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    clause = " AND ".join([*where, f"({expr}) IS NOT NULL"])
    own = f" AND ({metric.filter_sql})" if metric.filter_sql else ""
    size = f" {test.size[0]} {int(test.size[1])}" if test.size is not None else " IS NOT NULL"
    if test.part or test.unset or test.by_count:
        if test.over_set:
            on = [reach(cat, base, d, joins) for d, _ in test.part]
            if any(e is None for e in on):
                return None
            tables = base + "".join(f" JOIN {t} ON {o}" for t, o in joins.items())
            rated = " AND ".join(f"({e}) IS NOT NULL" for e in on)
        else:
            rated = "TRUE"
        return _part_sql(part_where, rated, tables, expr, clause + own, size, test)
    # Compared unrounded: 96.96% is below 97% though it shows as 97.0%.
    kept = f"m.measure {test.op} {test.value:g}" if test.op else "TRUE"
    order = "DESC" if _descending(intent) else "ASC"
    return (
        f"WITH s AS (SELECT {expr} AS g, count(*) AS records FROM {tables} WHERE {clause} "
        f"GROUP BY 1), "
        f"m AS (SELECT {expr} AS g, {metric.expr} AS measure "
        f"FROM {tables} WHERE {clause}{own} GROUP BY 1) "
        f"SELECT s.g AS {q(test.dimension)}, "
        f"ROUND(m.measure, {metric.decimals}) AS {q(test.metric)}, s.records, "
        f"count(*) OVER () AS groups_passing, "
        f"(SELECT count(*) FROM s WHERE records{size}) AS groups_in_all, "
        f"sum(s.records) OVER () AS records_of_those "
        f"FROM s JOIN m ON m.g = s.g WHERE m.measure IS NOT NULL AND {kept} AND s.records{size} "
        f"ORDER BY m.measure {order} NULLS LAST, s.g LIMIT {_ROWS}"
    )


def _part_sql(
    part_where: list[str], rated: str, tables: str, expr: str, clause: str, size: str, test: Any
) -> str:
    """Each group's records and how many of them are of the part named, the groups kept by
    none, all or a number of those; one row (no group) when no group passes, so the answer can
    say so from the result."""
    of_part = " AND ".join(part_where) or "TRUE"
    kept = {"none": "part = 0", "all": "part = records"}.get(
        test.op, f"{'share' if test.percent else 'part'} {test.op} {test.value:g}"
    )
    return (
        f"WITH s AS (SELECT {expr} AS g, count(*) AS records, "
        f"count(*) FILTER (WHERE {of_part}) AS part, count(*) FILTER (WHERE {rated}) AS base "
        f"FROM {tables} WHERE {clause} GROUP BY 1), "
        f"k AS (SELECT *, 100.0 * part / NULLIF(base, 0) AS share FROM s "
        f"WHERE records{size} AND {kept.replace('share', '100.0 * part / NULLIF(base, 0)')}) "
        f"SELECT k.g AS {q(test.dimension)}, k.part, k.base, ROUND(k.share, 1) AS share, "
        f"k.records, "
        f"(SELECT count(*) FROM k) AS groups_passing, "
        f"(SELECT count(*) FROM s WHERE records{size}) AS groups_in_all, "
        f"(SELECT sum(records) FROM k) AS records_of_those, "
        f"(SELECT sum(part) FROM k) AS part_of_those, "
        f"(SELECT sum(part) FROM s) AS part_in_all, "
        f"ROUND(100.0 * (SELECT sum(part) FROM k) / NULLIF((SELECT sum(part) FROM s), 0), 1) "
        f"AS part_share "
        f"FROM (SELECT 1) AS one LEFT JOIN k ON TRUE "
        f"ORDER BY {'k.share' if test.percent else 'k.part'} "
        f"{'ASC' if test.op in ('<', '<=') else 'DESC'} NULLS LAST, k.records DESC, k.g "
        f"LIMIT {_ROWS}"
    )


def _stage(intent: Intent, results: Results) -> dict[str, Call]:
    cat, test = intent.catalog, intent.group_test
    if cat is None or test is None:
        return {}
    sql = groups_sql(cat, intent)
    if sql is None:
        return {}
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say(
        "groups.purpose",
        dim=dim_name(w, test.dimension),
        metric=w.metric(test.metric),
        said=_said(test)
        + (f" ({w.say('share.unset', dim=test.unset[1].replace('_', ' '))})" if test.unset else ""),
        where=slice_text(w, dict(intent.filters)),
    )
    label = intent.period.label if intent.period and not intent.whole_data else None
    return {GROUPS: ("run_sql", {"sql": sql, "purpose": sql_purpose(purpose, label, w.lang)})}


def _said(test: Any) -> str:
    said = test.said
    if test.percent:  # "满意/基本满意 below 80%"
        said = " ".join([*(str(v) for _, v in test.part), said])
    return " · ".join(s for s in (said, test.size[2] if test.size else "") if s)


def _write(intent: Intent, results: Results, w: Writer) -> None:
    res, test = results.get(GROUPS), intent.group_test
    if test is None or failed(w, res) or res is None:
        return
    rows: list[dict[str, Any]] = res.records()
    dim, metric = test.dimension, test.metric
    first = rows[0]
    if test.part or test.unset or test.by_count:
        _write_part(w, test, rows, res.id)
        return
    if test.op:
        size = w.say("groups.size", said=test.size[2]) if test.size else ""
        listed = [
            w.say("groups.item", name=w.label(dim, r[dim]), value=w.value(metric, r[metric]))
            for r in rows[:10]
        ]
        w.lead.append(
            w.say(
                "groups.lead",
                n=first["groups_passing"],
                total=first["groups_in_all"],
                dim=dim_name(w, dim),
                metric=w.metric(metric),
                said=test.said,
                size=size,
                items=("; " if w.lang == "en" else "；").join(listed),
                records=fmt_row([first["records_of_those"]])[0],
                ref=res.id,
            )
        )
    else:
        w.lead.append(
            w.say(
                "groups.top",
                n=first["groups_passing"],
                dim=dim_name(w, dim),
                size=test.size[2] if test.size else "",
                name=w.label(dim, first[dim]),
                metric=w.metric(metric),
                high=w.say("groups.highest" if _descending(intent) else "groups.lowest"),
                value=w.value(metric, first[metric]),
                ref=res.id,
            )
        )
    heads = [dim_name(w, dim), w.metric(metric), w.say("labels.records")]
    body = [fmt_row([w.label(dim, r[dim]), w.value(metric, r[metric]), r["records"]]) for r in rows]
    w.body += table(w, heads, body, res.id)


def _write_part(w: Writer, test: Any, rows: list[dict[str, Any]], ref: str) -> None:
    """The groups none, all or a number of whose records are of the part named: how many of
    how many, which, and their records."""
    dim, first = test.dimension, rows[0]
    part = (
        ", ".join(w.label(d, v) for d, v in test.part)
        if w.lang == "en"
        else "、".join(w.label(d, v) for d, v in test.part)
    )
    if test.unset is not None:
        part = w.say("share.unset", dim=test.unset[1].replace("_", " "))
    kept = [r for r in rows if r[dim] is not None]
    if test.percent:
        items = [
            w.say("groups.item", name=w.label(dim, r[dim]), value=w.pct(r["share"])) for r in kept
        ]
    elif test.op in ("none", "all"):
        items = [
            w.say(
                "groups.item",
                name=w.label(dim, r[dim]),
                value=w.say("groups.n_records", n=fmt_row([r["records"]])[0]),
            )
            for r in kept
        ]
    else:
        items = [
            w.say("groups.item", name=w.label(dim, r[dim]), value=fmt_row([r["part"]])[0])
            for r in kept
        ]
    key = {"none": "groups.none_lead", "all": "groups.all_lead"}.get(test.op, "groups.part_lead")
    key = "groups.share_lead" if test.percent else key
    w.lead.append(
        w.say(
            key if kept else key + "_empty",
            n=first["groups_passing"],
            total=first["groups_in_all"],
            dim=dim_name(w, dim),
            part=part,
            said=test.said,
            size=w.say("groups.size", said=test.size[2]) if test.size else "",
            items=("; " if w.lang == "en" else "；").join(items[:10]),
            records=fmt_row([first["records_of_those"]])[0],
            parts=fmt_row([first["part_of_those"]])[0],
            all=fmt_row([first["part_in_all"]])[0],
            share=w.pct(first["part_share"]),
            ref=ref,
        )
    )
    if not kept:
        return
    heads = [dim_name(w, dim), part, w.say("labels.records")]
    body = [fmt_row([w.label(dim, r[dim]), r["part"], r["records"]]) for r in kept]
    if test.percent:
        heads = [dim_name(w, dim), part, w.say("groups.base"), w.say("labels.share")]
        body = [
            fmt_row([w.label(dim, r[dim]), r["part"], r["base"], w.pct(r["share"])]) for r in kept
        ]
    w.body += table(w, heads, body, ref)


def _descending(intent: Intent) -> bool:
    """Groups kept above a value, highest first; below it, lowest first; ranked only, the end
    the question asks about first."""
    test = intent.group_test
    if test is None:
        return True
    return test.op in (">", ">=") if test.op else high_first(intent, test.metric)


GROUP_FILTER = Playbook(GROUPS, (_stage,), _write)

"""The change playbook: a metric now against the previous period, and where it moved.

Without a dimension in the question the answer gives the overall figure, then splits it by
region (or the next unfiltered dimension) to say where the move sits; with one ("by region",
"哪个区域") it answers per group through ``grouped``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ...data.catalog import Catalog
from ...data.duck import q
from ...data.periods import parse_period
from ..reading import sql_purpose
from .catalog_choice import plain_count, split_dimensions
from .distinct_counts import distinct_calls, write_distinct
from .event_counts import EVENT, Split, event_call, write_event
from .grouped import DEFAULT_PERIOD, grouped_calls, write_grouped
from .metric_actions import lever_action
from .narrative import Writer
from .percentiles import ONE_RECORD, percentile_expr
from .playbooks import (
    Call,
    Playbook,
    compare_kind,
    dim_name,
    direction,
    failed,
    fmt_row,
    metric_or,
    metric_query,
    n_of,
    phrase,
    slice_text,
    solid,
)
from .ranking import BREAKDOWN, PRE_BIGGEST, biggest_groups
from .shares import threshold_call, write_threshold
from .slice_sql import reach, slice_where
from .slots import Either, Excluded
from .text_columns import record_id
from .transcript import Result, Results
from .trend import TIME_UNITS, hotspot_calls, write_hotspot
from .understand import SHARE_OF_ALL, VS_REST, Intent


def _split_dim(intent: Intent, metric: str) -> str | None:
    """The dimension to locate a move by (see ``catalog_choice.split_dimension``); not a unit
    of time inside a period of a few days ("6月7日比6月6日" by weekday says nothing)."""
    cat, period = intent.catalog, intent.period
    short = period is not None and (period.end - period.start).days < _SHORT_DAYS
    for dim in split_dimensions(cat, metric, intent.filters):
        if not (short and cat is not None and cat.dimensions[dim].from_time):
            return dim
    return None


_SHORT_DAYS = 28


def _change_stage(intent: Intent, results: Results) -> dict[str, Call]:
    intent = _without_biggest(intent, results)
    if intent.event_column:  # "how many did we resolve in May": by the resolution date
        return event_call(intent, Split(intent.group_by))
    metrics = intent.metrics[:3] or [metric_or(intent, intent.group_by)]
    if intent.group_by and intent.whole_data:
        # Every date the data holds has no earlier period to compare with: the groups' values.
        return BREAKDOWN.stages[0](intent, results)
    if intent.group_by:
        return grouped_calls(intent, metrics[0], intent.group_by)
    period = phrase(intent, DEFAULT_PERIOD)
    if not intent.compare or intent.whole_data:
        # One value asked for: no comparison the manager did not ask for.
        metrics = metrics + _records_asked(intent, metrics)
        calls = {"value": metric_query(metrics, filters=intent.filters, period=period)}
        calls |= _share_of_all_call(intent, metrics) | _rest_call(intent, metrics, period)
        calls |= _percentile_call(intent, metrics[0]) | _threshold_beside_call(intent)
        calls |= _extreme_unit_call(intent, metrics[0], period)
        return calls | distinct_calls(intent) | _whole_calls(intent, metrics, period)
    pair = _pair_call(intent, metrics[0])
    if pair is not None:
        return {"pair": pair}
    calls = {
        "change": metric_query(
            metrics, filters=intent.filters, period=period, compare=compare_kind(intent)
        )
    }
    dim = _split_dim(intent, metrics[0])
    if dim:
        calls["where"] = metric_query(
            metrics[:1],
            filters=intent.filters,
            group_by=[dim],
            period=period,
            compare=compare_kind(intent),
        )
    return calls | hotspot_calls(intent, metrics[0])


_PERCENTILE = "percentile"
_BESIDE = "threshold_beside"


_EXTREME_UNIT = "extreme_unit"
# "…per day on average, and which day was the quietest": the unit at one end, named.
_UNIT_AT_END = re.compile(
    r"(?i)\bwhich (?P<unit>day|week|month|quarter)\b[^?？]{0,40}?\b(?P<word>quietest|busiest"
    r"|slowest|fewest|least|lowest|most|highest)\b"
    r"|哪(?:一)?(?P<zunit>天|周|个月|个季度)[^？?]{0,10}?(?P<zword>最少|最多|最忙|最闲|最低|最高)"
)
_LOW_END = re.compile(r"(?i)quietest|slowest|fewest|least|lowest|最少|最闲|最低")


def _extreme_unit_call(intent: Intent, metric: str, period: str) -> dict[str, Call]:
    """The records of each unit counted over (``per_group``), the one at the end asked first."""
    said = _UNIT_AT_END.search(intent.question)
    if not intent.per_group or not intent.distinct or said is None:
        return {}
    unit = intent.distinct[0]
    order = metric if _LOW_END.search(said.group(0)) else f"-{metric}"
    call = metric_query(
        [metric], filters=intent.filters, group_by=[unit], period=period, order_by=order, limit=3
    )
    return {_EXTREME_UNIT: call}


def _write_extreme_unit(intent: Intent, res: Result | None, w: Writer) -> None:
    said = _UNIT_AT_END.search(intent.question)
    if res is None or not res.ok or not res.rows or said is None:
        return
    unit, metric = res.columns[0], res.columns[1]
    rows = res.records()
    r = rows[0]
    # Units tied at that end are each named.
    tied = [x for x in rows if x[metric] == r[metric]]
    w.lead.append(
        w.say(
            "metric.unit_at_end", word=said.group("word") or said.group("zword"),
            unit=dim_name(w, unit), value=w.together(w.label(unit, x[unit]) for x in tied),
            n=fmt_row([r[metric]])[0], ref=res.id,
        )
    )  # fmt: skip


def _threshold_beside_call(intent: Intent) -> dict[str, Call]:
    """The records past a threshold asked after the average ("7天之内就答复了的有几条")."""
    if intent.threshold_beside is None:
        return {}
    call = threshold_call(replace(intent, threshold=intent.threshold_beside))
    return {_BESIDE: call} if call is not None else {}


def _percentile_call(intent: Intent, metric: str) -> dict[str, Call]:
    """The run_sql call for the percentile the question asks of ``metric``'s measure, over the
    records and period ``metric`` is asked of; empty when there is none to take."""
    cat: Catalog | None = intent.catalog
    fraction = intent.percentile
    if cat is None or fraction is None or metric not in cat.metrics:
        return {}
    m = cat.metrics[metric]
    expr = percentile_expr(m.expr, fraction)
    if expr is None:
        return {}
    period = intent.period or parse_period(DEFAULT_PERIOD, intent.as_of)
    joins: dict[str, str] = {}
    where = slice_where(cat, m.table, dict(intent.filters), period, joins)
    if where is None:
        return {}
    where = [*where, *([f"({m.filter_sql})"] if m.filter_sql else [])]
    sql = (
        f"SELECT round({expr}, {m.decimals}) AS value, {100 * fraction:g} AS pct_at_or_below, "
        f"count(*) AS records FROM {m.table}"
    )
    sql += "".join(f" JOIN {t} ON {cond}" for t, cond in joins.items())
    sql += (" WHERE " + " AND ".join(where)) if where else ""
    w = Writer(lang=intent.language, seed="", catalog=cat)
    key = {1.0: "percentile.purpose_max", 0.0: "percentile.purpose_min"}.get(fraction)
    purpose = w.say(key or "percentile.purpose", p=f"{100 * fraction:g}", metric=w.metric(metric))
    purpose = sql_purpose(purpose, period.label, intent.language)
    calls = {_PERCENTILE: ("run_sql", {"sql": sql, "purpose": purpose})}
    record = _extreme_record_sql(intent, metric, where, joins) if fraction in (0.0, 1.0) else None
    if record is not None:
        # "The single longest-running ticket: its number and its category": that record.
        said = w.say("percentile.record_purpose", metric=w.metric(metric))
        said = sql_purpose(said, period.label, w.lang)
        calls[_RECORD] = ("run_sql", {"sql": record, "purpose": said})
    return calls


_RECORD = "extreme_record"


def _extreme_record_sql(
    intent: Intent, metric: str, where: list[str], joins: dict[str, str]
) -> str | None:
    """The record with the largest (smallest) value of an average's per-record measure, with its
    id and the columns the question names; None unless one record is asked about."""
    cat = intent.catalog
    if cat is None or not ONE_RECORD.search(intent.question):
        return None
    m = cat.metrics[metric]
    expr = m.expr.strip()
    if not expr.upper().startswith("AVG("):
        return None
    row = "(" + expr[4:]  # AVG(x) / 3600.0 -> (x) / 3600.0: each record's own value
    ident = record_id(cat, m.table)
    cols = [f"{m.table}.{q(ident)} AS {q(ident)}"] if ident else []
    for dim in intent.shown:
        e = reach(cat, m.table, dim, joins)
        if e is not None:
            cols.append(f"{e} AS {q(dim)}")
    order = "DESC" if intent.percentile == 1.0 else "ASC"
    value = f"round({row}, {m.decimals})"
    inner = f"SELECT {', '.join([*cols, f'{value} AS value'])}, rank() OVER (ORDER BY {value} "
    inner += f"{order}) AS place FROM {m.table}"
    inner += "".join(f" JOIN {t} ON {cond}" for t, cond in joins.items())
    inner += " WHERE " + " AND ".join([*where, f"({row}) IS NOT NULL"])
    # Every record that shares the top place ("if several share it, list them all").
    names = ", ".join(c.rsplit(" AS ", 1)[1] for c in cols)
    return (
        f"SELECT {names + ', ' if names else ''}value FROM ({inner}) AS ranked "
        f"WHERE place = 1 ORDER BY 1 LIMIT {_TIED_SHOWN}"
    )


_TIED_SHOWN = 10


def _write_percentile(intent: Intent, metric: str, results: Results, w: Writer) -> None:
    """The percentile's sentence, in the measure's unit."""
    res = results.get(_PERCENTILE)
    if intent.percentile is None or res is None or not res.ok or not res.rows:
        return
    row = res.records()[0]
    if row.get("value") is None:
        return
    key = {1.0: "percentile.max", 0.0: "percentile.min"}.get(intent.percentile, "percentile.lead")
    if intent.catalog is not None and intent.catalog.metrics[metric].unit not in TIME_UNITS:
        # A count or an amount each record holds: its highest, not its longest.
        key = {1.0: "percentile.highest", 0.0: "percentile.lowest"}.get(intent.percentile, key)
    w.lead.append(
        w.say(
            key,
            p=f"{100 * intent.percentile:g}",
            value=w.value(metric, row["value"]),
            n=f"{row['records']:,}",
            ref=res.id,
        )
    )
    record = results.get(_RECORD)
    if record is not None and record.ok and len(record.columns) > 1 and record.rows:
        r = record.records()[0]
        named = [c for c in record.columns if c != "value"]
        ident = named[0] if named and named[0] not in intent.shown else None
        parts = [
            w.say("percentile.record_part", dim=dim_name(w, c), value=w.label(c, r[c]))
            for c in named if c != ident and r.get(c) is not None
        ]  # fmt: skip
        sep = "，" if w.lang == "zh" else ", "
        if ident and len(record.rows) > 1:
            # Several records share it: each named.
            listed = sep.join(str(x[ident]) for x in record.records())
            key = "percentile.tied_more" if len(record.rows) >= _TIED_SHOWN else "percentile.tied"
            w.lead.append(w.say(key, n=len(record.rows), records=listed, ref=record.id))
            return
        if ident and not parts:
            w.lead.append(
                w.say(
                    "percentile.record_bare",
                    record=str(r[ident]),
                    value=w.value(metric, r["value"]),
                    ref=record.id,
                )
            )
            return
        w.lead.append(
            w.say(
                "percentile.record" if ident else "percentile.record_unnamed",
                record=str(r[ident]) if ident else "",
                parts=sep.join(parts),
                value=w.value(metric, r["value"]),
                ref=record.id,
            )
        )


_SHARE_OF_ALL = "share_of_all"
# "How many such messages are there, and on average how many days…": the records counted.
_HOW_MANY_RECORDS = re.compile(
    r"(?i)\bhow many (?:such |of (?:them|these|those) )?(?:messages|complaints|tickets|incidents"
    r"|records|tweets|reviews|cases|calls|posts|comments|narratives|requests)\b"
    r"|(?:多少|几)(?:条|张|件|起|单)"
)


def _records_asked(intent: Intent, metrics: list[str]) -> list[str]:
    """The count of the records beside a measure of them, when the question asks how many
    records there are too (one query, both cells)."""
    cat = intent.catalog
    if cat is None or len(metrics) != 1 or metrics[0] not in cat.metrics:
        return []
    if plain_count(cat, metrics[0]) or not _HOW_MANY_RECORDS.search(intent.question):
        return []
    table = cat.metrics[metrics[0]].table
    counts = [m for m in cat.metrics if plain_count(cat, m) and cat.metrics[m].table == table]
    return counts[:1]


def _share_of_all_call(intent: Intent, metrics: list[str]) -> dict[str, Call]:
    """ "Location 161 提的工单占全部工单的多少？它的 SLA 达成率是多少": the slice's records and
    their share of every record, in one query, beside the measure asked of the slice."""
    cat = intent.catalog
    if cat is None or not intent.filters or not SHARE_OF_ALL.search(intent.question):
        return {}
    if any(plain_count(cat, m) for m in metrics) or metrics[0] not in cat.metrics:
        return {}  # a count's share is the share playbook's
    table = cat.metrics[metrics[0]].table
    joins: dict[str, str] = {}
    period = slice_where(cat, table, {}, intent.period, joins)
    kept = slice_where(cat, table, dict(intent.filters), None, joins)
    if period is None or not kept:
        return {}
    tables = table + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    cond = " AND ".join(f"({c})" for c in kept)
    sql = (
        f"SELECT count(*) FILTER (WHERE {cond}) AS records, count(*) AS all_records, "
        f"round(100.0 * count(*) FILTER (WHERE {cond}) / nullif(count(*), 0), 2) AS share_pct "
        f"FROM {tables} WHERE {' AND '.join(period) or 'TRUE'}"
    )
    w = Writer(lang=intent.language, seed="", catalog=cat)
    said = w.say("value.share_of_all_purpose", where=slice_text(w, dict(intent.filters)))
    label = intent.period.label if intent.period else None
    return {_SHARE_OF_ALL: ("run_sql", {"sql": sql, "purpose": sql_purpose(said, label, w.lang)})}


def _write_share_of_all(intent: Intent, res: Result | None, w: Writer) -> None:
    if res is None or not res.ok or not res.rows:
        return
    row = res.records()[0]
    if not row.get("all_records"):
        return
    w.lead.append(
        w.say(
            "value.share_of_all", where=slice_text(w, dict(intent.filters)),
            n=fmt_row([row["records"]])[0], total=fmt_row([row["all_records"]])[0],
            share=w.pct(row["share_pct"]), ref=res.id,
        )
    )  # fmt: skip


_REST = "rest"


def _rest(intent: Intent) -> Intent | None:
    """The question's slice with its one value set against all the others of its column."""
    at = VS_REST.search(intent.question)
    if at is None or intent.aside_later:
        return None
    named = [
        (d, v) for d, v in intent.filters.items() if type(v) is str and d in _categories(intent)
    ]  # fmt: skip
    if len(named) != 1:
        return None
    dim, value = named[0]
    if intent.question.lower().find(value.lower()) > at.start():
        return None  # the value is said after the others, not set against them
    # Every other value the column lists (records with none are in no group), or, where its
    # values are not listed, all but the one.
    spec = intent.catalog.dimensions.get(dim) if intent.catalog else None
    others = [str(v) for v in (spec.values or []) if str(v) != value] if spec else []
    rest = Either(*others) if others else Excluded(value)
    if isinstance(rest, Excluded) and dim in intent.unset_left:
        rest.unset = False  # "(skip tickets with no group)"
    filters = {**intent.slots.filters, dim: rest}
    return replace(intent, slots=replace(intent.slots, filters=filters))


def _categories(intent: Intent) -> list[str]:
    cat = intent.catalog
    return [d for d, spec in (cat.dimensions.items() if cat else []) if spec.kind == "category"]


def _rest_call(intent: Intent, metrics: list[str], period: Any) -> dict[str, Call]:
    rest = _rest(intent)
    if rest is None:
        return {}
    return {_REST: metric_query(metrics, filters=rest.filters, period=period)}


_WHOLE = "whole:"


def _whole(intent: Intent) -> Intent | None:
    """The question's slice before the value it sets aside later was set aside."""
    dim = intent.aside_later
    if dim is None or dim not in intent.filters:
        return None
    filters = {d: v for d, v in intent.slots.filters.items() if d != dim}
    return replace(intent, slots=replace(intent.slots, filters=filters), aside_later=None)


def _whole_calls(intent: Intent, metrics: list[str], period: Any) -> dict[str, Call]:
    """ "…平均每款几条？把星越刨掉的话，其余…": the same figures for the whole slice as well."""
    whole = _whole(intent)
    if whole is None:
        return {}
    calls = {"value": metric_query(metrics, filters=whole.filters, period=period)}
    return {_WHOLE + tag: call for tag, call in (calls | distinct_calls(whole)).items()}


def _write_whole(intent: Intent, results: Results, w: Writer) -> None:
    """The whole slice's figures first, then those without the value set aside, each said as
    such."""
    whole = _whole(intent)
    if whole is None or intent.aside_later is None or _WHOLE + "value" not in results:
        return
    aside = intent.filters[intent.aside_later]
    label = w.label(intent.aside_later, str(aside)).removeprefix("not ").removeprefix("不含")
    without, w.lead = w.lead, []
    _write_value(whole, results[_WHOLE + "value"], w)
    write_distinct(
        {t.removeprefix(_WHOLE): r for t, r in results.items() if t.startswith(_WHOLE)},
        w,
        intent.question,
    )
    with_it, w.lead = w.lead, []
    if not with_it:
        w.lead = without
        return
    w.lead.append(w.say("aside.with", value=label) + " ".join(with_it))
    w.lead.append(w.say("aside.without", value=label) + " ".join(without))


def pair_grain(intent: Intent) -> str | None:
    """The calendar unit both periods are one of, when the comparison named is neither the
    period just before nor the same one a year earlier ("6月8号跟6月5号比", "March against
    January"): the two are then rows of one query by that unit."""
    p, c, cat = intent.period, intent.comparison, intent.catalog
    if p is None or c is None or cat is None or compare_kind(intent) == "year_ago":
        return None
    before = p.previous()
    if (before.start, before.end) == (c.start, c.end):
        return None  # the tool's own comparison
    for grain in ("day", "week", "month", "quarter"):
        if grain in cat.dimensions and _one_unit(p, grain) and _one_unit(c, grain):
            return grain
    return None


def _one_unit(p: Any, grain: str) -> bool:
    days = (p.end - p.start).days
    if grain == "day":
        return days == 1
    if grain == "week":
        return days == 7 and p.start.weekday() == 0
    return p.kind == grain


def _unit_label(p: Any, grain: str) -> str:
    return p.start.isoformat() if grain in ("day", "week") else str(p.label)


def _pair_call(intent: Intent, metric: str) -> Call | None:
    grain = pair_grain(intent)
    if grain is None or intent.period is None or intent.comparison is None:
        return None
    first, last = intent.comparison.start, intent.period.last_day
    return metric_query(
        [metric], filters=intent.filters, group_by=[grain], period=f"{first}..{last}"
    )


def _write_pair(intent: Intent, res: Result, w: Writer) -> None:
    """The two periods' values, from the rows of one query, and the difference."""
    grain = res.columns[0]
    metric = next(c for c in res.columns[1:] if not c.startswith("n_"))
    rows = {str(r[grain]): r for r in res.records()}
    assert intent.period is not None and intent.comparison is not None
    cur = rows.get(_unit_label(intent.period, grain), {}).get(metric)
    prev = rows.get(_unit_label(intent.comparison, grain), {}).get(metric)
    if cur is None and prev is None:
        w.status = "insufficient_data"
        w.lead.append(w.say("insufficient", reason=w.say("no_rows")))
        return
    cur, prev = cur or 0, prev or 0
    delta = cur - prev
    w.lead.append(
        w.say(
            "change.lead", metric=w.metric(metric), where=slice_of(w, intent),
            verb=_verb(w, delta), period=intent.period.label, prev_period=intent.comparison.label,
            cur=w.value(metric, cur), prev=w.value(metric, prev), delta=w.change(metric, delta),
            judgement=_judgement(w, metric, delta), ref=res.id,
        )
    )  # fmt: skip


def _write_change(intent: Intent, results: Results, w: Writer) -> None:
    intent = _without_biggest(intent, results)
    if intent.event_column:
        write_event(intent, results.get(EVENT), w, Split(intent.group_by))
        return
    if "groups" in results:
        write_grouped(intent, results, w)
        return
    if "rank" in results:
        BREAKDOWN.write(intent, results, w)
        return
    if "value" in results:
        _write_share_of_all(intent, results.get(_SHARE_OF_ALL), w)
        _write_value(intent, results["value"], w)
        if intent.metrics:
            _write_percentile(intent, intent.metrics[0], results, w)
        _write_extreme_unit(intent, results.get(_EXTREME_UNIT), w)
        beside = results.get(_BESIDE)
        if intent.threshold_beside is not None and beside is not None and not failed(w, beside):
            write_threshold(replace(intent, threshold=intent.threshold_beside), beside, w)
        if (rest := _rest(intent)) is not None and _REST in results:
            _write_value(rest, results[_REST], w)
        write_distinct(results, w, intent.question)
        _write_whole(intent, results, w)
        return
    if "pair" in results:
        pair = results["pair"]
        if not failed(w, pair) and pair is not None:
            _write_pair(intent, pair, w)
        return
    res = results.get("change")
    if failed(w, res) or res is None:
        return
    row = res.records()[0]
    content: dict[str, Any] = res.content or {}
    metrics = list(content["units"])
    for i, m in enumerate(metrics):
        _lead(w, intent, res, m, row, first=i == 0)
    _coverage(w, content, metrics[0], row, res.id)
    _where(w, results.get("where"), metrics[0])
    write_hotspot(w, results, metrics[0])


def _lead(w: Writer, intent: Intent, res: Result, m: str, row: dict[str, Any], first: bool) -> None:
    content: dict[str, Any] = res.content or {}
    delta = row.get(f"{m}_delta")
    prev = content.get("comparison_period") or {}
    w.lead.append(
        w.say(
            "change.lead" if first else "change.more",
            metric=w.metric(m),
            where=slice_of(w, intent),
            verb=_verb(w, delta),
            period=content["period"]["label"],
            prev_period=prev.get("label", ""),
            cur=w.value(m, row.get(m)),
            prev=w.value(m, row.get(f"{m}_prev")),
            delta=w.change(m, delta),
            judgement=_judgement(w, m, delta),
            ref=res.id,
        )
    )
    pct = row.get(f"{m}_pct_change")
    if first and pct is not None and w.unit(m) != "%" and delta:
        w.lead.append(w.say("change.pct", pct=w.pct_change(pct), ref=res.id))


def slice_of(w: Writer, intent: Intent) -> str:
    from .playbooks import slice_text

    return slice_text(w, intent.filters)


def _verb(w: Writer, delta: Any) -> str:
    if not delta:
        return w.say("word.held")
    return w.say("word.fell" if delta < 0 else "word.rose")


def _judgement(w: Writer, metric: str, delta: Any) -> str:
    d = direction(w, metric)
    if not delta or d == "neutral":
        return ""
    better = (delta > 0) == (d == "higher_is_better")
    return w.say("word.better" if better else "word.worse")


def _coverage(w: Writer, content: dict[str, Any], m: str, row: dict[str, Any], ref: str) -> None:
    n, n_prev = n_of(w, m, row), n_of(w, m, row, prev=True)
    if n is None:
        return
    w.coverage.append(
        w.say(
            "coverage.n",
            n=n,
            n_prev=n_prev,
            period=w.period(content["period"]),
            prev_period=w.period(content.get("comparison_period")),
            ref=ref,
        )
    )
    if w.small(n) or w.small(n_prev):
        w.coverage.append(w.say("coverage.small"))


def _where(w: Writer, res: Result | None, metric: str) -> None:
    """Where the move sits: the group that moved most, with the lever for it."""
    if res is None or not res.ok or not res.rows:
        return
    dim = res.columns[0]
    rows = [r for r in res.records() if r.get(f"{metric}_delta") not in (None, 0)]
    pool = solid(w, metric, rows)
    if not pool:
        return
    d = direction(w, metric)
    if d == "neutral":
        top, key = max(pool, key=lambda r: abs(r[f"{metric}_delta"])), "change.where"
    else:
        sign = -1 if d == "higher_is_better" else 1
        top = max(pool, key=lambda r: sign * r[f"{metric}_delta"])
        key = "change.where_worse"
        if sign * top[f"{metric}_delta"] < 0:
            top = min(pool, key=lambda r: sign * r[f"{metric}_delta"])
            key = "change.where_better"
    name = w.label(dim, top[dim])
    w.evidence.append(
        w.say(
            key,
            name=name,
            dim=_dim(w, dim),
            prev=w.value(metric, top.get(f"{metric}_prev")),
            cur=w.value(metric, top[metric]),
            delta=w.change(metric, top[f"{metric}_delta"]),
            ref=res.id,
        )
    )
    if key != "change.where_better":
        w.actions.append(lever_action(w, metric, name, top, res.id))


def _write_value(intent: Intent, res: Result, w: Writer) -> None:
    if failed(w, res):
        return
    row = res.records()[0]
    content: dict[str, Any] = res.content or {}
    for i, m in enumerate(content["units"]):
        w.lead.append(
            w.say(
                "value.lead" if i == 0 else "value.more",
                metric=w.metric(m),
                where=slice_of(w, intent),
                cur=w.value(m, row.get(m)),
                period=w.period(
                    content.get("period") if isinstance(content.get("period"), dict) else None
                ),
                ref=res.id,
            )
        )
    first = next(iter(content["units"]))
    n = n_of(w, first, row)
    if n is not None and w.unit(first) != "count":
        w.coverage.append(w.say("value.coverage", n=n, ref=res.id))
        if w.small(n):
            w.coverage.append(w.say("coverage.small"))


def _dim(w: Writer, dim: str) -> str:

    return dim_name(w, dim)


def _aside_stage(intent: Intent, results: Results) -> dict[str, Call]:
    """The biggest groups the question sets aside, found first (a preliminary step)."""
    dim = intent.aside_biggest
    if dim is None:
        return {}
    n = biggest_groups(intent, dim)
    volume = metric_or(intent, dim)
    if n is None:
        return {}
    call = metric_query(
        [volume], filters=intent.filters, group_by=[dim],
        period=phrase(intent, DEFAULT_PERIOD), order_by=f"-{volume}", limit=n,
    )  # fmt: skip
    return {PRE_BIGGEST: call}


def _without_biggest(intent: Intent, results: Results) -> Intent:
    """The question's slice with the biggest groups found set aside."""
    res, dim = results.get(PRE_BIGGEST), intent.aside_biggest
    if res is None or not res.ok or dim is None:
        return intent
    values = [str(r[dim]) for r in res.records() if r.get(dim) is not None]
    if not values:
        return intent
    slots = replace(intent.slots, filters={**intent.slots.filters, dim: Excluded(*values)})
    return replace(intent, slots=slots)


CHANGE = Playbook("metric_change", (_aside_stage, _change_stage), _write_change)

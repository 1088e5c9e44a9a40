"""Rankings ("which region is worst on X") and breakdowns ("X by channel").

A ranking that also asks how the figures moved ("…and how did it change?", "变化") and every
breakdown bring the previous period and are written by ``grouped``; a plain ranking lists the
groups for one period, worst (or best) first.
"""

from __future__ import annotations

import re
from typing import Any

from ...data.duck import q
from ...data.period_phrases import number
from ...data.periods import parse_period
from ..reading import PRELIMINARY, metric_label, shared_measure, sql_purpose
from .catalog_choice import default_dimension, label_sets, plain_count
from .distinct_counts import distinct_calls, write_distinct
from .event_counts import EVENT, Split, event_call, write_event
from .families import family_call, write_families
from .grouped import DEFAULT_PERIOD, LOWEST, grouped_calls, write_grouped
from .label_shares import SHARES, label_share_call, write_label_shares
from .metric_actions import learn_action, lever_action
from .narrative import Writer
from .playbooks import (
    TABLE_ROWS,
    Call,
    Playbook,
    dim_name,
    direction,
    failed,
    fmt_row,
    fold_parallel,
    metric_or,
    metric_query,
    n_of,
    phrase,
    slice_text,
    solid,
    table,
)
from .slice_sql import distinct_per_group_sql, reach, slice_where
from .slots import Excluded, fixed, groupable_dimensions
from .thresholds import records_per_group
from .transcript import Results
from .understand import FEWEST, SHARE_OF_ALL, Intent, share_of_slice
from .value_parts import Holding


def _label_stage(intent: Intent, results: Results) -> dict[str, Call]:
    """For the export's own categories, their shares of the records ranked (``label_shares``)."""
    rank = results.get("rank")
    metric = next(iter((rank.args.get("metrics") or [""]) if rank else [""]))
    call = label_share_call(intent, metric, rank)
    return {SHARES: call} if call is not None else {}


# "Of our three biggest categories", "工单量最大的那个处理组", "前三大品牌": a ranking limited to
# the groups with the most records.
_BIGGEST_EN = re.compile(
    r"(?i)\b(?:(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten) )?"
    r"(?:biggest|largest|busiest|highest[- ]volume) (?P<noun>[a-z][a-z ]{1,30})"
    # "the five groups with the most incidents"
    r"|\b(?P<n2>\d+|two|three|four|five|six|seven|eight|nine|ten) (?P<noun2>[a-z][a-z ]{1,30}?)"
    r" with the (?:most|highest number of|largest number of|biggest number of)\b"
)
_BIGGEST_ZH = re.compile(
    r"(?:工单量|投诉量|单量|数量|记录数|规模|量)最(?:大|多)的(?:那)?(?P<n>[一二两三四五六七八九十\d]+)?"
    r"[个家款位类]?"
    r"(?P<noun>[\u4e00-\u9fff]{1,6})|前(?P<m>[一二两三四五六七八九十\d]+)大(?P<noun2>[\u4e00-\u9fff]{1,6})"
)


# Its call id marks it as a preliminary step (``reading.PRELIMINARY``).
PRE_BIGGEST = PRELIMINARY + "biggest"


def biggest_groups(intent: Intent, dim: str) -> int | None:
    """How many of the groups with the most records the question limits the ranking to, when
    it names the grouping so ("our three biggest categories"); None when it does not."""
    cat = intent.catalog
    if cat is None or dim not in cat.dimensions:
        return None
    spec = cat.dimensions[dim].spec
    names = [n.lower() for n in (dim.replace("_", " "), spec.en, spec.zh, *spec.aliases) if n]
    m = _BIGGEST_EN.search(intent.question)
    noun, said = ((m["noun"] or m["noun2"] or ""), (m["n"] or m["n2"])) if m else ("", None)
    if m and any(noun.lower().startswith((n, n.rstrip("y"))) for n in names):
        return number(said.lower()) if said else 1
    z = _BIGGEST_ZH.search(intent.question)
    if z and any(n in (z["noun"] or z["noun2"] or "") for n in names if _CJK.search(n)):
        said = z["n"] or z["m"]
        return number(said) if said else 1
    return None


_CJK = re.compile(r"[\u3400-\u9fff]")


def _volume_metric(intent: Intent, metric: str) -> str | None:
    """The plain record count of the measured table (how big each group is)."""
    cat = intent.catalog
    if cat is None or metric not in cat.metrics:
        return None
    table = cat.metrics[metric].table
    for name, m in cat.metrics.items():
        if m.table == table and plain_count(cat, name):
            return None if name == metric else name
    return None


def _biggest_stage(intent: Intent, results: Results) -> dict[str, Call]:
    dim = intent.group_by or default_dimension(intent.catalog)
    if dim is None:
        return {}
    metric = metric_or(intent, dim)
    n, volume = biggest_groups(intent, dim), _volume_metric(intent, metric)
    if n is None or volume is None:
        return {}
    call = metric_query(
        [volume], filters=_other_filters(intent, dim), group_by=[dim],
        period=phrase(intent, DEFAULT_PERIOD), order_by=f"-{volume}", limit=n,
    )  # fmt: skip
    return {PRE_BIGGEST: call}


def _rank_stage(intent: Intent, results: Results) -> dict[str, Call]:
    if intent.distinct_of is not None:
        return _distinct_call(intent)
    if intent.pair is not None:
        return _pair_call(intent, *intent.pair)
    if intent.event_column:  # "which group resolved the most in June": by the resolution date
        return event_call(intent, _event_split(intent))
    dim = intent.group_by or default_dimension(intent.catalog)
    metric = metric_or(intent, dim)
    # One table per group: each table's rows against the period before, side by side.
    if intent.compare and not intent.whole_data:
        return grouped_calls(intent, metric, dim)
    # "How many different states, and which has the most": the number of them too.
    return _rank_call(intent, metric, dim, results.get(PRE_BIGGEST)) | distinct_calls(intent)


def _rank_call(intent: Intent, metric: str, dim: str, biggest: Any = None) -> dict[str, Call]:
    filters: dict[str, Any] = dict(_other_filters(intent, dim))
    if dim in intent.slots.compared:
        filters[dim] = intent.slots.compared[dim]  # only the groups the question names
    if biggest is not None and biggest.ok:
        # Only the groups with the most records, as the question limits it.
        filters[dim] = [r[dim] for r in biggest.records() if r.get(dim) is not None]
    # The end the question asks about comes first, so a long list still shows it.
    order = f"-{metric}" if high_first(intent, metric) else metric
    period = phrase(intent, DEFAULT_PERIOD)
    # Each group's records in a table of their own: the same measure on every table, side by side.
    measured = [metric, *intent.parallel] if metric in intent.metrics[:1] else [metric]
    call = metric_query(measured, filters=filters, group_by=[dim], period=period, order_by=order)
    # The groups set aside are not in the whole either ("不属于城乡建设类的有多少条").
    kept = {d: v for d, v in filters.items() if d != dim or isinstance(v, (Excluded, Holding))}
    # Only the groups named are ranked: the first of every group is none of them.
    named = dim in intent.slots.compared
    total = {} if named else _share_call(intent, metric, dim, kept)
    if not total and len(measured) == 1 and _value_asked_first(intent.question):
        # "平均要多少天才能答复？最慢的是哪个分类": the value over all of them too.
        total = {RANK_OVERALL: metric_query([metric], filters=kept, period=period)}
    total |= family_call(intent, metric, dim)  # "奔驰和宝马…各几条": each name's values together
    if intent.order != "both" or len(measured) > 1:
        return {"rank": call, **total}
    # Both ends asked for: the other end too, in case there are more groups than are shown.
    far = f"-{metric}" if not order.startswith("-") else metric
    other = metric_query(
        [metric], filters=filters, group_by=[dim], period=period, order_by=far, limit=TABLE_ROWS
    )
    return {"rank": call, "rank_far": other}


_PAIRS = "pairs"


def _pair_call(intent: Intent, first: str, second: str) -> dict[str, Call]:
    """The pairs of two groupings' values, the end asked for first."""
    metric = metric_or(intent, first)
    filters = _other_filters(intent, first, second)
    order = f"-{metric}" if high_first(intent, metric) else metric
    call = metric_query(
        [metric], filters=filters, group_by=[first, second], period=phrase(intent, DEFAULT_PERIOD),
        order_by=order, limit=TABLE_ROWS,
    )  # fmt: skip
    return {_PAIRS: call}


def _write_pairs(intent: Intent, res: Any, w: Writer) -> None:
    first, second = intent.pair or ("", "")
    metric = next(iter((res.content or {}).get("units") or []), None)
    rows = [
        r for r in res.records()
        if metric and r.get(metric) is not None and r.get(first) is not None
        and r.get(second) is not None
    ]  # fmt: skip
    if not rows or metric is None:
        failed(w, None)
        return
    w.learn_names(res.columns, rows)
    top = rows[0]
    joiner = "和" if w.lang == "zh" else " and "
    dims = joiner.join((dim_name(w, first), dim_name(w, second)))
    # Pairs level with the first are all named.
    tied = [r for r in rows if r[metric] == top[metric]][:5]
    names = [f"{w.label(first, r[first])} · {w.label(second, r[second])}" for r in tied]
    name = w.together(names)
    w.lead.append(
        w.say(
            _lead_key(intent, w, metric) + "_only", metric=w.metric(metric), dim=dims,
            period=res.content["period"]["label"], name=name, value=w.value(metric, top[metric]),
            ref=res.id,
        )
    )  # fmt: skip
    body = [
        fmt_row([w.label(first, r[first]), w.label(second, r[second]), w.value(metric, r[metric])])
        for r in rows
    ]
    heads = [dim_name(w, first), dim_name(w, second), w.metric(metric)]
    w.body += table(w, heads, body, res.id)
    w.coverage.append(w.say("coverage.rows", period=w.period(res.content["period"]), ref=res.id))


def _event_split(intent: Intent) -> Split:
    """The groups counted by the date of the event named, the end asked for first."""
    metric = intent.metrics[0] if intent.metrics else None
    return Split(intent.group_by, high_first(intent, metric) if metric else True)


def high_first(intent: Intent, metric: str) -> bool:
    cat = intent.catalog
    w = Writer(lang="en", seed="", catalog=cat)
    if cat is None or metric not in cat.metrics:
        return True
    high = direction(w, metric) in ("lower_is_better", "neutral")
    return high if _worst_first(intent, w, metric) else not high


def _distinct_call(intent: Intent) -> dict[str, Call]:
    """The groups with how many different values of ``Intent.distinct_of`` each holds."""
    cat, group, dim = intent.catalog, intent.group_by, intent.distinct_of
    if cat is None or group is None or dim is None:
        return {}
    sql = distinct_per_group_sql(
        cat, group, dim, _other_filters(intent, group), intent.period,
        ascending=FEWEST.search(intent.question) is not None, rows=TABLE_ROWS,
    )  # fmt: skip
    if sql is None:
        return {}
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say("distinct.by_group", dim=dim_name(w, dim), group=dim_name(w, group))
    period = intent.period.label if intent.period else None
    return {
        "distinct_rank": (
            "run_sql",
            {"sql": sql, "purpose": sql_purpose(purpose, period, intent.language)},
        )
    }


def _write_distinct_rank(intent: Intent, res: Any, w: Writer) -> None:
    group, dim = res.columns[0], (intent.distinct_of or "")
    rows = [r for r in res.records() if r[group] is not None and str(r[group]).strip()]
    if not rows:
        failed(w, None)
        return
    top = rows[0]
    if intent.per_group and top.get(f"avg_{dim}") is not None:
        # "平均每个品牌涉及几款车型": the average over every group first.
        w.lead.append(
            w.say(
                "distinct.average", group=dim_name(w, group), dim=dim_name(w, dim),
                n=fmt_row([top[f"avg_{dim}"]])[0], groups=fmt_row([top["groups"]])[0],
                ref=res.id,
            )
        )  # fmt: skip
    # Groups level with the first are all named ("吉利汽车、上汽大众: 10 each").
    tied = [r for r in rows if r[f"distinct_{dim}"] == top[f"distinct_{dim}"]]
    names = [w.label(group, r[group]) for r in tied[:5]]
    if len(tied) > 5:  # many level with the first: some named, the table shows them
        names.append(w.say("word.others"))
    name = w.together(names)
    w.lead.append(
        w.say(
            "distinct.by_group_lead", group=dim_name(w, group), name=name,
            n=fmt_row([top[f"distinct_{dim}"]])[0], dim=dim_name(w, dim),
            ref=res.id,
            end=w.say("word.fewest" if FEWEST.search(intent.question) else "word.most"),
        )
    )  # fmt: skip
    body = [fmt_row([w.label(group, r[group]), r[f"distinct_{dim}"], r["records"]]) for r in rows]
    heads = [dim_name(w, group), w.say("distinct.col", dim=dim_name(w, dim)), w.say("col.records")]
    w.body += table(w, heads, body, res.id)


def _write_rank(intent: Intent, results: Results, w: Writer) -> None:
    if "distinct_rank" in results:
        counted = results["distinct_rank"]
        if not failed(w, counted) and counted is not None:
            _write_distinct_rank(intent, counted, w)
        return
    if intent.event_column:
        write_event(intent, results.get(EVENT), w, _event_split(intent))
        return
    if "groups" in results:
        write_grouped(intent, results, w)
        return
    if write_label_shares(intent, results, w):
        return
    if _grouping_missing(intent, w):
        return
    if (pairs := results.get(_PAIRS)) is not None:
        if not failed(w, pairs):
            _write_pairs(intent, pairs, w)
        return
    res = results.get("rank")
    if failed(w, res) or res is None:
        return
    dim = res.columns[0]
    metric = next(iter(res.content["units"]))  # type: ignore[index]
    # Records without a value for the dimension (a ticket no engineer took) are not a group.
    measured = list((res.content or {}).get("units") or [])
    records = fold_parallel(w, measured, res.records())
    shared = shared_measure([metric_label(w.catalog, m, w.lang) for m in measured])
    if shared and intent.parallel:
        w.metric_names[metric] = shared
    carried = _carried_label(intent, metric)
    if carried:  # "records carrying Refund", not "inbound label count for Refund"
        w.metric_names[metric] = w.say("labels.carrying", name=intent.filters[carried])
    rows = [r for r in records if r.get(metric) is not None and r.get(dim) is not None]
    if not rows:
        failed(w, None)
        return
    w.learn_names(res.columns, rows)
    far_res = results.get("rank_far")
    if far_res is not None and far_res.ok:
        w.learn_names(far_res.columns, far_res.records())
    pool = solid(w, metric, rows)
    worst_first = _worst_first(intent, w, metric)
    ordered = _ordered(w, metric, pool, worst_first=worst_first)
    top, other = ordered[0], ordered[-1]
    period = res.content["period"]  # type: ignore[index]
    # With more groups than the tool showed, the far end is unknown: name only the asked end,
    # unless both ends were asked for and fetched.
    whole = len(res.rows) >= int(res.content.get("row_count") or 0)  # type: ignore[union-attr]
    far = _far_end(w, metric, results.get("rank_far"), dim, worst_first)
    ref = res.id
    if not whole and far is not None:
        other, whole, ref = far[0], True, f"{res.id}][{far[1]}"
        rows = rows + [r for r in far[2] if r[dim] not in {x[dim] for x in rows}]
    key = _lead_key(intent, w, metric) + ("" if whole and len(pool) > 1 else "_only")
    if whole and len(pool) > 1 and top[metric] == other[metric]:
        key = "rank.lead_tie"  # no group is ahead of another
    w.lead.append(
        w.say(
            # One group has no other end to name.
            key,
            metric=w.metric(metric) + slice_text(w, _other_filters(intent, dim, carried)),
            dim=dim_name(w, dim),
            period=period["label"],
            name=w.label(dim, top[dim]),
            value=w.value(metric, top[metric]),
            other=w.label(dim, other[dim]),
            other_value=w.value(metric, other[metric]),
            ref=ref,
        )
    )
    nth = asked_place(intent.question)
    if nth is not None and nth <= len(ordered):
        # "Which group comes second": that place named first, then the ranking's ends.
        at = ordered[nth - 1]
        w.lead.insert(
            len(w.lead) - 1,
            w.say(
                "rank.place", dim=dim_name(w, dim), place=w.say(f"rank.place_{nth}"),
                name=w.label(dim, at[dim]), metric=w.metric(metric),
                value=w.value(metric, at[metric]), period=period["label"], ref=res.id,
            ),
        )  # fmt: skip
    _lead_listed(intent, w, res, dim, metric, ordered, whole, period["label"])
    write_distinct(results, w, intent.question)
    write_families(results, w)
    _share_of_all(w, results.get(RANK_TOTAL), dim)
    _overall(w, results.get(RANK_OVERALL), metric)
    shown = _ordered(w, metric, rows, worst_first=worst_first)
    if len(shown) > TABLE_ROWS and far is not None:
        half = TABLE_ROWS // 2
        shown = shown[:half] + shown[-half:]
    # A count is its own sample size; a second column would repeat it.
    cols = 2 if w.unit(metric) == "count" else 3
    body = [
        fmt_row([w.label(dim, r[dim]), w.value(metric, r[metric]), n_of(w, metric, r) or ""][:cols])
        for r in shown
    ]
    headers = [dim_name(w, dim), w.metric(metric), w.say("table.n")][:cols]
    w.body += table(w, headers, body, res.id)
    if len(pool) < len(rows):
        w.coverage.append(w.say("rank.solid"))
    biggest = results.get(PRE_BIGGEST)
    if biggest is not None and biggest.ok:
        w.coverage.append(w.say("rank.biggest", dim=dim_name(w, dim), ref=biggest.id))
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))
    by_worst = _ordered(w, metric, pool, worst_first=True)
    worst, best = by_worst[0], by_worst[-1]
    name = w.label(dim, worst[dim])
    w.actions.append(lever_action(w, metric, name, worst, res.id, with_prev=False))
    if best[dim] != worst[dim] and direction(w, metric) != "neutral":
        w.actions.append(learn_action(w, metric, dim, name, best, res.id))


RANK_TOTAL = "rank_total"
RANK_OVERALL = "rank_overall"
# A measure's value asked for before which group ("on average how many days … ; which category
# is slowest", "平均要多少天…？最慢的是哪个"): the value over every group comes with the ranking.
_VALUE_FIRST = re.compile(
    r"(?i)\bon average\b|\baverage\b|\bhow long\b|\bmean\b|平均|多久|多长时间|多少(?:天|小时|分钟)"
)


def _value_asked_first(question: str) -> bool:
    return _said_before_which(_VALUE_FIRST, question)


def _share_call(intent: Intent, metric: str, dim: str, filters: dict[str, Any]) -> dict[str, Call]:
    """ "… and what share of all tickets is that": the first group's records and their share of
    every record in the slice, counted in one query so the share is a cell of it."""
    cat = intent.catalog
    asked = (
        SHARE_OF_ALL.search(intent.question)
        or total_asked(intent.question)
        or share_of_slice(intent)
    )
    if cat is None or not asked or not plain_count(cat, metric):
        return {}
    table = cat.metrics[metric].table
    joins: dict[str, str] = {}
    # The period the ranking is over (its default when the question names none), so the share
    # is of the same records.
    period = intent.period or parse_period(DEFAULT_PERIOD, intent.as_of)
    where = slice_where(cat, table, filters, period, joins)
    expr = reach(cat, table, dim, joins)
    if where is None or expr is None:
        return {}
    tables = table + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    if isinstance(filters.get(dim), Excluded):
        # "With a group other than Group 70": records with no group are not among them.
        where = [*where, f"{expr} IS NOT NULL"]
    clause = " AND ".join(where) or "TRUE"
    order = "ASC" if FEWEST.search(intent.question) else "DESC"
    first = asked_count(intent.question)
    if (
        first is not None
        and _WHICH_GROUP.search(intent.question)
        and not _TOGETHER.search(intent.question)
    ):
        first = None  # "which brand has the most, what share is that; list the top 5": the first's
    if first is not None:
        # "What share of all complaints comes from the five most-complained-about brands": the
        # first n groups' records together, against every record in the slice.
        kept = f"WHERE place <= {int(first)} AND NOT unset"
        sql = (
            f"SELECT sum(records) FILTER ({kept}) AS records, "
            f"sum(records) AS all_records, {int(first)} AS first_n, "
            f"ROUND(100.0 * sum(records) FILTER ({kept}) / sum(records), 2) AS share_pct "
            f"FROM (SELECT {expr} IS NULL AS unset, count(*) AS records, "
            f"row_number() OVER (ORDER BY {expr} IS NULL, count(*) {order}, {expr}) AS place "
            f"FROM {tables} WHERE {clause} GROUP BY {expr})"
        )
    else:
        # One pass: every group's records (those without a value too) make the whole.
        sql = (
            f"SELECT {expr} AS {q(dim)}, count(*) AS records, "
            f"sum(count(*)) OVER () AS all_records, "
            f"ROUND(100.0 * count(*) / sum(count(*)) OVER (), 2) AS share_pct "
            f"FROM {tables} WHERE {clause} GROUP BY 1 "
            f"ORDER BY {expr} IS NULL, records {order} LIMIT 1"
        )
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = (
        w.say("rank.share_first_n_purpose", n=first, dim=dim_name(w, dim))
        if first is not None
        else w.say("rank.share_purpose", dim=dim_name(w, dim))
    ) + slice_text(w, filters)
    return {
        RANK_TOTAL: ("run_sql", {"sql": sql, "purpose": sql_purpose(purpose, period.label, w.lang)})
    }


# The first n groups taken together ("what share do they make up together", "这三家加起来").
_TOGETHER = re.compile(
    r"(?i)\b(?:they|them|those|these|together|combined|between them)\b"
    r"|加起来|合计|一共|总共|这几|这[两三四五六七八九十\d]+(?:个|家|款|类|位)"
)


# How many in all, asked before which group has the most ("一共有几条？哪个品牌最多", "how many
# complaints …, and which brand has the most of those"): the records of every group too.
_HOW_MANY_IN_ALL = re.compile(
    r"(?i)\bhow many\b|一共|总共|共有|合计|多少条|几条|多少个|几个|多少张|几张|多少起|多少件"
)
_TOTAL_AFTER = re.compile(
    r"(?i)\bhow many (?:are there |were there |is that |in all )?(?:overall|in total|in all"
    r"|altogether)\b|(?:全部|总共|一共|总计|合计)(?:有|是)?(?:多少|几)"
)
_WHICH_GROUP = re.compile(r"(?i)\bwhich\b|\bwho\b|\bwhat (?!share|percent)|哪|谁")


def total_asked(question: str) -> bool:
    """Whether the question asks how many records there are in all before it asks which group
    has the most of them (not "which brand has the most, and how many": the first's count)."""
    if _said_before_which(_HOW_MANY_IN_ALL, question):
        return True
    # "Which district … the most? How many are there overall?": the whole asked on its own.
    which = _WHICH_GROUP.search(question)
    after = _TOTAL_AFTER.search(question, which.end()) if which else None
    return after is not None


def _said_before_which(asked: re.Pattern[str], question: str) -> bool:
    """Whether ``asked`` is said before the question asks which group."""
    first, which = asked.search(question), _WHICH_GROUP.search(question)
    return first is not None and which is not None and first.start() < which.start()


def _overall(w: Writer, res: Any, metric: str) -> None:
    """The measure over every group, asked for before the ranking."""
    if res is None or not res.ok or not res.rows:
        return
    value = res.records()[0].get(metric)
    if value is not None:
        w.lead.append(
            w.say("rank.overall", metric=w.metric(metric), value=w.value(metric, value), ref=res.id)
        )


def _share_of_all(w: Writer, res: Any, dim: str) -> None:
    """The first group's share of all the records, from the query counting both."""
    if res is None or not res.ok or not res.rows:
        return
    row = res.records()[0]
    if row.get("first_n") is not None:
        # The first n groups together.
        if row.get("records") is None:
            return
        w.lead.append(
            w.say(
                "rank.share_first_n", n=fmt_row([row["first_n"]])[0], dim=dim_name(w, dim),
                records=fmt_row([row["records"]])[0], pct=w.pct(row["share_pct"]),
                total=fmt_row([row["all_records"]])[0], ref=res.id,
            )
        )  # fmt: skip
        return
    if row.get(dim) is None:  # only records without a value: no group to name
        return
    w.lead.append(
        w.say(
            "rank.share_of_all",
            name=w.label(dim, row[dim]),
            pct=w.pct(row["share_pct"]),
            total=fmt_row([row["all_records"]])[0],
            ref=res.id,
        )
    )


def _grouping_missing(intent: Intent, w: Writer) -> bool:
    """ "Which province do most complaints come from", with no province in the data: said, with
    the groupings the data has, rather than a ranking by another one passed off as the answer."""
    guess = intent.grouping
    if guess is None or guess.dimension is not None or not guess.phrase or w.catalog is None:
        return False
    # A dimension only filtered to one value ("hotel reviews") is no grouping of the records.
    split = [d for d in intent.slots.dimensions if not fixed(intent.filters, d)]
    if split or intent.slots.compared:
        return False
    names = [dim_name(w, d) for d in groupable_dimensions(w.catalog)[:_OFFERED]]
    w.status = "insufficient_data"
    joiner = "、" if w.lang == "zh" else ", "
    w.lead.append(w.say("rank.no_grouping", phrase=guess.phrase, dims=joiner.join(names)))
    return True


_OFFERED = 5


def _far_end(
    w: Writer, metric: str, res: Any, dim: str, worst_first: bool
) -> tuple[dict[str, Any], str, list[dict[str, Any]]] | None:
    """The best (or worst) group from the query ordered the other way, when it was made."""
    if res is None or not res.ok or not res.rows:
        return None
    rows = [r for r in res.records() if r.get(metric) is not None and r.get(dim) is not None]
    pool = solid(w, metric, rows)
    if not pool:
        return None
    ordered = _ordered(w, metric, pool, worst_first=not worst_first)
    return ordered[0], res.id, rows


def _other_filters(intent: Intent, dim: str, *more: str | None) -> dict[str, str]:
    # A value set aside on the grouped dimension stays set aside ("the other brands"); the
    # values holding a word stay the ones ranked ("which banks": the companies named "… Bank").
    return {
        k: v
        for k, v in intent.filters.items()
        if (k != dim or isinstance(v, (Excluded, Holding))) and k not in more
    }


def _carried_label(intent: Intent, metric: str) -> str | None:
    """The label dimension a label count is filtered to one value of, if it is."""
    dim = label_sets(intent.catalog).get(metric)
    return dim if dim is not None and isinstance(intent.filters.get(dim), str) else None


# A place in a ranking asked for ("comes second", "the runner-up", "排名第二", "第三多"); not a
# second half, quarter or time.
_PLACE = re.compile(
    r"(?i)(?<!\ba )(?<!\bone )\b(?P<en>second|third|fourth|fifth|2nd|3rd|4th|5th|runner-up)\b"
    r"(?!\s*(?:-\s*)?(?:half|quarter|week|month|day|year|time|place holder|level|line|tier))"
    r"(?!\s+of\s+(?:all|the|our|every|them|those|these)\b)"  # "a third of all complaints"
    r"|(?:排名|排在|排|名列|位居|位列)第(?P<zh>[二三四五2345])"
    r"|第(?P<zh2>[二三四五2345])(?:名|位|多|大|高|低|少)"
)
_PLACES = {"second": 2, "2nd": 2, "runner-up": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
           "fifth": 5, "5th": 5, "二": 2, "三": 3, "四": 4, "五": 5}  # fmt: skip


def _lead_listed(
    intent: Intent,
    w: Writer,
    res: Any,
    dim: str,
    metric: str,
    ordered: list[Any],
    whole: bool,
    period: str,
) -> None:
    """The groups the question asks to be named, each with its figure: the first n of "which
    three", "top 5", "前三"; or, for a count, those past the number said ("which models got
    more than 20 complaints")."""
    size = records_per_group(intent.question) if w.unit(metric) == "count" else None
    if size is not None:
        op, n, said = size
        passed = [r for r in ordered if _passes(float(r[metric]), op, n)]
        # Only the groups fetched are known: past "more than" they are all there when the
        # most come first and some fell short; "fewer than" needs every group.
        most_first = float(ordered[0][metric]) >= float(ordered[-1][metric])
        complete = whole or (op.startswith(">") and most_first and len(passed) < len(ordered))
        if not complete:
            return
        listed = passed
        key = "rank.past"
    else:
        first = asked_count(intent.question)
        if first is None or first < 2 or len(ordered) <= 1:
            return
        listed, key, said = ordered[:first], "rank.first_n", ""
    sep = "、" if w.lang == "zh" else ", "
    names = sep.join(f"{w.label(dim, r[dim])} ({w.value(metric, r[metric])})" for r in listed)
    w.lead.append(
        w.say(
            key, n=len(listed), dim=dim_name(w, dim), said=said,
            names=names or w.say("rank.none"),
            metric=w.metric(metric), period=period, ref=res.id,
        )
    )  # fmt: skip


def _passes(value: float, op: str, n: int) -> bool:
    return {">": value > n, ">=": value >= n, "<": value < n, "<=": value <= n}.get(op, value == n)


# "Which three", "top 5", "前三", "哪三个": how many groups the question asks to be named.
_ASKED_COUNT = re.compile(
    r"(?i)\b(?:top|first|which|the|biggest|largest)\s+(?P<en>\d{1,2}|two|three|four|five|six|seven"
    r"|eight|nine|ten)\b(?!\s*(?:%|percent|days?|weeks?|months?|quarters?|years?|hours?))"
    r"|(?:前|哪)(?P<zh>[二两三四五六七八九十]|\d{1,2})(?:个|家|款|位|名|类|种|条|项|大)?"
)
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                "七": 7, "八": 8, "九": 9, "十": 10}  # fmt: skip


def asked_count(question: str) -> int | None:
    """How many groups the question asks for ("which three brands" → 3), if it says."""
    m = _ASKED_COUNT.search(question)
    if m is None:
        return None
    word = (m.group("en") or m.group("zh") or "").lower()
    n = _COUNT_WORDS.get(word) or (int(word) if word.isdigit() else None)
    return n if n is not None and 2 <= n <= 20 else None


def asked_place(question: str) -> int | None:
    """The place in the ranking the question asks about (2 for "comes second"), if any."""
    m = _PLACE.search(question)
    if m is None:
        return None
    word = (m.group("en") or m.group("zh") or m.group("zh2") or "").lower()
    return _PLACES.get(word) or (int(word) if word.isdigit() else None)


def _worst_first(intent: Intent, w: Writer, metric: str) -> bool:
    """For a count or other neutral metric "worst" means the most, unless the least was asked."""
    if direction(w, metric) == "neutral":
        size = records_per_group(intent.question)
        if size is not None and size[0].startswith("<"):
            return False  # "which brands had fewer than 3 complaints": the fewest first
        return not LOWEST.search(intent.question)
    return intent.order != "best"


def _lead_key(intent: Intent, w: Writer, metric: str) -> str:
    if direction(w, metric) == "neutral":
        return "rank.lead_most" if _worst_first(intent, w, metric) else "rank.lead_least"
    return "rank.lead_" + ("best" if intent.order == "best" else "worst")


def _ordered(w: Writer, metric: str, rows: list[Any], worst_first: bool) -> list[Any]:
    high_first = direction(w, metric) in ("lower_is_better", "neutral")
    ordered = sorted(rows, key=lambda r: r[metric], reverse=high_first)
    return ordered if worst_first else ordered[::-1]


RANKING = Playbook("ranking", (_biggest_stage, _rank_stage, _label_stage), _write_rank)


def _breakdown_stage(intent: Intent, results: Results) -> dict[str, Call]:
    if intent.event_column:
        return event_call(intent, _event_split(intent))
    dim = intent.group_by or default_dimension(intent.catalog)
    metric = metric_or(intent, dim)
    if intent.whole_data or intent.parallel:  # no earlier period, or one table per group
        return _rank_call(intent, metric, dim) | _total_call(intent, metric, dim)
    return grouped_calls(intent, metric, dim)


def _total_call(intent: Intent, metric: str, dim: str) -> dict[str, Call]:
    """The records of every group's own table added up, when a count over all of them was
    asked (``Intent.parallel_total``): one query, so the total is a cited figure."""
    cat = intent.catalog
    if cat is None or not intent.parallel_total:
        return {}
    kept = {d: v for d, v in intent.filters.items() if d != dim}
    parts = []
    for m in [metric, *intent.parallel]:
        table = cat.metrics[m].table
        joins: dict[str, str] = {}
        where = slice_where(cat, table, kept, intent.period, joins)
        if where is None:
            return {}
        joined = "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
        clause = " WHERE " + " AND ".join(where) if where else ""
        # The measure's own count ("COUNT(*) FILTER (WHERE provide_url)"), not its rows'.
        counted = cat.metrics[m].spec.expr
        row_filter = cat.metrics[m].spec.filter
        if row_filter:
            clause += (" AND " if clause else " WHERE ") + f"({row_filter})"
        parts.append(f"SELECT {counted} AS n FROM {table}{joined}{clause}")
    sql = f"SELECT sum(n) AS total_records FROM ({' UNION ALL '.join(parts)}) AS each_table"
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say("parallel.total_purpose", metric=w.metric(metric), dim=dim_name(w, dim))
    label = intent.period.label if intent.period else None
    said = sql_purpose(purpose, label, intent.language)
    return {TOTAL: ("run_sql", {"sql": sql, "purpose": said})}


def _write_breakdown(intent: Intent, results: Results, w: Writer) -> None:
    _write_rank(intent, results, w)
    total = results.get(TOTAL)
    if total is not None and total.ok and total.rows:
        n = total.records()[0].get("total_records")
        w.lead.insert(0, w.say("parallel.total", total=fmt_row([n])[0], ref=total.id))


TOTAL = "total"
BREAKDOWN = Playbook("breakdown", (_breakdown_stage,), _write_breakdown)

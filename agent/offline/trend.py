"""The trend playbook (a metric month by month) and the hotspot check for waits and durations.

A trend leads with where the metric started and ended and names its best and worst months. For
a wait or a duration the answer also looks for the group and months where the metric spiked (a
"hotspot", by the dimensions that usually say where a move sits), because an average over all
groups hides a local surge.
"""

from __future__ import annotations

import itertools
import re
import statistics
from datetime import date, timedelta
from typing import Any

from .catalog_choice import split_dimensions
from .event_counts import EVENT, Split, event_call, write_event
from .narrative import Writer
from .playbooks import (
    Call,
    Playbook,
    dim_name,
    direction,
    failed,
    metric_or,
    metric_query,
    phrase,
    slice_text,
    table,
)
from .transcript import Result, Results
from .understand import STEP_CHANGE, Intent

# A wait or a duration (lower is better, in time units) is where an average hides a local surge.
TIME_UNITS = ("hours", "hour", "h", "days", "day", "d", "minutes", "min")
_HOTSPOT_MIN_N = 5
_HOTSPOT_SPLITS = 2


def hotspot_calls(intent: Intent, metric: str) -> dict[str, Call]:
    """The metric by (split, month) over a year, for waits and durations, for the first
    dimensions that usually say where a move sits."""
    cat = intent.catalog
    if cat is None or metric not in cat.metrics or "month" not in cat.dimensions:
        return {}
    spec = cat.metrics[metric]
    if spec.direction != "lower_is_better" or spec.unit.lower() not in TIME_UNITS:
        return {}
    calls: dict[str, Call] = {}
    for dim in split_dimensions(cat, metric, intent.filters)[:_HOTSPOT_SPLITS]:
        calls[f"hotspot:{dim}"] = metric_query(
            [metric],
            filters=intent.filters,
            group_by=[dim, "month"],
            period="last 12 months",
            order_by=f"-{metric}",
            limit=30,
        )
    return calls


def write_hotspot(w: Writer, results: Results, metric: str) -> None:
    """The (group, month) cells that stand out most above their dimension's typical cell."""
    best: tuple[float, str, Result, list[dict[str, Any]]] | None = None
    for tag, res in results.items():
        if not tag.startswith("hotspot:") or res is None or not res.ok or not res.rows:
            continue
        dim = tag.split(":", 1)[1]
        rows = [r for r in res.records() if r.get(metric) is not None and r.get(dim) is not None]
        rows = [r for r in rows if _n(r) >= _HOTSPOT_MIN_N]
        if len(rows) < 3:
            continue
        typical = statistics.median(r[metric] for r in rows)
        standout = rows[0][metric] / typical if typical else 0.0
        if best is None or standout > best[0]:
            best = (standout, dim, res, rows)
    if best is None:
        return
    _, dim, res, rows = best
    top = rows[0][dim]
    months = sorted((r for r in rows if r[dim] == top), key=lambda r: -r[metric])[:2]
    months.sort(key=lambda r: r["month"])
    cells = ", ".join(
        w.say("hot.cell", month=r["month"], value=w.value(metric, r[metric])) for r in months
    )
    line = w.label(dim, top)
    w.evidence.append(
        w.say(
            "hot.lead", line=line, dim=dim_name(w, dim), metric=w.metric(metric), cells=cells,
            ref=res.id,
        )
    )  # fmt: skip
    w.actions.append(w.say("hot.action", line=line, metric=w.metric(metric)))


def _n(row: dict[str, Any]) -> int:
    """The row's sample size (the ``n_<table>`` column the metric tool adds)."""
    return int(next((v for k, v in row.items() if k.startswith("n_") and v is not None), 0))


# The grain a question asks for ("quarterly", "按季度", "weekly"); month when it names none.
_GRAINS = (
    # "每个月" names the grain even where a quarter is the period ("去年第三季度，每个月各…").
    (
        "month",
        re.compile(
            r"(?i)\bmonth[- ]by[- ]month\b|\beach of the \w+ months\b|每个?月|按月|逐月|各月"
        ),
    ),
    (
        "quarter",
        re.compile(
            r"(?i)quarter(?:ly|[- ]by[- ]quarter)|by quarter|per quarter|each quarter"
            r"|\beach of the \w+ quarters\b"
            # "Which quarter of last year brought in the most": the quarter is the grain ranked.
            r"|\bwhich (?:single |one )?quarter\b|\b(?:busiest|quietest|peak|slowest) quarter\b"
            r"|每个?季度|按季度?|逐季|各季度|(?<![第上下本这一二三四1-4])季度(?!度)"
        ),
    ),
    (
        "half_year",
        re.compile(
            r"(?i)half[- ]year(?:ly|[- ]by[- ]half[- ]year)|by half[- ]year|each half\b"
            r"|per half[- ]year|every half[- ]year|每半年|按半年|上下半年|各半年"
        ),
    ),
    (
        "week",
        re.compile(
            r"(?i)\bweekly\b|week[- ]by[- ]week|by week|per week|each week|每周|按周|逐周"
            r"|\bwhich (?:single )?week\b|\b(?:busiest|quietest|peak) (?:single )?week\b"
            r"|哪(?:一|个)?(?:周|个星期)"
        ),
    ),
    (
        "day",
        re.compile(
            r"(?i)\bdaily\b|day[- ]by[- ]day|by day|per day|each day|每天|按天|逐日"
            # "The single busiest day", "which date", "哪一天": the day is the grain ranked.
            r"|\bwhich (?:single |particular |one )?(?:day|date)\b(?! of (?:the )?week)"
            r"(?![^?.]{0,30}\b(?:time|hours?)\b)"
            r"|\b(?:busiest|quietest|peak|slowest) (?:single )?(?:day|date)\b(?! of (?:the )?week)"
            r"(?![^?.]{0,30}\b(?:time|hours?)\b)"
            r"|哪(?:一|个)?(?:天|日)(?![^？?]{0,10}(?:时段|钟点|几点|小时|时间段))"
        ),
    ),
)
# "When did it start to rise", "从哪个月开始增多": the answer names the month it turned.
_ONSET = re.compile(
    r"(?i)which (?:month|quarter|week)|when did .{0,40}(?:start|begin)|start(?:ed|ing)? to"
    r"|从(?:哪个|几)|哪个月(?:起|开始)|什么时候开始|几月份?开始|开始(?:增多|变多|上升|往上|下降|减少)"
)


def grain_of(intent: Intent) -> str:
    dims = intent.catalog.dimensions if intent.catalog is not None else {}
    for grain, words in _GRAINS:
        if words.search(intent.question) and grain in dims:
            return grain
    listed = _LISTED_QUARTERS.search(intent.period.phrase) if intent.period else None
    return "quarter" if listed and "quarter" in dims else "month"


# Quarters listed one by one ("Q1, Q2 and Q3", "一、二、三季度"): the quarter is the grain.
_LISTED_QUARTERS = re.compile(
    r"(?i)(?:季度|\bq[1-4]\b|quarter).*(?:[、,，]|\band\b|和)|(?:[、,，]|和).*季度"
)


def _trend_stage(intent: Intent, results: Results) -> dict[str, Call]:
    if intent.event_column:  # "how many were resolved each month": by the resolution date
        return event_call(intent, Split(grain_of(intent), in_time=True))
    metric = metric_or(intent)
    grain = grain_of(intent)
    call = metric_query(
        [metric],
        filters=intent.filters,
        group_by=[grain],
        period=_span(intent),
        order_by=grain,
    )
    return {"trend": call} | hotspot_calls(intent, metric)


def _ends_stage(intent: Intent, results: Results) -> dict[str, Call]:
    """A series longer than the rows a result shows (days over months): its highest and lowest
    points asked for on their own, so the peak told is the series' peak, not the shown rows'."""
    res = results.get("trend")
    if res is None or not res.ok or not _cut(res):
        return {}
    metric = next(iter(res.content["units"]))  # type: ignore[index]
    args = dict(res.args)
    return {
        "high": ("query_metric", {**args, "order_by": f"-{metric}", "limit": 3}),
        "low": ("query_metric", {**args, "order_by": metric, "limit": 3}),
    }


def _cut(res: Result) -> bool:
    """Whether the result shows fewer rows than the query returned."""
    total = (res.content or {}).get("row_count")
    return isinstance(total, int) and total > len(res.rows)


def _span(intent: Intent) -> str:
    """The trend's period: the question's, from the earlier period it compares with when it
    names two ("Q3 vs Q2, each quarter"), else the last twelve months."""
    p, c = intent.period, intent.comparison
    if p is not None and c is not None and c.start < p.start:
        return f"{c.start.isoformat()}..{p.last_day.isoformat()}"
    return phrase(intent, "last 12 months")


def _write_trend(intent: Intent, results: Results, w: Writer) -> None:
    if intent.event_column:
        write_event(intent, results.get(EVENT), w, Split(grain_of(intent), in_time=True))
        return
    res = results.get("trend")
    if failed(w, res) or res is None:
        return
    metric = next(iter(res.content["units"]))  # type: ignore[index]
    grain = res.columns[0]
    rows = [{**r, "month": r[grain]} for r in res.records() if r.get(metric) is not None]
    if not rows:
        failed(w, None)
        return
    # Counts of weeks cut by the period's ends are not compared with whole weeks.
    cut = _cut_weeks(intent, grain, metric, rows, w)
    whole = [r for r in rows if r["month"] not in cut] or rows
    first, last = whole[0], whole[-1]
    high = max(whole, key=lambda r: r[metric])
    low = min(whole, key=lambda r: r[metric])
    if _cut(res):
        _write_ends(intent, res, results, w, metric, grain)
        return
    step = STEP_CHANGE.search(intent.question)
    if step is not None and len(whole) >= 2:
        _step(w, metric, whole, res.id, down=bool(step["down"] or step["zdown"] or step["zdown2"]))
    elif _ONSET.search(intent.question):
        _onset(w, metric, rows, res.id)
    w.lead.append(
        w.say(
            "trend.lead",
            metric=w.metric(metric),
            where=slice_text(w, intent.filters),
            first_month=first["month"],
            first=w.value(metric, first[metric]),
            last_month=last["month"],
            last=w.value(metric, last[metric]),
            ref=res.id,
        )
    )
    move = _overall_move(w, whole, metric)
    w.lead.append(w.say("trend.overall", metric=w.metric(metric), move=move))
    bad_high = direction(w, metric) == "lower_is_better"
    key = "trend.range_bad_high" if bad_high else "trend.range"
    if direction(w, metric) == "neutral":
        key = "trend.range_neutral"
    w.lead.append(
        w.say(
            key,
            high_month=high["month"],
            high=w.value(metric, high[metric]),
            low_month=low["month"],
            low=w.value(metric, low[metric]),
            ref=res.id,
        )
    )
    body = [[r["month"], w.value(metric, r[metric])] for r in rows]
    header = w.say("table.month") if grain == "month" else dim_name(w, grain)
    w.body += table(w, [header, w.metric(metric)], body, res.id)
    write_hotspot(w, results, metric)
    period = (res.content or {}).get("period")
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))
    if cut:
        w.coverage.append(w.say("trend.cut_weeks", weeks=", ".join(sorted(cut))))
    _trend_actions(w, metric, high, low, res.id)


def _cut_weeks(
    intent: Intent, grain: str, metric: str, rows: list[dict[str, Any]], w: Writer
) -> set[str]:
    """The weeks (named by their Monday) that the period's first or last day cuts, for a count
    by week: part of them lies outside the period."""
    p, cat = intent.period, intent.catalog
    spec = cat.metrics[metric].spec if cat is not None and metric in cat.metrics else None
    summed = spec is not None and spec.expr.strip().upper().startswith(("COUNT(", "SUM("))
    if grain != "week" or p is None or not summed:
        return set()
    out = set()
    for r in rows:
        try:
            monday = date.fromisoformat(str(r["month"]))
        except ValueError:
            continue
        if monday < p.start or monday + timedelta(days=6) > p.last_day:
            out.add(str(r["month"]))
    return out if len(out) < len(rows) else set()


def _write_ends(
    intent: Intent, res: Result, results: Results, w: Writer, metric: str, grain: str
) -> None:
    """A long series (more points than shown): its highest and lowest points from their own
    queries, the first points shown as a sample, and how many points there are."""
    high_res, low_res = results.get("high"), results.get("low")
    if failed(w, high_res, low_res) or high_res is None or low_res is None:
        return
    high, low = high_res.records()[0], low_res.records()[0]
    w.lead.append(
        w.say(
            "trend.ends",
            metric=w.metric(metric),
            where=slice_text(w, intent.filters),
            high_at=high[grain],
            high=w.value(metric, high[metric]),
            high_ref=high_res.id,
            low_at=low[grain],
            low=w.value(metric, low[metric]),
            low_ref=low_res.id,
        )
    )
    body = [[r[grain], w.value(metric, r[metric])] for r in high_res.records()]
    w.body += table(w, [dim_name(w, grain), w.metric(metric)], body, high_res.id)
    period = (res.content or {}).get("period")
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))


def _step(w: Writer, metric: str, rows: list[dict[str, Any]], ref: str, down: bool) -> None:
    """The largest rise (or fall) from one point of the series to the next, with both values
    and the difference."""
    steps = [(float(b[metric]) - float(a[metric]), a, b) for a, b in itertools.pairwise(rows)]
    diff, prev, cur = min(steps, key=lambda s: s[0]) if down else max(steps, key=lambda s: s[0])
    if (diff >= 0) if down else (diff <= 0):
        w.lead.append(w.say("trend.no_step_down" if down else "trend.no_step_up", ref=ref))
        return
    w.lead.append(
        w.say(
            "trend.step_down" if down else "trend.step_up",
            metric=w.metric(metric),
            month=cur["month"],
            value=w.value(metric, cur[metric]),
            prev_month=prev["month"],
            prev=w.value(metric, prev[metric]),
            change=("-" if down else "+") + w.value(metric, round(abs(diff), 2)),
            ref=ref,
        )
    )


def _onset(w: Writer, metric: str, rows: list[dict[str, Any]], ref: str) -> None:
    """The point where the series turned: the first that stands 30% above (or below) the
    average of all before it and stays beyond the old level; told with the values either side."""
    values = [float(r[metric]) for r in rows]
    up = values[-1] >= values[0] or max(values) - values[0] > values[0] - min(values)
    for i in range(2, len(values)):
        base = sum(values[:i]) / i
        if base <= 0:
            continue
        later = values[i:]
        if up and values[i] >= 1.3 * base and min(later[:3]) >= 1.1 * base:
            key = "trend.onset_up"
        elif not up and values[i] <= 0.7 * base and max(later[:3]) <= 0.9 * base:
            key = "trend.onset_down"
        else:
            continue
        prev, cur = rows[i - 1], rows[i]
        w.lead.append(
            w.say(
                key,
                metric=w.metric(metric),
                month=cur["month"],
                value=w.value(metric, cur[metric]),
                prev_month=prev["month"],
                prev=w.value(metric, prev[metric]),
                ref=ref,
            )
        )
        return


def _overall_move(w: Writer, rows: list[dict[str, Any]], metric: str) -> str:
    """Rising, falling or flat: the least-squares slope over the months, in words only."""
    ys = [float(r[metric]) for r in rows]
    n = len(ys)
    mean = sum(ys) / n
    if n < 3 or mean == 0:
        return w.say("trend.word.flat")
    xbar = (n - 1) / 2
    slope = sum((i - xbar) * (y - mean) for i, y in enumerate(ys)) / sum(
        (i - xbar) ** 2 for i in range(n)
    )
    # A move of less than a tenth of the mean across the whole series is "broadly flat".
    if abs(slope * (n - 1)) < 0.1 * abs(mean):
        return w.say("trend.word.flat")
    return w.say("trend.word.up" if slope > 0 else "trend.word.down")


def _trend_actions(
    w: Writer, metric: str, high: dict[str, Any], low: dict[str, Any], ref: str
) -> None:
    if w.actions:  # the hotspot already named the place to act
        return
    if direction(w, metric) == "neutral":
        w.actions.append(
            w.say(
                "trend.action_peak",
                month=high["month"],
                value=w.value(metric, high[metric]),
                ref=ref,
            )
        )
        return
    weak = high if direction(w, metric) == "lower_is_better" else low
    w.actions.append(
        w.say(
            "trend.action_weak",
            month=weak["month"],
            metric=w.metric(metric),
            value=w.value(metric, weak[metric]),
            ref=ref,
        )
    )


TREND = Playbook("trend", (_trend_stage, _ends_stage), _write_trend)

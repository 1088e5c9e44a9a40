"""Metric playbooks: a metric now vs before, a ranking, a trend by month, a breakdown."""

from __future__ import annotations

from typing import Any

from .narrative import Writer
from .playbooks import (
    Call,
    Playbook,
    failed,
    fmt_row,
    metric_or,
    metric_query,
    phrase,
    slice_text,
    table,
)
from .transcript import Result, Results
from .understand import Intent

DEFAULT_PERIOD = "last quarter"


def _n(result: Result, w: Writer, metric: str, row: dict[str, Any], prev: bool = False) -> Any:
    table_name = w.catalog.metrics[metric].table if w.catalog else "tickets"
    return row.get(f"n_{table_name}{'_prev' if prev else ''}")


# --- Metric now vs before -------------------------------------------------------------------


def _change_stage(intent: Intent, results: Results) -> dict[str, Call]:
    metrics = intent.metrics[:3] or ["ticket_count"]
    call = metric_query(
        metrics,
        filters=intent.filters,
        period=phrase(intent, DEFAULT_PERIOD),
        compare="previous",
    )
    return {"change": call}


def _write_change(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("change")
    if failed(w, res) or res is None:
        return
    row = res.records()[0]
    period, prev = res.content["period"], res.content.get("comparison_period")  # type: ignore[index]
    where = slice_text(w, intent.filters)
    for i, m in enumerate(res.content["units"]):  # type: ignore[index]
        cur, before, delta = row.get(m), row.get(f"{m}_prev"), row.get(f"{m}_delta")
        key = "change.lead" if i == 0 else "change.more"
        w.lead.append(
            w.say(
                key,
                metric=w.metric(m),
                where=where,
                period=period["label"],
                prev_period=prev["label"] if prev else "",
                cur=w.value(m, cur),
                prev=w.value(m, before),
                delta=w.change(m, delta),
                ref=res.id,
            )
        )
        if row.get(f"{m}_pct_change") is not None and w.unit(m) != "%":
            w.evidence.append(
                w.say(
                    "change.pct",
                    metric=w.metric(m),
                    pct=w.pct_change(row[f"{m}_pct_change"]),
                    ref=res.id,
                )
            )
        _verdict(w, m, delta)
        n, n_prev = _n(res, w, m, row), _n(res, w, m, row, prev=True)
        if n is not None:
            w.coverage.append(
                w.say(
                    "coverage.n",
                    n=n,
                    n_prev=n_prev,
                    period=w.period(period),
                    prev_period=w.period(prev),
                    ref=res.id,
                )
            )
            if w.small(n) or w.small(n_prev):
                w.coverage.append(w.say("coverage.small"))
    w.actions += [w.say("change.action1"), w.say("change.action2")]


def _verdict(w: Writer, metric: str, delta: Any) -> None:
    if delta is None or w.catalog is None:
        return
    direction = w.catalog.metrics[metric].direction
    if direction == "neutral" or delta == 0:
        return
    better = (delta > 0) == (direction == "higher_is_better")
    w.evidence.append(w.say("change.better" if better else "change.worse", metric=w.metric(metric)))


CHANGE = Playbook("metric_change", (_change_stage,), _write_change)


# --- Ranking --------------------------------------------------------------------------------


def _rank_dim(intent: Intent) -> str:
    dims = [d for d in intent.slots.dimensions if d not in intent.filters]
    return dims[0] if dims else "region"


def _rank_stage(intent: Intent, results: Results) -> dict[str, Call]:
    dim = _rank_dim(intent)
    filters = {k: v for k, v in intent.filters.items() if k != dim}
    metric = metric_or(intent, "first_time_fix_rate")
    return {
        "rank": metric_query(
            [metric], filters=filters, group_by=[dim], period=phrase(intent, DEFAULT_PERIOD)
        )
    }


def _write_rank(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("rank")
    if failed(w, res) or res is None or w.catalog is None:
        return
    dim = res.columns[0]
    metric = next(iter(res.content["units"]))  # type: ignore[index]
    higher_better = w.catalog.metrics[metric].direction != "lower_is_better"
    rows = [r for r in res.records() if r.get(metric) is not None]
    n_col = f"n_{w.catalog.metrics[metric].table}"
    solid = [r for r in rows if (r.get(n_col) or 0) >= 20]
    pool = solid if len(solid) >= 3 else rows
    ordered = sorted(pool, key=lambda r: r[metric], reverse=higher_better)
    if intent.order == "worst":
        ordered = ordered[::-1]
    top, other = ordered[0], ordered[-1]
    period = res.content["period"]  # type: ignore[index]
    w.lead.append(
        w.say(
            "rank.lead_" + intent.order,
            metric=w.metric(metric),
            dim=_dim_name(w, dim),
            period=period["label"],
            name=w.label(dim, top[dim]),
            value=w.value(metric, top[metric]),
            other=w.label(dim, other[dim]),
            other_value=w.value(metric, other[metric]),
            ref=res.id,
        )
    )
    shown = sorted(rows, key=lambda r: r[metric], reverse=higher_better)
    if intent.order == "worst":
        shown = shown[::-1]
    body = [[w.label(dim, r[dim]), w.value(metric, r[metric]), r.get(n_col, "")] for r in shown]
    headers = [_dim_name(w, dim), w.metric(metric), w.say("table.n")]
    w.body += table(w, headers, [fmt_row(b) for b in body], res.id)
    if pool is solid and len(solid) < len(rows):
        w.coverage.append(w.say("rank.solid", n=len(rows) - len(solid)))
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))
    w.actions += [w.say("rank.action1", name=w.label(dim, ordered[0][dim])), w.say("rank.action2")]


def _dim_name(w: Writer, dim: str) -> str:
    if w.catalog is None or dim not in w.catalog.dimensions:
        return dim
    spec = w.catalog.dimensions[dim].spec
    return spec.zh if w.lang == "zh" and spec.zh else spec.en.lower()


RANKING = Playbook("ranking", (_rank_stage,), _write_rank)


# --- Trend by month -------------------------------------------------------------------------


def _trend_stage(intent: Intent, results: Results) -> dict[str, Call]:
    metric = metric_or(intent, "ticket_count")
    return {
        "trend": metric_query(
            [metric],
            filters=intent.filters,
            group_by=["month"],
            period=phrase(intent, "last 12 months"),
            order_by="month",
        )
    }


def _write_trend(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("trend")
    if failed(w, res) or res is None:
        return
    metric = next(iter(res.content["units"]))  # type: ignore[index]
    rows = [r for r in res.records() if r.get(metric) is not None]
    first, last = rows[0], rows[-1]
    high = max(rows, key=lambda r: r[metric])
    low = min(rows, key=lambda r: r[metric])
    values = {
        "metric": w.metric(metric),
        "where": slice_text(w, intent.filters),
        "first_month": first["month"],
        "first": w.value(metric, first[metric]),
        "last_month": last["month"],
        "last": w.value(metric, last[metric]),
        "ref": res.id,
    }
    w.lead.append(w.say("trend.lead", **values))
    w.evidence.append(
        w.say(
            "trend.range",
            high_month=high["month"],
            high=w.value(metric, high[metric]),
            low_month=low["month"],
            low=w.value(metric, low[metric]),
            ref=res.id,
        )
    )
    body = [[r["month"], w.value(metric, r[metric])] for r in rows]
    w.body += table(w, [w.say("table.month"), w.metric(metric)], body, res.id)
    w.coverage.append(
        w.say(
            "coverage.rows",
            period=w.period(res.content["period"]),  # type: ignore[index]
            ref=res.id,
        )
    )
    if w.catalog is not None and w.catalog.metrics[metric].direction == "neutral":
        w.actions.append(w.say("trend.action_peak", month=high["month"]))
    else:
        weak = high["month"] if _bad_high(w, metric) else low["month"]
        w.actions.append(w.say("trend.action1", month=weak))
    w.actions.append(w.say("trend.action2"))


def _bad_high(w: Writer, metric: str) -> bool:
    return w.catalog is not None and w.catalog.metrics[metric].direction == "lower_is_better"


TREND = Playbook("trend", (_trend_stage,), _write_trend)


# --- Breakdown by a dimension ---------------------------------------------------------------


def _breakdown_stage(intent: Intent, results: Results) -> dict[str, Call]:
    dim = _rank_dim(intent)
    filters = {k: v for k, v in intent.filters.items() if k != dim}
    metric = metric_or(intent, "ticket_count")
    return {
        "split": metric_query(
            [metric],
            filters=filters,
            group_by=[dim],
            period=phrase(intent, DEFAULT_PERIOD),
            compare="previous",
            order_by=f"-{metric}",
        )
    }


def _write_breakdown(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("split")
    if failed(w, res) or res is None:
        return
    dim = res.columns[0]
    metric = next(iter(res.content["units"]))  # type: ignore[index]
    rows = [r for r in res.records() if r.get(metric) is not None]
    top, bottom = rows[0], rows[-1]
    period = res.content["period"]  # type: ignore[index]
    w.lead.append(
        w.say(
            "split.lead",
            metric=w.metric(metric),
            dim=_dim_name(w, dim),
            period=period["label"],
            top=w.label(dim, top[dim]),
            top_value=w.value(metric, top[metric]),
            bottom=w.label(dim, bottom[dim]),
            bottom_value=w.value(metric, bottom[metric]),
            ref=res.id,
        )
    )
    moved = [r for r in rows if r.get(f"{metric}_delta") is not None]
    if moved:
        big = max(moved, key=lambda r: abs(r[f"{metric}_delta"]))
        w.evidence.append(
            w.say(
                "split.moved",
                name=w.label(dim, big[dim]),
                metric=w.metric(metric),
                delta=w.change(metric, big[f"{metric}_delta"]),
                ref=res.id,
            )
        )
    body = [
        [
            w.label(dim, r[dim]),
            w.value(metric, r[metric]),
            w.value(metric, r.get(f"{metric}_prev")),
            w.change(metric, r.get(f"{metric}_delta")),
        ]
        for r in rows
    ]
    headers = [_dim_name(w, dim), w.say("table.now"), w.say("table.before"), w.say("table.delta")]
    w.body += table(w, headers, body, res.id)
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))
    w.actions += [w.say("split.action1", name=w.label(dim, top[dim])), w.say("split.action2")]


BREAKDOWN = Playbook("breakdown", (_breakdown_stage,), _write_breakdown)

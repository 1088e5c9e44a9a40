"""A metric split by a dimension, now against the previous period ("…by region, how did it change").

Used by the change playbook when the question names a dimension, by rankings that ask how the
figures moved, and by breakdowns. The answer leads with what the manager asked: the worst (or
best) group now and the group that moved most, each with its figures, then the overall figure
for context and a compact table of every group (now, before, change).
"""

from __future__ import annotations

import re
from typing import Any

from ..reading import metric_label, shared_measure
from .metric_actions import learn_action, lever_action
from .narrative import Writer
from .playbooks import (
    Call,
    compare_kind,
    dim_name,
    direction,
    failed,
    fmt_row,
    fold_parallel,
    metric_query,
    n_of,
    phrase,
    slice_text,
    solid,
    table,
)
from .transcript import Result, Results
from .understand import Intent

DEFAULT_PERIOD = "last quarter"
LOWEST = re.compile(r"(?i)lowest|least|fewest|smallest|最低|最少|最小")


def grouped_calls(intent: Intent, metric: str, dim: str) -> dict[str, Call]:
    """The metric by ``dim`` against the previous period, and the overall figure."""
    filters = {k: v for k, v in intent.filters.items() if k != dim}
    period = phrase(intent, DEFAULT_PERIOD)
    against = compare_kind(intent)
    groups: dict[str, Any] = dict(filters)
    if dim in intent.slots.compared:
        groups[dim] = intent.slots.compared[dim]  # only the groups the question names
    # Each group's records in a table of their own: the same measure on every table.
    measured = [metric, *intent.parallel] if metric in intent.metrics[:1] else [metric]
    calls = {
        "groups": metric_query(
            measured, filters=groups, group_by=[dim], period=period, compare=against
        ),
    }
    if len(measured) == 1:  # the tables' figures do not add up in one query
        calls["overall"] = metric_query([metric], filters=filters, period=period, compare=against)
    return calls


def write_grouped(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("groups")
    if failed(w, res) or res is None:
        return
    dim, metric = res.columns[0], next(iter(res.content["units"]))  # type: ignore[index]
    measured = list(res.content["units"])  # type: ignore[index]
    records = fold_parallel(w, measured, res.records(), compared=True)
    shared = shared_measure([metric_label(w.catalog, m, w.lang) for m in measured])
    if shared and len(measured) > 1:
        w.metric_names[metric] = shared  # "twcs inbound count", of every group's table
    rows = [r for r in records if r.get(metric) is not None and r.get(dim) is not None]
    w.learn_names(res.columns, rows)
    if not rows:
        failed(w, None)
        return
    pool = solid(w, metric, rows)
    focus = _focus(intent, w, metric, pool)
    mover = _mover(w, metric, pool)
    _lead(w, res, metric, dim, focus, mover, intent)
    _relative_mover(w, res, metric, dim, pool, mover, intent)
    _overall(w, results.get("overall"), metric)
    _other_move(w, res, metric, dim, pool, mover)
    w.body += _table(w, res, metric, dim, rows, focus)
    if len(pool) < len(rows):
        w.coverage.append(w.say("rank.solid"))
    _coverage(w, res, results.get("overall"), metric)
    _actions(w, res, metric, dim, pool, focus, mover)


def _rank(w: Writer, metric: str, rows: list[dict[str, Any]], worst_first: bool) -> list[Any]:
    """Rows ordered by value, the worst (or, for neutral metrics, the highest) first."""
    high_first = direction(w, metric) == "lower_is_better"
    if direction(w, metric) == "neutral":
        high_first = True
    ordered = sorted(rows, key=lambda r: r[metric], reverse=high_first)
    return ordered if worst_first else ordered[::-1]


def _worst_first(intent: Intent, w: Writer, metric: str) -> bool:
    if direction(w, metric) == "neutral":
        return not LOWEST.search(intent.question)
    return intent.order != "best"


def _focus(intent: Intent, w: Writer, metric: str, pool: list[Any]) -> dict[str, Any]:
    return dict(_rank(w, metric, pool, _worst_first(intent, w, metric))[0])


def _adverse(w: Writer, metric: str, delta: float) -> float:
    """How much worse a move is (positive = worse); for neutral metrics, its size."""
    d = direction(w, metric)
    if d == "neutral":
        return abs(delta)
    return -delta if d == "higher_is_better" else delta


def _mover(w: Writer, metric: str, pool: list[Any]) -> dict[str, Any] | None:
    moved = [r for r in pool if r.get(f"{metric}_delta") not in (None, 0)]
    if not moved:
        return None
    return dict(max(moved, key=lambda r: _adverse(w, metric, r[f"{metric}_delta"])))


def _rank_word(w: Writer, metric: str, worst: bool) -> str:
    if direction(w, metric) == "neutral":
        return w.say("word.highest" if worst else "word.lowest")
    return w.say("word.worst" if worst else "word.best")


def _figures(w: Writer, metric: str, row: dict[str, Any]) -> dict[str, Any]:
    pct = row.get(f"{metric}_pct_change")
    sep = "，" if w.lang == "zh" else ", "
    extra = f"{sep}{w.pct_change(pct)}" if pct is not None and w.unit(metric) != "%" else ""
    return {
        "cur": w.value(metric, row.get(metric)),
        "prev": w.value(metric, row.get(f"{metric}_prev")),
        "delta": w.change(metric, row.get(f"{metric}_delta")) + extra,
    }


def _lead(
    w: Writer,
    res: Result,
    metric: str,
    dim: str,
    focus: dict[str, Any],
    mover: dict[str, Any] | None,
    intent: Intent,
) -> None:
    period = res.content["period"]  # type: ignore[index]
    prev = res.content.get("comparison_period") or {}  # type: ignore[union-attr]
    worst = _worst_first(intent, w, metric)
    neutral = direction(w, metric) == "neutral"
    w.lead.append(
        w.say(
            "grp.lead_neutral" if neutral else "grp.lead",
            name=w.label(dim, focus[dim]),
            rank=_rank_word(w, metric, worst),
            dim=dim_name(w, dim),
            metric=w.metric(metric)
            + slice_text(w, {k: v for k, v in intent.filters.items() if k != dim}),
            period=period["label"],
            prev_period=prev.get("label", ""),
            ref=res.id,
            **_figures(w, metric, focus),
        )
    )
    if mover is None:
        return
    key = "grp.also_mover" if mover[dim] == focus[dim] else "grp.mover"
    w.lead.append(
        w.say(
            key,
            name=w.label(dim, mover[dim]),
            move=_move_word(w, metric, mover[f"{metric}_delta"]),
            dim=dim_name(w, dim),
            ref=res.id,
            **_figures(w, metric, mover),
        )
    )


# "按增长的百分比算", "in percentage terms", "grew fastest": the move relative to where it was.
_RELATIVE = re.compile(
    r"(?i)\b(?:percentage|percent|relative)\s+(?:terms|growth|increase|rise|change|drop|fall)\b"
    r"|\b(?:fastest|quickest)[- ]growing\b|\bgrew (?:the )?(?:fastest|quickest)\b"
    r"|\bby percent(?:age)?\b|百分比|增速|涨幅|增幅|降幅|涨得最快|增长最快|增得最快|跌得最快"
)


def _relative_mover(
    w: Writer,
    res: Result,
    metric: str,
    dim: str,
    pool: list[Any],
    mover: dict[str, Any] | None,
    intent: Intent,
) -> None:
    """The group that moved most relative to where it was, when the question asks so and it is
    not the group that moved most in count ("Student loan +60%" beside "Credit reporting
    +217")."""
    if not _RELATIVE.search(intent.question) or w.unit(metric) == "%":
        return
    key = f"{metric}_pct_change"
    rising = mover is None or (mover.get(f"{metric}_delta") or 0) >= 0
    moved = [r for r in pool if r.get(key) is not None and r.get(f"{metric}_prev")]
    moved = [r for r in moved if (r[key] > 0) == rising]
    if not moved:
        return
    top = max(moved, key=lambda r: abs(r[key]))
    w.lead.append(
        w.say(
            "grp.relative_mover",
            name=w.label(dim, top[dim]),
            move=_move_word(w, metric, top[f"{metric}_delta"]),
            pct=w.pct_change(top[key]),
            ref=res.id,
            **_figures(w, metric, top),
        )
    )


def _move_word(w: Writer, metric: str, delta: float) -> str:
    if direction(w, metric) == "neutral":
        return w.say("word.rise" if delta > 0 else "word.drop")
    worse = _adverse(w, metric, delta) > 0
    return w.say(("word.drop" if delta < 0 else "word.rise") + ("" if worse else "_good"))


def _overall(w: Writer, res: Result | None, metric: str) -> None:
    if res is None or not res.ok or not res.rows:
        return
    row = res.records()[0]
    w.lead.append(
        w.say("grp.overall", metric=w.metric(metric), ref=res.id, **_figures(w, metric, row))
    )


def _other_move(
    w: Writer, res: Result, metric: str, dim: str, pool: list[Any], mover: dict[str, Any] | None
) -> None:
    """The best move in the other direction, when there is one (an improvement to learn from)."""
    if mover is None or direction(w, metric) == "neutral":
        return
    better = [r for r in pool if _adverse(w, metric, r.get(f"{metric}_delta") or 0) < 0]
    if not better:
        return
    best = min(better, key=lambda r: _adverse(w, metric, r[f"{metric}_delta"]))
    w.evidence.append(
        w.say(
            "grp.improved",
            name=w.label(dim, best[dim]),
            move=_move_word(w, metric, best[f"{metric}_delta"]),
            ref=res.id,
            **_figures(w, metric, best),
        )
    )


def _table(
    w: Writer, res: Result, metric: str, dim: str, rows: list[Any], focus: dict[str, Any]
) -> list[str]:
    period = res.content["period"]["label"]  # type: ignore[index]
    prev = (res.content.get("comparison_period") or {}).get("label", "")  # type: ignore[union-attr]
    ordered = _rank(w, metric, rows, worst_first=True)
    # A count is its own sample size; a second column would repeat it.
    counts = w.unit(metric) == "count"
    body = [
        fmt_row(
            [
                w.label(dim, r[dim]),
                w.value(metric, r[metric]),
                w.value(metric, r.get(f"{metric}_prev")),
                w.change(metric, r.get(f"{metric}_delta")),
                n_of(w, metric, r) if n_of(w, metric, r) is not None else "",
            ][: 4 if counts else 5]
        )
        for r in ordered
    ]
    headers = [dim_name(w, dim), period, prev, w.say("table.delta"), w.say("table.n")]
    headers = headers[: 4 if counts else 5]
    return table(w, headers, body, res.id)


def _coverage(w: Writer, res: Result, overall: Result | None, metric: str) -> None:
    src = overall if overall is not None and overall.ok and overall.rows else res
    row = src.records()[0]
    n, n_prev = n_of(w, metric, row), n_of(w, metric, row, prev=True)
    content = src.content or {}
    if src is res or n is None:
        w.coverage.append(
            w.say("coverage.rows", period=w.period(content.get("period")), ref=res.id)
        )
        return
    w.coverage.append(
        w.say(
            "coverage.n",
            n=n,
            n_prev=n_prev,
            period=w.period(content.get("period")),
            prev_period=w.period(content.get("comparison_period")),
            ref=src.id,
        )
    )


def _actions(
    w: Writer,
    res: Result,
    metric: str,
    dim: str,
    pool: list[Any],
    focus: dict[str, Any],
    mover: dict[str, Any] | None,
) -> None:
    ordered = _rank(w, metric, pool, worst_first=True)
    weak = ordered[0]
    target = mover if mover is not None and direction(w, metric) != "neutral" else weak
    if (
        direction(w, metric) != "neutral"
        and _adverse(w, metric, target.get(f"{metric}_delta") or 0) <= 0
    ):
        target = weak
    w.actions.append(lever_action(w, metric, w.label(dim, target[dim]), target, res.id))
    if direction(w, metric) != "neutral" and ordered[-1][dim] != target[dim]:
        w.actions.append(
            learn_action(w, metric, dim, w.label(dim, target[dim]), ordered[-1], res.id)
        )
    elif mover is not None and mover[dim] != target[dim]:
        w.actions.append(lever_action(w, metric, w.label(dim, mover[dim]), mover, res.id))

"""The tests behind rising-problem warnings (``warn_rising``): each product segment's recent
window against its baseline, for rate metrics (two proportions), means of one value per record
(Welch's t) and negative feedback per theme (Poisson rates), one-sided and adjusted together
(Benjamini–Hochberg)."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..data.catalog import Dimension, Metric, MetricSpec
from .changes import _poisson_rates, _two_proportions
from .proactive_query import (
    ad_hoc_metric,
    count_column,
    metric_rows,
    per_record,
    window_dimension,
)
from .warning_types import Context, Text

BASE = "base"


@dataclass
class Finding:
    signal: str  # a metric name, or "theme:<value>"
    label: Text
    test: str
    dimension: Dimension | None
    value: str | None
    before: float
    after: float
    n_before: int
    n_after: int
    parts: list[float | None]
    p: float
    lower_is_better: bool
    sql: str
    unit: str
    q: float = 1.0
    metric: Metric | None = None
    theme: tuple[Dimension, str] | None = None
    also: list[str] = field(default_factory=list)

    @property
    def worse(self) -> bool:
        return self.after > self.before if self.lower_is_better else self.after < self.before

    @property
    def persisted(self) -> bool:
        def bad(v: float | None) -> bool:
            if v is None:
                return False
            return v > self.before if self.lower_is_better else v < self.before

        return all(bad(v) for v in self.parts)

    @property
    def change(self) -> float:
        if self.before == 0:
            return 10.0 if self.after else 0.0
        return abs(self.after - self.before) / abs(self.before)


@dataclass(frozen=True)
class Windows:
    base_start: date
    recent_start: date
    end: date
    parts: list[tuple[str, date]]

    @classmethod
    def of(cls, ctx: Context) -> Windows:
        rule = ctx.rules.rising
        recent = ctx.as_of - timedelta(days=rule.recent_days)
        step = rule.recent_days / rule.persist
        parts = [
            (f"r{i + 1}", recent + timedelta(days=round(i * step))) for i in range(rule.persist)
        ]
        return cls(recent - timedelta(days=rule.baseline_days), recent, ctx.as_of, parts)

    def dimension(self) -> Dimension:
        return window_dimension("sl_window", [(BASE, self.base_start), *self.parts])

    def part_days(self) -> list[int]:
        edges = [d for _, d in self.parts] + [self.end]
        return [(b - a).days for a, b in itertools.pairwise(edges)]


def rising_metrics(ctx: Context) -> list[Metric]:
    out = []
    for metric in ctx.roles.catalog.metrics.values():
        m = ctx.roles.judged(metric)
        if m is None or not ctx.roles.catalog.time_column(m):
            continue
        if m.unit == "%" or (m.unit != "count" and per_record(m) is not None):
            out.append(m)
    return out


def reachable(ctx: Context, table: str, dims: list[Dimension]) -> list[Dimension]:
    cat = ctx.roles.catalog
    return [d for d in dims if any(cat.join_path(table, s) is not None for s in d.sources)]


def metric_findings(ctx: Context, win: Windows, m: Metric, dim: Dimension) -> list[Finding]:
    rate = m.unit == "%"
    extra: list[Metric] = [m]
    record = per_record(m)
    if not rate and record is not None:
        x, factor = record
        extra += [
            ad_hoc_metric(m, "sl_var", f"VAR_SAMP({x}) * {factor * factor!r}"),
            ad_hoc_metric(m, "sl_n", f"COUNT({x})", "count"),
        ]
    result = metric_rows(
        ctx.source,
        ctx.roles.catalog,
        extra,
        [win.dimension()],
        win.base_start,
        win.end,
        by=(dim.name,),
    )
    groups: dict[Any, dict[str, dict[str, Any]]] = {}
    for r in result.records():
        if r.get(dim.name) is not None and r.get("sl_window") is not None:
            groups.setdefault(r[dim.name], {})[r["sl_window"]] = r
    out = []
    for value, rows in groups.items():
        f = _rate(m, rows, win, ctx) if rate else _mean(m, rows, win, ctx)
        if f is not None:
            f.dimension, f.value, f.sql = dim, str(value), result.sql
            out.append(f)
    return out


def _label(m: Metric) -> Text:
    return Text(en=m.spec.en, zh=m.spec.zh or m.spec.en)


def _rate(m: Metric, rows: dict[str, dict[str, Any]], win: Windows, ctx: Context) -> Finding | None:
    n_col = count_column(m)
    base = rows.get(BASE)
    recent = [rows.get(label) for label, _ in win.parts]
    n0 = int(base[n_col]) if base and base.get(m.name) is not None else 0
    parts = [(float(r[m.name]), int(r[n_col])) for r in recent if r and r.get(m.name) is not None]
    n1 = sum(n for _, n in parts)
    if n0 < ctx.rules.rising.min_n or n1 < ctx.rules.rising.min_n or base is None:
        return None
    after = sum(v * n for v, n in parts) / n1
    before = float(base[m.name])
    p = _two_proportions(after / 100, n1, before / 100, n0)
    values = [None if r is None or r.get(m.name) is None else float(r[m.name]) for r in recent]
    return Finding(
        m.name,
        _label(m),
        "two-proportion z-test",
        None,
        None,
        before,
        round(after, 2),
        n0,
        n1,
        values,
        p,
        m.direction == "lower_is_better",
        "",
        m.unit,
        metric=m,
    )


def _mean(m: Metric, rows: dict[str, dict[str, Any]], win: Windows, ctx: Context) -> Finding | None:
    from scipy.stats import ttest_ind_from_stats

    def stats(r: dict[str, Any] | None) -> tuple[float, float, int] | None:
        if not r or r.get(m.name) is None or r.get("sl_var") is None:
            return None
        return float(r[m.name]), float(r["sl_var"]), int(r["sl_n"] or 0)

    base = stats(rows.get(BASE))
    parts = [stats(rows.get(label)) for label, _ in win.parts]
    known = [s for s in parts if s is not None and s[2] > 0]
    n1 = sum(s[2] for s in known)
    min_n = ctx.rules.rising.min_n
    if base is None or base[2] < min_n or n1 < min_n:
        return None
    mean = sum(s[0] * s[2] for s in known) / n1
    ss = sum((s[2] - 1) * s[1] + s[2] * (s[0] - mean) ** 2 for s in known)
    var = ss / max(n1 - 1, 1)
    if base[1] <= 0 and var <= 0:
        return None
    p = float(
        ttest_ind_from_stats(
            mean, math.sqrt(var), n1, base[0], math.sqrt(base[1]), base[2], equal_var=False
        ).pvalue
    )
    values = [None if s is None else s[0] for s in parts]
    return Finding(
        m.name,
        _label(m),
        "Welch's t-test",
        None,
        None,
        base[0],
        round(mean, 2),
        base[2],
        n1,
        values,
        p if p == p else 1.0,
        m.direction == "lower_is_better",
        "",
        m.unit,
        metric=m,
    )


def theme_findings(ctx: Context, win: Windows, dims: list[Dimension]) -> list[Finding]:
    fb = ctx.roles.feedback
    theme = ctx.roles.problem_dimension(fb.table) if fb else None
    if fb is None or theme is None:
        return []
    count = feedback_count(fb.table)
    negative = ctx.roles.negative_value(fb.table)
    where = {negative[0]: [negative[1]]} if negative else {}
    out = []
    for dim in [None, *reachable(ctx, fb.table, dims)]:
        by = (theme.name,) if dim is None else (dim.name, theme.name)
        result = metric_rows(
            ctx.source,
            ctx.roles.catalog,
            [count],
            [win.dimension()],
            win.base_start,
            win.end,
            by=by,
            where=where,
        )
        out += _counts(ctx, win, result.records(), result.sql, dim, theme, negative is not None)
    return out


def feedback_count(table: str) -> Metric:
    """A count of feedback records, which the catalog may not name."""
    spec = MetricSpec(
        en="feedback records",
        table=table,
        expr="COUNT(*)",
        unit="count",
        direction="lower_is_better",
        decimals=None,
        definition="Feedback records.",
    )
    return Metric("sl_feedback", spec, "COUNT(*)", None)


def _counts(
    ctx: Context,
    win: Windows,
    rows: list[dict[str, Any]],
    sql: str,
    dim: Dimension | None,
    theme: Dimension,
    negative: bool,
) -> list[Finding]:
    groups: dict[tuple[Any, Any], dict[str, int]] = {}
    for r in rows:
        if r.get(theme.name) is None or r.get("sl_window") is None:
            continue
        if dim is not None and r.get(dim.name) is None:
            continue
        key = (r.get(dim.name) if dim else None, r[theme.name])
        groups.setdefault(key, {})[r["sl_window"]] = int(r["sl_feedback"] or 0)
    rule = ctx.rules.rising
    base_days = (win.recent_start - win.base_start).days
    days = win.part_days()
    out = []
    for (value, topic), counts in groups.items():
        k0 = counts.get(BASE, 0)
        ks = [counts.get(label, 0) for label, _ in win.parts]
        k1 = sum(ks)
        if k1 < rule.min_count:
            continue
        share = sum(days) / (sum(days) + base_days)
        p = _poisson_rates(k1, k0, share)
        label = _theme_label(theme, str(topic), negative)
        out.append(
            Finding(
                f"theme:{topic}",
                label,
                "Poisson rate test (conditional binomial)",
                dim,
                None if value is None else str(value),
                round(7 * k0 / base_days, 2),
                round(7 * k1 / sum(days), 2),
                k0,
                k1,
                [round(7 * k / d, 2) for k, d in zip(ks, days, strict=True)],
                p,
                True,
                sql,
                "a week",
                theme=(theme, str(topic)),
            )
        )
    return out


def _theme_label(theme: Dimension, value: str, negative: bool) -> Text:
    aliases = (theme.spec.values or {}).get(value, [])
    zh = next((a for a in aliases if re.search(r"[\u4e00-\u9fff]", a)), value)
    if negative:
        return Text(en=f"Negative feedback about {value}", zh=f"关于{zh}的负面反馈")
    return Text(en=f"Feedback about {value}", zh=f"关于{zh}的反馈")


def adjust(findings: list[Finding]) -> None:
    """One-sided p-values (only worsening is a warning), adjusted together."""
    from scipy.stats import false_discovery_control

    for f in findings:
        f.p = f.p / 2 if f.worse else 1 - f.p / 2
    if findings:
        adjusted = false_discovery_control([f.p for f in findings], method="bh")
        for f, q in zip(findings, adjusted, strict=True):
            f.q = float(q)

"""Products whose defect rate, waits or complaint themes are climbing.

The recent window (the last ``recent_days``) is compared with the baseline before it (the
``baseline_days`` before that) for every product grouping the catalog has (product line,
model, ...):

- every rate metric with a better direction (first-time fix, repeat visits, SLA), by the
  two-proportion z-test of ``changes``;
- every mean of one value per record (parts wait days, resolution hours), by Welch's t-test on
  the records' means, variances and counts;
- negative feedback per theme (all feedback where the catalog has no sentiment), by the
  Poisson rate test of ``changes`` weighted by the windows' lengths.

Segments with too few records are not tested. Only worsening is a warning, so each test is
one-sided (the two-sided p-value halved in the worse direction), and the p-values of all the
tests are adjusted together (Benjamini–Hochberg). A finding must be significant, in the
worse direction, and worse in each of the ``persist`` parts of the recent window. For each
metric or theme, the segment that worsened most is reported; the others are named in its
evidence.
"""

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
    Evidence,
    ad_hoc_metric,
    count_column,
    key_dimension,
    metric_rows,
    per_record,
    window_dimension,
)
from .warning_types import OWNERS, Context, EarlyWarning, Text, Unavailable, warning_id

NEEDS = [
    "a product grouping (product line, model) in the catalog",
    "dated rate or average metrics, or feedback with a theme, that reach it",
]
_PARTS = re.compile(r"\bparts?\b|spare|配件|备件|等件|缺件", re.I)
_SERVICE = re.compile(
    r"respon|attitude|billing|charge|delay|engineer|\bapp\b|contract|renew|sla|on.?time|"
    r"satisf|csat|nps|effort|cost|revenue|收费|态度|响应|延误|满意",
    re.I,
)
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


def rising_problems(ctx: Context) -> list[EarlyWarning]:
    dims = ctx.roles.product_dimensions()
    if not dims:
        raise Unavailable("the catalog has no product grouping (product, model, line)", NEEDS)
    win = Windows.of(ctx)
    findings: list[Finding] = []
    for metric in _metrics(ctx):
        for dim in _reachable(ctx, metric.table, dims):
            findings += _metric_findings(ctx, win, metric, dim)
    findings += _theme_findings(ctx, win, dims)
    if not findings and not _metrics(ctx) and ctx.roles.feedback is None:
        raise Unavailable("no dated rate or average metric and no feedback themes", NEEDS)
    _adjust(findings)
    rule = ctx.rules.rising
    flagged = [f for f in findings if f.q <= rule.fdr and f.worse and f.persisted]
    stories = _stories(ctx, dims, flagged)
    return [_warning(ctx, win, g) for g in stories[: rule.max_warnings]]


def _metrics(ctx: Context) -> list[Metric]:
    out = []
    for metric in ctx.roles.catalog.metrics.values():
        m = ctx.roles.judged(metric)
        if m is None or not ctx.roles.catalog.time_column(m):
            continue
        if m.unit == "%" or (m.unit != "count" and per_record(m) is not None):
            out.append(m)
    return out


def _reachable(ctx: Context, table: str, dims: list[Dimension]) -> list[Dimension]:
    cat = ctx.roles.catalog
    return [d for d in dims if any(cat.join_path(table, s) is not None for s in d.sources)]


def _metric_findings(ctx: Context, win: Windows, m: Metric, dim: Dimension) -> list[Finding]:
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


def _theme_findings(ctx: Context, win: Windows, dims: list[Dimension]) -> list[Finding]:
    fb = ctx.roles.feedback
    theme = ctx.roles.problem_dimension(fb.table) if fb else None
    if fb is None or theme is None:
        return []
    count = _feedback_count(fb.table)
    negative = ctx.roles.negative_value(fb.table)
    where = {negative[0]: [negative[1]]} if negative else {}
    out = []
    for dim in [None, *_reachable(ctx, fb.table, dims)]:
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


def _feedback_count(table: str) -> Metric:
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


def _adjust(findings: list[Finding]) -> None:
    """One-sided p-values (only worsening is a warning), adjusted together."""
    from scipy.stats import false_discovery_control

    for f in findings:
        f.p = f.p / 2 if f.worse else 1 - f.p / 2
    if findings:
        adjusted = false_discovery_control([f.p for f in findings], method="bh")
        for f, q in zip(findings, adjusted, strict=True):
            f.q = float(q)


def _stories(ctx: Context, dims: list[Dimension], flagged: list[Finding]) -> list[list[Finding]]:
    """Findings grouped by segment and owner, so one product's story is one warning per team.
    A finding already told by a group of the same team about a nested segment (a model and
    its product line) is folded into that group, named in its evidence."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in flagged:
        groups.setdefault((_segment(f), _owner(f)), []).append(f)
    order = sorted(groups.values(), key=lambda g: (-len(g), min(f.n_after for f in g)))
    related = _nesting(ctx, dims)
    out: list[list[Finding]] = []
    for group in order:
        owner, seg = _owner(group[0]), _key(group[0])
        tellers = [g for g in out if _owner(g[0]) == owner and related(seg, _key(g[0]))]
        new = []
        for f in group:
            teller = next((g for g in tellers if any(x.signal == f.signal for x in g)), None)
            if teller is None:
                new.append(f)
            else:
                teller[0].also.append(f"{_segment(f)}: {f.signal}")
        if new:
            out.append(sorted(new, key=lambda f: -f.change))
    return sorted(out, key=lambda g: -g[0].change)


Seg = tuple[str, str] | None


def _key(f: Finding) -> Seg:
    return (f.dimension.name, str(f.value)) if f.dimension else None


def _nesting(ctx: Context, dims: list[Dimension]) -> Any:
    """Whether two segments nest (one's records all within the other's), from the distinct
    value combinations of the product groupings on the table most of them live on."""
    tables = [t for d in dims for t in d.sources]
    rows: dict[tuple[str, str], set[int]] = {}
    if tables:
        table = max(set(tables), key=tables.count)
        on = [d for d in dims if table in d.sources]
        cols = ", ".join(f"{d.sources[table]} AS {d.name}" for d in on)
        result = ctx.source.sql(f"SELECT DISTINCT {cols} FROM {table}", max_rows=100_000)
        for i, r in enumerate(result.records()):
            for d in on:
                rows.setdefault((d.name, str(r[d.name])), set()).add(i)

    def related(a: Seg, b: Seg) -> bool:
        if a is None or b is None or a == b:
            return True
        ra, rb = rows.get(a), rows.get(b)
        return bool(ra and rb and (ra <= rb or rb <= ra))

    return related


def _segment(f: Finding) -> str:
    return f"{f.dimension.name} = {f.value}" if f.dimension else "all records"


def _owner(f: Finding) -> str:
    if f.metric is not None:
        words = " ".join([f.metric.name, f.metric.spec.en, *f.metric.spec.aliases])
    else:
        assert f.theme is not None
        dim, value = f.theme
        words = " ".join([value, *(dim.spec.values or {}).get(value, [])])
    if _PARTS.search(words):
        return "supply"
    return "service" if _SERVICE.search(words) else "rd"


def _severity(ctx: Context, f: Finding) -> Any:
    rule = ctx.rules.rising
    if f.change >= rule.high_change:
        return "high"
    return "medium" if f.change >= rule.medium_change else "low"


def _figure(f: Finding) -> str:
    unit = "%" if f.unit == "%" else f" {f.unit}"
    return f"{f.before:g}{unit} → {f.after:g}{unit}"


def _warning(ctx: Context, win: Windows, story: list[Finding]) -> EarlyWarning:
    f = story[0]
    severity = _severity(ctx, f)
    seg_en = f"{f.dimension.spec.en} {f.value}" if f.dimension else "All products"
    seg_zh = (
        f"{f.dimension.spec.zh or f.dimension.spec.en} {f.value}" if f.dimension else "全部产品"
    )
    recent, base = ctx.rules.rising.recent_days, ctx.rules.rising.baseline_days
    shown = story[:2]
    more = len(story) - len(shown)
    en = ", ".join(f"{x.label.en} {_figure(x)}" for x in shown)
    zh = "，".join(f"{x.label.zh} {_figure(x)}" for x in shown)
    en += f" and {more} more measure(s)" if more else ""
    zh += f" 等 {len(story)} 项指标" if more else ""
    owner = _owner(f)
    ids, feedback, ids_sql = _records(ctx, win, f)
    return EarlyWarning(
        id=warning_id(
            "rising_problem", owner, _segment(f), *(x.signal for x in story), win.recent_start
        ),
        kind="rising_problem",
        severity=severity,
        title=Text(
            en=f"{seg_en}: {en} worsened (last {recent} days against the {base} days before)",
            zh=f"{seg_zh}：{zh}恶化（最近 {recent} 天对比此前 {base} 天）",
        ),
        action=_action(owner),
        owner=OWNERS[owner],
        due=ctx.due(severity),
        subject={"signal": f.signal} | ({f.dimension.name: str(f.value)} if f.dimension else {}),
        evidence=Evidence(
            sql=f.sql,
            table=f.metric.table if f.metric else None,
            ids=ids,
            feedback_ids=feedback,
            ids_sql=ids_sql,
            other_sql=list(dict.fromkeys(x.sql for x in story[1:] if x.sql != f.sql)),
            numbers={
                "before": f.before,
                "after": f.after,
                "unit": f.unit,
                "n_before": f.n_before,
                "n_after": f.n_after,
                "test": f.test,
                "p_value": f.p,
                "q_value": f.q,
                "recent_parts": ", ".join("–" if v is None else f"{v:g}" for v in f.parts),
                "recent_from": win.recent_start.isoformat(),
                "baseline_from": win.base_start.isoformat(),
                "signals": "; ".join(
                    f"{x.signal}: {_figure(x)} ({x.test}, q = {x.q:.2g})" for x in story
                ),
                "also": "; ".join(x for g in story for x in g.also) or None,
            },
        ),
    )


def _action(owner: str) -> Text:
    return {
        "supply": Text(
            en="Check stock and lead times of the parts involved and expedite them.",
            zh="核查相关备件的库存与交期并加急补货。",
        ),
        "rd": Text(
            en="Open a quality investigation on this product with the failed cases.",
            zh="针对该产品启动质量调查，附上失败工单。",
        ),
        "service": Text(
            en="Review the affected cases with the service leads this week.",
            zh="本周与服务主管复盘受影响的工单。",
        ),
    }[owner]


def _records(ctx: Context, win: Windows, f: Finding) -> tuple[list[str], list[str], str | None]:
    """Ids of the recent records behind a finding: its worse records, or its feedback."""
    cat = ctx.roles.catalog
    where = {f.dimension.name: [f.value]} if f.dimension else {}
    if f.theme is not None:
        fb = ctx.roles.feedback
        assert fb is not None
        table, metric = fb.table, _feedback_count(fb.table)
        where[f.theme[0].name] = [f.theme[1]]
        negative = ctx.roles.negative_value(table)
        if negative:
            where[negative[0]] = [negative[1]]
    else:
        assert f.metric is not None
        table, metric = f.metric.table, f.metric
    key = key_dimension("sl_record", {table: f"{table}.{ctx.roles.key_of(table)}"})
    result = metric_rows(
        ctx.source, cat, [metric], [key], win.recent_start, win.end, where=where, max_rows=2_000
    )
    rows = result.records()
    if f.theme is None:
        rows = [r for r in rows if r.get(metric.name) is not None and _bad(f, r[metric.name])]
    ids = [str(r["sl_record"]) for r in rows][:20]
    if f.theme is not None:
        return [], [f"V:{i}" for i in ids], result.sql
    return ids, [], result.sql


def _bad(f: Finding, value: Any) -> bool:
    return float(value) > f.before if f.lower_is_better else float(value) < f.before

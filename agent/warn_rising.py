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
worse direction, and worse in each of the ``persist`` parts of the recent window (the tests
are in ``rising_findings``). The findings are told as one warning per product segment and
team (R&D, supply, service), a nested grouping's findings (a model within its line) folded
in and named in the evidence.
"""

from __future__ import annotations

import re
from typing import Any

from ..data.catalog import Dimension
from .proactive_query import Evidence, key_dimension, metric_rows
from .rising_findings import (
    Finding,
    Windows,
    adjust,
    feedback_count,
    metric_findings,
    reachable,
    rising_metrics,
    theme_findings,
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


def rising_problems(ctx: Context) -> list[EarlyWarning]:
    dims = ctx.roles.product_dimensions()
    if not dims:
        raise Unavailable("the catalog has no product grouping (product, model, line)", NEEDS)
    win = Windows.of(ctx)
    findings: list[Finding] = []
    for metric in rising_metrics(ctx):
        for dim in reachable(ctx, metric.table, dims):
            findings += metric_findings(ctx, win, metric, dim)
    findings += theme_findings(ctx, win, dims)
    if not findings and not rising_metrics(ctx) and ctx.roles.feedback is None:
        raise Unavailable("no dated rate or average metric and no feedback themes", NEEDS)
    adjust(findings)
    rule = ctx.rules.rising
    flagged = [f for f in findings if f.q <= rule.fdr and f.worse and f.persisted]
    stories = _stories(ctx, dims, flagged)
    return [_warning(ctx, win, g) for g in stories[: rule.max_warnings]]


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
        table, metric = fb.table, feedback_count(fb.table)
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

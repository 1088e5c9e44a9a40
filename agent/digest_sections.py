"""The digest's sections, registered in one place: ``SECTIONS``.

A section is one function ``(analyst, period, lang) -> DigestSection`` over the library's own
machinery. It never raises for what the workspace lacks: a section that cannot be computed
says so (status ``unavailable`` and why). Adding a section (early warnings, customers at risk)
is one function here, or in its own module, and one line in ``SECTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..data.errors import ServiceLensError
from .digest_model import (
    Audience,
    DigestItem,
    DigestPeriod,
    DigestSection,
    Direction,
    ItemEvidence,
    Lang,
    Status,
)
from .digest_proactive import at_risk_section, warnings_section
from .digest_text import fmt, fmt_p, words

if TYPE_CHECKING:
    from ..data.catalog import Catalog
    from .analyst import Analyst
    from .changes import Change
    from .forecast import Forecast, ForecastReport

# Items a section lists; the rest are counted in its note.
MAX_ITEMS = 10
FORECAST_WEEKS = 4
# Words in a dimension's or metric's name or label that make an item the product team's.
_PRODUCT_WORDS = ("product", "model", "sku", "category", "defect", "root_cause", "root cause")
_PRODUCT_WORDS_ZH = ("产品", "型号", "品类", "故障", "根因")


@dataclass(frozen=True)
class SectionSpec:
    key: str
    build: Callable[[Analyst, DigestPeriod, Lang], DigestSection]


def changes_section(analyst: Analyst, period: DigestPeriod, lang: Lang) -> DigestSection:
    """The period's metric moves beyond noise (``Analyst.changes``), largest first."""
    w = words(lang)
    title = w.sections["changes"]
    catalog = analyst.catalog
    if catalog is None or not _timed(catalog):
        why = (
            "No metric in this workspace has a date column, so no period can be compared."
            if lang == "en"
            else "本工作区没有带日期的指标，无法比较不同周期。"
        )
        return DigestSection(key="changes", title=title, status="unavailable", note=why)
    try:
        report = analyst.changes(period=period.phrase, min_n=period.min_n, fdr=period.fdr)
    except ServiceLensError as exc:
        return DigestSection(key="changes", title=title, status="unavailable", note=str(exc))
    items = [_change_item(catalog, c, i + 1, lang) for i, c in enumerate(report.findings)]
    if lang == "en":
        note = (
            f"{len(items)} of {report.tested} segments moved beyond noise (Benjamini–Hochberg, "
            f"q ≤ {report.fdr:g}); {report.too_small} had fewer than {report.min_n} records."
        )
    else:
        note = (
            f"{report.tested} 个分段中有 {len(items)} 个变化超出噪声（Benjamini–Hochberg，"
            f"q ≤ {report.fdr:g}）；{report.too_small} 个分段记录少于 {report.min_n} 条，未检验。"
        )
    if len(items) > MAX_ITEMS:
        note += " " + w.more.format(n=len(items) - MAX_ITEMS)
    status: Status = "ok" if items else "empty"
    return DigestSection(
        key="changes", title=title, status=status, note=note, items=items[:MAX_ITEMS]
    )


def _timed(catalog: Catalog) -> bool:
    return any(catalog.time_column(m) for m in catalog.metrics.values())


def _change_item(catalog: Catalog, c: Change, n: int, lang: Lang) -> DigestItem:
    w = words(lang)
    spec = catalog.metrics[c.metric].spec
    label = (spec.zh or spec.en) if lang == "zh" else spec.en
    segment = _segment(catalog, c, lang)
    before, after = fmt(c.before, c.unit), fmt(c.after, c.unit)
    up = c.after > c.before
    # A share says how many records it rests on; a count is its own number of records.
    basis = f"{c.n_before:,} → {c.n_after:,} {w.records}" if c.unit != "count" else ""
    if lang == "en":
        text = f"{label} ({segment}) {w.moved(up)} from {before} to {after}" + (
            f" ({basis})." if basis else "."
        )
    else:
        text = f"{label}（{segment}）由 {before} {w.moved(up)}至 {after}" + (
            f"（{basis}）。" if basis else "。"
        )
    method = f"{c.test}: p = {fmt_p(c.p_value)}, q = {fmt_p(c.q_value)} (Benjamini–Hochberg)"
    return DigestItem(
        id=f"C{n}",
        kind="change",
        label=w.change,
        title=f"{label} · {segment}: {before} → {after}",
        text=text,
        direction=_direction(c.direction, up),
        figures=_change_figures(c),
        names=[label, segment, *([c.value] if c.value else [])],
        method=method,
        audiences=_audiences(catalog, c.metric, c.dimension),
        size=abs(c.delta) / max(abs(c.before), 1e-9),
        evidence=ItemEvidence(sql=c.sql, params=c.params),
    )


def _change_figures(c: Change) -> dict[str, float | int | str | None]:
    return {
        "before": c.before, "after": c.after, "delta": c.delta, "n_before": c.n_before,
        "n_after": c.n_after, "p_value": c.p_value, "q_value": c.q_value,
    }  # fmt: skip


def _segment(catalog: Catalog, c: Change, lang: Lang) -> str:
    if c.dimension is None:
        return "all records" if lang == "en" else "全部记录"
    spec = catalog.dimensions[c.dimension].spec
    name = (spec.zh or spec.en) if lang == "zh" else spec.en
    return f"{name} = {c.value}"


def _direction(direction: str, up: bool) -> Direction:
    if direction == "higher_is_better":
        return "better" if up else "worse"
    if direction == "lower_is_better":
        return "worse" if up else "better"
    return "up" if up else "down"


def _audiences(catalog: Catalog, metric: str, dimension: str | None) -> list[Audience]:
    """Service and management get every item; the product team those about what is made."""
    names = [metric, catalog.metrics[metric].spec.en, catalog.metrics[metric].spec.zh]
    if dimension is not None:
        spec = catalog.dimensions[dimension].spec
        names += [dimension, spec.en, spec.zh, *spec.sources]
    text = " ".join(names).lower()
    product = any(word in text for word in (*_PRODUCT_WORDS, *_PRODUCT_WORDS_ZH))
    return ["service", "product", "management"] if product else ["service", "management"]


def forecast_section(analyst: Analyst, period: DigestPeriod, lang: Lang) -> DigestSection:
    """The next weeks of the catalog's headline volume, with 80% intervals and a backtest."""
    w = words(lang)
    title = w.sections["forecast"]
    metric = volume_metric(analyst.catalog)
    if metric is None:
        why = (
            "No dated count metric (such as a ticket count) to forecast in this workspace."
            if lang == "en"
            else "本工作区没有可预测的带日期计数指标（如工单量）。"
        )
        return DigestSection(key="forecast", title=title, status="unavailable", note=why)
    try:
        report = analyst.forecast(metric, horizon=FORECAST_WEEKS, backtest=True, folds=4)
    except ServiceLensError as exc:
        return DigestSection(key="forecast", title=title, status="unavailable", note=str(exc))
    spec = _metric_label(analyst.catalog, metric, lang)
    items = _forecast_items(report, spec, lang)
    note = "; ".join(report.notes + report.series[0].notes) if report.series else ""
    return DigestSection(key="forecast", title=title, status="ok", note=note, items=items)


def _metric_label(catalog: Catalog | None, metric: str, lang: Lang) -> str:
    assert catalog is not None
    spec = catalog.metrics[metric].spec
    return (spec.zh or spec.en) if lang == "zh" else spec.en


def volume_metric(catalog: Catalog | None) -> str | None:
    """The catalog's headline dated count (the first one listed), or its first dated count."""
    if catalog is None:
        return None
    names = [*catalog.spec.headline, *catalog.metrics]
    counts = [
        n
        for n in dict.fromkeys(names)
        if n in catalog.metrics
        and catalog.metrics[n].unit == "count"
        and catalog.time_column(catalog.metrics[n])
    ]
    return counts[0] if counts else None


def _forecast_items(report: ForecastReport, label: str, lang: Lang) -> list[DigestItem]:
    """One item: the next period and the last of the horizon, against the last actual."""
    w = words(lang)
    series = report.series[0]
    last, first, end = series.history[-1], series.forecast[0], series.forecast[-1]
    unit, bt = report.unit, series.backtest

    def point(p: Forecast) -> str:
        low, high = fmt(p.lower_80, unit), fmt(p.upper_80, unit)
        if lang == "en":
            return f"week of {p.period}: {fmt(p.forecast, unit)} (80% interval {low} – {high})"
        return f"{p.period} 当周 {fmt(p.forecast, unit)}（80% 区间 {low} – {high}）"

    actual = fmt(last.value, unit)
    if lang == "en":
        text = f"{label}, {point(first)}; {point(end)}. Last actual week {last.period}: {actual}."
    else:
        text = f"{label}：{point(first)}；{point(end)}。最近实际周 {last.period}：{actual}。"
    method = series.model
    if bt is not None and bt.model_mape is not None and bt.baseline_mape is not None:
        method += (
            f"; backtest over {bt.folds} origins: MAPE {bt.model_mape:.1f}% against "
            f"{bt.baseline} {bt.baseline_mape:.1f}%"
        )
    figures: dict[str, float | int | str | None] = {"interval_pct": 80, "last_actual": last.value}
    for key, p in (("next", first), ("last", end)):
        figures |= {key: p.forecast, f"{key}_lower_80": p.lower_80, f"{key}_upper_80": p.upper_80}
    figures |= {"model_mape": bt.model_mape if bt else None}
    figures |= {"baseline_mape": bt.baseline_mape if bt else None}
    return [
        DigestItem(
            id="F1",
            kind="forecast",
            label=w.forecast,
            title=f"{w.forecast}: {label}, {first.period}: {fmt(first.forecast, unit)}",
            text=text,
            direction="up" if first.forecast >= last.value else "down",
            figures=figures,
            method=method,
            audiences=["service", "management"],
            size=abs(first.forecast - last.value) / max(abs(last.value), 1e-9),
            evidence=ItemEvidence(sql=series.sql, params=series.params),
        )
    ]


# The digest's sections, in the order they are shown. Each entry imports what it names, so a
# missing section fails at import (and in the tests), never silently.
SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("changes", changes_section),
    SectionSpec("warnings", warnings_section),
    SectionSpec("at_risk", at_risk_section),
    SectionSpec("forecast", forecast_section),
)

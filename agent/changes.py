"""What changed, tested: the metric moves between a period and the one before, across the
catalog's dimensions, that are larger than noise.

Every metric the catalog can split is taken overall and by each of its splitting dimensions
(region, channel, …) with the metric tool's own comparison query, so every figure is one the
library can show with its SQL. Each segment's move is tested with the test suited to its kind:

- a rate in % (the share of a metric's records with some property) by a two-proportion z-test
  on the records behind it;
- a count by the Poisson rate test (the count now given the two counts together is binomial,
  weighted by the periods' lengths);
- averages (hours, scores, money) need each record's value, not the segment's mean, and are
  listed as not tested rather than guessed at.

Rate segments with fewer records than ``min_n`` on either side, and counts whose two periods
together hold fewer, are not tested, and the p-values of
all the tests made are adjusted together (Benjamini–Hochberg), so that testing a hundred
segments does not report five of them as news by chance. A finding is reported when its
adjusted p-value (``q``) is at most ``fdr``.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Protocol

from pydantic import BaseModel, Field

from ..data.catalog import Catalog
from .results import TableResult

# How many metrics are scanned when none are named, and the records a side needs to be tested.
MAX_METRICS = 24
MIN_N = 30
FDR = 0.05
_TESTED_UNITS = ("%", "count")


class _Measures(Protocol):
    """What the scan needs of an analyst: the catalog and its metric query."""

    @property
    def catalog(self) -> Catalog | None: ...

    def metric(
        self,
        metrics: str | list[str],
        *,
        by: str | list[str] | None = None,
        period: str | None = None,
        compare: str | None = None,
    ) -> TableResult: ...


class Change(BaseModel):
    """One segment's move, with its test."""

    metric: str
    label: str
    unit: str
    direction: str
    dimension: str | None = None  # None: the metric over all records
    value: str | None = None
    before: float
    after: float
    delta: float
    n_before: int
    n_after: int
    test: str
    p_value: float
    q_value: float = 1.0
    significant: bool = False
    sql: str = ""
    params: list[Any] = Field(default_factory=list)

    @property
    def segment(self) -> str:
        return f"{self.dimension} = {self.value}" if self.dimension else "all records"


class ChangeReport(BaseModel):
    period: str
    comparison: str
    findings: list[Change]  # significant moves, largest relative move first
    tested: int  # segments tested (the number the adjustment accounts for)
    too_small: int  # segments left out for having fewer than min_n records on a side
    untested_metrics: list[str]  # averages, which need each record's value
    min_n: int
    fdr: float


def detect_changes(
    analyst: _Measures,
    *,
    period: str = "last quarter",
    metrics: list[str] | None = None,
    by: list[str] | None = None,
    min_n: int = MIN_N,
    fdr: float = FDR,
) -> ChangeReport:
    """The significant metric moves of ``period`` against the period before it."""
    from .offline.catalog_choice import split_dimensions

    if not 0 < fdr < 1:
        raise ValueError("fdr is a false discovery rate between 0 and 1, e.g. 0.05.")
    catalog = analyst.catalog
    if catalog is None:
        raise ValueError("The workspace has no catalog yet; ingest data first.")
    chosen = metrics or _default_metrics(catalog)
    unknown = [m for m in chosen if m not in catalog.metrics]
    if unknown:
        raise ValueError(f"Unknown metric(s): {', '.join(unknown)}; see `servicelens catalog`.")
    untested = [m for m in chosen if catalog.metrics[m].unit not in _TESTED_UNITS]
    tested_metrics = [m for m in chosen if m not in untested]
    candidates: list[Change] = []
    too_small = 0
    labels = ("", "")
    for metric in tested_metrics:
        dims = by if by is not None else split_dimensions(catalog, metric, {})
        for dim in [None, *dims]:
            result = analyst.metric(metric, by=dim, period=period, compare="previous")
            labels = _labels(result) or labels
            for change in _changes(catalog, metric, dim, result):
                # A count growing from a small base is news; a rate needs records on both sides.
                sides = (change.n_before, change.n_after)
                small = sum(sides) < min_n if change.unit == "count" else min(sides) < min_n
                if small:
                    too_small += 1
                else:
                    candidates.append(change)
    _adjust(candidates, fdr)
    found = sorted(
        (c for c in candidates if c.significant),
        key=lambda c: -abs(c.delta) / max(abs(c.before), 1e-9),
    )
    return ChangeReport(
        period=labels[0],
        comparison=labels[1],
        findings=found,
        tested=len(candidates),
        too_small=too_small,
        untested_metrics=untested,
        min_n=min_n,
        fdr=fdr,
    )


def _default_metrics(catalog: Catalog) -> list[str]:
    timed = [m for m, spec in catalog.metrics.items() if catalog.time_column(spec)]
    return timed[:MAX_METRICS]


def _labels(result: TableResult) -> tuple[str, str] | None:
    now, before = result.meta.get("period") or {}, result.meta.get("comparison_period") or {}
    if not now or not before:
        return None
    return str(now.get("label", "")), str(before.get("label", ""))


def _days(p: dict[str, Any]) -> int:
    start, end = date.fromisoformat(str(p["start"])), date.fromisoformat(str(p["end"]))
    return max(1, (end - start).days + 1)


def _changes(catalog: Catalog, metric: str, dim: str | None, result: TableResult) -> list[Change]:
    spec = catalog.metrics[metric]
    count_col = f"n_{spec.table}"
    now, before = result.meta.get("period"), result.meta.get("comparison_period")
    if not now or not before:
        return []
    share_now = _days(now) / (_days(now) + _days(before))
    out = []
    for row in result.records():
        after, prior = row.get(metric), row.get(f"{metric}_prev")
        n1, n0 = int(row.get(count_col) or 0), int(row.get(f"{count_col}_prev") or 0)
        if after is None or prior is None or (dim is not None and row.get(dim) is None):
            continue
        if spec.unit == "%":
            p = _two_proportions(float(after) / 100, n1, float(prior) / 100, n0)
            name = "two-proportion z-test"
        else:
            p = _poisson_rates(int(after), int(prior), share_now)
            name = "Poisson rate test (conditional binomial)"
        out.append(
            Change(
                metric=metric,
                label=spec.spec.en,
                unit=spec.unit,
                direction=spec.direction,
                dimension=dim,
                value=None if dim is None else str(row[dim]),
                before=float(prior),
                after=float(after),
                delta=round(float(after) - float(prior), 4),
                n_before=n0 if spec.unit == "%" else int(prior),
                n_after=n1 if spec.unit == "%" else int(after),
                test=name,
                p_value=p,
                sql=result.sql,
                params=list(result.meta.get("params") or []),
            )
        )
    return out


def _two_proportions(p1: float, n1: int, p0: float, n0: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    from scipy.stats import norm

    if n1 <= 0 or n0 <= 0:
        return 1.0
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return 1.0 if p1 == p0 else 0.0
    return float(2 * norm.sf(abs(p1 - p0) / se))


def _poisson_rates(k1: int, k0: int, share_now: float) -> float:
    """Two-sided p-value that two counts over periods of these lengths share one rate."""
    from scipy.stats import binomtest

    if k1 + k0 == 0:
        return 1.0
    return float(binomtest(k1, k1 + k0, share_now).pvalue)


def _adjust(changes: list[Change], fdr: float) -> None:
    """Benjamini–Hochberg adjusted p-values over every test made, and which pass ``fdr``."""
    from scipy.stats import false_discovery_control

    if not changes:
        return
    adjusted = false_discovery_control([c.p_value for c in changes], method="bh")
    for change, q in zip(changes, adjusted, strict=True):
        change.q_value = float(q)
        change.significant = bool(q <= fdr)

"""Forecasts of a catalog metric per week or month, with prediction intervals and a backtest.

The history is the metric as the library computes it: the metric tool grouped by the catalog's
time dimension for the grain (``week``, ``month``); when the catalog has no such dimension (an
ingested catalog has day, month and quarter), the catalog's own compiler builds the same query
with a weekly bucket over the metric's time column, run through the SQL guard. Only complete
periods count: the history ends before the period holding today (``as_of``) or the day after
the table's last record, whichever is earlier, and starts at the first period the table fully
covers. Periods without records are zero for counts; for other metrics they are filled with the
value before them, and the report says how many were.

Split ``by`` one dimension, each of its ``top`` values by records gets its own forecast. See
``forecast_model`` for the model, its intervals and the backtest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from ..data.catalog import Catalog, Dimension, Metric, UnknownNameError
from ..data.period_ahead import resolve_ahead
from ..data.periods import Period
from . import forecast_model as fm
from .forecast_history import (
    Actual,
    ForecastSource,
    Grain,
    History,
    Series,
    next_start,
    period_label,
    values_of,
)

__all__ = ["Actual", "Backtest", "Forecast", "ForecastReport", "SeriesForecast", "StepScore"]
__all__ += ["forecast_metric"]

SEASON = {"week": 52, "month": 12}
DEFAULT_HORIZON = {"week": 8, "month": 6}
TOP, MAX_SERIES, FOLDS = 5, 10, 8


class Forecast(BaseModel):
    kind: Literal["forecast"] = "forecast"
    period: str
    start: date
    end: date  # the period's last day
    forecast: float
    lower_80: float
    upper_80: float
    lower_95: float
    upper_95: float


class StepScore(BaseModel):
    step: int  # periods ahead of the forecast origin
    folds: int
    model_mape: float | None  # None: every actual value was zero
    model_mae: float
    baseline_mape: float | None
    baseline_mae: float | None
    naive_mape: float | None
    naive_mae: float
    seasonal_naive_mape: float | None  # None: less than a season before some origin
    seasonal_naive_mae: float | None
    covered_80: float  # share of actual values inside the 80% interval
    covered_95: float


class Backtest(BaseModel):
    folds: int
    horizon: int
    origins: list[str]  # the first period forecast in each fold
    baseline: Literal["seasonal naive", "naive"]
    models: list[str]
    steps: list[StepScore]
    model_mape: float | None  # over every step and fold
    baseline_mape: float | None
    beats_baseline: bool | None
    zero_actuals_skipped: int
    note: str


class SeriesForecast(BaseModel):
    value: str | None  # the ``by`` value; None for all the records
    model: str
    seasonal: bool
    history: list[Actual]
    forecast: list[Forecast]
    backtest: Backtest | None
    sql: str
    params: list[Any]
    notes: list[str]


class ForecastReport(BaseModel):
    kind: Literal["forecast"] = "forecast"
    title: str
    metric: str
    label: str
    unit: str
    grain: Grain
    season_length: int
    horizon: int
    as_of: date
    target: str | None  # the forward period asked for ("next quarter"), as resolved
    history_start: date
    history_end: date  # the last day of the last complete period
    dimension: str | None
    filters: dict[str, list[Any]]
    series: list[SeriesForecast]
    other_values: int  # ``by`` values left out (beyond ``top``)
    notes: list[str]


def forecast_metric(
    analyst: ForecastSource,
    metric: str,
    *,
    by: str | None = None,
    where: Mapping[str, Any] | None = None,
    horizon: int | None = None,
    until: str | None = None,
    grain: str = "week",
    backtest: bool = False,
    folds: int = FOLDS,
    top: int = TOP,
) -> ForecastReport:
    """Forecast ``metric`` per ``grain`` for ``horizon`` periods (or through ``until``)."""
    g = _grain(grain)
    catalog = analyst.catalog
    if catalog is None:
        raise ValueError("The workspace has no catalog yet; ingest data first.")
    m, dim = _metric(catalog, metric), _split(catalog, by)
    if not 1 <= folds <= 52:
        raise ValueError("The backtest takes between 1 and 52 folds.")
    if not 1 <= top <= MAX_SERIES:
        raise ValueError(f"--top must be between 1 and {MAX_SERIES}.")
    filters = {k: v if isinstance(v, list) else [v] for k, v in (where or {}).items()}
    hist = History.build(analyst, catalog, m, g)
    target = resolve_ahead(until, analyst.as_of) if until else None
    steps = _horizon(g, hist.next_start, horizon, target)
    values, others = values_of(analyst, m, dim, filters, hist, top)
    series = [
        _series(analyst, catalog, m, dim, filters, hist, value, steps, backtest, folds)
        for value in values
    ]
    notes = hist.notes(analyst.as_of)
    if others and dim is not None:
        notes.append(f"{others} more {dim.name} value(s) with fewer records are not forecast.")
    title = f"Forecast of {m.spec.en}" + (f" by {dim.spec.en}" if dim else "") + f", {g}ly"
    return ForecastReport(
        title=title, metric=m.name, label=m.spec.en, unit=m.unit, grain=g,
        season_length=SEASON[g], horizon=steps, as_of=analyst.as_of,
        target=target.describe() if target else None, history_start=hist.starts[0],
        history_end=hist.next_start - timedelta(days=1), dimension=dim.name if dim else None,
        filters=filters, series=series, other_values=others, notes=notes,
    )  # fmt: skip


def _grain(grain: str) -> Grain:
    if grain not in SEASON:
        raise ValueError(f"Unknown grain {grain!r}; forecast by week or month.")
    return "week" if grain == "week" else "month"


def _metric(catalog: Catalog, name: str) -> Metric:
    try:
        m = catalog.metric(name)
    except UnknownNameError as exc:
        raise ValueError(f"{exc} See `servicelens catalog`.") from None
    if catalog.time_column(m) is None:
        raise ValueError(
            f"{m.name} has no time column ({m.table} records carry no date), so it has no "
            "history to forecast."
        )
    return m


def _split(catalog: Catalog, by: str | None) -> Dimension | None:
    if by is None:
        return None
    try:
        dim = catalog.dimension(by)
    except UnknownNameError as exc:
        raise ValueError(str(exc)) from None
    if dim.from_time:
        raise ValueError(f"{dim.name} is a time dimension; split the forecast by a category.")
    return dim


def _horizon(grain: Grain, first: date, horizon: int | None, target: Period | None) -> int:
    """The number of periods from ``first`` through the end of ``target`` (or ``horizon``)."""
    if horizon is not None and target is not None:
        raise ValueError("Give a horizon or a period to forecast until, not both.")
    limit = 2 * SEASON[grain]
    if target is not None:
        steps, start = 0, first
        while start < target.end:
            steps, start = steps + 1, next_start(grain, start)
        horizon = steps
    horizon = DEFAULT_HORIZON[grain] if horizon is None else horizon
    if not 1 <= horizon <= limit:
        raise ValueError(
            f"The horizon must be between 1 and {limit} {grain}s (two seasons); got {horizon}."
        )
    return horizon


def _series(
    analyst: ForecastSource,
    catalog: Catalog,
    m: Metric,
    dim: Dimension | None,
    filters: dict[str, list[Any]],
    hist: History,
    value: str | None,
    horizon: int,
    with_backtest: bool,
    folds: int,
) -> SeriesForecast:
    where = {**filters, dim.name: [value]} if dim is not None else filters
    observed = hist.observed(analyst, catalog, m, where)
    series = hist.series(observed, m.unit == "count")
    y, notes = series.y, list(series.notes)
    low, high = (
        (0.0, 100.0) if m.unit == "%" else (0.0, None) if m.unit == "count" else (None, None)
    )
    fitted = fm.fit(y, horizon, SEASON[hist.grain], low, high)
    if not fitted.seasonal:
        notes.append(_no_season_note(hist.grain, len(y)))
    points, start = [], hist.next_start
    for i in range(horizon):
        end = next_start(hist.grain, start)
        points.append(
            Forecast(
                period=period_label(hist.grain, start), start=start,
                end=end - timedelta(days=1), forecast=fitted.mean[i],
                lower_80=fitted.lower[80][i], upper_80=fitted.upper[80][i],
                lower_95=fitted.lower[95][i], upper_95=fitted.upper[95][i],
            )
        )  # fmt: skip
        start = end
    scores = None
    if with_backtest:
        scores = _backtest(series, hist.grain, horizon, folds, low, high)
        if scores is None:
            notes.append("The history is too short to backtest this horizon.")
    return SeriesForecast(
        value=value, model=fitted.model, seasonal=fitted.seasonal, history=series.actuals,
        forecast=points, backtest=scores, sql=observed.sql, params=observed.params, notes=notes,
    )  # fmt: skip


def _bounds(unit: str) -> tuple[float | None, float | None]:
    """What the unit allows: a count is never negative, a share stays within 0-100%."""
    return {"%": (0.0, 100.0), "count": (0.0, None)}.get(unit, (None, None))


def _no_season_note(grain: Grain, n: int) -> str:
    season = SEASON[grain]
    return (
        f"No seasonal component: {n} {grain}s of history are fewer than two full seasons "
        f"({2 * season} {grain}s), so the non-seasonal model was used."
    )


def _backtest(
    series: Series, grain: Grain, horizon: int, folds: int, low: float | None, high: float | None
) -> Backtest | None:
    scores = fm.backtest(series.y, horizon, SEASON[grain], folds, low, high)
    if scores is None:
        return None
    # The baseline a seasonal model has to beat is last season's value; a model too short of
    # history for a season is held to the last value.
    seasonal = scores.seasonal and all(s.seasonal_naive_mae is not None for s in scores.steps)
    steps = [
        StepScore(
            step=s.step, folds=s.folds, model_mape=s.model_mape, model_mae=s.model_mae,
            baseline_mape=s.seasonal_naive_mape if seasonal else s.naive_mape,
            baseline_mae=s.seasonal_naive_mae if seasonal else s.naive_mae,
            naive_mape=s.naive_mape, naive_mae=s.naive_mae,
            seasonal_naive_mape=s.seasonal_naive_mape, seasonal_naive_mae=s.seasonal_naive_mae,
            covered_80=s.coverage[80], covered_95=s.coverage[95],
        )
        for s in scores.steps
    ]  # fmt: skip
    model, base = _mean([s.model_mape for s in steps]), _mean([s.baseline_mape for s in steps])
    note = (
        f"Rolling origin: the model refitted on the history before each of {len(scores.origins)} "
        f"origins, one {grain} apart, and scored {horizon} {grain}(s) ahead."
    )
    if scores.zero_actuals:
        note += f" {scores.zero_actuals} actual value(s) of zero are left out of the MAPE."
    return Backtest(
        folds=len(scores.origins), horizon=horizon,
        origins=[period_label(grain, series.starts[o]) for o in scores.origins],
        baseline="seasonal naive" if seasonal else "naive", models=scores.models, steps=steps,
        model_mape=model, baseline_mape=base,
        beats_baseline=None if model is None or base is None else model < base,
        zero_actuals_skipped=scores.zero_actuals, note=note,
    )  # fmt: skip


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None

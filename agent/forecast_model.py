"""The numbers behind ``forecast``: an exponential smoothing model with prediction intervals,
and a rolling-origin backtest against the naive forecasts it has to beat.

The model is statsmodels' ETS form of Holt-Winters: additive errors, an additive damped trend
and, when the history holds at least two full seasons, an additive seasonal component (with
less, the seasonal pattern cannot be told from noise, and the non-seasonal model is used and
named). Its intervals are the model's analytic prediction intervals, so a fit is deterministic,
widened by sqrt(n / (n - k)) for the k smoothing parameters and initial states fitted to n
values: statsmodels divides the squared errors by n, which leaves a 52-week seasonal model's
intervals far too narrow (on synthetic weekly counts its 80% and 95% intervals held 68% and 85%
of later values; widened, 78% and 93%). Values outside what the unit allows (a negative count,
a share over 100%) are clipped.

The backtest refits the same rule at each of the last ``folds`` origins (one period apart) on
the history before it, forecasts ``horizon`` periods, and scores every step against the actual
values: MAPE (actual values of zero are skipped, as a percentage of zero has no meaning, and
counted), MAE, and how often the 80% and 95% intervals held the actual value. The baselines are
the naive forecast (the last value) and the seasonal-naive one (the value a season earlier).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

MIN_PERIODS = 8  # the shortest history a damped trend can be fitted to
LEVELS = (80, 95)


@dataclass(frozen=True)
class Fit:
    """One model's forecast over ``horizon`` periods, with its intervals per level."""

    model: str
    seasonal: bool
    mean: list[float]
    lower: dict[int, list[float]]
    upper: dict[int, list[float]]


@dataclass(frozen=True)
class StepErrors:
    """The errors of one horizon step over every fold scored."""

    step: int
    folds: int
    model_mape: float | None
    model_mae: float
    naive_mape: float | None
    naive_mae: float
    seasonal_naive_mape: float | None
    seasonal_naive_mae: float | None
    coverage: dict[int, float]  # level -> share of actual values inside the interval


@dataclass(frozen=True)
class Scores:
    origins: list[int]  # indices of the first period forecast in each fold
    steps: list[StepErrors]
    models: list[str]
    seasonal: bool  # every fold's model had a seasonal component
    zero_actuals: int  # actual values of zero, left out of every MAPE


def fit(y: np.ndarray, horizon: int, season: int, low: float | None, high: float | None) -> Fit:
    """Forecast ``horizon`` periods after ``y`` (at least ``MIN_PERIODS`` long)."""
    seasonal = len(y) >= 2 * season
    if float(np.ptp(y)) == 0.0:
        # A history that never varies leaves nothing to estimate: it is its own forecast.
        flat = [float(y[-1])] * horizon
        level = {lv: flat for lv in LEVELS}
        return Fit("constant (the history never varies)", False, flat, level, level)
    frames = _predict(y, horizon, season if seasonal else None)
    mean = _clip(frames[LEVELS[0]][0], low, high)
    lower = {lv: _clip(frames[lv][1], low, high) for lv in LEVELS}
    upper = {lv: _clip(frames[lv][2], low, high) for lv in LEVELS}
    return Fit(model_name(seasonal, season), seasonal, mean, lower, upper)


def model_name(seasonal: bool, season: int) -> str:
    base = "Holt-Winters exponential smoothing (ETS): additive errors, damped additive trend"
    return f"{base}, additive seasonality of {season} periods" if seasonal else f"{base}, no season"


def _predict(
    y: np.ndarray, horizon: int, season: int | None
) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    import pandas as pd
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(
        pd.Series(y.astype(float)),
        error="add",
        trend="add",
        damped_trend=True,
        seasonal="add" if season else None,
        seasonal_periods=season,
        # The heuristic start (from the first seasons, or the first ten values) is as good as
        # estimating it here and several times faster; shorter histories estimate it.
        initialization_method="heuristic" if season or len(y) >= 10 else "estimated",
    )
    with warnings.catch_warnings():
        # A fit that stops at its iteration limit still forecasts; the backtest shows how well.
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = model.fit(disp=False)
        prediction = result.get_prediction(start=len(y), end=len(y) + horizon - 1)
        frames = {lv: prediction.summary_frame(alpha=1 - lv / 100) for lv in LEVELS}
    fitted = 4 + 2 + season if season else 3 + 2  # smoothing parameters and initial states
    widen = math.sqrt(len(y) / (len(y) - fitted))
    out = {}
    for level, frame in frames.items():
        mean = frame["mean"].to_numpy(dtype=float)
        half = widen * (frame["pi_upper"].to_numpy(dtype=float) - mean)
        out[level] = (mean, mean - half, mean + half)
    return out


def _clip(values: np.ndarray, low: float | None, high: float | None) -> list[float]:
    return [float(v) for v in np.clip(values, low, high)]


def backtest(
    y: np.ndarray, horizon: int, season: int, folds: int, low: float | None, high: float | None
) -> Scores | None:
    """Scores of the model and the baselines over the last ``folds`` origins; None when the
    history is too short for a single fold."""
    last = len(y) - horizon
    origins = [o for o in range(last - folds + 1, last + 1) if o >= MIN_PERIODS]
    if not origins:
        return None
    fits = [fit(y[:o], horizon, season, low, high) for o in origins]
    steps = [_step(y, origins, fits, s, season) for s in range(1, horizon + 1)]
    zeros = sum(1 for o in origins for s in range(horizon) if y[o + s] == 0)
    models = list(dict.fromkeys(f.model for f in fits))
    seasonal = all(f.seasonal for f in fits)
    return Scores(origins, steps, models, seasonal, zeros)


def _step(y: np.ndarray, origins: list[int], fits: list[Fit], s: int, season: int) -> StepErrors:
    actual = [float(y[o + s - 1]) for o in origins]
    model = [f.mean[s - 1] for f in fits]
    naive = [float(y[o - 1]) for o in origins]
    back = season * math.ceil(s / season)  # the same point of the last season fully observed
    seasonal = [float(y[o + s - 1 - back]) for o in origins if o + s - 1 - back >= 0]
    covered = {
        lv: sum(
            f.lower[lv][s - 1] <= a <= f.upper[lv][s - 1] for f, a in zip(fits, actual, strict=True)
        )
        / len(fits)
        for lv in LEVELS
    }
    whole = len(seasonal) == len(origins)
    return StepErrors(
        step=s,
        folds=len(origins),
        model_mape=mape(actual, model),
        model_mae=mae(actual, model),
        naive_mape=mape(actual, naive),
        naive_mae=mae(actual, naive),
        seasonal_naive_mape=mape(actual, seasonal) if whole else None,
        seasonal_naive_mae=mae(actual, seasonal) if whole else None,
        coverage=covered,
    )


def mape(actual: list[float], predicted: list[float]) -> float | None:
    """Mean absolute percentage error over the non-zero actual values; None if there are none."""
    pairs = [(a, p) for a, p in zip(actual, predicted, strict=True) if a != 0]
    if not pairs:
        return None
    return 100 * sum(abs(a - p) / abs(a) for a, p in pairs) / len(pairs)


def mae(actual: list[float], predicted: list[float]) -> float:
    return sum(abs(a - p) for a, p in zip(actual, predicted, strict=True)) / len(actual)

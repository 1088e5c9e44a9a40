"""The history a forecast is fitted to: complete weeks or months of a metric, per series.

See ``forecast`` for which periods count as complete and how periods without records are read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel

from ..data.catalog import Catalog, Dimension, Metric, UnknownNameError
from ..data.catalog_model import DimensionSpec
from ..data.duck import q
from ..data.metric_query import MetricQueryError, MetricRequest, compile_request
from ..data.period_types import add_months, explicit_range
from ..data.sql_params import inline_params
from .forecast_model import MIN_PERIODS
from .results import TableResult

Grain = Literal["week", "month"]
MAX_HISTORY = {"week": 156, "month": 120}  # three years of weeks, ten of months
_BUCKET_SQL = "strftime(date_trunc('{grain}', {{time}}), '%Y-%m-%d')"
_BUCKET = "period_start"  # the bucket's name when the catalog has no time dimension for it
_MONTH_KEY = re.compile(r"(\d{4})-(\d{2})")


class ForecastSource(Protocol):
    """What a forecast needs of an analyst: the catalog, today, metrics and guarded SQL."""

    @property
    def catalog(self) -> Catalog | None: ...

    @property
    def as_of(self) -> date: ...

    def metric(
        self,
        metrics: str | list[str],
        *,
        by: str | list[str] | None = None,
        where: Mapping[str, Any] | None = None,
        period: str | None = None,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> TableResult: ...

    def sql(self, query: str, *, max_rows: int | None = None) -> TableResult: ...


class Actual(BaseModel):
    kind: Literal["actual"] = "actual"
    period: str
    start: date
    value: float
    filled: bool = False  # no records: carried over from the period before


def start_of(grain: Grain, day: date) -> date:
    return day - timedelta(days=day.weekday()) if grain == "week" else day.replace(day=1)


def next_start(grain: Grain, start: date) -> date:
    return start + timedelta(days=7) if grain == "week" else add_months(start, 1)


def period_label(grain: Grain, start: date) -> str:
    return start.isoformat() if grain == "week" else f"{start:%Y-%m}"


def bucket_catalog(catalog: Catalog, grain: Grain) -> Catalog:
    """The catalog with a bucket of ``grain`` over each metric's time column, named
    ``period_start``, for catalogs without a time dimension of that grain."""
    spec = DimensionSpec(en=f"{grain} start", kind="time", time=_BUCKET_SQL.format(grain=grain))
    dims = {**catalog.dimensions, _BUCKET: Dimension(_BUCKET, spec, {})}
    return Catalog(catalog.spec, catalog.metrics, dims)


def bucket_sql(
    catalog: Catalog, m: Metric, grain: Grain, where: dict[str, list[Any]], first: date, end: date
) -> str:
    """The metric per bucket as the metric tool would compute it, values written in."""
    try:
        compiled = compile_request(
            bucket_catalog(catalog, grain),
            MetricRequest(
                metrics=[m.name],
                group_by=[_BUCKET],
                filters=where,
                period=explicit_range(first, end - timedelta(days=1), "forecast history"),
            ),
        )
    except (UnknownNameError, MetricQueryError) as exc:
        raise ValueError(str(exc)) from None
    return inline_params(compiled.sql, compiled.params)


@dataclass(frozen=True)
class Observed:
    """A series' values per period start, as the query returned them, and that query."""

    values: dict[date, float | None]
    sql: str
    params: list[Any]


@dataclass(frozen=True)
class Series:
    y: np.ndarray
    starts: list[date]
    actuals: list[Actual]
    notes: list[str]


@dataclass(frozen=True)
class History:
    grain: Grain
    starts: list[date]  # the complete periods, oldest first
    next_start: date  # the first period after them: the first one forecast
    first_day: date  # the table's first and last record
    last_day: date
    capped: bool  # older complete periods were left out (MAX_HISTORY)
    dimension: str | None  # the catalog's time dimension for the grain, if it has one

    @classmethod
    def build(cls, analyst: ForecastSource, catalog: Catalog, m: Metric, grain: Grain) -> History:
        first, last = _coverage(analyst, m, catalog.time_column(m) or "")
        start = start_of(grain, first)
        start = start if start == first else next_start(grain, start)
        # The period holding today, or the day after the last record, is not complete yet.
        end = min(start_of(grain, analyst.as_of), start_of(grain, last + timedelta(days=1)))
        starts = []
        while start < end:
            starts.append(start)
            start = next_start(grain, start)
        if len(starts) < MIN_PERIODS:
            raise ValueError(
                f"{m.name} has {len(starts)} complete {grain}(s) of history; a forecast needs "
                f"at least {MIN_PERIODS}"
                + (", so try forecasting by week." if grain == "month" else ".")
            )
        dim = catalog.dimensions.get(grain)
        return cls(
            grain=grain, starts=starts[-MAX_HISTORY[grain] :], next_start=end, first_day=first,
            last_day=last, capped=len(starts) > MAX_HISTORY[grain],
            dimension=grain if dim is not None and dim.kind == "time" else None,
        )  # fmt: skip

    @property
    def phrase(self) -> str:
        """The history as a period the metric tool reads."""
        return f"{self.starts[0].isoformat()}..{(self.next_start - timedelta(days=1)).isoformat()}"

    def observed(
        self, analyst: ForecastSource, catalog: Catalog, m: Metric, where: dict[str, list[Any]]
    ) -> Observed:
        if self.dimension is not None:
            result = analyst.metric(m.name, by=self.dimension, where=where, period=self.phrase)
            found = self._read(result.records(), self.dimension, m.name)
            if found is not None:
                return Observed(found, result.sql, list(result.meta.get("params") or []))
        # No time dimension of this grain, or one whose periods are not ours (weeks that start
        # on Sunday): the same metric, bucketed here, through the SQL guard.
        sql = bucket_sql(catalog, m, self.grain, where, self.starts[0], self.next_start)
        result = analyst.sql(sql, max_rows=len(self.starts) + 1)
        found = self._read(result.records(), _BUCKET, m.name)
        assert found is not None  # the buckets are ours
        return Observed(found, result.sql, [])

    def _read(self, rows: list[dict[str, Any]], key: str, metric: str) -> dict[date, Any] | None:
        grid, out = set(self.starts), {}
        for row in rows:
            start = _key_date(row[key])
            if start not in grid:
                return None
            value = row[metric]
            out[start] = None if value is None else float(value)
        return out

    def series(self, observed: Observed, is_count: bool) -> Series:
        """The values in period order; see ``forecast`` for periods without records."""
        values = [observed.values.get(s) for s in self.starts]
        if is_count:
            values = [0.0 if v is None else v for v in values]
        lead = next((i for i, v in enumerate(values) if v is not None), len(values))
        starts, values = self.starts[lead:], values[lead:]
        if len(values) < MIN_PERIODS:
            raise ValueError(
                f"Only {len(values)} {self.grain}(s) have records for this forecast; it needs "
                f"at least {MIN_PERIODS}. Widen the filters or forecast by week."
            )
        actuals, y, before = [], [], 0.0
        for start, value in zip(starts, values, strict=True):
            filled = value is None
            before = before if value is None else value
            actuals.append(Actual(period=period_label(self.grain, start), start=start,
                                  value=before, filled=filled))  # fmt: skip
            y.append(before)
        notes = []
        if n := sum(a.filled for a in actuals):
            notes.append(f"{n} {self.grain}(s) without records took the value before them.")
        if lead and not is_count:
            notes.append(f"The first {lead} {self.grain}(s) had no records and are left out.")
        return Series(np.array(y), starts, actuals, notes)

    def notes(self, as_of: date) -> list[str]:
        out = []
        if self.capped:
            out.append(f"The history is limited to the last {MAX_HISTORY[self.grain]} "
                       f"{self.grain}s.")  # fmt: skip
        if self.next_start < start_of(self.grain, as_of):
            out.append(
                f"The data end on {self.last_day.isoformat()}, before today "
                f"({as_of.isoformat()}): the forecast starts right after the data."
            )
        return out


def values_of(
    analyst: ForecastSource,
    m: Metric,
    dim: Dimension | None,
    filters: dict[str, list[Any]],
    hist: History,
    top: int,
) -> tuple[list[str | None], int]:
    """The series to forecast: all records, or the ``top`` values of ``dim`` by records over
    the history; and how many more values there are."""
    count = f"n_{m.table}"
    by = dim.name if dim is not None else None
    result = analyst.metric(
        m.name, by=by, where=filters, period=hist.phrase, order_by=f"-{count}", limit=200
    )
    rows = [r for r in result.records() if r.get(count) and (by is None or r[by] is not None)]
    if not rows:
        raise ValueError(f"No {m.table} records match these filters in the history.")
    if by is None:
        return [None], 0
    return [str(r[by]) for r in rows[:top]], len(rows[top:])


def _coverage(analyst: ForecastSource, m: Metric, column: str) -> tuple[date, date]:
    col = f"{q(m.table)}.{q(column)}"
    result = analyst.sql(f"SELECT MIN({col}) AS first, MAX({col}) AS last FROM {q(m.table)}")
    first, last = result.rows[0] if result.rows else (None, None)
    if first is None or last is None:
        raise ValueError(f"The {m.table} table has no dated records to forecast from.")
    return date.fromisoformat(str(first)[:10]), date.fromisoformat(str(last)[:10])


def _key_date(value: Any) -> date | None:
    text = str(value)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = _MONTH_KEY.fullmatch(text)
    return date(int(match[1]), int(match[2]), 1) if match else None

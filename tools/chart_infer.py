"""Which columns of an evidence go on which axis, when the caller does not say.

x: the first dimension (non-numeric) column; when a dimension merely names it one to one
(``theme`` → ``theme_name``) the name is shown instead. Values: the first metric column, with its
``_prev`` / ``previous_`` twin when the result compares two periods, so "this quarter vs the
one before" becomes a grouped bar labelled with both periods. Series: the next dimension column
that actually splits the rows. Explicit choices always win; every problem is a ToolError naming
the columns that exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .base import ToolError
from .chart_spec import ChartDatum, ChartKind, ChartSpec, is_time_like
from .ledger import Evidence

MAX_POINTS = 300
MAX_SERIES = 12
# Columns that describe a comparison or a sample rather than the value itself.
_DERIVED = re.compile(r"(_prev|_delta|_pct_change|_change|_pp)$|^(n_|previous_|change_)")
_TWINS = ("{}_prev", "previous_{}")
_HIDDEN_UNITS = {"", "count"}


@dataclass
class Axes:
    x: str | None  # None: one row, its value columns side by side on the x axis
    y: list[str]
    series: str | None
    time_like: bool

    @property
    def split(self) -> bool:
        return self.series is not None or (self.x is not None and len(self.y) > 1)


def build_spec(
    evidence: Evidence,
    *,
    kind: ChartKind | None = None,
    x: str | None = None,
    y: str | list[str] | None = None,
    series: str | None = None,
    title: str | None = None,
) -> ChartSpec:
    """A chart of ``evidence``: explicit choices win, the rest is inferred from its columns."""
    axes = infer_axes(evidence, x=x, y=[y] if isinstance(y, str) else y, series=series)
    data = _data(evidence, axes)
    chosen = kind or ("line" if axes.time_like else "grouped_bar" if axes.split else "bar")
    if chosen in ("grouped_bar", "stacked_bar") and not axes.split:
        chosen = "bar"
    if chosen == "line" and axes.time_like:
        data.sort(key=lambda d: d.x)
    y_label = _y_label(evidence, axes.y)
    x_label = humanise(axes.x) if axes.x else _melted_label(evidence)
    return ChartSpec(
        kind=chosen,
        title=title or _title(evidence, y_label, x_label if axes.x else None),
        x=axes.x or "measure",
        x_label=x_label,
        y=axes.y,
        y_label=y_label,
        series=axes.series,
        series_label=_series_label(evidence, axes),
        unit=_units(evidence, axes.y),
        source_id=evidence.id,
        data=data,
    )


def infer_axes(ev: Evidence, *, x: str | None, y: list[str] | None, series: str | None) -> Axes:
    _check_known(ev, [c for c in [x, series, *(y or [])] if c])
    numeric = [c for i, c in enumerate(ev.columns) if _is_numeric(ev.rows, i)]
    dims = [c for c in ev.columns if c not in numeric]
    x = x or (_display_column(ev, dims[0], dims) if dims else None)
    ys = y or _default_y(ev, numeric, exclude={x, series})
    _check_numeric(ev, ys, numeric)
    if series and len(ys) > 1:
        raise ToolError("Chart either several value columns or one split by a series, not both.")
    if series is None and len(ys) == 1 and x is not None:
        series = _splitting_dimension(ev, x, [d for d in dims if d != x])
    if x is None and len(ev.rows) > 1:
        raise ToolError(
            f"{ev.id} has no dimension column for the x axis; name one as x. "
            f"Columns: {', '.join(ev.columns)}."
        )
    time_like = x is not None and is_time_like(x, _column(ev, x))
    return Axes(x=x, y=ys, series=series, time_like=time_like)


def _data(ev: Evidence, axes: Axes) -> list[ChartDatum]:
    labels = _value_labels(ev, axes.y)
    data: list[ChartDatum] = []
    for row in ev.rows:
        record = dict(zip(ev.columns, row, strict=False))
        for field in axes.y:
            value = _number(record.get(field))
            if axes.x is None:
                data.append(ChartDatum(x=labels[field], value=value))
                continue
            key = _text(record.get(axes.x))
            split = _text(record.get(axes.series)) if axes.series else None
            split = labels[field] if len(axes.y) > 1 else split
            data.append(ChartDatum(x=key, series=split, value=value))
    _check_data(ev.id, data)
    return data


def _check_data(ev_id: str, data: list[ChartDatum]) -> None:
    if not data:
        raise ToolError(f"{ev_id} has no rows to chart.")
    if len(data) > MAX_POINTS:
        raise ToolError(
            f"{ev_id} would make {len(data)} bars or points (at most {MAX_POINTS}); chart a "
            "query with fewer groups or a shorter period."
        )
    if len({d.series for d in data if d.series is not None}) > MAX_SERIES:
        raise ToolError(
            f"{ev_id} would make more than {MAX_SERIES} series; pick another series column or "
            "filter the query to fewer values."
        )
    if len({(d.x, d.series) for d in data}) < len(data):
        raise ToolError(
            f"Several rows of {ev_id} fall on the same bar; name a series column, or chart a "
            "query grouped by fewer dimensions."
        )


def _check_known(ev: Evidence, names: list[str]) -> None:
    unknown = [n for n in names if n not in ev.columns]
    if unknown:
        raise ToolError(
            f"{ev.id} has no column {', '.join(repr(n) for n in unknown)}; "
            f"its columns are: {', '.join(ev.columns)}."
        )


def _check_numeric(ev: Evidence, ys: list[str], numeric: list[str]) -> None:
    bad = [c for c in ys if c not in numeric]
    if bad:
        raise ToolError(
            f"Column {', '.join(repr(c) for c in bad)} of {ev.id} is not numeric; numeric "
            f"columns: {', '.join(numeric) or 'none'}."
        )


def _default_y(ev: Evidence, numeric: list[str], exclude: set[str | None]) -> list[str]:
    candidates = [c for c in numeric if c not in exclude]
    primary = next((c for c in candidates if not _DERIVED.search(c)), None)
    if primary is None:
        if not candidates:
            raise ToolError(f"{ev.id} has no numeric column to chart.")
        return [candidates[0]]
    twin = next((t.format(primary) for t in _TWINS if t.format(primary) in numeric), None)
    return [twin, primary] if twin else [primary]


def _display_column(ev: Evidence, x: str, dims: list[str]) -> str:
    # A code column shown through its name column (theme -> theme_name) when they match 1:1.
    name = f"{x}_name"
    if name in dims and _determines(ev, x, name) and _determines(ev, name, x):
        return name
    return x


def _splitting_dimension(ev: Evidence, x: str, others: list[str]) -> str | None:
    # A dimension that x already determines (its name, its region) does not split the rows.
    return next((d for d in others if not _determines(ev, x, d)), None)


def _determines(ev: Evidence, a: str, b: str) -> bool:
    seen: dict[Any, Any] = {}
    for va, vb in zip(_column(ev, a), _column(ev, b), strict=True):
        if seen.setdefault(va, vb) != vb:
            return False
    return True


def _column(ev: Evidence, name: str) -> list[Any]:
    i = ev.columns.index(name)
    return [row[i] if i < len(row) else None for row in ev.rows]


def _is_numeric(rows: list[list[Any]], i: int) -> bool:
    values = [row[i] for row in rows if i < len(row) and row[i] is not None]
    return bool(values) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    return "(none)" if value is None else str(value)


def humanise(column: str) -> str:
    base = column.removesuffix("_name").replace("_", " ").strip()
    return base[:1].upper() + base[1:]


def _base_metric(column: str) -> str:
    return re.sub(r"^previous_|_prev$", "", column)


def _metric_meta(ev: Evidence, column: str) -> dict[str, Any]:
    base = _base_metric(column)
    metrics = ev.meta.get("metrics") or []
    return next((m for m in metrics if isinstance(m, dict) and m.get("name") == base), {})


def _unit(ev: Evidence, column: str) -> str:
    meta_unit = str(_metric_meta(ev, column).get("unit") or "")
    if column.endswith(("_pct_change", "_pct", "_rate")) or column.startswith("change_pct"):
        return "%"
    if column.endswith(("_pp", "_delta")) and (column.endswith("_pp") or meta_unit == "%"):
        return "pp"
    if meta_unit:
        return meta_unit
    if column.endswith("hours"):
        return "hours"
    return "count" if column.startswith("n_") or column.endswith("count") else ""


def _units(ev: Evidence, ys: list[str]) -> str:
    units = {_unit(ev, c) for c in ys}
    if len(units) > 1:
        raise ToolError(
            f"The columns {', '.join(ys)} have different units ({', '.join(sorted(units))}); "
            "chart them separately."
        )
    return units.pop()


def _y_label(ev: Evidence, ys: list[str]) -> str:
    label = str(_metric_meta(ev, ys[0]).get("label") or humanise(_base_metric(ys[0])))
    unit = _units(ev, ys)
    return label if unit in _HIDDEN_UNITS else f"{label} ({unit})"


def _period_label(ev: Evidence, *keys: str) -> str | None:
    for key in keys:
        period = ev.meta.get(key)
        if isinstance(period, dict) and period.get("label"):
            return str(period["label"])
    return None


def _value_labels(ev: Evidence, ys: list[str]) -> dict[str, str]:
    now = _period_label(ev, "period")
    before = _period_label(ev, "comparison_period", "previous_period")
    labels = {}
    for column in ys:
        is_twin = column != _base_metric(column)
        period = before if is_twin else now
        labels[column] = period if period and before else humanise(column)
    return labels


def _melted_label(ev: Evidence) -> str:
    # What several value columns are when shown side by side: two periods, or plain measures.
    both = _period_label(ev, "period") and _period_label(ev, "comparison_period", "previous_period")
    return "Period" if both else "Measure"


def _series_label(ev: Evidence, axes: Axes) -> str | None:
    if axes.series:
        return humanise(axes.series)
    return _melted_label(ev) if axes.split else None


def _title(ev: Evidence, y_label: str, x_label: str | None) -> str:
    title = f"{y_label} by {x_label.lower()}" if x_label else y_label
    now = _period_label(ev, "period")
    before = _period_label(ev, "comparison_period", "previous_period")
    if now and before:
        return f"{title}, {now} vs {before}"
    return f"{title}, {now}" if now else title

"""The chart spec: what a chart shows, with its data inline, independent of any renderer.

A spec is plain data (pydantic), so it travels in a ``C<n>`` evidence's meta, through the
checkpointed graph state and over HTTP, and any face can render it later.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from .ledger import Evidence

ChartKind = Literal["bar", "grouped_bar", "stacked_bar", "line"]
_TIME_VALUE = re.compile(r"^\d{4}(-(\d{2}(-\d{2})?|Q[1-4]|W\d{2}|H[12]))?$")
_TIME_NAMES = {"date", "day", "week", "month", "quarter", "half_year", "year", "period"}
_UNIT_SUFFIX = {"%": "%", "pp": " pp", "hours": " h", "days": " d", "CNY": " CNY"}


class ChartDatum(BaseModel):
    x: str
    series: str | None = None
    # Ints stay ints, so the chart's evidence shows 37, not 37.0.
    value: int | float | None = None


class ChartSpec(BaseModel):
    kind: ChartKind
    title: str
    x: str = Field(description="The source column on the x axis.")
    x_label: str
    y: list[str] = Field(description="The source column(s) plotted as values.")
    y_label: str
    series: str | None = Field(None, description="The source column that splits the series.")
    series_label: str | None = None
    unit: str = ""
    source_id: str
    data: list[ChartDatum]

    def x_values(self) -> list[str]:
        return list(dict.fromkeys(d.x for d in self.data))

    def series_values(self) -> list[str]:
        return list(dict.fromkeys(d.series for d in self.data if d.series is not None))


def spec_of(evidence: Evidence) -> ChartSpec:
    """The spec stored in a ``C<n>`` evidence, ready for any renderer."""
    if evidence.kind != "chart" or "spec" not in evidence.meta:
        raise ValueError(f"{evidence.id} is not a chart.")
    return ChartSpec.model_validate(evidence.meta["spec"])


def format_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    # Two decimals at most, trailing zeros dropped: labels match the numbers the text cites.
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text + _UNIT_SUFFIX.get(unit, "")


def describe(spec: ChartSpec) -> str:
    """One line saying what is plotted, for the model and for tool activity."""
    kind = spec.kind.replace("_", " ")
    what = f"{kind} chart of {spec.y_label} by {spec.x_label.lower()}"
    series = spec.series_values()
    if series:
        what += f", {len(series)} series ({', '.join(series[:4])}{', …' * (len(series) > 4)})"
    return f"{what}: {len(spec.x_values())} {spec.x_label.lower()} values, from {spec.source_id}"


def is_time_like(name: str, values: list[Any]) -> bool:
    """True for period columns (month, quarter, 2026-07, 2026-Q3) that read left to right."""
    texts = [str(v) for v in values if v is not None]
    if texts and all(_TIME_VALUE.match(t) for t in texts):
        return True
    return name.lower() in _TIME_NAMES

"""Example commands built from a workspace's own catalog, so help never names a metric or a
dimension the user's data does not have."""

from __future__ import annotations

from datetime import date, timedelta

from ..data.catalog import Catalog
from ..data.periods import quarter_start
from .offline.catalog_choice import default_dimension, reaches


def example_split(catalog: Catalog) -> tuple[str, str | None]:
    """A metric worth showing and a category dimension it can be split by (None if none)."""
    metrics = [m for m in catalog.metrics.values() if m.direction != "neutral"]
    metrics = metrics or list(catalog.metrics.values())
    dim = default_dimension(catalog)
    if dim not in catalog.dimensions or catalog.dimensions[dim].from_time:
        return metrics[0].name, None
    home = catalog.dimensions[dim].sources
    fits = [m.name for m in metrics if m.table in home]
    fits = fits or [m.name for m in metrics if reaches(catalog, m.name, dim)]
    return (fits[0], dim) if fits else (metrics[0].name, None)


def metric_examples(catalog: Catalog, last_dates: dict[str, date], as_of: date) -> list[str]:
    """``servicelens metric`` command lines that work on this catalog and its data.

    ``last_dates`` is the last date each table holds: the example's period is "last quarter"
    when the data reaches into it, else the last month the data has."""
    if not catalog.metrics:
        return []
    metric, dim = example_split(catalog)
    line = f"servicelens metric {metric}" + (f" --by {dim}" if dim else "")
    last = last_dates.get(catalog.metrics[metric].table)
    if catalog.time_column(catalog.metrics[metric]) and last is not None:
        recent = last >= quarter_start(as_of) - timedelta(days=92)
        period = '"last quarter"' if recent else f"{last.year}-{last.month:02d}"
        line += f" --period {period} --compare previous"
    return [line]

"""Choosing what to query from the workspace's own catalog when the question does not say.

The catalog's own order says what matters: with no metric named, the plain count metric of
the table that holds the dimension asked about (or, for "worst"/"best", the first metric with a
good direction); with no split named, the first category dimension it lists.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...data.catalog import Catalog, Metric


def default_metric(
    catalog: Catalog | None, dim: str | None = None, filters: Iterable[str] = ()
) -> str:
    """The plain count of the records the question is about: a count metric that can be split
    by ``dim`` and filtered by every dimension in ``filters``, on the table that holds those
    dimensions itself if there is one (repairs are counted on the table with the ticket type),
    else of any timed table."""
    if catalog is None:
        return ""
    counts = [m for m in catalog.metrics.values() if m.unit == "count" and not m.spec.filter]
    wanted = [d for d in [*filters, dim] if d and d in catalog.dimensions]
    usable = [m for m in counts if all(reaches(catalog, m.name, d) for d in wanted)]
    for d in wanted:
        own = [m for m in usable if m.table in catalog.dimensions[d].sources]
        timed = _timed(catalog, own)
        if timed or own:
            return (timed or own)[0].name
    usable = _timed(catalog, usable) or usable or _timed(catalog, counts)
    return usable[0].name if usable else next(iter(catalog.metrics))


def reaches(catalog: Catalog, metric: str, dim: str | None) -> bool:
    """Whether ``metric`` can be grouped or filtered by ``dim`` (on its table or by a join)."""
    if dim is None or dim not in catalog.dimensions:
        return True
    d = catalog.dimensions[dim]
    if d.from_time:
        return True
    table = catalog.metrics[metric].table
    return any(src == table or catalog.join_path(table, src) for src in d.sources)


def default_dimension(catalog: Catalog | None) -> str:
    """The catalog's first category dimension ("" when it has none)."""
    if catalog is None:
        return ""
    names = [n for n, d in catalog.dimensions.items() if d.kind == "category" and d.sources]
    return names[0] if names else ""


HEADLINE = 6


def headline_metrics(catalog: Catalog | None, most: int = HEADLINE) -> list[str]:
    """Metrics to stand for 'where we are': the catalog's own headline list, else those with
    a good direction first, then counts, in catalog order; only metrics with a time column."""
    if catalog is None:
        return []
    if catalog.spec.headline:
        ranked = [catalog.metrics[m] for m in catalog.spec.headline]
    else:
        ranked = sorted(catalog.metrics.values(), key=lambda m: m.direction == "neutral")
    return [m.name for m in ranked if catalog.time_column(m)][:most]


def _timed(catalog: Catalog, metrics: list[Metric]) -> list[Metric]:
    return [m for m in metrics if catalog.tables[m.table].time_column]


def split_dimension(catalog: Catalog | None, metric: str, filters: dict[str, str]) -> str | None:
    """A dimension to say where a metric's value or move sits (see ``split_dimensions``)."""
    dims = split_dimensions(catalog, metric, filters)
    return dims[0] if dims else None


def split_dimensions(catalog: Catalog | None, metric: str, filters: dict[str, str]) -> list[str]:
    """Dimensions that can say where a metric's value or move sits: the catalog's declared
    splits, then its listed categories (a handful of values each), in catalog order; only those
    the metric can be split by and the question did not filter on."""
    if catalog is None or metric not in catalog.metrics:
        return []
    listed = [
        n
        for n, d in catalog.dimensions.items()
        if d.kind == "category" and d.values and 2 <= len(d.values) <= 30
    ]
    names = dict.fromkeys([*catalog.spec.splits, *listed])
    return [d for d in names if d not in filters and reaches(catalog, metric, d)]

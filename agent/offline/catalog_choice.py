"""Choosing what to query from the workspace's own catalog when the question does not say.

The playbooks name demo defaults ("ticket_count", "first_time_fix_rate", "region"); a user's
catalog may have none of them. Then the choice follows the catalog: the plain count metric of
the table that holds the dimension asked about, and the first category dimension to split by.
"""

from __future__ import annotations

from ...data.catalog import Catalog, Metric


def default_metric(catalog: Catalog | None, default: str, dim: str | None = None) -> str:
    """``default`` when this catalog has it (and it can be split by ``dim``), else a count."""
    if catalog is None:
        return default
    if default in catalog.metrics and reaches(catalog, default, dim):
        return default
    counts = [m for m in catalog.metrics.values() if m.unit == "count" and not m.spec.filter]
    homes = list(catalog.dimensions[dim].sources) if dim in catalog.dimensions else []
    for table in homes:
        own = [m for m in counts if m.table == table]
        if own:
            return own[0].name
    usable = [m for m in counts if reaches(catalog, m.name, dim)] or _timed(catalog, counts)
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


def default_dimension(catalog: Catalog | None, default: str = "region") -> str:
    """``default`` when the catalog has it, else its first category dimension."""
    if catalog is None or default in catalog.dimensions:
        return default
    names = [n for n, d in catalog.dimensions.items() if d.kind == "category" and d.sources]
    return names[0] if names else default


def _timed(catalog: Catalog, metrics: list[Metric]) -> list[Metric]:
    return [m for m in metrics if catalog.tables[m.table].time_column]


# Dimensions that usually say where a move sits, when a catalog has them.
_USUAL_SPLITS = ("region", "product_line", "channel")


def split_dimension(catalog: Catalog | None, metric: str, filters: dict[str, str]) -> str | None:
    """A dimension to say where a metric's value or move sits: a usual one, else the first
    listed category of the catalog that the metric can be split by and the question did not
    filter on."""
    if catalog is None or metric not in catalog.metrics:
        return None
    usual = [d for d in _USUAL_SPLITS if d in catalog.dimensions]
    listed = [
        n
        for n, d in catalog.dimensions.items()
        if d.kind == "category" and d.values and 2 <= len(d.values) <= 30 and n not in usual
    ]
    for dim in (*usual, *listed):
        if dim not in filters and reaches(catalog, metric, dim):
            return dim
    return None

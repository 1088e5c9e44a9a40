"""``catalog validate``: run every metric and dimension of a catalog against the warehouse."""

from __future__ import annotations

from ..catalog import Catalog
from ..errors import ServiceLensError
from ..metric_query import MetricRequest, compile_request
from ..warehouse import QueryError, Warehouse


def check_catalog(catalog: Catalog, warehouse: Warehouse) -> list[str]:
    """Problems found (empty when the catalog is sound)."""
    problems = []
    for name in catalog.metrics:
        problem = _runs(catalog, warehouse, MetricRequest([name]))
        if problem:
            problems.append(f"metrics.{name}: {problem}")
    for name, dim in catalog.dimensions.items():
        metric = next(
            (m for m in catalog.metrics.values() if dim.from_time or m.table in dim.sources),
            None,
        )
        if metric is None:
            continue
        problem = _runs(catalog, warehouse, MetricRequest([metric.name], [name]))
        if problem:
            problems.append(f"dimensions.{name}: {problem}")
    return problems


def _runs(catalog: Catalog, warehouse: Warehouse, request: MetricRequest) -> str:
    try:
        compiled = compile_request(catalog, request)
        warehouse.execute(compiled.sql, compiled.params, max_rows=1)
    except (ServiceLensError, QueryError) as exc:
        return str(exc)
    return ""

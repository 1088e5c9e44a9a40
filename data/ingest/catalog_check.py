"""``catalog validate``: load the workspace catalog and run every metric against the warehouse."""

from __future__ import annotations

from ..catalog import load_catalog
from ..errors import ServiceLensError
from ..metric_query import MetricRequest, compile_request
from ..warehouse import QueryError, Warehouse
from ..workspace import Workspace


def check_catalog(ws: Workspace) -> list[str]:
    """Problems found (empty when the catalog is sound); a catalog that does not load raises."""
    catalog = load_catalog(ws.catalog)
    problems = []
    with Warehouse.open(ws.warehouse) as warehouse:
        for name in catalog.metrics:
            try:
                compiled = compile_request(catalog, MetricRequest([name]))
                warehouse.execute(compiled.sql, compiled.params, max_rows=1)
            except (ServiceLensError, QueryError) as exc:
                problems.append(f"metrics.{name}: {exc}")
        for name, dim in catalog.dimensions.items():
            metric = next(
                (m for m in catalog.metrics.values() if dim.from_time or m.table in dim.sources),
                None,
            )
            if metric is None:
                continue
            try:
                compiled = compile_request(catalog, MetricRequest([metric.name], [name]))
                warehouse.execute(compiled.sql, compiled.params, max_rows=1)
            except (ServiceLensError, QueryError) as exc:
                problems.append(f"dimensions.{name}: {exc}")
    return problems

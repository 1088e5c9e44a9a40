"""``describe_data``: what the catalog offers — tables, metrics, dimensions, values, date coverage.

The catalog reaches the model on demand through this tool rather than in every prompt. Values of
dimensions without a fixed list (models, cities, engineers) are sampled from the warehouse, most
frequent first, so the model can filter on values that exist. It registers no evidence: it holds
definitions, not findings.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..data.catalog import Catalog, Dimension, UnknownNameError
from ..data.warehouse import plain_value
from .base import Tool, ToolContext, ToolError, ToolResult

SAMPLE_VALUES = 12
COVERAGE = "coverage"


class DescribeDataInput(BaseModel):
    focus: str | None = Field(
        None,
        description="A metric or dimension to show in full (aliases, every value); "
        "'coverage' for only the dates each table covers.",
    )


def describe_data(ctx: ToolContext, args: DescribeDataInput) -> ToolResult:
    catalog: Catalog | None = ctx.catalog
    if catalog is None:
        raise ToolError("No catalog is loaded in this workspace, so there is nothing to describe.")
    if args.focus == COVERAGE:
        # The dates alone: small on any catalog, so it is never clipped in the transcript.
        content = {"coverage": coverage(ctx.warehouse, catalog), "as_of": ctx.as_of.isoformat()}
        return ToolResult(content=content, summary="describe_data: coverage")
    if args.focus:
        content = _focus(ctx, catalog, args.focus)
        return ToolResult(content=content, summary=f"describe_data: {args.focus}")
    content = {
        "tables": {
            name: t.description + (f" Time column: {t.time_column}." if t.time_column else "")
            for name, t in catalog.tables.items()
        },
        "coverage": coverage(ctx.warehouse, catalog),
        "metrics": [_metric_line(m.summary()) for m in catalog.metrics.values()],
        "dimensions": {n: _dimension_line(ctx, catalog, d) for n, d in catalog.dimensions.items()},
        "as_of": ctx.as_of.isoformat(),
        "note": "Periods: pass phrases like 'last quarter'; they are resolved from as_of.",
    }
    n = len(catalog.metrics)
    return ToolResult(content=content, summary=f"describe_data: {n} metrics, coverage shown")


def _metric_line(summary: dict[str, Any]) -> str:
    # One line per metric keeps the catalog small in the model's context.
    scale = f", {summary['scale']}" if "scale" in summary else ""
    direction = summary["direction"].replace("_is_better", " is better")
    return (
        f"{summary['name']} ({summary['en']} / {summary['zh']}; {summary['unit']}{scale}; "
        f"{direction}; on {summary['table']}): {summary['definition']}"
    )


def _dimension_line(ctx: ToolContext, catalog: Catalog, dim: Dimension) -> str:
    where = "time of each metric" if dim.from_time else ", ".join(dim.sources)
    values = dim.values
    if values is None and dim.kind == "category":
        values = sample_values(ctx.warehouse, catalog, dim)
    shown = f": {', '.join(map(str, values))}" if values else ""
    return f"{dim.spec.en} / {dim.spec.zh} [{dim.kind}; {where}]{shown}"


def _focus(ctx: ToolContext, catalog: Catalog, name: str) -> dict[str, Any]:
    try:
        metric = catalog.metric(name)
    except UnknownNameError:
        metric = None
    if metric is not None:
        return metric.summary() | {"aliases": metric.spec.aliases, "sql": metric.expr}
    try:
        dim = catalog.dimension(name)
    except UnknownNameError as exc:
        raise ToolError(f"No metric or dimension called {name!r}. {exc}") from None
    values = dim.spec.values or {}
    if not values and dim.kind == "category":
        values = {v: [] for v in sample_values(ctx.warehouse, catalog, dim, limit=100)}
    return {
        "name": dim.name,
        "en": dim.spec.en,
        "zh": dim.spec.zh,
        "aliases": dim.spec.aliases,
        "kind": dim.kind,
        "tables": list(dim.sources),
        "values": values,
    }


def coverage(warehouse: Any, catalog: Catalog) -> dict[str, dict[str, Any]]:
    """First and last value and row count of every table's time column."""
    if warehouse is None:
        return {}
    timed = [(n, t.time_column) for n, t in catalog.tables.items() if t.time_column]
    if not timed:
        return {}
    sql = "\nUNION ALL ".join(
        f"SELECT '{name}', CAST(MIN({col}) AS VARCHAR), CAST(MAX({col}) AS VARCHAR), COUNT(*) "
        f"FROM {name}"
        for name, col in timed
    )
    result = warehouse.execute(sql, max_rows=len(timed))
    return {
        row[0]: {"from": plain_value(row[1]), "to": plain_value(row[2]), "rows": row[3]}
        for row in result.rows
    }


def sample_values(
    warehouse: Any, catalog: Catalog, dim: Dimension, limit: int = SAMPLE_VALUES
) -> list[Any]:
    """The most frequent values of a dimension in its first source table."""
    if warehouse is None or not dim.sources:
        return []
    table, sql = next(iter(dim.sources.items()))
    query = (
        f"SELECT {sql} AS v, COUNT(*) AS n FROM {table} WHERE {sql} IS NOT NULL "
        "GROUP BY 1 ORDER BY n DESC, v LIMIT ?"
    )
    return [plain_value(r[0]) for r in warehouse.execute(query, [limit], max_rows=limit).rows]


TOOL = Tool(name="describe_data", input_model=DescribeDataInput, fn=describe_data)

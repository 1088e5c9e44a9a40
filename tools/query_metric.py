"""``query_metric``: catalog metrics, grouped, filtered, over a period, optionally compared.

The date phrase is resolved here from ``ctx.as_of``; the catalog compiles the request into one
SQL query (delta and percent change included, values rounded in SQL), which runs as trusted SQL
on the warehouse. The model sees the resolved period(s), the columns and the first rows; the
ledger keeps the SQL, its parameters and every row, exactly as the model saw them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ..data.catalog import Catalog, UnknownNameError
from ..data.metric_query import CompiledQuery, MetricQueryError, MetricRequest, compile_request
from ..data.periods import Period, PeriodError, parse_period
from ..data.sql_guard import QueryError
from ..data.warehouse import plain_value
from .base import Tool, ToolContext, ToolError, ToolResult

ROWS_SHOWN = 30


class QueryMetricInput(BaseModel):
    metrics: list[str] = Field(
        min_length=1, max_length=8, description="Metric names from describe_data."
    )
    group_by: list[str] = Field(
        default_factory=list, max_length=3, description='Dimensions, e.g. ["region"].'
    )
    filters: dict[str, list[str | int] | str | int] = Field(
        default_factory=dict,
        description='Dimension to value(s), e.g. {"region": ["North"]}.',
    )
    exclude: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Values to leave out: {"channel": ["email"]}.',
    )
    period: str | None = Field(
        None, description='Date phrase: "last quarter", "2026-Q3", "上个月".'
    )
    compare: Literal["previous", "year_ago"] | None = Field(
        None, description="Add the previous period (or a year earlier) with delta and % change."
    )
    order_by: str | None = Field(None, description='Sort column; "-" first for descending.')
    limit: int | None = Field(None, ge=1, le=200, description="Keep the first N rows.")


def query_metric(ctx: ToolContext, args: QueryMetricInput) -> ToolResult:
    if ctx.catalog is None or ctx.warehouse is None:
        raise ToolError("No data is loaded in this workspace, so metrics cannot be computed.")
    compiled = compile_args(ctx.catalog, args, ctx)
    try:
        result = ctx.warehouse.execute(compiled.sql, compiled.params)
    except QueryError as exc:
        raise ToolError(str(exc)) from None
    rows = [[plain_value(v) for v in row] for row in result.rows]
    meta = evidence_meta(ctx.catalog, compiled, len(rows)) | ctx.scope_meta()
    evidence = ctx.ledger.add(
        "query",
        "query_metric",
        sql=compiled.sql,
        columns=result.columns,
        rows=rows,
        truncated=result.truncated,
        meta=meta,
    )
    content = _content(evidence.id, meta, result.columns, rows, result.truncated)
    return ToolResult(content=content, evidence_ids=[evidence.id], summary=_summary(meta, rows))


def compile_args(catalog: Catalog, args: QueryMetricInput, ctx: ToolContext) -> CompiledQuery:
    """Resolve the period and compile; every problem the model can fix becomes a ToolError."""
    try:
        period = parse_period(args.period, ctx.as_of) if args.period else None
        request = MetricRequest(
            metrics=args.metrics,
            group_by=with_labels(catalog, args.group_by),
            filters=args.filters,
            exclude=args.exclude,
            period=period,
            compare=args.compare,
            order_by=args.order_by,
            limit=args.limit,
        )
        return compile_request(catalog, request)
    except (PeriodError, UnknownNameError, MetricQueryError) as exc:
        raise ToolError(str(exc)) from None


def with_labels(catalog: Catalog, group_by: list[str]) -> list[str]:
    """The grouping plus each grouped dimension's display-name dimension, if it has one (the
    name of an engineer grouped by id): a name per id changes no group, and answers show it."""
    out = list(group_by)
    for name in group_by:
        dim = catalog.dimensions.get(name)
        if dim is None:
            try:
                dim = catalog.dimension(name)
            except UnknownNameError:
                continue
        label = dim.spec.label
        if label and label not in out and catalog.dimension(label).name not in out:
            out.insert(out.index(name) + 1, label)
    return out


def _period(p: Period | None) -> dict[str, str] | None:
    if p is None:
        return None
    return {"label": p.label, "start": p.start.isoformat(), "end": p.last_day.isoformat()}


def evidence_meta(catalog: Catalog, q: CompiledQuery, row_count: int) -> dict[str, Any]:
    """What the result means: metrics with units, the resolved periods, filters, parameters."""
    return {
        "metrics": [
            {"name": m.name, "label": m.spec.en, "unit": m.unit, "direction": m.direction}
            for m in q.metrics
        ],
        "group_by": q.group_by,
        "filters": q.filters,
        **({"exclude": q.exclude} if q.exclude else {}),
        "period": _period(q.period),
        "comparison_period": _period(q.comparison),
        "compare": q.compare,
        "params": [plain_value(p) for p in q.params],
        "row_count": row_count,
    }


def _content(
    ev_id: str, meta: dict[str, Any], columns: list[str], rows: list[list[Any]], truncated: bool
) -> dict[str, Any]:
    content: dict[str, Any] = {"id": ev_id}
    content["period"] = meta["period"] or "all data"
    if meta["comparison_period"]:
        content["comparison_period"] = meta["comparison_period"]
    if meta["filters"]:
        content["filters"] = meta["filters"]
    if meta.get("exclude"):
        content["exclude"] = meta["exclude"]
    content["units"] = {m["name"]: m["unit"] for m in meta["metrics"]}
    content |= {"columns": columns, "rows": rows[:ROWS_SHOWN], "row_count": len(rows)}
    content["truncated"] = truncated
    notes = _notes(meta, columns, rows, truncated)
    if notes:
        content["note"] = " ".join(notes)
    return content


def _notes(
    meta: dict[str, Any], columns: list[str], rows: list[list[Any]], truncated: bool
) -> list[str]:
    notes = []
    if any(m["unit"] == "%" for m in meta["metrics"]):
        notes.append("% values are percentages (0-100); their _delta is in percentage points.")
    if meta["comparison_period"]:
        notes.append("_prev columns hold the comparison period; n_* are row counts.")
    if len(rows) > ROWS_SHOWN:
        notes.append(f"Showing {ROWS_SHOWN} of {len(rows)} rows.")
    if truncated:
        notes.append("Rows were capped; filter or group more coarsely to see everything.")
    counts = [i for i, c in enumerate(columns) if c.startswith("n_") and not c.endswith("_prev")]
    if rows and counts and all(not row[i] for row in rows for i in counts):
        notes.append("No rows match in this period and filters; say the data is insufficient.")
    return notes


def _summary(meta: dict[str, Any], rows: list[list[Any]]) -> str:
    names = ", ".join(m["name"] for m in meta["metrics"])
    by = f" by {', '.join(meta['group_by'])}" if meta["group_by"] else ""
    when = f", {meta['period']['label']}" if meta["period"] else ""
    vs = f" vs {meta['comparison_period']['label']}" if meta["comparison_period"] else ""
    return f"query_metric: {names}{by}{when}{vs}: {len(rows)} row{'s' * (len(rows) != 1)}"


TOOL = Tool(name="query_metric", input_model=QueryMetricInput, fn=query_metric)

"""``run_sql``: a read-only SELECT the model writes, for what the catalog's metrics do not cover.

The SQL passes the guard (``data/sql_guard.py``) and runs on the locked-down warehouse under the
row cap, the byte cap (long values cut and marked) and the timeout. The model sees the columns,
the first rows and whether anything was cut; the ledger keeps every row returned (up to the cap)
under a ``Q<n>`` id, with values rounded exactly as the model saw them so number checks compare
like with like.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..data.catalog import Catalog
from ..data.sql_guard import QueryError, check_sql
from ..data.warehouse import QueryResult, Warehouse, plain_value
from .base import Tool, ToolContext, ToolError, ToolResult

ROWS_SHOWN = 20


class RunSqlInput(BaseModel):
    sql: str = Field(
        min_length=1,
        max_length=8000,
        description="One read-only DuckDB SELECT (WITH … SELECT allowed) over the catalog tables.",
    )
    purpose: str = Field(
        min_length=3,
        max_length=200,
        description="One line: the question this query answers, shown to the user with the result.",
    )


def run_sql(ctx: ToolContext, args: RunSqlInput) -> ToolResult:
    warehouse = ctx.warehouse
    if warehouse is None:
        raise ToolError("No warehouse is open in this workspace; SQL cannot be run.")
    try:
        safe_sql, result = guarded_query(warehouse, ctx.catalog, args.sql)
    except QueryError as exc:
        raise ToolError(str(exc)) from None
    rows = [[plain_value(v) for v in row] for row in result.rows]
    evidence = ctx.ledger.add(
        "query",
        "run_sql",
        sql=safe_sql,
        columns=result.columns,
        rows=rows,
        truncated=result.truncated,
        meta={"purpose": args.purpose, "row_count": len(rows), **ctx.scope_meta()},
    )
    return ToolResult(
        content=_content(evidence.id, args.purpose, result, rows, warehouse.limits.row_cap),
        evidence_ids=[evidence.id],
        summary=f"run_sql: {args.purpose} ({_count_text(len(rows), result.truncated)})",
    )


def guarded_query(
    warehouse: Warehouse, catalog: Catalog | None, sql: str, row_cap: int | None = None
) -> tuple[str, QueryResult]:
    """Check ``sql`` with the guard and run it; the SQL returned is exactly what ran (with its
    row cap). A refusal or a failure raises ``QueryError`` with a reason to act on."""
    cap = row_cap or warehouse.limits.row_cap
    safe_sql = check_sql(sql, allowed_tables(warehouse, catalog), row_cap=cap)
    return safe_sql, warehouse.query(safe_sql, max_rows=cap)


def allowed_tables(warehouse: Warehouse, catalog: Catalog | None) -> set[str]:
    # The catalog decides what may be queried. Without a catalog (a bare warehouse, or a
    # caller that did not load one) every table of the warehouse's main schema is allowed.
    if catalog is not None:
        return set(catalog.tables)
    return set(warehouse.tables())


def _content(
    evidence_id: str, purpose: str, result: QueryResult, rows: list[list[Any]], row_cap: int
) -> dict[str, Any]:
    content: dict[str, Any] = {
        "id": evidence_id,
        "purpose": purpose,
        "columns": result.columns,
        "rows": rows[:ROWS_SHOWN],
        "row_count": len(rows),
        "truncated": result.truncated,
    }
    notes = []
    if len(rows) > ROWS_SHOWN:
        notes.append(f"showing {ROWS_SHOWN} of {len(rows)} rows")
    if result.truncated:
        notes.append(
            f"results were capped at {row_cap} rows; aggregate or filter to see everything"
        )
    if result.cut_values:
        many = result.cut_values != 1
        notes.append(
            f"{result.cut_values} long value{'s were' if many else ' was'} cut (marked "
            "'[value cut: …]'); select left(…) or a shorter column to see what matters"
        )
    if not rows:
        notes.append("the query returned no rows")
    if notes:
        content["note"] = "; ".join(notes) + "."
    return content


def _count_text(n: int, truncated: bool) -> str:
    return f"{n}+ rows, capped" if truncated else f"{n} row{'s' if n != 1 else ''}"


TOOL = Tool(name="run_sql", input_model=RunSqlInput, fn=run_sql)

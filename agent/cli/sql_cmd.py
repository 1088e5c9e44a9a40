"""``servicelens sql``: one read-only query through the same guard the model's run_sql uses."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from ..results import TableResult
from .common import HomeOption, JsonOption, console, open_analyst, print_json


def sql(
    query: Annotated[
        str, typer.Argument(help='One SELECT query, e.g. "SELECT count(*) FROM tickets".')
    ],
    max_rows: Annotated[
        int | None,
        typer.Option("--max-rows", min=1, max=100_000, help="Row cap (default: the workspace's)."),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a read-only SQL query (DuckDB) on the workspace; refused queries exit with status 2."""
    with open_analyst(home) as analyst:
        # A refusal raises SqlRejected, whose exit status is 2; the CLI edge prints its reason.
        result = analyst.sql(query, max_rows=max_rows)
    if as_json:
        print_json(_as_json(result))
    else:
        _render(result)


def _as_json(result: TableResult) -> dict[str, Any]:
    return {
        "sql": result.sql,
        "columns": result.columns,
        "rows": result.rows,
        "row_count": len(result.rows),
        "truncated": result.truncated,
        "elapsed_ms": result.elapsed_ms,
    }


def _render(result: TableResult) -> None:
    cells = [[_cell(v) for v in row] for row in result.rows]
    if _table_width(result.columns, cells) <= console.width:
        table = Table(show_header=True, header_style="bold")
        for name in result.columns:
            table.add_column(name, overflow="fold")
        for row in cells:
            table.add_row(*row)
        console.print(table)
    else:
        _render_records(result.columns, cells)
    footer = f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
    if result.truncated:
        footer += f" (capped at {result.row_cap}; use --max-rows or aggregate to see more)"
    console.print(f"{footer} in {result.elapsed_ms:,.0f} ms")


def _table_width(columns: list[str], cells: list[list[Text]]) -> int:
    # Columns wider than 30 characters fold; anything narrower must fit to stay readable.
    widths = [
        min(max([len(c), *(len(row[i]) for row in cells)]), 30) for i, c in enumerate(columns)
    ]
    return sum(w + 3 for w in widths) + 1


def _render_records(columns: list[str], cells: list[list[Text]]) -> None:
    # Too wide for the terminal: one block per row, a column per line, like psql's \x.
    label_width = max(len(c) for c in columns)
    for n, row in enumerate(cells, start=1):
        console.print(f"-- row {n} --", style="bold")
        for name, value in zip(columns, row, strict=True):
            console.print(Text.assemble(f"{name.ljust(label_width)}  ", value))


def _cell(value: Any) -> Text:
    if value is None:
        return Text("NULL", style="dim")
    if isinstance(value, float) and abs(value) >= 0.01:
        return Text(f"{value:,.4f}".rstrip("0").rstrip("."))
    return Text(str(value))


def register(app: typer.Typer) -> None:
    app.command(name="sql")(sql)

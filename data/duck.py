"""DuckDB connections for ServiceLens' own long-running work (building, ingesting, indexing).

Memory is capped, so DuckDB spills to disk instead of caching a growing file, and DuckDB's own
progress bar is off: it would print over ours, and into output meant for scripts (``--json``).
The connection that answers questions is ``warehouse.Warehouse`` (read-only, locked down).
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def connect(
    path: Path | str, *, read_only: bool = False, memory_limit: str = "512MB", threads: int = 2
) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit,
        "threads": threads,
    }
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    con.execute("SET enable_progress_bar = false")
    return con


def q(identifier: str) -> str:
    """A quoted SQL identifier (a table or column name), safe for any name."""
    return '"' + identifier.replace('"', '""') + '"'

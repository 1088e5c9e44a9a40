"""``--theme-column``: a category column the export already has becomes the feedback themes.

Checked while staging, before anything is committed: the column must exist and hold categories
(a modest number of distinct values), not free text or ids. The VOC index pipeline reads the
values from the loaded table (``theme_assignment.column_themes``).
"""

from __future__ import annotations

import duckdb

from ..errors import DataError
from ..theme_set import ThemeSource
from .infer import q
from .load import Staged
from .voc_rows import resolve_column

MAX_THEMES = 200


def check_theme_column(con: duckdb.DuckDBPyConnection, staged: Staged, name: str) -> str:
    """The column's name in the staged table, once it is known to hold categories."""
    column = resolve_column(staged, name, "--theme-column")
    row = con.execute(
        f"SELECT count(DISTINCT NULLIF(trim(CAST({q(column)} AS VARCHAR)), '')) FROM typed"
    ).fetchone()
    distinct = int(row[0]) if row else 0
    if distinct == 0 or distinct > MAX_THEMES:
        raise DataError(
            f"--theme-column {name!r} has {distinct} distinct values; a theme column holds "
            f"categories (1 to {MAX_THEMES} values). Choose another column, or leave the "
            "option out to discover themes from the feedback."
        )
    return column


def theme_source(name: str | None, columns: dict[str, str]) -> ThemeSource | None:
    """The theme source an ingest asks for: the column in the tables that have it, or None."""
    return ThemeSource.from_column(name, columns) if name and columns else None

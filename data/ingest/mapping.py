"""An optional mapping file: source columns onto the canonical tables of ``data/schema.py``.

When an export is service history (a helpdesk's tickets, a CRM's customers), mapping its columns
onto the canonical schema lets the demo's metrics and golden questions work on it. The file::

    tables:
      tickets:                    # a canonical table
        file: helpdesk_export.csv # which input file (name or stem); optional for one file
        columns:                  # canonical column: column in the file
          ticket_id: Ticket ID
          opened_at: Created
          status: Status

Unmapped canonical columns stay empty; unmapped source columns are not loaded. Values are
converted to the canonical types; a value that does not convert stops the load with its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from ..errors import DataError
from ..schema import TABLES, columns
from ..schema import key as canonical_key
from .infer import q
from .load import RID, Staged
from .voc_rows import resolve_column


@dataclass(frozen=True)
class TableMapping:
    table: str
    file: str | None
    columns: dict[str, str]  # canonical -> source


def load_mapping(path: Path) -> list[TableMapping]:
    if not Path(path).is_file():
        raise DataError(f"Mapping file {path} not found.")
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{Path(path).name} is not valid YAML: {exc}") from None
    tables = data.get("tables") if isinstance(data, dict) else None
    if not isinstance(tables, dict) or not tables:
        raise DataError(f"{Path(path).name}: expected `tables:` with one entry per table.")
    return [_table(Path(path).name, name, spec) for name, spec in tables.items()]


def _table(where: str, name: str, spec: object) -> TableMapping:
    if name not in TABLES:
        raise DataError(f"{where}: {name!r} is not a canonical table ({', '.join(TABLES)}).")
    if not isinstance(spec, dict) or not isinstance(spec.get("columns"), dict):
        raise DataError(f"{where}: tables.{name} needs `columns:` (canonical: source).")
    known = set(columns(name))
    for canonical in spec["columns"]:
        if canonical not in known:
            raise DataError(f"{where}: tables.{name}.columns: {name} has no {canonical!r}.")
    mapped = {str(k): str(v) for k, v in spec["columns"].items()}
    return TableMapping(name, spec.get("file"), mapped)


def mapping_for(mappings: list[TableMapping], path: Path, n_files: int) -> TableMapping | None:
    for m in mappings:
        if m.file in (path.name, path.stem):
            return m
    unnamed = [m for m in mappings if m.file is None]
    return unnamed[0] if len(unnamed) == 1 and n_files == 1 else None


def canonical_types(table: str) -> dict[str, str]:
    types = {}
    for line in TABLES[table].strip().splitlines():
        parts = line.split("--")[0].strip().rstrip(",").split()
        if parts:
            types[parts[0]] = parts[1]
    return types


def apply_mapping(con: duckdb.DuckDBPyConnection, staged: Staged, mapping: TableMapping) -> None:
    """Rewrite staging ``typed`` as the canonical table; values convert or the load stops."""
    types = canonical_types(mapping.table)
    sources = {c: resolve_column(staged, s, "mapping") for c, s in mapping.columns.items()}
    exprs = [f"TRY_CAST({q(s)} AS {types[c]}) AS {q(c)}" for c, s in sources.items()]
    con.execute(f"CREATE TABLE mapped AS SELECT {RID}, {', '.join(exprs)} FROM typed")
    for canonical, source in sources.items():
        bad = con.execute(
            f"SELECT t.{RID}, t.{q(source)} FROM typed t JOIN mapped m USING ({RID}) "
            f"WHERE t.{q(source)} IS NOT NULL AND m.{q(canonical)} IS NULL LIMIT 1"
        ).fetchone()
        if bad:
            raise DataError(
                f"{staged.source.path.name}, line {staged.source.locate(int(bad[0]) + 1)}, "
                f"column {staged.source.original(source)!r}: {bad[1]!r} is not a valid "
                f"{types[canonical]} for {mapping.table}.{canonical}; fix the value or map "
                "another column."
            )
    _check_key(con, staged, mapping.table)
    con.execute("DROP TABLE typed")
    con.execute("ALTER TABLE mapped RENAME TO typed")
    staged.table = mapping.table
    staged.types = {c: types[c] for c in sources}


def _check_key(con: duckdb.DuckDBPyConnection, staged: Staged, table: str) -> None:
    key = canonical_key(table)
    row = con.execute(
        f"SELECT {q(key)}, count(*) FROM mapped GROUP BY 1 HAVING count(*) > 1 "
        f"OR {q(key)} IS NULL LIMIT 1"
    ).fetchone()
    if row:
        what = "is empty in some rows" if row[0] is None else f"{row[0]!r} appears {row[1]} times"
        raise DataError(
            f"{staged.source.path.name}: {table}.{key} {what}; it must be unique and present."
        )

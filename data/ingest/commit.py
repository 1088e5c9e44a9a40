"""Swapping staged tables into the warehouse: one transaction for the whole load.

Every staged file of a load is attached read-only and copied in inside ONE transaction, which
replaces each target table (never appends), replaces the ``voc`` rows the table owned, and
records the load in ``_ingest_log``; any failure rolls it all back. Before that, checks that
could fail on the user's data (``voc_id`` collisions, unchanged files) read the warehouse
read-only, so a refused load never opens it for writing. The last check (the catalog derived
from the tables as they will be) runs inside the transaction, before its ``COMMIT``: a refusal
there rolls back, and a rolled-back transaction leaves the warehouse file as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from .. import duck, warehouse_files
from ..errors import DataError, WorkspaceError
from ..schema import TABLES
from .infer import q
from .labels import SUFFIX
from .load import RID, Staged

T = TypeVar("T")
LOG_TABLE = "_ingest_log"
_LOG_DDL = (
    f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} (table_name VARCHAR PRIMARY KEY, file VARCHAR, "
    "sha256 VARCHAR, options VARCHAR, rows_loaded BIGINT, rows_rejected BIGINT, "
    "voc_rows BIGINT, loaded_at TIMESTAMP)"
)


@dataclass
class Pending:
    """A staged file waiting to be committed."""

    staged: Staged
    database: Path  # the staging DuckDB file holding ``typed`` (and ``voc_new``)
    options: str  # the canonical JSON of the options that shaped the table
    voc_rows: int = 0
    canonical: bool = False  # the table is a canonical one (mapping file): keep its DDL
    labels_rows: int = 0  # rows of the long table of its flags (``labels.py``)
    redactions: dict[str, int] = field(default_factory=dict)
    theme_column: str | None = None  # the staged name of --theme-column, checked


def previous_load(warehouse: Path, table: str) -> dict[str, Any] | None:
    """The ``_ingest_log`` row of ``table``, read without opening the warehouse for writing."""
    if not warehouse.is_file():
        return None
    with read_only(warehouse) as con:
        if not _has_table(con, LOG_TABLE):
            return None
        cur = con.execute(f"SELECT * FROM {LOG_TABLE} WHERE table_name = ?", [table])
        row = cur.fetchone()
        names = [d[0] for d in cur.description or []]
    return dict(zip(names, row, strict=True)) if row else None


def check_voc_ids(warehouse: Path, pending: list[Pending]) -> None:
    """Refuse ``voc_id``s that another table's feedback already uses."""
    if not warehouse.is_file():
        return
    with read_only(warehouse) as con:
        if not _has_table(con, "voc"):
            return
        for item in (p for p in pending if p.voc_rows):
            con.execute(f"ATTACH '{item.database}' AS stg (READ_ONLY)")
            owned = (
                f"SELECT voc_id FROM {q(item.staged.table)}"
                if _has_column(con, item.staged.table, "voc_id")
                else "SELECT NULL WHERE FALSE"
            )
            clash = con.execute(
                f"SELECT n.voc_id FROM stg.voc_new n JOIN voc v USING (voc_id) "
                f"WHERE n.voc_id NOT IN ({owned}) LIMIT 1"
            ).fetchone()
            con.execute("DETACH stg")
            if clash:
                raise DataError(
                    f"{item.staged.source.path.name}: voc_id {clash[0]!r} is already used by "
                    "other feedback in the workspace; choose an --id column with other values."
                )


def commit(
    warehouse: Path, pending: list[Pending], check: Callable[[duckdb.DuckDBPyConnection], T]
) -> T:
    """Copy every staged table in, in one transaction; what ``check`` returns.

    ``check`` sees the warehouse as the load will leave it and refuses it by raising, which
    rolls everything back.

    The load is written into the next generation of the warehouse file, which replaces the
    current one only once committed and closed (``warehouse_files``): server workers reading
    the warehouse keep answering meanwhile, and see the whole load or none of it."""
    with warehouse_files.next_generation(warehouse) as target:
        con = duck.connect(target)
        try:
            for i, item in enumerate(pending):
                con.execute(f"ATTACH '{item.database}' AS stg{i} (READ_ONLY)")
            con.execute("BEGIN TRANSACTION")
            for i, item in enumerate(pending):
                _replace(con, f"stg{i}", item)
            checked = check(con)
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()
    return checked


def _replace(con: duckdb.DuckDBPyConnection, stg: str, item: Pending) -> None:
    table = item.staged.table
    columns = [c for c in item.staged.types if c != RID]
    if _has_table(con, "voc") and _has_column(con, table, "voc_id"):
        con.execute(f"DELETE FROM voc WHERE voc_id IN (SELECT voc_id FROM {q(table)})")
    con.execute(f"DROP TABLE IF EXISTS {q(table)}")
    select = ", ".join(q(c) for c in columns)
    if item.canonical:
        con.execute(f"CREATE TABLE {q(table)} ({TABLES[table]})")
        con.execute(f"INSERT INTO {q(table)} ({select}) SELECT {select} FROM {stg}.typed")
    else:
        con.execute(f"CREATE TABLE {q(table)} AS SELECT {select} FROM {stg}.typed ORDER BY {RID}")
    _replace_labels(con, stg, item)
    if item.voc_rows:
        # The VOC pipeline joins customers and products; empty canonical ones keep it working.
        for name in ("voc", "customers", "products"):
            con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({TABLES[name]})")
        con.execute(f"INSERT INTO voc SELECT * FROM {stg}.voc_new")
    _log(con, item)


def _replace_labels(con: duckdb.DuckDBPyConnection, stg: str, item: Pending) -> None:
    # A reload without enough flags drops the old long table rather than leave it stale.
    labels = q(item.staged.table + SUFFIX)
    con.execute(f"DROP TABLE IF EXISTS {labels}")
    if item.labels_rows:
        con.execute(f"CREATE TABLE {labels} AS SELECT * FROM {stg}.labels_new")


def _log(con: duckdb.DuckDBPyConnection, item: Pending) -> None:
    staged = item.staged
    con.execute(_LOG_DDL)
    con.execute(f"DELETE FROM {LOG_TABLE} WHERE table_name = ?", [staged.table])
    con.execute(
        f"INSERT INTO {LOG_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            staged.table,
            staged.source.path.name,
            staged.source.sha256,
            item.options,
            staged.rows,
            staged.rejected,
            item.voc_rows,
            dt.datetime.now().replace(microsecond=0),
        ],
    )


def options_key(**options: Any) -> str:
    return json.dumps(options, sort_keys=True, ensure_ascii=False, default=str)


class read_only:
    """The warehouse opened read-only; a lock held by a writer is a clear ``WorkspaceError``."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        try:
            self._con = duckdb.connect(str(self._path), read_only=True)
        except duckdb.Error as exc:
            if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
                raise WorkspaceError(
                    "The warehouse is in use by another process; try again when it has finished."
                ) from None
            reason = str(exc).split("\n", 1)[0][:200]
            raise WorkspaceError(
                f"The warehouse file {self._path} cannot be opened ({reason})."
            ) from None
        return self._con

    def __exit__(self, *exc: object) -> None:
        self._con.close()


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?",
        [table],
    ).fetchone()
    return bool(row and row[0])


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? AND column_name = ?",
        [table, column],
    ).fetchone()
    return bool(row and row[0])

"""Reading one file into a typed staging table, with bad rows stopped or set aside.

Everything here happens in a private staging database in a temporary directory; the workspace's
warehouse is not opened for writing until every file of the load has been staged and checked
(``commit.py``), so a bad file leaves the workspace byte-for-byte as it was.

Two kinds of bad rows: structural ones the CSV reader rejects (too many or too few fields, a
quote never closed) and values that do not convert to their column's inferred type. Without
``--skip-bad-rows`` the first stops the load with file, line, column and a suggested fix; with it,
rows are written to a reject file (a quote never closed always stops: the rest of the file would
be swallowed into one value).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..errors import DataError
from ..redact import redact
from .infer import Profile, cleaned, profile_columns, q, typed_sql
from .readers import SourceFile, describe_columns

RID = "__rid"
_FIXES = {
    "UNQUOTED VALUE": "a quote opened here is never closed (is the file cut off?); close the "
    "quote or export the file again",
    "TOO MANY COLUMNS": "the row has more fields than the header; quote values that contain "
    "the delimiter",
    "MISSING COLUMNS": "the row has fewer fields than the header; check for a line break or "
    "a missing delimiter in it",
    "INVALID ENCODING": "the row has bytes of another encoding; re-save the file as UTF-8",
    "LINE SIZE OVER MAXIMUM": "the line is longer than 16 MB; check the quoting",
}
_KIND_WORDS = {"BIGINT": "a whole number", "DOUBLE": "a number", "DATE": "a date"}
_KIND_WORDS |= {"TIMESTAMP": "a date and time", "BOOLEAN": "a yes/no value"}
_DATE_TYPES = ("DATE", "TIMESTAMP")


@dataclass
class Staged:
    """A file read into the staging database's ``typed`` table."""

    source: SourceFile
    table: str
    rows: int
    types: dict[str, str]
    rejected: int = 0
    reject_file: Path | None = None
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # BOOLEAN columns where blank meant no


def stage_file(
    con: duckdb.DuckDBPyConnection, source: SourceFile, table: str, *, skip_bad_rows: bool
) -> Staged:
    """Read ``source`` into ``raw`` and then into typed ``typed``; bad rows stop or go aside."""
    structural = _read_raw(con, source)
    _check_structural(source, structural, skip_bad_rows)
    types, profiles = _infer(con, source)
    bad = _bad_values(con, types, profiles)
    if bad and not skip_bad_rows:
        _raise_bad_value(con, source, types, bad)
    rows = _build_typed(con, types, profiles, bad)
    if rows == 0:
        raise DataError(f"{source.path.name} has a header but no data rows to load.")
    staged = Staged(source, table, rows, types, notes=[*source.notes, *_type_notes(profiles)])
    staged.flags = [c for c, p in profiles.items() if types[c] == "BOOLEAN" and p.is_flag]
    if structural or bad:
        staged.rejected = len(structural) + _count(con, _bad_predicate(bad))
        staged.notes.extend(_aside_notes(con, source, len(structural)))
    return staged


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _aside_notes(con: duckdb.DuckDBPyConnection, source: SourceFile, broken: int) -> list[str]:
    """Why rows were set aside, in a line: broken lines, and values that fit no column type."""
    notes = [f"set aside {plural(broken, 'broken line')} (see the reject file)" if broken else ""]
    counts = con.execute(
        "SELECT column_name, count(*) FROM bad_values GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    if counts:
        where = ", ".join(f"{source.original(c)!r} {n:,}" for c, n in counts)
        total = sum(int(n) for _c, n in counts)
        notes.append(
            f"set aside {plural(total, 'row')} with values unlike their column's ({where})"
        )
    return notes


# The reject file is kept in the workspace like the tables, so its text is redacted as loaded
# text columns are, and its header says so.
REJECT_HEADER = ("line", "column", "problem", "content (personal data redacted)")


def write_rejects(con: duckdb.DuckDBPyConnection, staged: Staged, target: Path) -> None:
    """The rejected rows of ``staged`` as a CSV: line, column, problem, content, redacted."""
    structural = []
    if _exists(con, "rejects"):
        structural = con.execute(
            "SELECT line - 1, coalesce(column_name, ''), error_message, csv_line FROM rejects"
        ).fetchall()
    values = con.execute("SELECT rid, column_name, problem, content FROM bad_values").fetchall()
    # Raw rows skip the structurally rejected records, so a raw row id is not a record number.
    gone = sorted({int(r[0]) for r in structural})
    rows = [(int(r[0]), *r[1:]) for r in structural]
    rows += [(_record_of(int(r[0]), gone), *r[1:]) for r in values]
    lines = staged.source.locate_many([r[0] for r in rows])
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REJECT_HEADER)
        for record, column, problem, content in sorted(rows, key=lambda r: lines[r[0]]):
            # The problem may quote the offending value, and the content is the whole row.
            shown = [redact(str(problem)).text, redact(str(content or "")).text]
            writer.writerow([lines[record], staged.source.original(column), *shown])
    staged.reject_file = target


def lines_of(con: duckdb.DuckDBPyConnection, source: SourceFile, rids: list[int]) -> dict[int, int]:
    """File lines (sheet rows for Excel) of raw row ids, allowing for rows the reader rejected."""
    gone = []
    if _exists(con, "rejects"):
        gone = sorted(
            int(r[0]) for r in con.execute("SELECT DISTINCT line - 1 FROM rejects").fetchall()
        )
    records = {rid: _record_of(rid, gone) for rid in rids}
    lines = source.locate_many(list(records.values()))
    return {rid: lines[record] for rid, record in records.items()}


def set_aside(con: duckdb.DuckDBPyConnection, staged: Staged, column: str) -> int:
    """Move the rows listed in staging table ``aside(rid, problem)`` from ``typed`` to rejects."""
    con.execute(
        f"INSERT INTO bad_values SELECT a.rid, {_lit(column)}, a.problem, "
        "CAST(to_json(r) AS VARCHAR) FROM aside a JOIN raw r ON r.rowid = a.rid"
    )
    con.execute(f"DELETE FROM typed WHERE {RID} IN (SELECT rid FROM aside)")
    moved = _count_table(con, "aside")
    con.execute("DROP TABLE aside")
    staged.rows -= moved
    staged.rejected += moved
    return moved


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _count_table(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {q(table)}").fetchone()
    return int(row[0]) if row else 0


def _record_of(rid: int, gone: list[int]) -> int:
    record = rid + 1
    for skipped in gone:
        if skipped <= record:
            record += 1
    return record


# --- Reading ---------------------------------------------------------------------------------


def _read_raw(con: duckdb.DuckDBPyConnection, source: SourceFile) -> list[tuple[Any, ...]]:
    sql = source.read_sql
    if source.all_varchar:
        sql = sql[:-1] + ", store_rejects=true, rejects_table='rejects', rejects_scan='rscan')"
    try:
        con.execute(f"CREATE TABLE raw AS SELECT * FROM {sql}")
    except (duckdb.InvalidInputException, duckdb.ConversionException, duckdb.IOException) as exc:
        first = str(exc).strip().splitlines()[0].split("Error: ", 1)[-1]
        raise DataError(
            f"{source.path.name}: cannot be read as {source.format} ({first})."
        ) from None
    except duckdb.OutOfMemoryException:
        raise DataError(
            f"{source.path.name}: reading it needed more than the ingest memory budget; split the "
            "file, or check for extremely long lines (an unclosed quote can swallow the rest)."
        ) from None
    if not source.columns:
        describe_columns(source, [r[0] for r in con.execute("DESCRIBE raw").fetchall()])
        _rename_raw(con, source)
    if not source.all_varchar:
        return []
    return con.execute(
        "SELECT line, column_name, error_type, error_message, csv_line FROM rejects ORDER BY line"
    ).fetchall()


def _rename_raw(con: duckdb.DuckDBPyConnection, source: SourceFile) -> None:
    for raw, safe in zip(source.raw_columns, source.columns, strict=True):
        if raw != safe:
            con.execute(f"ALTER TABLE raw RENAME COLUMN {q(raw)} TO {q(safe)}")


def _check_structural(source: SourceFile, rows: list[tuple[Any, ...]], skip: bool) -> None:
    fatal = [r for r in rows if r[2] == "UNQUOTED VALUE"] or ([] if skip else rows)
    if not fatal:
        return
    line, column, kind, message, _content = fatal[0]
    physical = source.locate(int(line) - 1)
    where = f", column {source.original(column)!r}" if column else ""
    fix = _FIXES.get(kind, "fix the row")
    more = f" ({len(rows) - 1} more bad rows.)" if len(rows) > 1 else ""
    hint = "" if kind == "UNQUOTED VALUE" else " Or pass --skip-bad-rows to set such rows aside."
    raise DataError(
        f"{source.path.name}, line {physical}{where}: {message.rstrip('.')}: {fix}.{hint}{more}"
    )


def _infer(
    con: duckdb.DuckDBPyConnection, source: SourceFile
) -> tuple[dict[str, str], dict[str, Profile]]:
    described = {r[0]: r[1] for r in con.execute("DESCRIBE raw").fetchall()}
    text = [c for c, t in described.items() if t == "VARCHAR"]
    profiles = profile_columns(con, "raw", text)
    types = {c: (profiles[c].sql_type() if c in profiles else t) for c, t in described.items()}
    return types, profiles


def _bad_values(
    con: duckdb.DuckDBPyConnection, types: dict[str, str], profiles: dict[str, Profile]
) -> dict[str, str]:
    """Column -> SQL predicate for values that do not convert to the column's type."""
    bad = {}
    for column in profiles:
        sql_type = types[column]
        if sql_type == "VARCHAR":
            continue
        converted = typed_sql(column, sql_type, profiles[column])
        predicate = f"({cleaned(column)} IS NOT NULL AND {converted} IS NULL)"
        if _count(con, predicate):
            bad[column] = predicate
    return bad


def _bad_predicate(bad: dict[str, str]) -> str:
    return " OR ".join(bad.values()) or "FALSE"


def _count(con: duckdb.DuckDBPyConnection, predicate: str) -> int:
    row = con.execute(f"SELECT count(*) FROM raw WHERE {predicate}").fetchone()
    return int(row[0]) if row else 0


def _raise_bad_value(
    con: duckdb.DuckDBPyConnection, source: SourceFile, types: dict[str, str], bad: dict[str, str]
) -> None:
    column, predicate = next(iter(bad.items()))
    found = con.execute(
        f"SELECT rowid + 1, {q(column)} FROM raw WHERE {predicate} ORDER BY rowid LIMIT 1"
    ).fetchone()
    assert found is not None
    total = _count(con, _bad_predicate(bad))
    more = f" {total - 1} more values do not fit their columns." if total > 1 else ""
    kind = _KIND_WORDS.get(types[column], types[column])
    raise DataError(
        f"{source.path.name}, line {source.locate(int(found[0]))}, column "
        f"{source.original(column)!r}: {found[1]!r} is not {kind}, unlike the rest of the "
        f"column. Fix or blank the value, or pass --skip-bad-rows to set such rows aside "
        f"in a reject file.{more}"
    )


def _type_notes(profiles: dict[str, Profile]) -> list[str]:
    dayfirst = [c for c, p in profiles.items() if p.dayfirst and p.sql_type() in _DATE_TYPES]
    serials = [c for c, p in profiles.items() if p.serials and p.sql_type() in _DATE_TYPES]
    notes = [f"dates read day-first (d/m/y) in {', '.join(dayfirst)}" if dayfirst else ""]
    return [*notes, f"Excel serial dates read in {', '.join(serials)}" if serials else ""]


def _build_typed(
    con: duckdb.DuckDBPyConnection,
    types: dict[str, str],
    profiles: dict[str, Profile],
    bad: dict[str, str],
) -> int:
    exprs = [
        f"{typed_sql(c, t, profiles[c]) if c in profiles else q(c)} AS {q(c)}"
        for c, t in types.items()
    ]
    where = _bad_predicate(bad)
    con.execute(
        f"CREATE TABLE typed AS SELECT rowid AS {RID}, {', '.join(exprs)} FROM raw "
        f"WHERE NOT ({where}) ORDER BY rowid"
    )
    # The rows set aside, with the first failing column named, for the reject file.
    cases = " ".join(f"WHEN {p} THEN '{c}'" for c, p in bad.items()) or "WHEN FALSE THEN ''"
    con.execute(
        "CREATE TABLE bad_values AS SELECT rowid AS rid, "
        f"CASE {cases} END AS column_name, 'value does not fit the column type' AS problem, "
        f"CAST(to_json(raw) AS VARCHAR) AS content FROM raw WHERE {where}"
    )
    row = con.execute("SELECT count(*) FROM typed").fetchone()
    return int(row[0]) if row else 0


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]
    ).fetchone()
    return bool(row and row[0])

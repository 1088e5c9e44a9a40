"""Row keys of a staged table: one row per entity, unique ids, and a generated row number.

``--latest-per COL`` turns an event log (one row per update) into one row per entity: the row
with the highest ``--latest-by`` value, ties and the default going to the later row in the file.

``--id COL`` must be unique and present. A duplicate or empty id stops the load with the lines
that clash; with ``--skip-bad-rows`` the first row of each id is kept and the others (and rows
with no id) are set aside in the reject file, each with the reason.

Tables that need a key and have none (multi-label flags, ``labels.py``) get ``row_id``: the row's
number in file order, starting at 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ..errors import DataError
from .infer import q
from .load import RID, Staged, lines_of, plural, set_aside
from .voc_rows import resolve_column

_SHOWN = 3


@dataclass(frozen=True)
class KeyOptions:
    id: str | None = None
    latest_per: str | None = None
    latest_by: str | None = None
    skip_bad_rows: bool = False


def apply_keys(con: duckdb.DuckDBPyConnection, staged: Staged, options: KeyOptions) -> str | None:
    """Apply ``--latest-per`` and ``--id`` to ``typed``; the key column, if there is one."""
    if options.latest_by and not options.latest_per:
        raise DataError("--latest-by orders the rows of one entity; name it with --latest-per.")
    per = resolve_column(staged, options.latest_per, "--latest-per") if options.latest_per else None
    if per:
        by = resolve_column(staged, options.latest_by, "--latest-by") if options.latest_by else None
        _missing_keys(con, staged, per, "--latest-per", options.skip_bad_rows)
        _keep_latest(con, staged, per, by)
    if options.id is None:
        return per
    column = resolve_column(staged, options.id, "--id")
    _missing_keys(con, staged, column, "--id", options.skip_bad_rows)
    _duplicates(con, staged, column, options.skip_bad_rows)
    return column


def add_row_id(con: duckdb.DuckDBPyConnection, staged: Staged) -> str:
    """Give ``typed`` a ``row_id`` column (1, 2, … in file order) and return its name."""
    name, n = "row_id", 2
    while name in staged.types:
        name, n = f"row_id_{n}", n + 1
    con.execute(f"ALTER TABLE typed ADD COLUMN {q(name)} BIGINT")
    con.execute(
        f"UPDATE typed SET {q(name)} = n.k FROM (SELECT {RID} AS rid, "
        f"row_number() OVER (ORDER BY {RID}) AS k FROM typed) n WHERE typed.{RID} = n.rid"
    )
    staged.types = {name: "BIGINT", **staged.types}
    return name


def _keep_latest(con: duckdb.DuckDBPyConnection, staged: Staged, per: str, by: str | None) -> None:
    order = f"{q(by)} DESC NULLS LAST, {RID} DESC" if by else f"{RID} DESC"
    before = staged.rows
    con.execute(
        "CREATE TABLE latest AS SELECT * FROM typed QUALIFY row_number() OVER "
        f"(PARTITION BY {q(per)} ORDER BY {order}) = 1 ORDER BY {RID}"
    )
    con.execute("DROP TABLE typed")
    con.execute("ALTER TABLE latest RENAME TO typed")
    row = con.execute("SELECT count(*) FROM typed").fetchone()
    staged.rows = int(row[0]) if row else 0
    what = f"the latest by {staged.source.original(by)}" if by else "its last row in the file"
    staged.notes.append(
        f"one row per {staged.source.original(per)} ({what}): {staged.rows:,} of {before:,} rows"
    )


def _missing_keys(
    con: duckdb.DuckDBPyConnection, staged: Staged, column: str, option: str, skip: bool
) -> None:
    con.execute(
        f"CREATE TABLE aside AS SELECT {RID} AS rid, 'the {option} column is empty' AS problem "
        f"FROM typed WHERE {q(column)} IS NULL"
    )
    if skip:
        if moved := set_aside(con, staged, column):
            staged.notes.append(f"set aside {plural(moved, 'row')} with an empty {option} column")
        return
    first = con.execute("SELECT min(rid), count(*) FROM aside").fetchone()
    con.execute("DROP TABLE aside")
    if first is None or not first[1]:
        return
    line = lines_of(con, staged.source, [int(first[0])])[int(first[0])]
    more = f" (and in {first[1] - 1:,} more rows)" if first[1] > 1 else ""
    raise DataError(
        f"{staged.source.path.name}, line {line}, column {staged.source.original(column)!r}: "
        f"the key is empty{more}; every row needs one with {option}. Fill it, or pass "
        "--skip-bad-rows to set such rows aside."
    )


def _duplicates(con: duckdb.DuckDBPyConnection, staged: Staged, column: str, skip: bool) -> None:
    con.execute(
        f"CREATE TABLE dup AS SELECT {RID} AS rid, CAST({q(column)} AS VARCHAR) AS id, "
        f"min({RID}) OVER (PARTITION BY {q(column)}) AS first FROM typed "
        f"QUALIFY count(*) OVER (PARTITION BY {q(column)}) > 1"
    )
    found = con.execute("SELECT rid, id, first FROM dup ORDER BY first, rid").fetchall()
    con.execute("DROP TABLE dup")
    if not found:
        return
    lines = lines_of(con, staged.source, sorted({int(r[0]) for r in found}))
    if not skip:
        _refuse_duplicates(staged, column, found, lines)
    extra = [(rid, f"duplicate id {i!r} (kept line {lines[f]})") for rid, i, f in found if rid != f]
    con.execute("CREATE TABLE aside (rid BIGINT, problem VARCHAR)")
    con.executemany("INSERT INTO aside VALUES (?, ?)", extra)
    moved = set_aside(con, staged, column)
    staged.notes.append(f"set aside {plural(moved, 'row')} whose id repeats an earlier row's")


def _refuse_duplicates(
    staged: Staged, column: str, found: list[tuple[int, str, int]], lines: dict[int, int]
) -> None:
    by_id: dict[str, list[int]] = {}
    for rid, value, _first in found:
        by_id.setdefault(value, []).append(lines[int(rid)])
    shown = [f"{value!r} on lines {_and(at)}" for value, at in list(by_id.items())[:_SHOWN]]
    more = f" and {len(by_id) - _SHOWN} more" if len(by_id) > _SHOWN else ""
    raise DataError(
        f"{staged.source.path.name}, column {staged.source.original(column)!r}: "
        f"{_ids(len(by_id))} more than once: {'; '.join(shown)}{more}. Ids must be unique: "
        "remove the duplicates, or pass --skip-bad-rows to keep each id's first row and set "
        "the others aside."
    )


def _ids(n: int) -> str:
    return "1 id appears" if n == 1 else f"{n:,} ids appear"


def _and(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)

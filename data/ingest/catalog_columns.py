"""What each column of a loaded table is, for the derived catalog: its statistics and its role.

Roles: an ``id`` (a key: unique values, an id-like name over numbers, or a 1, 2, 3… row index)
and ``text`` (free text: mostly unique, or long and varied) are neither dimensions nor measures;
``category`` columns are dimensions whatever their number of values (values are listed in the
catalog only for small columns); ``boolean`` columns give a rate and a count; ``measure`` columns
a sum and an average; ``time`` columns the table's time and durations between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from .infer import q

NUMERIC_TYPES = ("BIGINT", "DOUBLE", "INTEGER", "DECIMAL", "FLOAT", "HUGEINT", "SMALLINT")
TIME_TYPES = ("DATE", "TIMESTAMP")
LIST_VALUES = 50
_ID_NAME = re.compile(r"(^id$|_id$|^id_|编号$|单号$|^row_id(_\d+)?$)")
_UNIQUE = 0.9  # share of distinct values above which a column names rows, not groups
_LONG = 60  # average characters above which varied text is prose, not a label
_LONG_CJK = 24  # the same, for Chinese text
_CJK = re.compile(r"[\u3400-\u9fff]")
_MIN_ROWS = 20  # below this, uniqueness says nothing
_CODE = re.compile(r"[A-Za-z0-9_\-.:/#]{1,40}")
_LIST_SAMPLE = 10


@dataclass
class Column:
    name: str
    sql_type: str
    non_null: int
    distinct: int
    original: str = ""
    avg_len: float = 0.0
    low: float | None = None
    high: float | None = None
    top: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        # "Timely response?" names a yes/no column; the question mark is no part of its name.
        return (self.original or self.name).replace("_", " ").strip().rstrip("?？:：.。").strip()


def read_columns(
    con: duckdb.DuckDBPyConnection, table: str, originals: dict[str, str], *, top: bool = True
) -> list[Column]:
    """Every column of ``table`` with its statistics, in one scan (plus top values of text)."""
    described = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND database_name = current_database() AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    exprs = [e for name, sql_type in described for e in _stat_exprs(name, sql_type)]
    stats = con.execute(f"SELECT {', '.join(exprs)} FROM {q(table)}").fetchone() or ()
    columns = []
    for i, (name, sql_type) in enumerate(described):
        nn, distinct, avg_len, low, high = stats[5 * i : 5 * i + 5]
        col = Column(name, sql_type, int(nn), int(distinct), originals.get(name, ""))
        col.avg_len, col.low, col.high = float(avg_len or 0), low, high
        if top and col.non_null and sql_type == "VARCHAR":
            col.top = _top_values(con, table, name)
        columns.append(col)
    return columns


def _stat_exprs(name: str, sql_type: str) -> list[str]:
    c = q(name)
    text = sql_type == "VARCHAR"
    numeric = sql_type in NUMERIC_TYPES
    return [
        f"count({c})",
        f"count(DISTINCT {c})",
        f"avg(length({c}))" if text else "NULL",
        f"CAST(min({c}) AS DOUBLE)" if numeric else "NULL",
        f"CAST(max({c}) AS DOUBLE)" if numeric else "NULL",
    ]


def _top_values(con: duckdb.DuckDBPyConnection, table: str, column: str) -> list[str]:
    rows = con.execute(
        f"SELECT {q(column)} FROM {q(table)} WHERE {q(column)} IS NOT NULL "
        f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {LIST_VALUES + 1}"
    ).fetchall()
    return [str(r[0]) for r in rows]


def role(c: Column, rows: int) -> tuple[str, str]:
    """The column's role and, for ids and free text, the figures that show it."""
    if c.non_null == 0:
        return "empty", "no values"
    if c.sql_type == "BOOLEAN":
        return "boolean", ""
    if c.sql_type in TIME_TYPES:
        return "time", ""
    if _is_id(c, rows):
        return "id", f"{c.distinct:,} distinct of {c.non_null:,} values"
    if c.sql_type in NUMERIC_TYPES:
        return "measure", ""
    if c.sql_type != "VARCHAR":
        return "other", f"a {c.sql_type.lower()} column"
    if _is_free_text(c):
        return "text", (
            f"{c.distinct:,} distinct of {c.non_null:,} values, "
            f"{c.avg_len:.0f} characters on average"
        )
    return "category", ""


def _is_id(c: Column, rows: int) -> bool:
    numeric = c.sql_type in NUMERIC_TYPES
    unique = c.non_null >= _MIN_ROWS and c.distinct >= _UNIQUE * c.non_null
    if _ID_NAME.search(c.name.lower()):
        return numeric or unique
    if numeric:
        return _is_row_index(c, rows)
    return unique and all(_CODE.fullmatch(v) for v in c.top[:_LIST_SAMPLE])


def _is_row_index(c: Column, rows: int) -> bool:
    # A leftover 0, 1, 2… index (pandas' "Unnamed: 0") is unique and has no gaps.
    if c.low is None or c.high is None or c.distinct != c.non_null or c.non_null < _MIN_ROWS:
        return False
    return c.non_null == rows and c.low in (0, 1) and c.high - c.low + 1 == c.distinct


def _is_free_text(c: Column) -> bool:
    if c.non_null >= _MIN_ROWS and c.distinct >= _UNIQUE * c.non_null:
        return True
    # A Chinese character says about as much as an English word: prose is shorter in it.
    long = _LONG_CJK if any(_CJK.search(v) for v in c.top[:_LIST_SAMPLE]) else _LONG
    return c.avg_len > long and c.distinct > c.non_null / 2

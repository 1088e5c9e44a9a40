"""Column names and types for exported data, decided over the WHOLE column in DuckDB.

Names: lower-case snake_case; Chinese (and other non-ASCII letters) are kept as they are, because
DuckDB, sqlglot and the catalog all accept them as plain identifiers and a Chinese-speaking
manager recognises them; punctuation and spaces become ``_``; a leading digit gets ``c_``; a
DuckDB reserved word (``desc``, ``order``) gets a trailing ``_``; duplicates get ``_2``. The
name as written in the file is kept as the column's description in the derived catalog.

Types: every text column is profiled in one aggregate query. NULL tokens (``N/A``, ``NA``, ``-``,
``?``, ``null``, ``无``, empty) count as missing. A column becomes BOOLEAN when every value is a
yes/no token; a FLAG (stored as BOOLEAN, blank meaning no) when every value it has is a "yes" mark
(``1``, ``x``, ``✓``, ``yes``) and the other cells are blank, as in one-hot topic columns;
BIGINT/DOUBLE when at least 95% of its values are numbers (thousands separators and a currency
sign allowed, no leading zeros, which mark codes); DATE/TIMESTAMP when at least 95% are dates in
one of the forms of ``dates.py``, Excel serial day numbers counting too once the column has a
written date. The remaining few values that do not parse are the "bad rows" the loader reports
or sets aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import duckdb

from ..duck import q as q  # re-exported: the ingest modules quote through this name
from .dates import date_sql, order_votes, serial_sql, text_date_sql

NULL_TOKENS = ("", "?", "n/a", "na", "#n/a", "-", "--", "—", "null", "none", "nan", "无", "空")
TRUE_TOKENS = ("yes", "y", "true", "t", "1", "是", "对")
FALSE_TOKENS = ("no", "n", "false", "f", "0", "否", "不是")
MARK_TOKENS = ("x", "✓", "✔", "√", "●")
THRESHOLD = 0.95
_NUMBER = r"^[-+]?[¥￥$]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[-+]?[¥￥$]?\.\d+$"


@lru_cache(maxsize=1)
def _reserved() -> frozenset[str]:
    con = duckdb.connect()
    rows = con.execute(
        "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category = 'reserved'"
    ).fetchall()
    con.close()
    return frozenset(r[0] for r in rows)


def safe_name(raw: str, position: int) -> str:
    """One header cell as a safe identifier (see the module docstring for the rule)."""
    name = re.sub(r"[^\w]+", "_", raw.strip().lower(), flags=re.UNICODE).strip("_")
    if not name:
        return f"column_{position + 1}"
    if name[0].isdigit():
        name = f"c_{name}"
    if name in _reserved():
        name += "_"
    return name


def column_names(raw: list[str]) -> list[str]:
    names: list[str] = []
    for i, cell in enumerate(raw):
        base = safe_name(cell, i)
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def table_name(raw: str) -> str:
    return safe_name(raw, 0) if raw.strip() else "data"


def _tokens(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def cleaned(column: str) -> str:
    """SQL: the trimmed value, or NULL for a NULL token."""
    c = f"trim({q(column)})"
    return f"(CASE WHEN lower({c}) IN ({_tokens(NULL_TOKENS)}) THEN NULL ELSE {c} END)"


def number_sql(value: str) -> str:
    return (
        f"(CASE WHEN regexp_matches({value}, '{_NUMBER}') "
        f"THEN regexp_replace({value}, '[,¥￥$]', '', 'g') END)"
    )


def typed_sql(column: str, sql_type: str, profile: Profile | None = None) -> str:
    """SQL: the column converted to ``sql_type``; NULL where it does not convert."""
    v = cleaned(column)
    if sql_type == "BOOLEAN" and profile is not None and profile.is_flag:
        return f"COALESCE(lower({v}) IN ({_tokens(TRUE_TOKENS + MARK_TOKENS)}), FALSE)"
    if sql_type == "BOOLEAN":
        return (
            f"(CASE WHEN lower({v}) IN ({_tokens(TRUE_TOKENS)}) THEN TRUE "
            f"WHEN lower({v}) IN ({_tokens(FALSE_TOKENS)}) THEN FALSE END)"
        )
    if sql_type in ("BIGINT", "DOUBLE"):
        return f"TRY_CAST({number_sql(v)} AS {sql_type})"
    if sql_type in ("DATE", "TIMESTAMP"):
        dayfirst = profile is not None and profile.dayfirst
        return f"CAST({date_sql(v, dayfirst)} AS {sql_type})"
    return v


@dataclass(frozen=True)
class Profile:
    rows: int
    non_null: int
    booleans: int
    marks: int  # values that say "yes" (1, x, ✓, yes, true)
    integers: int
    numbers: int
    leading_zeros: int
    dates: int  # written dates, read day-first or month-first
    serials: int  # Excel serial day numbers in the plausible range
    with_time: int
    dayfirst_votes: int
    monthfirst_votes: int

    @property
    def dayfirst(self) -> bool:
        return self.dayfirst_votes > self.monthfirst_votes

    @property
    def is_flag(self) -> bool:
        """Only "yes" marks and blanks: a one-hot flag where blank means no."""
        n = self.non_null
        return n > 0 and self.marks == n and (n < self.rows or self.booleans < n)

    def sql_type(self) -> str:
        n = self.non_null
        if n == 0:
            return "VARCHAR"
        if self.booleans == n or self.is_flag:
            return "BOOLEAN"
        if self.dates and self.dates + self.serials >= THRESHOLD * n:
            return "TIMESTAMP" if self.with_time else "DATE"
        if self.leading_zeros == 0 and self.numbers >= THRESHOLD * n:
            return "BIGINT" if self.integers == self.numbers else "DOUBLE"
        return "VARCHAR"


def _profile_exprs(column: str) -> list[str]:
    v = cleaned(column)
    num = number_sql(v)
    written = f"COALESCE({text_date_sql(v)}, {text_date_sql(v, True)})"
    when = f"COALESCE({written}, {serial_sql(v)})"
    bools = _tokens(TRUE_TOKENS + FALSE_TOKENS)
    return [
        "count(*)",
        f"count({v})",
        f"count(*) FILTER (WHERE lower({v}) IN ({bools}))",
        f"count(*) FILTER (WHERE lower({v}) IN ({_tokens(TRUE_TOKENS + MARK_TOKENS)}))",
        f"count(TRY_CAST({num} AS BIGINT)) FILTER (WHERE NOT contains({num}, '.'))",
        f"count(TRY_CAST({num} AS DOUBLE))",
        rf"count(*) FILTER (WHERE regexp_matches({v}, '^[-+]?0\d'))",
        f"count({written})",
        f"count({serial_sql(v)}) FILTER (WHERE {written} IS NULL)",
        f"count(*) FILTER (WHERE {when} IS NOT NULL AND CAST({when} AS TIME) <> TIME '00:00')",
        *order_votes(v),
    ]


def profile_columns(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str]
) -> dict[str, Profile]:
    """One scan of ``table`` profiling every listed (VARCHAR) column."""
    if not columns:
        return {}
    exprs = [e for c in columns for e in _profile_exprs(c)]
    row = con.execute(f"SELECT {', '.join(exprs)} FROM {q(table)}").fetchone()
    assert row is not None
    width = len(exprs) // len(columns)
    return {c: Profile(*row[i * width : (i + 1) * width]) for i, c in enumerate(columns)}

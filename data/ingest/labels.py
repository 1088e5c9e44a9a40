"""Multi-label flags as a long companion table: ``<table>_labels(key, label)``.

Exports often tag a row with several one-hot columns (topics such as Delivery, Prime, Refund,
each 1 or blank). Three or more flag columns in one table are also written long: one row per
(row key, flag set), ``label`` holding the flag's column name as written in the file, and the
row's time (the column the derived catalog will choose as the table's time column), so that the
count can take a period. The derived catalog joins it many-to-one to its table and gives it a
``label`` dimension and a count, so "which topics come up most" is an ordinary ranking.
"""

from __future__ import annotations

import duckdb

from .catalog_columns import read_columns
from .catalog_time import choose_time_column
from .infer import q
from .load import RID, Staged

MIN_FLAGS = 3
SUFFIX = "_labels"
LABEL = "label"


def wants_labels(staged: Staged) -> bool:
    return len(staged.flags) >= MIN_FLAGS


def build_labels(con: duckdb.DuckDBPyConnection, staged: Staged, key: str) -> int:
    """Create staging ``labels_new`` from the flag columns of ``typed``; its row count."""
    time = choose_time_column(read_columns(con, "typed", {}, top=False))
    names = [key, LABEL] + ([time.name] if time else [])
    kept = [q(n) for n in names]
    parts = [
        f"SELECT {', '.join(kept[:1] + kept[2:])}, ? AS {LABEL}, {RID} AS rid, {i} AS pos "
        f"FROM typed WHERE {q(flag)}"
        for i, flag in enumerate(staged.flags)
    ]
    params = [staged.source.original(flag) for flag in staged.flags]
    con.execute(
        f"CREATE TABLE labels_new AS SELECT {', '.join(kept)} FROM "
        f"({' UNION ALL '.join(parts)}) ORDER BY rid, pos",
        params,
    )
    row = con.execute("SELECT count(*) FROM labels_new").fetchone()
    n = int(row[0]) if row else 0
    staged.notes.append(
        f"{len(staged.flags)} flag columns also written long to {staged.table}{SUFFIX} "
        f"({n:,} rows: {', '.join(names)})"
    )
    return n

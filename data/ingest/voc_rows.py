"""PII redaction of staged text columns, and the ``voc`` rows of a ``--text`` column.

Every text column is redacted before it is stored. DuckDB first picks the cells that could hold
a phone, e-mail, ID or card number (see ``_CANDIDATE``); only those go
through ``redact`` in Python, in batches, so a large export without personal data costs one scan.

The ``--text`` column becomes one ``voc`` row per non-empty text: ``voc_id`` from ``--id`` (the
real ids, so citations resolve to the source rows) or ``<table>-<row>``; metadata (region,
created_at, product_id, ...) from ``--meta`` or, for created_at, the table's time column.
The source table gains a ``voc_id`` column referring to its ``voc`` row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from ..errors import DataError
from ..redact import KINDS, redact_many
from ..schema import columns as canonical_columns
from .catalog_columns import read_columns
from .catalog_time import choose_time_column
from .infer import q
from .load import RID, Staged

# Every pattern of ``redact`` needs an "@", a "+", an international "00" prefix, or at least ten
# digits (US and landline numbers have ten, mobiles eleven, cards 13+, IDs 15+), so cells with
# none of these cannot change and never leave DuckDB. ``redact`` also reads full-width forms
# (＠, ＋, １３９…) as ASCII, so a cell holding any of those goes to it too.
_CANDIDATE = r"@|\+|(^|[^0-9A-Za-z])00[1-9]|\d(?:[ ()+.\-]?\d){9,}|[＠＋０-９]"
_BATCH = 10_000
META_KEYS: tuple[str, ...] = ("source", "customer_id", "ticket_id", "product_id", "region")
META_KEYS += ("created_at", "lang", "author_reach")


@dataclass
class VocOptions:
    text: str
    id: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


def redact_columns(con: duckdb.DuckDBPyConnection, staged: Staged) -> dict[str, int]:
    """Redact every VARCHAR column of ``typed`` in place; counts per kind."""
    totals = dict.fromkeys(KINDS, 0)
    for column, sql_type in staged.types.items():
        if sql_type != "VARCHAR":
            continue
        for kind, n in _redact_column(con, column).items():
            totals[kind] += n
    return totals


def _redact_column(con: duckdb.DuckDBPyConnection, column: str) -> dict[str, int]:
    totals = dict.fromkeys(KINDS, 0)
    cursor = con.cursor()
    cursor.execute(
        f"SELECT {RID}, {q(column)} FROM typed WHERE regexp_matches({q(column)}, ?)",
        [_CANDIDATE],
    )
    changed: list[tuple[int, str]] = []
    while batch := cursor.fetchmany(_BATCH):
        texts, counts = redact_many(r[1] for r in batch)
        changed += [(r[0], t) for r, t in zip(batch, texts, strict=True) if t != r[1]]
        for kind, n in counts.items():
            totals[kind] += n
    cursor.close()
    if changed:
        staged_fix = pa.table({"rid": [c[0] for c in changed], "text": [c[1] for c in changed]})
        # A fresh cursor: DuckDB refuses new work on a connection with an unread result.
        writer = con.cursor()
        writer.register("redacted_cells", staged_fix)
        writer.execute(
            f"UPDATE typed SET {q(column)} = r.text FROM redacted_cells r WHERE typed.{RID} = r.rid"
        )
        writer.close()
    return totals


def resolve_column(staged: Staged, name: str, option: str) -> str:
    """A column named on the command line, by its name in the file or its safe name."""
    source = staged.source
    for safe, raw in zip(source.columns, source.raw_columns, strict=True):
        if name in (safe, raw):
            return safe
    known = ", ".join(source.raw_columns)
    raise DataError(f"{option} {name!r}: {source.path.name} has no such column (it has {known}).")


def build_voc(con: duckdb.DuckDBPyConnection, staged: Staged, options: VocOptions) -> int:
    """Create ``voc_new`` in staging from the text column; add ``voc_id`` to ``typed``."""
    text = resolve_column(staged, options.text, "--text")
    if staged.types[text] != "VARCHAR":
        raise DataError(f"--text {options.text!r} holds {staged.types[text]} values, not text.")
    _add_voc_ids(con, staged, options)
    exprs = _voc_exprs(con, staged, options, text)
    select = ", ".join(f"{exprs.get(c, 'NULL')} AS {q(c)}" for c in canonical_columns("voc"))
    con.execute(
        f"CREATE TABLE voc_new AS SELECT {select} FROM typed "
        f"WHERE {q(text)} IS NOT NULL ORDER BY {RID}"
    )
    row = con.execute("SELECT count(*) FROM voc_new").fetchone()
    return int(row[0]) if row else 0


def _add_voc_ids(con: duckdb.DuckDBPyConnection, staged: Staged, options: VocOptions) -> None:
    if "voc_id" in staged.types:
        raise DataError(f"{staged.source.path.name} already has a voc_id column; rename it.")
    if options.id is None:
        ids = f"'{staged.table}-' || CAST({RID} + 1 AS VARCHAR)"
    else:
        # ``keys.py`` has made the --id column unique and present.
        column = resolve_column(staged, options.id, "--id")
        ids = f"CAST({q(column)} AS VARCHAR)"
    con.execute("ALTER TABLE typed ADD COLUMN voc_id VARCHAR")
    con.execute(f"UPDATE typed SET voc_id = {ids}")
    staged.types["voc_id"] = "VARCHAR"


def _voc_exprs(
    con: duckdb.DuckDBPyConnection, staged: Staged, options: VocOptions, text: str
) -> dict[str, str]:
    exprs = {
        "voc_id": "voc_id",
        "text": q(text),
        "source": f"'{staged.table}'",
        "lang": f"CASE WHEN regexp_matches({q(text)}, '[\u4e00-\u9fff]') THEN 'zh' ELSE 'en' END",
    }
    # The table's time column as the derived catalog will choose it (opened over updated).
    time = choose_time_column(read_columns(con, "typed", {}, top=False))
    if time:
        exprs["created_at"] = f"CAST({q(time.name)} AS TIMESTAMP)"
    if "region" in staged.types:
        exprs["region"] = "CAST(region AS VARCHAR)"
    for key, name in options.meta.items():
        if key not in META_KEYS:
            raise DataError(f"--meta {key}=…: unknown key; use one of {', '.join(META_KEYS)}.")
        column = q(resolve_column(staged, name, f"--meta {key}="))
        sql_type = "TIMESTAMP" if key == "created_at" else "VARCHAR"
        sql_type = "INTEGER" if key == "author_reach" else sql_type
        exprs[key] = f"CAST({column} AS {sql_type})"
    return exprs

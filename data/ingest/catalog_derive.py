"""A catalog derived by introspection, for data that came without one (DESIGN §2.3).

For each table: a description naming its time column, column descriptions from names, types and
sample values; dimensions from every groupable column (``catalog_dims.py``) plus day/month/quarter
of each table's time column; metrics for row counts, sums and averages of measures, rates and
counts of yes/no columns, and durations between start and end dates (``catalog_metrics.py``).
Ids and free text are left out, and the report says so. A long flags table ``<t>_labels`` is
joined many-to-one to ``<t>`` and counted by its ``label`` dimension. Tables that share
``voc_id`` with ``voc`` are joined to it both ways (one row each).

The result merges into an existing catalog: what is already there (a user's edits, the demo's
definitions) wins, new tables and names are added, tables no longer in the warehouse go, and
entries that no longer fit the data are dropped and reported. It always loads with
``load_catalog`` and compiles with the metric compiler.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ..catalog import parse_catalog
from ..errors import DataError
from ..list_items import list_shape
from .catalog_columns import Column, read_columns, role
from .catalog_dims import LABEL_WORDS, add_dimension, add_time_dimensions, dimension_item, kind_of
from .catalog_entries import Changes, LeftOut
from .catalog_metrics import (
    add_count,
    add_durations,
    add_item_count,
    add_label_count,
    add_measure,
    add_text_length,
    add_yes_no,
    columns_noun_zh,
    text_noun,
)
from .catalog_polarity import add_polar_rates, polar_dimension, yes_means
from .catalog_time import choose_time_column, duration_pairs, later_pairs, time_note
from .infer import q
from .labels import LABEL, SUFFIX

HIDDEN_TABLES = ("_ingest_log",)
# Values read to tell whether a text column holds lists.
_SAMPLE = 2000
_DERIVED_PREFIX = ("Loaded from ", "One row per flag")


@dataclass
class DerivedCatalog:
    data: dict[str, Any]
    dropped: list[str]
    added: list[str] = field(default_factory=list)
    skipped: list[LeftOut] = field(default_factory=list)
    time_notes: dict[str, str] = field(default_factory=dict)


def derive_catalog(
    con: duckdb.DuckDBPyConnection,
    fresh: list[str],
    existing: dict[str, Any] | None,
    originals: dict[str, dict[str, str]] | None = None,
    sources: dict[str, str] | None = None,
) -> DerivedCatalog:
    """The merged catalog mapping: ``fresh`` tables (re)derived, others kept or added."""
    data = copy.deepcopy(existing) if existing else _empty()
    present = _user_tables(con)
    dropped = _forget_missing(data, present)
    changes, notes = Changes(), {}
    known = set(data["tables"])
    for table in [t for t in present if t in fresh or t not in known]:
        columns = read_columns(con, table, (originals or {}).get(table, {}))
        source = (sources or {}).get(table, "")
        notes[table] = _add_table(con, data, table, columns, source, changes)
    _add_voc_joins(data)
    derived = _validated(data)
    derived.dropped[:0] = dropped
    derived.added, derived.skipped, derived.time_notes = changes.added, changes.skipped, notes
    return derived


def _empty() -> dict[str, Any]:
    return {
        "version": 1,
        "name": "derived",
        "description": "Derived from the loaded tables by `servicelens ingest`; edit freely.",
        "tables": {},
        "joins": [],
        "dimensions": {},
        "metrics": {},
    }


def _user_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' ORDER BY table_name"
    ).fetchall()
    names = [r[0] for r in rows if r[0] not in HIDDEN_TABLES and not r[0].startswith("_")]
    return [t for t in names if _rows(con, t) > 0]


def _forget_missing(data: dict[str, Any], present: list[str]) -> list[str]:
    """Remove tables the warehouse no longer has (and their joins); the report lines."""
    gone = [t for t in data["tables"] if t not in present]
    for table in gone:
        del data["tables"][table]
    data["joins"] = [j for j in data.get("joins", []) if not _tables_of(j) & set(gone)]
    for dim in data.get("dimensions", {}).values():
        sources = dim.get("sources") or {}
        if len(sources) > 1:
            dim["sources"] = {t: s for t, s in sources.items() if t not in gone} or sources
    return [f"tables.{t}: no longer in the warehouse" for t in gone]


def _tables_of(join: dict[str, str]) -> set[str]:
    return {join["from"].split(".")[0], join["to"].split(".")[0]}


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {q(table)}").fetchone()
    return int(row[0]) if row else 0


def _add_table(
    con: duckdb.DuckDBPyConnection,
    data: dict[str, Any],
    table: str,
    columns: list[Column],
    source: str,
    changes: Changes,
) -> str:
    """Describe ``table`` and add its dimensions and metrics; the note on its time column."""
    rows = _rows(con, table)
    time = choose_time_column(columns)
    note = time_note(time, columns) if time else "No time column: the file has no dates"
    data["tables"][table] = _table_spec(data["tables"].get(table, {}), columns, source, rows, note)
    if time:
        data["tables"][table]["time_column"] = time.name
        # The hour of the day only where records carry one (a timestamp of their own).
        clock = table != "voc" and time.sql_type.upper().startswith("TIMESTAMP")
        add_time_dimensions(data, changes, hours=clock)
    base = _labels_base(data, table, columns)
    if base is None:
        own = table != "voc"
        add_count(
            data, table, changes,
            text_noun(table, columns) if own else None,
            columns_noun_zh(columns) if own else None,
        )  # fmt: skip
        if not own and any(c.name == "text" for c in columns):
            add_text_length(data, table, "text", changes)
    for c in columns:
        _add_column(con, data, table, c, rows, changes, labels=base is not None)
    if time:
        ends = duration_pairs(con, table, time, columns)
        for end in ends:
            add_durations(data, table, time, end, changes)
        for first, then in later_pairs(con, table, ends):
            add_durations(data, table, first, then, changes)
    if base:
        _join_labels(data, table, base, columns[0].name, changes)
    return note


def _table_spec(
    old: dict[str, Any], columns: list[Column], source: str, rows: int, note: str
) -> dict[str, Any]:
    described = old.get("description", "")
    if not described or described.startswith(_DERIVED_PREFIX):
        loaded = f"Loaded from {source}: {rows:,} rows." if source else f"Loaded: {rows:,} rows."
        described = f"{loaded} {note}."
    old_cols = old.get("columns", {})
    cols = {c.name: old_cols.get(c.name) or {"description": describe(c)} for c in columns}
    return {"description": described, "columns": cols}


def describe(c: Column) -> str:
    parts = [f"Source column {c.original!r}." if c.original and c.original != c.name else ""]
    parts.append(f"{c.sql_type.lower()}, {c.distinct:,} distinct values")
    if c.top:
        parts.append(f"e.g. {', '.join(v[:40] for v in c.top[:5])}")
    return " ".join(p for p in parts if p).strip()


def _add_column(
    con: duckdb.DuckDBPyConnection,
    data: dict[str, Any],
    table: str,
    c: Column,
    rows: int,
    changes: Changes,
    *,
    labels: bool,
) -> None:
    what, why = role(c, rows)
    # The voc table and a labels table's key are ours: nothing to tell about them.
    if what in ("id", "text") and not labels and table != "voc":
        changes.skipped.append(LeftOut(table, c.name, what, why))
    if what == "measure":
        add_measure(data, table, c, changes)
    if what in ("category", "id", "text") and table != "voc":
        # "H93,H15,": a list in each cell, whose number of items is a measure of its own.
        shape = list_shape(_sample(con, table, c))
        if shape is not None and shape.most > 1:
            add_item_count(data, table, c, shape, changes)
    # A yes/no column whose sides read as opposite sentiments is the records' own label.
    polar = yes_means(con, table, c) if what == "boolean" else None
    if polar:
        add_polar_rates(data, table, c, polar, changes)
    elif what == "boolean":
        add_yes_no(data, table, c, rows, changes)
    kind = kind_of(c, what)
    if kind is not None:
        item = dimension_item(c, kind, table, describe(c))
        if labels and c.name == LABEL:
            item |= copy.deepcopy(LABEL_WORDS)
        if polar:
            item = polar_dimension(item, c, table, polar)
        add_dimension(data, c.name, item, changes)


def _sample(con: duckdb.DuckDBPyConnection, table: str, c: Column) -> list[str]:
    """Up to ``_SAMPLE`` of a text column's values, in the table's order."""
    rows = con.execute(
        f"SELECT CAST({q(c.name)} AS VARCHAR) FROM {q(table)} WHERE {q(c.name)} IS NOT NULL "
        f"LIMIT {_SAMPLE}"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _labels_base(data: dict[str, Any], table: str, columns: list[Column]) -> str | None:
    """The table a long flags table belongs to, recognised by its name and columns: the base
    table's key, ``label`` and, optionally, the base table's time column."""
    base = table.removesuffix(SUFFIX)
    names = [c.name for c in columns]
    if base == table or len(names) not in (2, 3) or names[1] != LABEL:
        return None
    spec = data["tables"].get(base, {})
    shared = [n for i, n in enumerate(names) if i != 1]
    return base if all(n in spec.get("columns", {}) for n in shared) else None


def _join_labels(data: dict[str, Any], table: str, base: str, key: str, changes: Changes) -> None:
    data["tables"][table]["description"] = (
        f"One row per flag set in {base} ({key}, label: the flag's column name, and the row's "
        f"time). Join of "
        f"{table}.{key} to {base}.{key}; count it by label to rank the flags."
    )
    join = {"from": f"{table}.{key}", "to": f"{base}.{key}"}
    if join not in data["joins"]:
        data["joins"].append(join)
    add_label_count(data, table, base, changes)


def _add_voc_joins(data: dict[str, Any]) -> None:
    if "voc" not in data["tables"]:
        return
    joins = data.setdefault("joins", [])
    have = {(j["from"], j["to"]) for j in joins}
    for table, spec in data["tables"].items():
        if table != "voc" and "voc_id" in spec["columns"]:
            for pair in ((f"{table}.voc_id", "voc.voc_id"), ("voc.voc_id", f"{table}.voc_id")):
                if pair not in have:
                    joins.append({"from": pair[0], "to": pair[1]})


def _drop_broken(data: dict[str, Any], problem: str) -> str:
    """Remove the entry ``problem`` names (only the source, when a dimension has others)."""
    source = re.search(r"dimensions\.(\w+)\.sources\.(\w+)", problem)
    if source and len(data["dimensions"].get(source.group(1), {}).get("sources", {})) > 1:
        del data["dimensions"][source.group(1)]["sources"][source.group(2)]
        return f"dimensions.{source.group(1)}.sources.{source.group(2)}: {problem}"
    found = re.search(r"(metrics|dimensions)\.(\w+)", problem)
    if not found or found.group(2) not in data[found.group(1)]:
        raise DataError(problem)
    del data[found.group(1)][found.group(2)]
    return f"{found.group(1)}.{found.group(2)}: {problem}"


def _validated(data: dict[str, Any]) -> DerivedCatalog:
    """Drop entries that no longer fit the tables until the catalog loads."""
    dropped: list[str] = []
    for _ in range(200):
        try:
            parse_catalog(data, "catalog.yaml")
        except DataError as exc:
            dropped.append(_drop_broken(data, str(exc)))
            continue
        return DerivedCatalog(data, dropped)
    raise DataError("catalog.yaml: too many entries do not fit the data; edit it by hand.")

"""Catalog entries for a live source's tables, derived the way ingest derives them for files.

The derivation of ``ingest/catalog_derive.py`` reads a DuckDB connection; here it reads a
private in-memory DuckDB holding a bounded sample of each table (``SELECT * … LIMIT n`` on the
source, run read-only like every source query), so its types, value lists and roles come from
the live data without copying it. The entries are then merged into the workspace catalog with
``source: NAME`` on each table: the source's tables replace their earlier entries, a dimension
of the same name gains the new tables, and metrics and dimensions already defined (the user's
edits) are kept as they are. A table name that the warehouse or another source already holds is
refused: one name, one place.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from ..catalog import parse_catalog
from ..errors import DataError
from ..ingest.catalog_derive import derive_catalog
from .engine import Source

SAMPLE_ROWS = 5_000


@dataclass
class SourceCatalog:
    data: dict[str, Any]  # the merged catalog mapping
    tables: list[str]  # the source's tables now in the catalog
    sampled: dict[str, int] = field(default_factory=dict)  # table -> rows read for the sample


def derive_source_catalog(
    source: Source, existing: dict[str, Any] | None, sample_rows: int = SAMPLE_ROWS
) -> SourceCatalog:
    """The workspace catalog mapping with ``source``'s tables derived and merged in."""
    types = source.columns()
    con = duckdb.connect(":memory:")
    sampled: dict[str, int] = {}
    try:
        for table in source.tables():
            columns, rows = source.sample(table, sample_rows)
            if not rows:
                continue
            con.register("_sample", _arrow(columns, rows, types.get(table, {})))
            con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM _sample')
            con.unregister("_sample")
            sampled[table] = len(rows)
        names = list(sampled)
        origin = {t: f"the live source {source.name}" for t in names}
        derived = derive_catalog(con, names, None, None, origin)
    finally:
        con.close()
    data = _merge(copy.deepcopy(existing) if existing else None, derived.data, source.name)
    parse_catalog(data, "catalog.yaml")
    return SourceCatalog(data, names, sampled)


def _arrow(columns: list[str], rows: list[tuple[Any, ...]], types: dict[str, str]) -> pa.Table:
    arrays = {}
    for i, name in enumerate(columns):
        values = [row[i] for row in rows]
        # MySQL keeps yes/no columns as TINYINT(1): read 0/1 as the booleans they are.
        if types.get(name) == "tinyint" and {v for v in values if v is not None} <= {0, 1}:
            values = [None if v is None else bool(v) for v in values]
        try:
            arrays[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[name] = pa.array([None if v is None else str(v) for v in values])
    return pa.table(arrays)


def _merge(existing: dict[str, Any] | None, derived: dict[str, Any], name: str) -> dict[str, Any]:
    if existing is None:
        out = copy.deepcopy(derived)
        out["description"] = f"Derived from the live source {name}; edit freely."
        for table in out["tables"].values():
            table["source"] = name
        return out
    out = existing
    out.setdefault("tables", {})
    for table, spec in derived["tables"].items():
        held = out["tables"].get(table)
        if held is not None and held.get("source") != name:
            where = f"the source {held['source']}" if held.get("source") else "the warehouse"
            raise DataError(
                f"A table named {table} is already in {where}; connect the source with "
                "--tables to leave it out, or rename one of them."
            )
        out["tables"][table] = {**spec, "source": name}
    joins = out.setdefault("joins", [])
    for join in derived.get("joins", []):
        if join not in joins:
            joins.append(join)
    dims = out.setdefault("dimensions", {})
    for dim_name, dim in derived.get("dimensions", {}).items():
        held = dims.get(dim_name)
        if held is None:
            dims[dim_name] = dim
        elif held.get("sources") and dim.get("sources") and held.get("kind") == dim.get("kind"):
            for table, sql in dim["sources"].items():
                held["sources"].setdefault(table, sql)
    metrics = out.setdefault("metrics", {})
    for metric_name, metric in derived.get("metrics", {}).items():
        metrics.setdefault(metric_name, metric)
    return out

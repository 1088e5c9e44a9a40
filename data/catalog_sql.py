"""Checking a catalog's references and qualifying its SQL, once, when it is loaded.

Metric and dimension SQL is written with bare column names; here each column is checked against
its table and qualified (``sla_met`` -> ``tickets.sla_met``), so that joined tables with the same
column names (``region``) never make a compiled query ambiguous. Problems name the YAML path.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from .catalog_model import Catalog, CatalogSpec, Dimension, Metric
from .errors import DataError


def build_catalog(spec: CatalogSpec, source: str) -> Catalog:
    _check_tables(spec, source)
    metrics = {name: _metric(spec, name, source) for name in spec.metrics}
    dims = {name: _dimension(spec, name, source) for name in spec.dimensions}
    unknown = [m for m in spec.headline if m not in spec.metrics]
    if unknown:
        raise DataError(f"{source}: headline: no metric {unknown[0]!r}.")
    for name, dim in spec.dimensions.items():
        if dim.label is not None and (dim.label not in spec.dimensions or dim.label == name):
            raise DataError(f"{source}: dimensions.{name}.label: no other dimension {dim.label!r}.")
    unknown = [d for d in spec.splits if d not in spec.dimensions]
    if unknown:
        raise DataError(f"{source}: splits: no dimension {unknown[0]!r}.")
    return Catalog(spec, metrics, dims)


def qualify(sql: str, table: str, columns: set[str], where: str) -> str:
    """``sql`` with every column qualified by ``table``; unknown columns raise ``DataError``."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise DataError(f"{where}: not valid SQL ({str(exc).splitlines()[0]}).") from None
    for column in tree.find_all(exp.Column):
        if column.table and column.table != table:
            raise DataError(f"{where}: may only use columns of {table}, not {column.sql()}.")
        if column.name not in columns:
            raise DataError(f"{where}: {table} has no column {column.name!r}.")
        column.set("table", exp.to_identifier(table))
    return tree.sql(dialect="duckdb")


def _check_tables(spec: CatalogSpec, source: str) -> None:
    for name, table in spec.tables.items():
        for ident in (name, *table.columns):
            # Table and column names are written into SQL unquoted, so they must be identifiers.
            if not ident.isidentifier():
                raise DataError(f"{source}: tables.{name}: {ident!r} is not a plain identifier.")
        if table.time_column and table.time_column not in table.columns:
            raise DataError(
                f"{source}: tables.{name}.time_column: no column {table.time_column!r}."
            )
    for i, join in enumerate(spec.joins):
        for ref in (join.from_, join.to):
            table_name, column = ref.split(".")
            if table_name not in spec.tables or column not in spec.tables[table_name].columns:
                raise DataError(f"{source}: joins.{i}: unknown column {ref!r}.")


def _metric(spec: CatalogSpec, name: str, source: str) -> Metric:
    where = f"{source}: metrics.{name}"
    m = spec.metrics[name]
    _check_name(name, where)
    if m.table not in spec.tables:
        raise DataError(f"{where}.table: unknown table {m.table!r}.")
    columns = set(spec.tables[m.table].columns)
    time_column = m.time_column or spec.tables[m.table].time_column
    if time_column is not None and time_column not in columns:
        raise DataError(f"{where}.time_column: {m.table} has no column {time_column!r}.")
    expr = qualify(m.expr, m.table, columns, f"{where}.expr")
    flt = qualify(m.filter, m.table, columns, f"{where}.filter") if m.filter else None
    return Metric(name, m, expr, flt)


def _dimension(spec: CatalogSpec, name: str, source: str) -> Dimension:
    where = f"{source}: dimensions.{name}"
    d = spec.dimensions[name]
    _check_name(name, where)
    if d.kind == "time" or d.time:
        if not d.time or "{time}" not in d.time or d.sources:
            raise DataError(
                f"{where}: a time dimension needs `time` SQL using {{time}}, no sources."
            )
        return Dimension(name, d, {})
    if not d.sources:
        raise DataError(f"{where}.sources: name at least one table and column.")
    sources = {}
    for table, sql in d.sources.items():
        if table not in spec.tables:
            raise DataError(f"{where}.sources: unknown table {table!r}.")
        columns = set(spec.tables[table].columns)
        sources[table] = qualify(sql, table, columns, f"{where}.sources.{table}")
    return Dimension(name, d, sources)


def _check_name(name: str, where: str) -> None:
    # Names become SQL column aliases and CLI arguments, so keep them plain identifiers.
    if not name.isidentifier() or name != name.lower():
        raise DataError(f"{where}: names must be lower-case identifiers like first_time_fix_rate.")

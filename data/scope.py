"""Data scopes: what one caller may see, compiled into every query run on their behalf.

A ``Scope`` names the tables a caller may query and row filters over the catalog's dimensions
(``region: [East]``) or a table's column (``customers.customer_id: [C00012, C00040]``).
``compile_scope`` checks it against the catalog once and turns it into a ``CompiledScope``:
for every table the caller may see, the rows it may see, as a filtered subquery.

``CompiledScope.apply`` works on a parsed sqlglot tree (before any transpiling to another
dialect): every reference to a catalog table, however it is spelled (quoted, re-cased,
schema-qualified, aliased, inside a subquery, a CTE, a UNION or a LATERAL join), becomes that
subquery, and a reference to a table outside the scope is refused. The subqueries name the
physical tables schema-qualified (``main.tickets``), so no CTE of the query can stand in for
one; a CTE named like a catalog table is refused outright, since it would make the query's
meaning depend on which of the two the reader thinks it names.

A table that no filter can reach (no source of the dimension in it, nor a many-to-one join
path to one) is reference data to the scope (``products`` under ``region``): it is visible
whole unless ``tables`` leaves it out. ``CompiledScope.unfiltered`` lists such tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlglot import exp

from .catalog_model import Catalog, JoinSpec
from .errors import DataError
from .sql_guard import SqlRejected

Value = str | int | float | bool
# Table arguments that only change how a table is read, never which rows: carried over to the
# subquery that stands for it. Any other argument (time travel, hints) is refused.
_CARRIED = ("alias", "sample", "pivots", "joins", "laterals")
_IGNORED = ("this", "db", "catalog")


class ScopeError(DataError):
    """A scope that does not fit the catalog; the message names the entry to fix."""


class Scope(BaseModel):
    """Tables and rows one caller may see. Empty (the default) means everything."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Catalog tables the caller may query; None means every table of the catalog.
    tables: tuple[str, ...] | None = None
    # Dimension name (or ``table.column``) -> the values the caller may see; rows with any
    # other value (or none) are filtered out of every table the filter reaches.
    rows: Mapping[str, Sequence[Value]] = Field(default_factory=dict)

    @field_validator("rows", mode="before")
    @classmethod
    def _one_value(cls, rows: object) -> object:
        # ``region = "East"`` is read as ``region = ["East"]``.
        if isinstance(rows, Mapping):
            return {k: (v,) if isinstance(v, Value) else tuple(v) for k, v in rows.items()}
        return rows

    @property
    def is_empty(self) -> bool:
        return self.tables is None and not self.rows


@dataclass(frozen=True)
class CompiledScope:
    """A scope checked against one catalog: the filtered subquery of each visible table."""

    scope: Scope
    allowed: frozenset[str]
    hidden: frozenset[str]
    # Table -> its row filter over the alias ``table`` (absent: the table is visible whole).
    filters: Mapping[str, exp.Expr]
    unfiltered: frozenset[str] = frozenset()
    schema: str = "main"
    _all: frozenset[str] = field(default=frozenset(), repr=False)
    # Each row filter with its values as the catalog spells them (华东 -> East).
    resolved: Mapping[str, tuple[Value, ...]] = field(default_factory=dict)

    def label(self) -> str:
        """What the caller sees, in one line for evidence and logs (a scope holds no secret)."""
        parts = [f"{k} in {', '.join(map(str, v))}" for k, v in sorted(self.resolved.items())]
        if self.scope.tables is not None:
            parts.append(f"tables {', '.join(sorted(self.allowed))}")
        return "; ".join(parts)

    def apply(self, tree: exp.Expr) -> exp.Expr:
        """``tree`` with every catalog table replaced by its scoped subquery (in place)."""
        _refuse_shadowing_ctes(tree, self._all)
        tables = [t for t in tree.find_all(exp.Table) if not isinstance(t.this, exp.Func)]
        for table in tables:
            name = table.name.lower()
            if name in self.hidden:
                raise SqlRejected(
                    f"Table {table.name} is outside this caller's data scope; "
                    f"query only {', '.join(sorted(self.allowed))}."
                )
            if name in self.allowed:
                table.replace(self._subquery(table, name))
        return tree

    def apply_sql(self, sql: str, dialect: str = "duckdb") -> str:
        """``sql`` (one statement, ``?`` parameters kept in order) with the scope applied."""
        tree = sqlglot.parse_one(sql, read=dialect)
        return self.apply(tree).sql(dialect=dialect)

    def _subquery(self, table: exp.Table, name: str) -> exp.Subquery:
        unknown = [k for k, v in table.args.items() if v and k not in _CARRIED + _IGNORED]
        if unknown:
            raise SqlRejected(
                f"Table {table.name} is read with {unknown[0].upper()}, which scoped queries "
                "do not support; read the table plainly."
            )
        inner = exp.select("*").from_(exp.table_(name, db=self.schema, alias=name))
        flt = self.filters.get(name)
        if flt is not None:
            inner = inner.where(flt.copy())
        alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
        sub = exp.Subquery(this=inner, alias=alias.copy())
        for key in _CARRIED[1:]:
            if table.args.get(key):
                sub.set(key, table.args[key])
        return sub


def compile_scope(scope: Scope, catalog: Catalog, *, schema: str = "main") -> CompiledScope:
    """Check ``scope`` against ``catalog`` and build each visible table's filter.

    Raises ``ScopeError`` for an unknown table, dimension, column or value, a time dimension,
    or a filter that reaches none of the scope's tables."""
    every = frozenset(t.lower() for t in catalog.tables)
    allowed = _allowed_tables(scope, catalog)
    visible = [t for t in catalog.tables if t.lower() in allowed]
    sources = {name: _sources(catalog, name, values) for name, values in scope.rows.items()}
    filters: dict[str, exp.Expr] = {}
    for table in visible:
        conds = [
            cond
            for src in sources.values()
            if (cond := _table_filter(catalog, table, src, schema)) is not None
        ]
        if conds:
            filters[table.lower()] = exp.and_(*conds)
    for name in scope.rows:
        if not any(_reaches(catalog, t, sources[name]) for t in visible):
            raise ScopeError(f"scope: rows.{name} filters none of the tables {sorted(allowed)}.")
    unfiltered = frozenset(t for t in allowed if t not in filters) if scope.rows else frozenset()
    resolved = {name: tuple(next(iter(src.values()))[1]) for name, src in sources.items()}
    return CompiledScope(
        scope, allowed, every - allowed, filters, unfiltered, schema, _all=every,
        resolved=resolved,
    )  # fmt: skip


# A filter's sources: table -> (the SQL of the value on that table, the allowed values).
_Sources = dict[str, tuple[exp.Expr, list[Value]]]


def _allowed_tables(scope: Scope, catalog: Catalog) -> frozenset[str]:
    if scope.tables is None:
        return frozenset(t.lower() for t in catalog.tables)
    unknown = [t for t in scope.tables if t not in catalog.tables]
    if unknown:
        raise ScopeError(
            f"scope: tables: {unknown[0]!r} is not a table of the catalog "
            f"({', '.join(sorted(catalog.tables))})."
        )
    if not scope.tables:
        raise ScopeError("scope: tables is empty; name at least one table or leave it out.")
    return frozenset(t.lower() for t in scope.tables)


def _sources(catalog: Catalog, name: str, values: Sequence[Value]) -> _Sources:
    if not values:
        raise ScopeError(f"scope: rows.{name}: name at least one value.")
    if "." in name:
        table, _, column = name.partition(".")
        spec = catalog.tables.get(table)
        if spec is None or column not in spec.columns:
            raise ScopeError(f"scope: rows.{name}: no such column in the catalog.")
        return {table: (exp.column(column, table=table), list(values))}
    dim = catalog.dimensions.get(name)
    if dim is None:
        known = ", ".join(sorted(catalog.dimensions))
        raise ScopeError(f"scope: rows.{name}: not a dimension of the catalog ({known}).")
    if dim.from_time or not dim.sources:
        raise ScopeError(f"scope: rows.{name}: a time dimension cannot scope rows.")
    try:
        resolved = list(dict.fromkeys(dim.resolve_value(v) for v in values))
    except LookupError as exc:
        raise ScopeError(f"scope: rows.{name}: {exc}") from None
    return {
        table: (sqlglot.parse_one(sql, read="duckdb"), resolved)
        for table, sql in dim.sources.items()
    }


def _reaches(catalog: Catalog, table: str, sources: _Sources) -> bool:
    return any(catalog.join_path(table, src) is not None for src in sources)


def _table_filter(catalog: Catalog, table: str, sources: _Sources, schema: str) -> exp.Expr | None:
    """The condition on ``table`` (aliased by its own name) for one filter: the source in the
    table itself, else the nearest one through many-to-one joins; None when none is reached."""
    paths = [
        (len(path), i, src, path)
        for i, src in enumerate(sources)
        if (path := catalog.join_path(table, src)) is not None
    ]
    if not paths:
        return None
    _, _, src, path = min(paths, key=lambda p: (p[0], p[1]))
    value_sql, values = sources[src]
    cond: exp.Expr = exp.In(this=value_sql.copy(), expressions=[_literal(v) for v in values])
    # Walk the path backwards: each hop keeps the rows whose key is among the keys of the
    # next table's kept rows. Every column is qualified by its table's alias, and the tables
    # are named schema-qualified, so nothing in the caller's query can bind in between.
    for join in reversed(path):
        cond = _hop(join, cond, schema)
    return cond


def _hop(join: JoinSpec, cond: exp.Expr, schema: str) -> exp.Expr:
    to_table, to_column = join.to.split(".")
    from_table, from_column = join.from_.split(".")
    keys = (
        exp.select(exp.column(to_column, table=to_table))
        .from_(exp.table_(to_table, db=schema, alias=to_table))
        .where(cond)
    )
    return exp.In(this=exp.column(from_column, table=from_table), query=exp.Subquery(this=keys))


def _literal(value: Value) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _refuse_shadowing_ctes(tree: exp.Expr, tables: frozenset[str]) -> None:
    for cte in tree.find_all(exp.CTE):
        if cte.alias_or_name.lower() in tables:
            raise SqlRejected(
                f"The CTE {cte.alias_or_name} has the name of a table; give it another name."
            )


def scope_from(mapping: Mapping[str, Any] | None) -> Scope | None:
    """A ``Scope`` from a settings mapping (``tables``, ``rows``), None when it is empty."""
    if not mapping:
        return None
    scope = Scope.model_validate(dict(mapping))
    return None if scope.is_empty else scope


def restrict_catalog(catalog: Catalog, tables: frozenset[str]) -> Catalog:
    """The catalog as a caller who may see only ``tables`` reads it: the other tables, the
    joins, metrics and dimension sources on them, and what then has nothing left, dropped."""
    from .catalog_sql import build_catalog

    spec = catalog.spec
    if all(t.lower() in tables for t in spec.tables):
        return catalog
    keep = {t for t in spec.tables if t.lower() in tables}
    joins = [j for j in spec.joins if j.from_table in keep and j.to_table in keep]
    metrics = {n: m for n, m in spec.metrics.items() if m.table in keep}
    dims = {}
    for name, dim in spec.dimensions.items():
        sources = {t: sql for t, sql in dim.sources.items() if t in keep}
        if sources or dim.time:
            dims[name] = dim.model_copy(update={"sources": sources})
    dims = {
        n: d.model_copy(update={"label": None}) if d.label and d.label not in dims else d
        for n, d in dims.items()
    }
    restricted = spec.model_copy(
        update={
            "tables": {t: spec.tables[t] for t in keep},
            "joins": joins,
            "metrics": metrics,
            "dimensions": dims,
            "headline": [m for m in spec.headline if m in metrics],
            "splits": [d for d in spec.splits if d in dims],
        }
    )
    return build_catalog(restricted, "scoped catalog")

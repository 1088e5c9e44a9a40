"""One warehouse over the embedded DuckDB file and the live sources: each query goes where its
tables live.

The catalog records which source a table lives in (``tables.<name>.source``); a table without
one is in the DuckDB file. ``Federation`` answers the ``Warehouse`` calls, so the tools, the
metric compiler and the catalog's value look-ups need no change: it reads the tables a query
names (its CTEs aside), and runs it on the one engine that holds them all. A query over tables
of two engines is refused in one sentence (no cross-database joins); a query naming no table
(``SELECT 1``) runs in DuckDB.

A caller's data scope (``scoped``) reaches both: the DuckDB warehouse's scoped view, and, for a
source, the same rewrite of the checked tree (each catalog table its filtered subquery, a hidden
table refused) before it is generated in the source's dialect. A scope whose filter for a table
would read a table of another database is refused when it is applied.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from ..scope import CompiledScope, ScopeError
from ..sql_guard import check_sql
from ..warehouse import QueryFailed, QueryResult, SqlLimits, Warehouse
from .engine import Source


class Federation(Warehouse):
    """Routes DuckDB SQL to the DuckDB warehouse or to the live source holding its tables."""

    def __init__(
        self,
        local: Warehouse | None,
        sources: dict[str, Source],
        placement: dict[str, str],
        limits: SqlLimits | None = None,
    ) -> None:
        # Not Warehouse.__init__: the connections are the parts'.
        self.local, self.sources = local, sources
        self.scope: CompiledScope | None = None
        self._owns = True
        self.limits = limits or (local.limits if local is not None else SqlLimits())
        # Table (lower case) -> source name, for tables that live in a source.
        self.placement = {t.lower(): s for t, s in placement.items() if s in sources}
        for name, source in sources.items():
            mine = {t for t, s in self.placement.items() if s == name}
            if mine and source.allowed is None:
                source.allowed = mine

    def scoped(self, scope: CompiledScope | None) -> Warehouse:
        """This federation as a caller with ``scope`` sees it: the DuckDB warehouse's scoped
        view, and every source query rewritten by the scope before it is transpiled. A scope
        whose row filter for a table reads a table of another database cannot be compiled
        into one query, and is refused (``ScopeError``) rather than run unfiltered."""
        if scope is None:
            return self
        if self.scope is not None:
            raise ValueError("a scoped warehouse cannot be scoped again")
        self._check_scope(scope)
        view = Federation.__new__(Federation)
        view.local = self.local.scoped(scope) if self.local is not None else None
        view.sources, view.placement, view.limits = self.sources, self.placement, self.limits
        view.scope, view._owns = scope, False
        return view

    def execute(
        self, sql: str, params: list[object] | None = None, *, max_rows: int | None = None
    ) -> QueryResult:
        engine = self._engine_for(sql)
        if isinstance(engine, Source):
            return engine.execute(sql, params, max_rows=max_rows, scope=self.scope)
        return engine.execute(sql, params, max_rows=max_rows)

    def query(self, sql: str, *, max_rows: int | None = None) -> QueryResult:
        engine = self._engine_for(sql)
        if isinstance(engine, Source):
            return engine.query(sql, max_rows=max_rows, scope=self.scope)
        return engine.query(sql, max_rows=max_rows)

    def guarded(self, sql: str, allowed_tables: set[str]) -> QueryResult:
        safe_sql = check_sql(sql, allowed_tables, row_cap=self.limits.row_cap)
        return self.query(safe_sql)

    def tables(self) -> list[str]:
        names = set(self.local.tables()) if self.local is not None else set()
        names |= set(self.placement)
        if self.scope is not None:
            names = {n for n in names if n.lower() in self.scope.allowed}
        return sorted(names)

    def source_of(self, table: str) -> str | None:
        """The source a table lives in; None for the DuckDB file."""
        return self.placement.get(table.lower())

    def close(self) -> None:
        if not self._owns:
            return  # a scoped view leaves the connections to the federation it came from
        for source in self.sources.values():
            source.close()
        if self.local is not None:
            self.local.close()

    def _check_scope(self, scope: CompiledScope) -> None:
        for table, condition in scope.filters.items():
            home = self.placement.get(table)
            for other in {t.name.lower() for t in condition.find_all(exp.Table)}:
                if self.placement.get(other) != home:
                    where = self.placement.get(other) or "the embedded warehouse"
                    raise ScopeError(
                        f"The data scope filters {table} through {other}, which lives in "
                        f"{where}; a scoped query cannot join two databases. Scope by a "
                        f"column of {table} itself."
                    )

    def _engine_for(self, sql: str) -> Warehouse | Source:
        where = {self.placement.get(t) for t in _tables(sql)}
        if len(where) > 1:
            names = sorted(w or "the warehouse" for w in where)
            raise QueryFailed(
                f"The query joins tables that live in different databases ({', '.join(names)}); "
                "query each database separately."
            )
        home = next(iter(where), None)
        if home is not None:
            return self.sources[home]
        if self.local is None:
            raise QueryFailed("This workspace has no embedded warehouse; query a source's tables.")
        return self.local


def _tables(sql: str) -> set[str]:
    """Table names a DuckDB query reads, CTE names left out; unparseable SQL names none (the
    engine it then goes to refuses it as it would have)."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except (ParseError, TokenError, RecursionError):
        return set()
    if tree is None:
        return set()
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    return {
        t.name.lower()
        for t in tree.find_all(exp.Table)
        if not isinstance(t.this, exp.Func) and t.name and t.name.lower() not in ctes
    }

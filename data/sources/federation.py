"""One warehouse over the embedded DuckDB file and the live sources: each query goes where its
tables live.

The catalog records which source a table lives in (``tables.<name>.source``); a table without
one is in the DuckDB file. ``Federation`` answers the ``Warehouse`` calls, so the tools, the
metric compiler and the catalog's value look-ups need no change: it reads the tables a query
names (its CTEs aside), and runs it on the one engine that holds them all. A query over tables
of two engines is refused in one sentence (no cross-database joins); a query naming no table
(``SELECT 1``) runs in DuckDB.
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
        self.scope = None
        self.limits = limits or (local.limits if local is not None else SqlLimits())
        # Table (lower case) -> source name, for tables that live in a source.
        self.placement = {t.lower(): s for t, s in placement.items() if s in sources}
        for name, source in sources.items():
            mine = {t for t, s in self.placement.items() if s == name}
            if mine and source.allowed is None:
                source.allowed = mine

    def scoped(self, scope: CompiledScope | None) -> Warehouse:
        """Data scopes are not compiled into live sources' queries yet: a scoped caller of a
        workspace with sources is refused (fail closed), never shown every row."""
        if scope is None:
            return self
        raise ScopeError(
            "Data scopes do not apply to live sources yet; give this token a workspace without "
            "connected sources, or remove its scope."
        )

    def execute(
        self, sql: str, params: list[object] | None = None, *, max_rows: int | None = None
    ) -> QueryResult:
        return self._engine_for(sql).execute(sql, params, max_rows=max_rows)

    def query(self, sql: str, *, max_rows: int | None = None) -> QueryResult:
        return self._engine_for(sql).query(sql, max_rows=max_rows)

    def guarded(self, sql: str, allowed_tables: set[str]) -> QueryResult:
        safe_sql = check_sql(sql, allowed_tables, row_cap=self.limits.row_cap)
        return self.query(safe_sql)

    def tables(self) -> list[str]:
        names = set(self.local.tables()) if self.local is not None else set()
        names |= set(self.placement)
        return sorted(names)

    def source_of(self, table: str) -> str | None:
        """The source a table lives in; None for the DuckDB file."""
        return self.placement.get(table.lower())

    def close(self) -> None:
        for source in self.sources.values():
            source.close()
        if self.local is not None:
            self.local.close()

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

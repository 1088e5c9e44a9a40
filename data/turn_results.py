"""Query results kept for the rest of one question's turn.

An answer often asks the same thing twice: the model repeats a call, two tools compile the same
metric query, a revision re-reads what it cited. On a live source each of those is a round trip
to someone else's database. ``TurnResults`` wraps the warehouse a turn's tools use and runs a
statement once per turn: the same SQL with the same parameters and row limit returns the kept
result (a copy, so a tool that edits its rows edits only its own). A failure is not kept; the
next call tries again. The store belongs to one turn (``TurnCaches``), so a new question always
reads the data afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any

from .warehouse import QueryResult, Warehouse

# Results kept per turn, and turns kept at once (concurrent questions of a server).
MAX_RESULTS = 128
MAX_TURNS = 16

_Store = dict[Hashable, QueryResult]


class TurnResults(Warehouse):
    """``inner`` with each distinct statement run at most once while this store lives."""

    def __init__(self, inner: Warehouse, store: _Store | None = None) -> None:
        # Not Warehouse.__init__: the connection is the inner warehouse's.
        self.inner = inner
        self.limits = inner.limits
        self.scope = inner.scope
        self.store: _Store = {} if store is None else store
        self.reused = 0  # results served from the store, for tests and logs

    def execute(
        self, sql: str, params: list[Any] | None = None, *, max_rows: int | None = None
    ) -> QueryResult:
        key = ("execute", sql, _frozen(params), max_rows)
        return self._kept(key, lambda: self.inner.execute(sql, params, max_rows=max_rows))

    def query(self, sql: str, *, max_rows: int | None = None) -> QueryResult:
        key = ("query", sql, max_rows)
        return self._kept(key, lambda: self.inner.query(sql, max_rows=max_rows))

    def guarded(self, sql: str, allowed_tables: set[str]) -> QueryResult:
        key = ("guarded", sql, frozenset(t.lower() for t in allowed_tables))
        return self._kept(key, lambda: self.inner.guarded(sql, allowed_tables))

    def tables(self) -> list[str]:
        return self.inner.tables()

    def scoped(self, scope: Any) -> Warehouse:
        raise ValueError("scope the warehouse before keeping its results for a turn")

    def close(self) -> None:
        """Nothing to close: the inner warehouse belongs to the workspace."""

    def __getattr__(self, name: str) -> Any:
        # Anything else a caller reads (a federation's ``source_of``) is the inner one's.
        return getattr(self.inner, name)

    def _kept(self, key: Hashable, run: Callable[[], QueryResult]) -> QueryResult:
        kept = self.store.get(key)
        if kept is None:
            kept = run()
            if len(self.store) < MAX_RESULTS:
                self.store[key] = kept
        else:
            self.reused += 1
        return replace(kept, columns=list(kept.columns), rows=list(kept.rows))


class TurnCaches:
    """One result store per turn, the oldest dropped past ``MAX_TURNS``."""

    def __init__(self) -> None:
        self._stores: OrderedDict[Hashable, _Store] = OrderedDict()
        self._lock = threading.Lock()  # a server's questions run on several threads

    def store(self, turn: Hashable) -> _Store:
        with self._lock:
            if turn not in self._stores:
                self._stores[turn] = {}
                while len(self._stores) > MAX_TURNS:
                    self._stores.popitem(last=False)
            return self._stores[turn]


def _frozen(params: list[Any] | None) -> tuple[tuple[str, str], ...]:
    # By type and text: 1 and '1' and True are different parameters to a database.
    return tuple((type(p).__name__, repr(p)) for p in params or [])

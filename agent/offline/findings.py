"""What the proactive playbooks read: early warnings and customer health, computed by the
library's own machinery (``warnings.early_warnings``, ``health.customer_health``) over the
workspace's guarded SQL, once per day asked about.

The offline provider holds one ``Findings`` per workspace; the playbooks then ask the verified
``run_sql`` tool for the records behind each finding, so every figure an answer shows is cited
from a tool result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ..results import TableResult

if TYPE_CHECKING:
    from ...data.catalog import Catalog
    from ...data.warehouse import Warehouse
    from ..health import HealthReport
    from ..warnings import WarningReport


class WorkspaceSource:
    """The workspace's warehouse and catalog behind the same SQL guard as ``run_sql``."""

    def __init__(self, warehouse: Warehouse, catalog: Catalog) -> None:
        self.warehouse, self._catalog = warehouse, catalog

    @property
    def catalog(self) -> Catalog | None:
        return self._catalog

    def sql(self, query: str, *, max_rows: int | None = None) -> TableResult:
        from ...data.warehouse import plain_value
        from ...tools.run_sql import guarded_query

        safe_sql, result = guarded_query(self.warehouse, self._catalog, query, row_cap=max_rows)
        return TableResult(
            sql=safe_sql, columns=result.columns,
            rows=[[plain_value(v) for v in row] for row in result.rows],
            truncated=result.truncated, row_cap=max_rows or self.warehouse.limits.row_cap,
        )  # fmt: skip


class Findings:
    """Warnings and health as of a day, each computed once (playbooks replay every step).

    The machinery is passed in (``provider_choice`` binds ``early_warnings`` and
    ``customer_health`` to the workspace and its settings), so the playbooks depend on its
    results, not on its modules."""

    def __init__(
        self,
        warnings: Callable[[date], WarningReport],
        health: Callable[[date], HealthReport],
    ) -> None:
        self._warn_fn, self._health_fn = warnings, health
        self._lock = threading.Lock()
        self._warnings: dict[date, WarningReport | str] = {}
        self._health: dict[date, HealthReport | str] = {}

    def warnings(self, as_of: date) -> WarningReport | str:
        """The report, or why the workspace cannot give one."""
        with self._lock:
            if as_of not in self._warnings:
                try:
                    self._warnings[as_of] = self._warn_fn(as_of)
                except ValueError as exc:
                    self._warnings[as_of] = str(exc)
            return self._warnings[as_of]

    def health(self, as_of: date) -> HealthReport | str:
        with self._lock:
            if as_of not in self._health:
                try:
                    self._health[as_of] = self._health_fn(as_of)
                except ValueError as exc:
                    self._health[as_of] = str(exc)
            return self._health[as_of]

"""``Workspace``: one workspace opened once, from ``Settings``, for everything that answers.

It owns the read-only warehouse with the settings' limits, the catalog, the embedder the settings
name (with the workspace's embedding cache), the VOC index (opened on first use), the feedback
theme set, the clock ("today", pinned or real) and the conversation checkpointer. The analyst,
its tools, the offline provider, the CLI, the server and the evals take it; nothing below it
reads settings again.

Tests build partial workspaces (``Workspace(settings, as_of)``) with only what they exercise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from ..data.errors import WorkspaceError
from ..data.workspace import WorkspacePaths
from ..tools.base import ToolContext
from ..tools.ledger import Ledger
from .settings import Settings

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from ..data.catalog import Catalog
    from ..data.embeddings import Embedder
    from ..data.scope import CompiledScope, Scope
    from ..data.theme_set import ThemeSet
    from ..data.voc_index import LazyVocIndex, ScopedVoc, VocIndex
    from ..data.warehouse import SqlLimits, Warehouse


class _Closeable(Protocol):
    def close(self) -> None: ...


@dataclass
class Workspace:
    settings: Settings
    as_of: date
    warehouse: Warehouse | None = None
    catalog: Catalog | None = None
    embedder: Embedder | None = None
    voc: LazyVocIndex | ScopedVoc | None = None
    themes: ThemeSet | None = None
    checkpointer: BaseCheckpointSaver[Any] | None = None
    _owned: list[_Closeable] = field(default_factory=list, repr=False)
    _values: dict[str, list[str]] | None = field(default=None, repr=False)
    _quarters: dict[str, dict[str, int]] | None = field(default=None, repr=False)
    _held: dict[str, dict[str, list[str]]] | None = field(default=None, repr=False)
    _last_days: dict[str, date] | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls, settings: Settings, *, checkpointer: BaseCheckpointSaver[Any] | None = None
    ) -> Workspace:
        """The workspace at ``settings.home``, which must exist; checkpoints default to the
        workspace's SQLite file, or the PostgreSQL database ``settings.checkpoint_url`` names."""
        paths = require_workspace(settings)
        ws = cls(settings=settings, as_of=settings.today())
        try:
            ws._open_parts(paths, checkpointer)
        except BaseException:
            ws.close()  # what opened before the failure: a pool's threads, the warehouse
            raise
        return ws

    def _open_parts(
        self, paths: WorkspacePaths, checkpointer: BaseCheckpointSaver[Any] | None
    ) -> None:
        from ..data.catalog import load_catalog
        from ..data.theme_set import load_theme_set
        from ..data.voc_index import LazyVocIndex
        from ..data.warehouse import Warehouse
        from .checkpoints import open_checkpointer

        settings = self.settings
        self.warehouse = Warehouse.open(paths.warehouse, sql_limits(settings))
        self._owned.append(self.warehouse)
        # A bare warehouse (no catalog yet) still answers SQL over all of its tables.
        self.catalog = load_catalog(paths.catalog) if paths.catalog.is_file() else None
        if settings.sources:
            # Live sources: each query goes to the engine holding its tables (agent/sources.py).
            from .sources import federate

            self.warehouse = federate(settings, self.warehouse, self.catalog)
            self._owned[-1] = self.warehouse
        self.embedder = embedder_for(settings)
        self.themes = load_theme_set(paths)
        self.voc = LazyVocIndex(lambda: _open_voc(self))
        self._owned.append(self.voc)
        if checkpointer is None:
            checkpointer, handle = open_checkpointer(settings)
            self._owned.append(handle)
        self.checkpointer = checkpointer

    @property
    def paths(self) -> WorkspacePaths:
        return self.settings.paths

    def scoped(self, scope: Scope | None) -> Workspace:
        """This workspace as a caller limited to ``scope`` sees it: the same open stores, with
        the scope compiled (and checked) against the catalog and applied in the data layer to
        every query (``Warehouse.scoped``) and every feedback search (``ScopedVoc``). Closing
        the scoped view closes nothing; the workspace it came from owns the stores."""
        if scope is None or scope.is_empty:
            return self
        from ..data.scope import ScopeError, compile_scope, restrict_catalog
        from ..data.voc_index import ScopedVoc

        if self.catalog is None or self.warehouse is None:
            raise ScopeError("scope: the workspace has no catalog to check a data scope against.")
        compiled = compile_scope(scope, self.catalog)
        warehouse = self.warehouse.scoped(compiled)
        voc = None
        if self.voc is not None:
            voc = ScopedVoc(self.voc, lambda: _visible_feedback(warehouse))
        catalog = restrict_catalog(self.catalog, compiled.allowed)
        return replace(
            self, warehouse=warehouse, catalog=catalog, voc=voc, _owned=[], _values=None,
            _quarters=None, _held=None, _last_days=None,
        )  # fmt: skip

    @property
    def scope(self) -> CompiledScope | None:
        return self.warehouse.scope if self.warehouse is not None else None

    def dimension_values(self) -> dict[str, list[str]]:
        """Values of the catalog's dimensions that it does not list (a company or car-model
        column), looked up once in the warehouse; see ``data.catalog_values``."""
        if self._values is None:
            from ..data.catalog_values import unlisted_values

            ok = self.catalog is not None and self.warehouse is not None
            self._values = unlisted_values(self.catalog, self.warehouse) if ok else {}  # type: ignore[arg-type]
        return self._values

    def tool_context(self, ledger: Ledger) -> ToolContext:
        """What a tool runs against in this workspace, recording evidence in ``ledger``."""
        return ToolContext(
            ledger=ledger,
            as_of=self.as_of,
            warehouse=self.warehouse,
            catalog=self.catalog,
            voc=self.voc,
            themes=self.themes,
        )

    def quarter_counts(self) -> dict[str, dict[str, int]]:
        """Records per quarter of every timed table, read once (see ``data.catalog_values``)."""
        if self._quarters is None:
            from ..data.catalog_values import quarter_counts

            ok = self.catalog is not None and self.warehouse is not None
            self._quarters = quarter_counts(self.catalog, self.warehouse) if ok else {}  # type: ignore[arg-type]
        return self._quarters

    def last_days(self) -> dict[str, date]:
        """The last day each timed table holds, read once (see ``data.catalog_values``)."""
        if self._last_days is None:
            from ..data.catalog_values import last_days

            ok = self.catalog is not None and self.warehouse is not None
            self._last_days = last_days(self.catalog, self.warehouse) if ok else {}  # type: ignore[arg-type]
        return self._last_days

    def values_by_table(self) -> dict[str, dict[str, list[str]]]:
        """Which values each table holds of a dimension found in several tables, read once
        (see ``data.catalog_values``)."""
        if self._held is None:
            from ..data.catalog_values import values_by_table

            ok = self.catalog is not None and self.warehouse is not None
            self._held = values_by_table(self.catalog, self.warehouse) if ok else {}  # type: ignore[arg-type]
        return self._held

    def close(self) -> None:
        for handle in reversed(self._owned):
            handle.close()
        self._owned = []

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _visible_feedback(warehouse: Warehouse) -> frozenset[str]:
    # The feedback table is ``voc`` by the importers' contract; a scope that hides it hides all.
    if warehouse.scope is None or "voc" not in warehouse.scope.allowed:
        return frozenset()
    sql = "SELECT CAST(voc_id AS VARCHAR) FROM voc"
    return frozenset(str(r[0]) for r in warehouse.execute(sql, max_rows=50_000_000).rows)


def require_workspace(settings: Settings) -> WorkspacePaths:
    paths = settings.paths
    if not paths.exists():
        raise WorkspaceError(
            f"No workspace at {paths.home}; run `servicelens init` first "
            "(or pass --home / set SERVICELENS_HOME)."
        )
    return paths


def sql_limits(settings: Settings, row_cap: int | None = None) -> SqlLimits:
    from ..data.warehouse import SqlLimits

    return SqlLimits(
        row_cap=row_cap or settings.sql_row_cap,
        byte_cap=settings.sql_byte_cap,
        timeout_s=settings.sql_timeout_s,
        memory_limit=settings.sql_memory_limit,
        threads=settings.sql_threads,
    )


def embedder_for(settings: Settings) -> Embedder:
    """The embedder the settings configure, with the workspace's embedding cache."""
    from ..data.embeddings import make_embedder

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return make_embedder(
        settings.embedder,
        cache_path=settings.paths.embedding_cache,
        model=settings.embedding_model,
        base_url=settings.embedding_base_url,
        api_key=key,
        timeout_s=settings.request_timeout_s,
    )


def _open_voc(ws: Workspace) -> VocIndex:
    from ..data.voc_index import VocIndex

    embedder = ws.embedder or embedder_for(ws.settings)
    return VocIndex.open(ws.paths, embedder, chroma_url=ws.settings.chroma_url)

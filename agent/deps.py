"""Everything the graph needs from outside, passed in as one object.

``Deps.open(settings)`` builds the real ones from a workspace; tests build their own. The VOC
index (Chroma plus the embedder) is opened only when a tool first touches it, so questions
answered from numbers alone never pay for loading an embedding model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..data.errors import WorkspaceError
from ..data.workspace import Workspace
from ..tools.base import ToolContext
from ..tools.ledger import Ledger
from .providers.base import Provider
from .settings import Settings
from .toolset import Toolset


class LazyVoc:
    """Stands in for the VOC index and opens it on first attribute access (thread-safe)."""

    def __init__(self, opener: Callable[[], Any]) -> None:
        self._opener = opener
        self._index: Any = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._index is not None

    def get(self) -> Any:
        with self._lock:
            if self._index is None:
                self._index = self._opener()
            return self._index

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)

    def close(self) -> None:
        if self._index is not None and hasattr(self._index, "close"):
            self._index.close()
        self._index = None


@dataclass
class Deps:
    settings: Settings
    provider: Provider
    toolset: Toolset
    warehouse: Any = None  # servicelens.data.warehouse.Warehouse
    catalog: Any = None  # servicelens.data.catalog.Catalog
    voc: Any = None  # a VocIndex or a LazyVoc standing in for one
    as_of: date = field(default_factory=date.today)

    @classmethod
    def open(cls, settings: Settings, provider: Provider) -> Deps:
        """The real dependencies of a workspace; the workspace must exist."""
        ws = require_workspace(settings)
        from ..data.warehouse import SqlLimits, Warehouse

        limits = SqlLimits(
            row_cap=settings.sql_row_cap,
            timeout_s=settings.sql_timeout_s,
            memory_limit=settings.sql_memory_limit,
            threads=settings.sql_threads,
        )
        return cls(
            settings=settings,
            provider=provider,
            toolset=Toolset.default(),
            warehouse=Warehouse.open(ws.warehouse, limits),
            catalog=_open_catalog(settings),
            voc=LazyVoc(lambda: _open_voc(settings)),
            as_of=settings.today(),
        )

    def tool_context(self, ledger: Ledger) -> ToolContext:
        limits = {"row_cap": self.settings.sql_row_cap, "timeout_s": self.settings.sql_timeout_s}
        return ToolContext(
            ledger=ledger,
            as_of=self.as_of,
            warehouse=self.warehouse,
            catalog=self.catalog,
            voc=self.voc,
            limits=limits,
        )

    def close(self) -> None:
        for handle in (self.voc, self.warehouse):
            if handle is not None and hasattr(handle, "close"):
                handle.close()


def require_workspace(settings: Settings) -> Workspace:
    ws = settings.workspace
    if not ws.exists():
        raise WorkspaceError(
            f"No workspace at {ws.home}; run `servicelens init` first "
            "(or pass --home / set SERVICELENS_HOME)."
        )
    return ws


def _open_catalog(settings: Settings) -> Any:
    # Imported here: the catalog module loads YAML and sqlglot, which plain imports should not.
    from ..data.catalog import load_catalog

    return load_catalog(settings.workspace.catalog)


def embedder_for(settings: Settings) -> Any:
    """The embedder the settings configure, with the workspace's embedding cache."""
    from ..data.embeddings import make_embedder

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return make_embedder(
        settings.embedder,
        cache_path=settings.workspace.embedding_cache,
        model=settings.embedding_model,
        base_url=settings.embedding_base_url,
        api_key=key,
        timeout_s=settings.request_timeout_s,
    )


def _open_voc(settings: Settings) -> Any:
    from ..data.voc_index import VocIndex

    return VocIndex.open(settings.workspace, embedder_for(settings), chroma_url=settings.chroma_url)

"""Everything the graph needs from outside, passed in as one object.

``Deps`` is an opened ``Workspace`` (warehouse, catalog, embedder, VOC index, clock), the model
provider and the tools. ``Analyst.open`` builds the real ones; tests build their own.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from datetime import date

from ..data.turn_results import TurnCaches, TurnResults
from ..tools.base import ToolContext
from ..tools.ledger import Ledger
from .providers.base import Provider
from .settings import Settings
from .toolset import Toolset
from .workspace import Workspace

DEFAULT_CONTEXT_TOKENS = 32_000


@dataclass
class Deps:
    workspace: Workspace
    provider: Provider
    toolset: Toolset = field(default_factory=Toolset.default)

    _context: int | None = field(default=None, init=False, repr=False)
    # Query results kept per turn: a statement repeated within one question runs once.
    _turns: TurnCaches = field(default_factory=TurnCaches, init=False, repr=False)

    @property
    def context_tokens(self) -> int:
        """The model's context window: the setting, else what the endpoint advertises (a
        provider with ``context_window``), else 32,000; resolved once."""
        if self._context is None:
            advertised = getattr(self.provider, "context_window", None)
            window = self.settings.context_tokens or (advertised() if advertised else None)
            self._context = window or DEFAULT_CONTEXT_TOKENS
        return self._context

    @property
    def settings(self) -> Settings:
        return self.workspace.settings

    @property
    def as_of(self) -> date:
        return self.workspace.as_of

    def tool_context(self, ledger: Ledger, turn: Hashable | None = None) -> ToolContext:
        """The tools' context; with ``turn``, its warehouse keeps results for that turn."""
        ctx = self.workspace.tool_context(ledger)
        if turn is None or ctx.warehouse is None:
            return ctx
        return replace(ctx, warehouse=TurnResults(ctx.warehouse, self._turns.store(turn)))

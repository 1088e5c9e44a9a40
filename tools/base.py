"""The shape every tool has: a pydantic input, a function over the data layer, a compact result.

The input model's JSON schema and the description file in ``prompts/tools/<name>.md`` are what
the model reads. The function gets a ``ToolContext`` (its dependencies, passed in) and returns a
``ToolResult`` whose ``content`` is the compact, model-facing view; the full result goes to the
ledger under the ids listed in ``evidence_ids``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from .ledger import Ledger

if TYPE_CHECKING:
    from ..data.catalog import Catalog
    from ..data.theme_set import ThemeSet
    from ..data.voc_index import VocReader
    from ..data.warehouse import Warehouse


class ToolError(Exception):
    """An error the model can fix (bad SQL, unknown metric, empty period).

    Its message goes back to the model verbatim, so it must be one or two plain sentences with no
    paths, secrets or stack traces, saying what was wrong and what to do instead.
    """


@dataclass
class ToolContext:
    """Dependencies a tool may use; built by the agent (or a test) and passed in."""

    ledger: Ledger
    as_of: date
    # What a workspace lacks is None; a tool that needs it says so with a ToolError.
    warehouse: Warehouse | None = None
    catalog: Catalog | None = None
    voc: VocReader | None = None
    # The workspace's feedback themes; None reads as the demo taxonomy (as before theme sets).
    themes: ThemeSet | None = None

    def scope_meta(self) -> dict[str, str]:
        """``{"scope": …}`` for evidence computed inside a caller's data scope: the SQL kept is
        the query as asked, and its rows are the scope's."""
        scope = self.warehouse.scope if self.warehouse is not None else None
        return {"scope": scope.label()} if scope is not None else {}

    def theme_set(self) -> ThemeSet:
        if self.themes is not None:
            return self.themes
        from ..data.taxonomy import default_taxonomy
        from ..data.theme_set import from_taxonomy

        return from_taxonomy(default_taxonomy())


class ToolResult(BaseModel):
    content: dict[str, Any]
    evidence_ids: list[str] = []
    # One line for people watching tool activity ("sla_attainment by region, Q3 2026: 6 rows").
    summary: str = ""


In = TypeVar("In", bound=BaseModel)


@dataclass(frozen=True)
class Tool(Generic[In]):
    name: str
    input_model: type[In]
    fn: Callable[[ToolContext, In], ToolResult]

    def description(self) -> str:
        from ..prompts import load_text

        return load_text(f"tools/{self.name}.md").strip()

    def schema(self) -> dict[str, Any]:
        """The OpenAI-style function schema the model sees."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description(),
                "parameters": self.input_model.model_json_schema(),
            },
        }

    def run(self, ctx: ToolContext, arguments: dict[str, Any]) -> ToolResult:
        """Validate raw arguments and run; validation problems are ToolErrors for the model."""
        from pydantic import ValidationError

        try:
            args = self.input_model.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()[:5]
            )
            raise ToolError(f"Invalid arguments for {self.name}: {problems}.") from None
        return self.fn(ctx, args)

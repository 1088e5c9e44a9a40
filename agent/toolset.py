"""The tools the model may call: a registry, their schemas, and running one call.

Model-fixable problems (a ``ToolError``, invalid or malformed arguments, an unknown tool name)
become a short tool message the model can act on; anything else is a bug and raises.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..data.errors import WorkspaceError
from ..tools.base import Tool, ToolContext, ToolError, ToolResult
from ..tools.registry import TOOLS
from .budget import clip_text, count_tokens
from .providers.base import ToolCall

# Tool output is compact already; this only guards the context window against a runaway result.
MAX_RESULT_TOKENS = 2_000
_MAX_ERROR_CHARS = 300
_PATH = re.compile(r"(?:[A-Za-z]:\\|/)(?:[\w.\-]+[\\/])+[\w.\-]*")


@dataclass
class ToolOutcome:
    """One executed call: the tool message for the model and what to record about it."""

    call: ToolCall
    message: dict[str, Any]
    result: ToolResult | None = None
    error: str | None = None
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Toolset:
    tools: dict[str, Tool[Any]] = field(default_factory=dict)

    @classmethod
    def from_tools(cls, tools: Iterable[Tool[Any]]) -> Toolset:
        return cls({t.name: t for t in tools})

    @classmethod
    def default(cls) -> Toolset:
        """Every tool of ``tools.registry``, in its order."""
        return cls.from_tools(TOOLS)

    @property
    def names(self) -> list[str]:
        return list(self.tools)

    def schemas(self) -> list[dict[str, Any]]:
        return [compact_schema(t.schema()) for t in self.tools.values()]

    def run(self, call: ToolCall, ctx: ToolContext) -> ToolOutcome:
        started = time.perf_counter()
        try:
            result = self._run(call, ctx)
        except (ToolError, WorkspaceError) as exc:
            # A workspace without what the tool reads (no feedback index yet) is the model's to
            # hear and the user's to fix, not a crash of the turn.
            text = sanitise(str(exc))
            outcome = ToolOutcome(call, _tool_message(call, {"error": text}), error=text)
        else:
            content = fit_content(result.content, MAX_RESULT_TOKENS)
            outcome = ToolOutcome(call, _tool_message(call, content), result=result)
        outcome.ms = (time.perf_counter() - started) * 1000
        return outcome

    def _run(self, call: ToolCall, ctx: ToolContext) -> ToolResult:
        if call.error:
            raise ToolError(
                f"The arguments for {call.name} were not valid JSON ({sanitise(call.error)}). "
                "Send the call again with a valid JSON object of arguments."
            )
        tool = self.tools.get(call.name)
        if tool is None:
            raise ToolError(
                f"There is no tool named {call.name!r}; use one of: {', '.join(self.names)}."
            )
        return tool.run(ctx, call.arguments)


_BOUNDS = frozenset({"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"})


def compact_schema(node: Any) -> Any:
    """A JSON schema without what costs tokens and tells the model nothing.

    Pydantic adds a ``title`` to every field (the property name again) and spells an optional
    field as ``anyOf: [X, {type: null}]`` with ``default: null``; an optional field that is
    simply left out of ``required`` says the same. Length and range bounds are left to
    validation too: a value out of range comes back as an error the model can fix. Validation
    still uses the full input model.
    """
    if isinstance(node, list):
        return [compact_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = _drop_null_branch(node)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: compact_schema(prop) for name, prop in value.items()}
        elif key in _BOUNDS and isinstance(value, int | float):
            continue
        elif key != "title" or not isinstance(value, str):
            out[key] = compact_schema(value)
    return out


def _drop_null_branch(node: dict[str, Any]) -> dict[str, Any]:
    branches = node.get("anyOf")
    if not isinstance(branches, list) or node.get("default", ...) is not None:
        return node
    rest = [b for b in branches if b != {"type": "null"}]
    if len(rest) != 1 or len(rest) == len(branches):
        return node
    merged = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
    return {**rest[0], **merged}


def refusal(call: ToolCall, reason: str) -> ToolOutcome:
    """The answer to a call that is not run (tool-call cap reached)."""
    return ToolOutcome(call, _tool_message(call, {"error": reason}), error=reason)


def sanitise(message: str) -> str:
    """A tool error as the model may see it: one short paragraph, no paths or tracebacks."""
    text = message.split("Traceback (most recent call last)")[0]
    text = _PATH.sub("<path>", text)
    text = " ".join(text.split())
    if len(text) > _MAX_ERROR_CHARS:
        text = text[: _MAX_ERROR_CHARS - 1].rstrip() + "…"
    return text or "The tool failed; try different arguments."


def _tool_message(call: ToolCall, content: dict[str, Any] | str) -> dict[str, Any]:
    text = content if isinstance(content, str) else _dump(content)
    return {"role": "tool", "tool_call_id": call.id, "content": text}


def fit_content(content: dict[str, Any], max_tokens: int) -> str:
    """The result as JSON within ``max_tokens``: the longest lists are shortened first (a list
    inside a field, such as one filter's many values, too) and the result says so, so what the
    model reads stays valid JSON; clipping text is the last resort."""
    text = _dump(content)
    shrunk = {k: dict(v) if isinstance(v, dict) else v for k, v in content.items()}
    while count_tokens(text) > max_tokens:
        path = _longest_list(shrunk)
        if path is None:
            return clip_text(text, max_tokens)
        holder = shrunk if len(path) == 1 else shrunk[path[0]]
        original = content if len(path) == 1 else content[path[0]]
        items = holder[path[-1]]
        whole = original.get(path[-1])
        total = len(whole) if isinstance(whole, list) else len(items)
        holder[path[-1]] = items[: max(1, len(items) // 2)]
        shrunk["shortened_for_context"] = (
            f"{'.'.join(path)}: showing {len(holder[path[-1]])} of {total}; "
            "the full result is in the evidence"
        )
        text = _dump(shrunk)
    return text


def _longest_list(content: dict[str, Any]) -> tuple[str, ...] | None:
    """Where the longest list is: a field, or a field of a field."""
    lists: dict[tuple[str, ...], list[Any]] = {}
    for key, value in content.items():
        if isinstance(value, list) and len(value) > 1:
            lists[(key,)] = value
        elif isinstance(value, dict):
            for inner, item in value.items():
                if isinstance(item, list) and len(item) > 1:
                    lists[(key, inner)] = item
    return max(lists, key=lambda k: len(_dump({"x": lists[k]}))) if lists else None


def _dump(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, default=str, separators=(",", ":"))

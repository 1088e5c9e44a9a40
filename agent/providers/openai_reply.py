"""Reading an OpenAI-compatible reply leniently: a whole JSON message, or streamed chunks.

Servers differ behind "OpenAI-compatible": ``usage`` missing, ``content: null`` or a list of parts,
empty tool-call ids, a function name repeated in every fragment, fragments without an index,
tool arguments that are not quite JSON. Each still gives a ``ModelTurn``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .base import ModelTurn, TextDelta, ToolCall, Usage
from .tool_arguments import ArgumentsError, parse_arguments


def turn_from_message(data: dict[str, Any], choice: dict[str, Any], model: str) -> ModelTurn:
    """The turn in a whole (non-streamed) reply ``data`` whose first choice is ``choice``."""
    message = choice.get("message") or {}
    return ModelTurn(
        text=_text(message.get("content")),
        tool_calls=[_tool_call(c) for c in message.get("tool_calls") or []],
        usage=_usage(data.get("usage")),
        model=str(data.get("model") or model),
        finish_reason=choice.get("finish_reason"),
    )


class StreamAccumulator:
    """Joins streamed text deltas and tool-call fragments (keyed by their index)."""

    def __init__(self, on_delta: TextDelta) -> None:
        self.on_delta = on_delta
        self.chunks = 0
        self.parts: list[str] = []
        self.calls: dict[int, dict[str, Any]] = {}
        self.usage: Usage | None = None
        self.model = ""
        self.finish_reason: str | None = None
        self.choices = 0

    def add(self, chunk: dict[str, Any]) -> None:
        self.chunks += 1
        self.model = self.model or str(chunk.get("model") or "")
        self.usage = _usage(chunk.get("usage")) or self.usage
        for choice in chunk.get("choices") or []:
            self.choices += 1
            delta = choice.get("delta") or {}
            if text := _text(delta.get("content")):
                self.parts.append(text)
                self.on_delta(text)
            for fragment in delta.get("tool_calls") or []:
                self._add_fragment(fragment)
            self.finish_reason = choice.get("finish_reason") or self.finish_reason

    def _add_fragment(self, fragment: dict[str, Any]) -> None:
        index = fragment.get("index")
        if index is None:
            # No index: a fragment with an id starts a call, one without continues the last.
            index = len(self.calls) if fragment.get("id") or not self.calls else max(self.calls)
        slot = self.calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        slot["id"] = fragment.get("id") or slot["id"]
        fn = fragment.get("function") or {}
        name = fn.get("name") or ""
        # Most servers send the name once; some repeat it in every fragment.
        if name and name != slot["name"]:
            slot["name"] += name
        slot["arguments"] += fn.get("arguments") or ""

    def turn(self, model: str) -> ModelTurn:
        calls = [
            _tool_call(
                {"id": s["id"], "function": {"name": s["name"], "arguments": s["arguments"]}}
            )
            for _, s in sorted(self.calls.items())
        ]
        return ModelTurn(
            text="".join(self.parts),
            tool_calls=calls,
            usage=self.usage,
            model=self.model or model,
            finish_reason=self.finish_reason,
        )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _tool_call(raw: dict[str, Any]) -> ToolCall:
    fn = raw.get("function") or {}
    arguments = fn.get("arguments")
    text = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
    call = ToolCall(
        # Some servers leave ids empty; the tool message must still answer a unique id.
        id=raw.get("id") or f"call_{uuid.uuid4().hex[:16]}",
        name=str(fn.get("name") or ""),
        raw_arguments=text,
    )
    if not call.name:
        call.error = "the tool call has no function name"
        return call
    try:
        call.arguments = parse_arguments(arguments)
    except ArgumentsError as exc:
        call.error = f"{exc}; send the call again with its arguments as one JSON object"
    return call


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
    )

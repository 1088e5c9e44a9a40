"""Reading an OpenAI-compatible reply leniently: a whole JSON message, or streamed chunks.

Servers differ behind "OpenAI-compatible": ``usage`` missing, ``content: null`` or a list of parts,
empty or repeated tool-call ids, a function name repeated in every fragment, fragments without an
index, tool arguments that are not quite JSON, ``finish_reason`` missing or ``stop`` beside tool
calls. Reasoning arrives as ``reasoning_content`` (DeepSeek, DashScope, llama.cpp, older vLLM),
``reasoning`` (Ollama, newer vLLM) or ``<think>`` blocks in the content; tool calls sometimes as
text in the content. Usage comes at a stream's top level, or inside the finishing choice (Kimi),
and counts cache hits in ``prompt_tokens_details`` (OpenAI, GLM) or at its top (Kimi). Each
still gives a ``ModelTurn`` whose text is the answer alone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from typing import Any

from .base import ModelTurn, TextDelta, ToolCall, Usage
from .content_tags import TagSplitter
from .text_calls import bare_calls, block_call
from .tool_arguments import ArgumentsError, parse_arguments

_REASONING_FIELDS = ("reasoning_content", "reasoning")


def turn_from_message(
    data: dict[str, Any], choice: dict[str, Any], model: str, offered: Collection[str] = ()
) -> ModelTurn:
    """The turn in a whole (non-streamed) reply ``data`` whose first choice is ``choice``;
    ``offered`` names the tools the request offered."""
    message = choice.get("message") or {}
    split = TagSplitter()
    split.feed(_text(message.get("content")))
    split.close()
    text, calls = _answer_and_calls(split, list(message.get("tool_calls") or []), offered)
    return ModelTurn(
        text=text,
        tool_calls=calls,
        reasoning=_joined([_reasoning(message), *split.reasoning]),
        usage=_usage(data.get("usage")),
        model=str(data.get("model") or model),
        finish_reason=choice.get("finish_reason"),
    )


class StreamAccumulator:
    """Joins streamed text deltas and tool-call fragments (keyed by their index).

    Only answer text reaches ``on_delta``: reasoning fields are kept apart, and ``<think>`` and
    ``<tool_call>`` blocks in the content are held back even when a tag is split over chunks."""

    def __init__(self, on_delta: TextDelta) -> None:
        self.on_delta = on_delta
        self.chunks = 0
        self.split = TagSplitter()
        self.reasoning: list[str] = []
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
            self.usage = _usage(choice.get("usage")) or self.usage
            delta = choice.get("delta") or {}
            if thought := _reasoning(delta):
                self.reasoning.append(thought)
            if (text := _text(delta.get("content"))) and (shown := self.split.feed(text)):
                self.on_delta(shown)
            for fragment in delta.get("tool_calls") or []:
                self._add_fragment(fragment)
            self.finish_reason = choice.get("finish_reason") or self.finish_reason

    def _add_fragment(self, fragment: dict[str, Any]) -> None:
        index = fragment.get("index")
        if index is None:
            # No index: a fragment with a new id starts a call; one without an id, or with the
            # last call's id repeated, continues the last.
            last = self.calls.get(max(self.calls)) if self.calls else None
            starts = last is None or fragment.get("id") not in (None, "", last["id"])
            index = len(self.calls) if starts else max(self.calls)
        slot = self.calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        slot["id"] = fragment.get("id") or slot["id"]
        fn = fragment.get("function") or {}
        name = fn.get("name") or ""
        # Most servers send the name once; some repeat it in every fragment.
        if name and name != slot["name"]:
            slot["name"] += name
        slot["arguments"] += fn.get("arguments") or ""

    def turn(self, model: str, offered: Collection[str] = ()) -> ModelTurn:
        # Text held back for a tag that never came is answer text after all.
        if rest := self.split.close():
            self.on_delta(rest)
        raw = [
            {"id": s["id"], "function": {"name": s["name"], "arguments": s["arguments"]}}
            for _, s in sorted(self.calls.items())
        ]
        text, calls = _answer_and_calls(self.split, raw, offered)
        return ModelTurn(
            text=text,
            tool_calls=calls,
            reasoning=_joined(["".join(self.reasoning), *self.split.reasoning]),
            usage=self.usage,
            model=self.model or model,
            finish_reason=self.finish_reason,
        )


def _answer_and_calls(
    split: TagSplitter, native: list[dict[str, Any]], offered: Collection[str]
) -> tuple[str, list[ToolCall]]:
    raw = native + [block_call(block) for block in split.calls]
    text = split.text()
    if not raw and (bare := bare_calls(text, offered)):
        raw, text = bare, ""
    return text, _unique_ids([_tool_call(c) for c in raw])


def _unique_ids(calls: list[ToolCall]) -> list[ToolCall]:
    # Each tool result answers one id, so a missing or repeated id gets a fresh one.
    seen: set[str] = set()
    for call in calls:
        if call.id in seen:
            call.id = _fresh_id()
        seen.add(call.id)
    return calls


def _fresh_id() -> str:
    return f"call_{uuid.uuid4().hex[:16]}"


def _reasoning(message: dict[str, Any]) -> str:
    for field in _REASONING_FIELDS:
        if isinstance(value := message.get(field), str) and value:
            return value
    return ""


def _joined(parts: list[str]) -> str:
    return "\n\n".join(p.strip() for p in parts if p.strip())


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
        id=raw.get("id") or _fresh_id(),
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
    details = raw.get("completion_tokens_details")
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
    prompt = raw.get("prompt_tokens_details")
    cached = prompt.get("cached_tokens") if isinstance(prompt, dict) else raw.get("cached_tokens")
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
        reasoning_tokens=int(reasoning or 0),
        cached_tokens=int(cached or 0),
    )

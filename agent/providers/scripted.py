"""A scripted model: replays fixed turns so tests, examples and eval smoke runs share one fake.

Each step is a ``ModelTurn``, a plain string (a text-only turn) or a callable that receives the
messages of the call and returns a ``ModelTurn`` (for steps that depend on what the graph sent,
such as citing the id a tool just produced). Every call is recorded in ``calls``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .base import ModelTurn, TextDelta, ToolCall, TurnContext
from .usage import estimate_usage

Step = ModelTurn | str | Callable[[list[dict[str, Any]]], ModelTurn]


@dataclass
class ScriptedCall:
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None


class ScriptExhaustedError(AssertionError):
    """The scripted provider was called more often than it has steps."""


class ScriptedProvider:
    """Replays ``steps`` one per ``complete`` call; ``calls`` records what each call received."""

    def __init__(self, steps: Sequence[Step], *, model: str = "scripted", chunk_chars: int = 8):
        self.steps = list(steps)
        self.model = model
        self.name = "scripted"
        self.chunk_chars = chunk_chars
        self.calls: list[ScriptedCall] = []
        self._next = 0

    @staticmethod
    def tool(name: str, /, *, call_id: str | None = None, **arguments: Any) -> ModelTurn:
        """A turn that asks for one tool call with the given keyword arguments."""
        return ScriptedProvider.tools((name, arguments), call_ids=[call_id] if call_id else None)

    @staticmethod
    def tools(
        *calls: tuple[str, dict[str, Any]], call_ids: Sequence[str] | None = None
    ) -> ModelTurn:
        """A turn that asks for several tool calls at once (parallel tool calling)."""
        ids = list(call_ids) if call_ids else []
        out = []
        for i, (name, args) in enumerate(calls):
            # Empty ids are filled per call in ``_resolve`` so repeated steps never share one.
            call_id = ids[i] if i < len(ids) else ""
            out.append(
                ToolCall(id=call_id, name=name, arguments=args, raw_arguments=json.dumps(args))
            )
        return ModelTurn(tool_calls=out, finish_reason="tool_calls")

    @staticmethod
    def text(content: str) -> ModelTurn:
        """A turn that writes text and calls no tool."""
        return ModelTurn(text=content, finish_reason="stop")

    @property
    def remaining(self) -> int:
        return len(self.steps) - self._next

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        *,
        on_delta: TextDelta | None = None,
        context: TurnContext | None = None,
    ) -> ModelTurn:
        # Copies, so later mutation of the graph's message list cannot rewrite the record.
        self.calls.append(ScriptedCall(copy.deepcopy(messages), copy.deepcopy(tools)))
        if self._next >= len(self.steps):
            raise ScriptExhaustedError(
                f"ScriptedProvider was called {len(self.calls)} times but has only "
                f"{len(self.steps)} steps; the last message was: {_last_content(messages)!r}"
            )
        step = self.steps[self._next]
        self._next += 1
        turn = self._resolve(step, messages)
        if on_delta and turn.text:
            for start in range(0, len(turn.text), self.chunk_chars):
                on_delta(turn.text[start : start + self.chunk_chars])
        return turn

    def assert_done(self) -> None:
        """Fail when scripted steps were never used (the graph stopped earlier than planned)."""
        if self.remaining:
            raise AssertionError(
                f"ScriptedProvider has {self.remaining} unused step(s) of {len(self.steps)}; "
                f"it was called {len(self.calls)} times."
            )

    def _resolve(self, step: Step, messages: list[dict[str, Any]]) -> ModelTurn:
        if isinstance(step, str):
            turn = self.text(step)
        elif isinstance(step, ModelTurn):
            turn = step.model_copy(deep=True)
        else:
            turn = step(messages)
        if not turn.model:
            turn.model = self.model
        for i, call in enumerate(turn.tool_calls):
            if not call.id:
                call.id = f"call_{self._next}_{i}"
        if turn.usage is None:
            turn.usage = estimate_usage(messages, turn)
        return turn


def _last_content(messages: list[dict[str, Any]]) -> str:
    if not messages:
        return ""
    content = messages[-1].get("content") or ""
    return str(content)[:80]

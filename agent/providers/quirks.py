"""Which vendor quirks a reply showed, named so that an eval's model card can count them.

The provider reads every reply leniently (``openai_reply``); this says afterwards what it had
to be lenient about: reasoning beside the answer or in ``<think>`` tags, tool calls written as
text, missing or repeated call ids, a finish_reason missing or ``stop`` beside tool calls, no
usage reported. Request-side adjustments (a rejected field dropped, the reasoning rule learnt
from a 400) and retries are counted by the provider where they happen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from .base import ModelTurn

QUIRKS: dict[str, str] = {
    "reasoning_field": "reasoning beside the answer (reasoning_content / reasoning)",
    "think_tags": "<think> blocks inside the content",
    "text_tool_calls": "tool calls written as text in the content",
    "parallel_calls": "several tool calls in one reply",
    "missing_call_ids": "tool calls without ids",
    "duplicate_call_ids": "tool calls with repeated ids",
    "finish_stop_with_calls": "finish_reason 'stop' beside tool calls",
    "no_finish_reason": "no finish_reason",
    "no_usage": "no token usage reported",
    "stream_options_rejected": "stream_options rejected (usage not streamed)",
    "parallel_rejected": "parallel_tool_calls rejected",
    "reasoning_replay_learned": "reasoning_content rule learnt from a 400",
    "retries": "requests retried (timeouts, 429, 5xx, broken streams)",
}


def reply_quirks(
    turn: ModelTurn,
    *,
    native_ids: Sequence[Any],
    reasoning_field: bool,
    think: bool,
    usage: bool,
) -> Counter[str]:
    """The quirks one reply showed; ``native_ids`` are the ids of its native tool calls."""
    seen: Counter[str] = Counter()
    checks = {
        "reasoning_field": reasoning_field,
        "think_tags": think,
        "text_tool_calls": len(turn.tool_calls) > len(native_ids),
        "parallel_calls": len(turn.tool_calls) > 1,
        "missing_call_ids": any(not i for i in native_ids),
        "duplicate_call_ids": len({i for i in native_ids if i}) < len([i for i in native_ids if i]),
        "finish_stop_with_calls": bool(turn.tool_calls) and turn.finish_reason == "stop",
        "no_finish_reason": turn.finish_reason is None,
        "no_usage": not usage,
    }
    seen.update(name for name, hit in checks.items() if hit)
    return seen

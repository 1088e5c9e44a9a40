"""Token usage for a model turn whose endpoint reported none, counted locally."""

from __future__ import annotations

import json
from typing import Any

from ..budget import count_messages, count_tokens
from .base import ModelTurn, Usage


def estimate_usage(messages: list[dict[str, Any]], turn: ModelTurn) -> Usage:
    # The model generated its reasoning too, so it counts towards the completion.
    reasoning = count_tokens(turn.reasoning) if turn.reasoning else 0
    completion = count_tokens(turn.text) + reasoning
    completion += sum(
        count_tokens(c.raw_arguments or json.dumps(c.arguments)) for c in turn.tool_calls
    )
    return Usage(
        prompt_tokens=count_messages(messages),
        completion_tokens=completion,
        reasoning_tokens=reasoning,
    )

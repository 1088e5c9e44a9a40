"""Tool calls a model wrote as text, read back into the shape of native ones.

When a server's tool parser is off (vLLM without a matching ``--tool-call-parser``, llama.cpp or
Ollama with a template that does not parse calls), the calls stay in ``content``: Hermes-style
``<tool_call>`` blocks (split out by ``content_tags``), or a whole reply that is one JSON call or
a list of them, bare or after Llama's ``<|python_tag|>`` or Mistral's ``[TOOL_CALLS]``. A bare
reply only counts when it names a tool that was offered, so an answer that happens to be JSON
stays an answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from .tool_arguments import ArgumentsError, parse_arguments

_PREFIXES = ("<|python_tag|>", "[TOOL_CALLS]")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*(.*?)\s*```$", re.S)


def block_call(block: str) -> dict[str, Any]:
    """A raw native-shaped call from the text of one ``<tool_call>`` block."""
    try:
        data = parse_arguments(block)
    except ArgumentsError:
        # Unreadable: a call without a name, which the graph sends back to the model to retry.
        return {"id": "", "function": {"name": "", "arguments": block}}
    return _raw_call(data)


def bare_calls(text: str, offered: Collection[str]) -> list[dict[str, Any]]:
    """Raw native-shaped calls when the whole of ``text`` is JSON calling offered tools."""
    body = text.strip()
    for prefix in _PREFIXES:
        body = body.removeprefix(prefix).strip()
    if fenced := _FENCE.match(body):
        body = fenced.group(1)
    if not body.startswith(("{", "[")) or not offered:
        return []
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return []
    items = data if isinstance(data, list) else [data]
    if not items or not all(_names_offered(item, offered) for item in items):
        return []
    return [_raw_call(item) for item in items]


def _names_offered(item: Any, offered: Collection[str]) -> bool:
    return isinstance(item, dict) and item.get("name") in offered


def _raw_call(data: dict[str, Any]) -> dict[str, Any]:
    # Hermes and Qwen write "arguments"; Llama 3.x writes "parameters".
    arguments = data.get("arguments", data.get("parameters"))
    return {
        "id": str(data.get("id") or ""),
        "function": {"name": str(data.get("name") or ""), "arguments": arguments},
    }

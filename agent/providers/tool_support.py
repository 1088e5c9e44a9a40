"""Telling that a model or endpoint cannot call tools as served, and saying which setting helps.

Servers refuse a request with ``tools`` in their own words: llama.cpp's server without
``--jinja``, vLLM without ``--enable-auto-tool-choice``, Ollama for a model whose template has no
tools, DeepSeek for ``deepseek-reasoner``. Others pass the tools to a model that never learnt them,
and it writes about a tool instead of calling it. Either way the graph, which gathers evidence
only through tool calls, cannot answer; the message names the setting to change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .base import ModelTurn

# (what the server says, what to change), first match wins.
_REFUSALS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"--jinja", re.I), "start llama-server with --jinja"),
    (
        re.compile(r"enable-auto-tool-choice|tool-call-parser", re.I),
        "start vllm serve with --enable-auto-tool-choice and the --tool-call-parser that fits "
        "the model (hermes for Qwen)",
    ),
    (
        re.compile(r"does not support tools", re.I),
        "pull an Ollama model whose library page lists tools (qwen3, llama3.1, mistral-nemo) "
        "and set SERVICELENS_MODEL to it",
    ),
    (
        re.compile(r"(not|n't) support (function|tool)", re.I),
        "set SERVICELENS_MODEL to a model with tool calling",
    ),
    (
        re.compile(
            r"\b(tools?|tool_choice|functions?)\b.{0,40}\b(not (supported|allowed)|"
            r"unrecognized|unsupported)",
            re.I,
        ),
        "set SERVICELENS_MODEL to a model with tool calling, or turn on the server's tool calling",
    ),
)
_DEEPSEEK_REASONER = "set SERVICELENS_MODEL to deepseek-chat, which calls tools"


def tools_refused_message(model: str, host: str, status: int, detail: str) -> str | None:
    """The message for a request with tools refused because of them; None for other refusals."""
    hint = refusal_hint(model, detail)
    if hint is None:
        return None
    return (
        f"The model '{model}' at {host} cannot call tools as it is served (HTTP "
        f"{status}: {detail}); {hint}. ServiceLens gathers its evidence through tool "
        "calls and cannot answer without them."
    )


def refusal_hint(model: str, detail: str) -> str | None:
    """What to change when a server refused tools in these words; None: not a tools refusal."""
    for pattern, hint in _REFUSALS:
        if pattern.search(detail):
            return _DEEPSEEK_REASONER if "deepseek-reasoner" in model else hint
    return None


def prose_instead_of_calls(
    turn: ModelTurn, messages: Sequence[dict[str, Any]], offered: Sequence[str]
) -> str | None:
    """The tool a model named in prose instead of calling anything, at the first step of a
    question (no tool result yet since the user spoke); None when that is not the case."""
    if not offered or turn.tool_calls or not _first_step(messages):
        return None
    return next((name for name in offered if name and name in turn.text), None)


def _first_step(messages: Sequence[dict[str, Any]]) -> bool:
    for message in reversed(messages):
        if message.get("role") == "tool":
            return False
        if message.get("role") == "user":
            return True
    return True

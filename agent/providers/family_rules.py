"""What a model family wants in a request beyond the OpenAI shape, and how to tell from a 400.

Reasoning sent back (``reasoning_content`` on earlier assistant messages). DeepSeek's two
generations want opposite things: the older ``deepseek-reasoner`` answers 400 when it is sent
back, while the current thinking mode (deepseek-v4-*, on by default; V3.2's thinking mode) calls
tools while it thinks and answers 400 unless every assistant message that made tool calls carries
its ``reasoning_content`` in all later requests (DeepSeek API docs, "Thinking Mode", tool calls).
Kimi's thinking models (kimi-k2-thinking, kimi-k2.5 and later; Moonshot's "Thinking model"
guide) want the same as DeepSeek's thinking mode and say so in their 400 ("thinking is enabled
but reasoning_content is missing in assistant tool call message at index N"); kimi-k2 itself
does not think. GLM (Zhipu "Thinking Mode") neither requires nor refuses it, so it is not sent.
So ``replay`` is per family: ``never`` strips it from every message (every other vendor, which
ignores or rejects it), ``tool_calls`` keeps it on assistant messages with tool calls only (a
message that made no call is ignored by the vendor anyway). ``auto`` picks by model name and
switches once when the endpoint's 400 says which it wants.

Parallel tool calls: llama.cpp's server and DashScope make one call per reply unless the request
sets ``parallel_tool_calls``; asking for them saves a model round trip per extra call, which is
what matters on a slow local model. A server that rejects the field has it dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

Replay = Literal["never", "tool_calls"]
ReplaySetting = Literal["auto", "never", "tool_calls"]
REASONING_FIELD = "reasoning_content"

# Model names whose tool loops need the reasoning back: DeepSeek's current thinking mode and
# Kimi's thinking models.
_THINKING_MODELS = re.compile(
    r"deepseek[-_/]?(v4|v3\.2|v3-2)|kimi-k2[-.]?thinking|kimi-k2\.[5-9]|kimi-k[3-9]|kimi-thinking",
    re.I,
)
_MUST_SEND = re.compile(r"reasoning_content.{0,80}\b(must|required|pass(ed)? back|missing)", re.I)
_MUST_NOT = re.compile(r"reasoning_content.{0,60}\bnot (allowed|permitted|supported)", re.I)
_PARALLEL = re.compile(r"parallel_tool_calls", re.I)


def replay_for(model: str, setting: ReplaySetting = "auto") -> Replay:
    """Whether reasoning goes back for ``model``: the setting, or the model family's rule."""
    if setting != "auto":
        return setting
    return "tool_calls" if _THINKING_MODELS.search(model) else "never"


def outgoing(messages: Sequence[dict[str, Any]], replay: Replay) -> list[dict[str, Any]]:
    """The messages as this family wants them: reasoning kept only where it must go back."""
    out: list[dict[str, Any]] = []
    for message in messages:
        keep = replay == "tool_calls" and message.get("role") == "assistant"
        keep = keep and bool(message.get("tool_calls"))
        if keep:
            # The vendor checks for the field; a call made without reasoning sends it empty.
            out.append({**message, REASONING_FIELD: str(message.get(REASONING_FIELD) or "")})
        elif REASONING_FIELD in message:
            out.append({k: v for k, v in message.items() if k != REASONING_FIELD})
        else:
            out.append(message)
    return out


def replay_wanted(detail: str, current: Replay) -> Replay | None:
    """The replay rule a 400's message asks for, when it differs from ``current``; else None."""
    if current == "never" and _MUST_SEND.search(detail):
        return "tool_calls"
    if current == "tool_calls" and _MUST_NOT.search(detail):
        return "never"
    return None


def rejects_parallel(detail: str) -> bool:
    """True when a 400 is about the ``parallel_tool_calls`` field itself."""
    return bool(_PARALLEL.search(detail))

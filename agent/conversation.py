"""What the nodes send the model: message shapes, the history that fits, and short notes.

Kept apart from the nodes so that they read as the steps of the graph, and so that these
small, pure helpers can be tested on their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from ..data.periods import Period
from ..tools.ledger import Evidence, Ledger
from .budget import trim_messages
from .providers.base import ModelTurn
from .providers.usage import estimate_usage

Message = dict[str, Any]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (简体中文)"}
_DIGEST_QUOTE_CHARS = 90
_DIGEST_MAX_ITEMS = 40


def language_of(text: str) -> str:
    """``zh`` when Chinese dominates the question, else ``en``. Chinese is weighed by its runs
    of characters (a long run counts more), English by its words, so an English question that
    names Chinese values ("complaints against 一汽马自达 that reached 处理反馈") stays English."""
    runs = _CJK_RUN.findall(text)
    cjk = sum(1 + len(r) // 4 for r in runs)
    return "zh" if cjk and cjk >= len(_LATIN_WORD.findall(text)) else "en"


def prose_language(text: str) -> str:
    """The language a long text is written in: ``zh`` when its Chinese characters outnumber its
    English words (an answer's Chinese prose around English names, as a reader sees it)."""
    # Table rows are the data's names and figures, not prose.
    prose = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("|"))
    cjk = len(_CJK.findall(prose))
    return "zh" if cjk and cjk >= len(_LATIN_WORD.findall(prose)) else "en"


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


ALL_DATA_NOTE = (
    "Date note (resolved in code): the question asks about all the data (the whole history), "
    "not a period: call tools without a period and say the answer covers every date."
)


def period_note(
    period: Period, as_of: date, comparison: Period | None = None, compare: str | None = None
) -> str:
    note = (
        f"Date note (resolved in code; today is {as_of.isoformat()}): {period.phrase!r} means "
        f"{period.label}, {period.start.isoformat()} to {period.last_day.isoformat()} inclusive "
        f"(end exclusive {period.end.isoformat()}). Use exactly this range in tool calls and "
        "in the answer."
    )
    if comparison is not None:
        also = f" The question compares it with {comparison.label} ({comparison.start.isoformat()}"
        also += f" to {comparison.last_day.isoformat()})"
        if compare:
            also += f": pass period {period.label!r} with compare={compare!r}."
        else:
            also += f": query {comparison.label!r} as a second period and compare the two."
        note += also
    return note


def model_input(system: str, history: list[Message], max_tokens: int) -> list[Message]:
    """The system prompt plus as much well-formed history as fits the budget."""
    return trim_messages([{"role": "system", "content": system}, *well_formed(history)], max_tokens)


def well_formed(history: list[Message]) -> list[Message]:
    """History without tool-call exchanges that a failed run left half done.

    Chat endpoints reject an assistant tool-call message whose calls have no tool results, and
    tool results whose call is missing; a turn that ended in an error can leave either behind.
    """
    answered = {m.get("tool_call_id") for m in history if m.get("role") == "tool"}
    out: list[Message] = []
    open_ids: set[str] = set()
    for m in history:
        calls = m.get("tool_calls") or []
        if m.get("role") == "assistant" and calls:
            ids = {c["id"] for c in calls}
            if not ids <= answered:
                continue
            open_ids |= ids
        elif m.get("role") == "tool" and m.get("tool_call_id") not in open_ids:
            continue
        out.append(m)
    return out


def assistant_tool_message(turn: ModelTurn) -> Message:
    calls = [
        {
            "id": c.id,
            "type": "function",
            "function": {
                "name": c.name,
                "arguments": c.raw_arguments or json.dumps(c.arguments, ensure_ascii=False),
            },
        }
        for c in turn.tool_calls
    ]
    message: Message = {"role": "assistant", "content": turn.text or None, "tool_calls": calls}
    if turn.reasoning:
        # Kept with the calls it led to; the provider sends it back only to a model family
        # that requires it (DeepSeek's thinking mode) and strips it for every other.
        message["reasoning_content"] = turn.reasoning
    return message


def add_usage(previous: dict[str, int] | None, messages: list[Message], turn: ModelTurn) -> dict:
    """Running token usage; counted locally when the endpoint reported none."""
    usage = turn.usage or estimate_usage(messages, turn)
    prev = previous or {}
    return {
        "prompt_tokens": prev.get("prompt_tokens", 0) + usage.prompt_tokens,
        "completion_tokens": prev.get("completion_tokens", 0) + usage.completion_tokens,
        "reasoning_tokens": prev.get("reasoning_tokens", 0) + usage.reasoning_tokens,
        "cached_tokens": prev.get("cached_tokens", 0) + usage.cached_tokens,
    }


def evidence_digest(ledger: Ledger, turn_ids: list[str]) -> str:
    """One line per evidence id of this turn, so the writer cites ids that exist."""
    ids = list(dict.fromkeys(turn_ids))
    if not ids:
        return "No tool produced evidence for this question."
    lines = [_digest_line(ledger.items[i]) for i in ids[:_DIGEST_MAX_ITEMS] if i in ledger]
    if len(ids) > _DIGEST_MAX_ITEMS:
        lines.append(f"… and {len(ids) - _DIGEST_MAX_ITEMS} more ids in the tool results above.")
    return "\n".join(lines)


def _digest_line(ev: Evidence) -> str:
    if ev.kind == "voc":
        text = " ".join((ev.text or "").split())
        if len(text) > _DIGEST_QUOTE_CHARS:
            text = text[:_DIGEST_QUOTE_CHARS] + "…"
        return f"- [{ev.id}] customer voice ({ev.tool}): “{text}”"
    shape = f"{len(ev.rows)} row(s) of {', '.join(ev.columns[:8])}" if ev.columns else ev.kind
    cut = ", truncated" if ev.truncated else ""
    return f"- [{ev.id}] {ev.tool}: {shape}{cut}"


def period_text(period: dict[str, Any] | None) -> str:
    if not period:
        return "No date phrase in the question; state the period the evidence covers."
    return (
        f"{period['label']}: {period['start']} to {period['last_day']} inclusive "
        f"(from the phrase {period['phrase']!r}). Name this range in the answer."
    )


def writer_notes(state: Mapping[str, Any]) -> str:
    if not state.get("limited"):
        return ""
    return (
        f"\n## Partial evidence\nEvidence gathering stopped early: {state['limited']}. Begin "
        "by saying the answer is partial, then give what the evidence supports and what is missing."
    )


def revision_request(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    findings = (state.get("report") or {}).get("findings", [])
    lines = "\n".join(f"- {f.get('kind')}: {f.get('detail')}" for f in findings[:12])
    return [
        {"role": "assistant", "content": state.get("draft", "")},
        {
            "role": "user",
            "content": "The verifier checked that draft against the evidence and found:\n"
            f"{lines}\nRewrite the whole answer so that every number, quote and citation is "
            "supported: fix or remove each item above. Do not mention this check.",
        },
    ]

"""Per-case scripts for the scripted provider, so CI can run golden cases with no model.

A turn's ``expect.script`` lists steps: ``{tool: name, args: {...}}`` (one tool call),
``{tools: [{name, args}, ...]}`` (parallel calls), ``{text: "..."}`` (one text turn) and
``{answer: "..."}`` (ends tool use, then writes the answer: two turns). Texts may hold
placeholders filled when the step runs: ``{ref:<label>}`` or ``{ref:<label>:<format>}`` is the
expected number of that label, ``{voc:N}`` the N-th customer-voice id the tools returned in this
turn and ``{quote:N}`` the first words of its text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..agent.providers.base import ModelTurn
from ..agent.providers.scripted import ScriptedProvider, Step
from .cases import Case, GoldenError

_PLACEHOLDER = re.compile(r"\{(ref|voc|quote):([^{}:]+)(?::([^{}]+))?\}")
_VOC = re.compile(r'"id":\s*"(V:[^"]+)"(?:(?!"id":).)*?"customer_text":\s*("(?:[^"\\]|\\.)*")')
_QUOTE_WORDS = 6
_QUOTE_CJK = 12


def script_steps(case: Case, expected: dict[str, float | None]) -> list[Step]:
    steps: list[Step] = []
    for turn in case.all_turns():
        for raw in turn.expect.script if turn.expect else []:
            steps.extend(_steps(case.id, raw, expected))
    return steps


def _steps(case_id: str, raw: dict[str, Any], expected: dict[str, float | None]) -> list[Step]:
    if "tool" in raw:
        return [ScriptedProvider.tool(str(raw["tool"]), **dict(raw.get("args") or {}))]
    if "tools" in raw:
        calls = [(str(c["name"]), dict(c.get("args") or {})) for c in raw["tools"]]
        return [ScriptedProvider.tools(*calls)]
    if "text" in raw:
        return [_text_step(case_id, str(raw["text"]), expected)]
    if "answer" in raw:
        return ["Done.", _text_step(case_id, str(raw["answer"]), expected)]
    raise GoldenError(f"Case {case_id}: unknown script step {raw!r}.")


def _text_step(case_id: str, text: str, expected: dict[str, float | None]) -> Step:
    def step(messages: list[dict[str, Any]]) -> ModelTurn:
        return ScriptedProvider.text(render(case_id, text, expected, messages))

    return step


def render(
    case_id: str, text: str, expected: dict[str, float | None], messages: list[dict[str, Any]]
) -> str:
    records = _voc_records(messages)

    def fill(m: re.Match[str]) -> str:
        kind, key, fmt = m.group(1), m.group(2), m.group(3)
        if kind == "ref":
            value = expected.get(key)
            if value is None:
                raise GoldenError(f"Case {case_id}: no expected number {key!r} for the script.")
            return format(value, fmt) if fmt else format_number(value)
        index = int(key)
        if index >= len(records):
            raise GoldenError(f"Case {case_id}: the tools returned no voice #{index}.")
        voc_id, quote = records[index]
        return voc_id if kind == "voc" else quote

    return _PLACEHOLDER.sub(fill, text)


def format_number(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.1f}"


def _voc_records(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(id, opening words) of every customer voice in the tool results, in order."""
    out: list[tuple[str, str]] = []
    for m in messages:
        if m.get("role") != "tool":
            continue
        for vid, literal in _VOC.findall(str(m.get("content") or "")):
            if vid not in {o[0] for o in out}:
                out.append((vid, _opening(json.loads(literal))))
    return out


def _opening(text: str) -> str:
    text = text.strip().rstrip("…").strip()
    if re.search(r"[\u4e00-\u9fff]", text[:_QUOTE_CJK]):
        return text[:_QUOTE_CJK]
    return " ".join(text.split()[:_QUOTE_WORDS])

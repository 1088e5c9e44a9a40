"""An answer finished without the model: what the tools found so far, cited, said to be partial.

Used when the answer's time budget runs out before the model has written (or finished writing)
the answer. Every figure is a cell of a tool's result, printed as it is, so the verifier checks
it like any other; nothing is summarised or interpreted, because only the model could do that.
"""

from __future__ import annotations

from typing import Any

from ..tools.ledger import Evidence, Ledger

_ROWS = 5
_QUOTE_CHARS = 160
_ITEMS = 12
_NOTE = {
    "en": (
        "This answer is partial: the time budget of {budget:g} s for one answer was reached, so "
        "it lists what the tools found and checked so far, without a written analysis. Raise "
        "answer_budget_s for the full answer."
    ),
    "zh": (
        "本回答不完整：已达到单次回答的时间上限（{budget:g} 秒），以下仅列出工具已查到并核对过的"
        "结果，没有撰写分析。调高 answer_budget_s 后重新提问可得到完整回答。"
    ),
}
_NOTHING = {
    "en": "No tool had returned evidence yet.",
    "zh": "尚无工具返回证据。",
}


def partial_note(budget_s: float, language: str) -> str:
    """The sentence that opens an answer the time budget cut short (added after verification,
    since its own figures are settings, not evidence)."""
    return _NOTE.get(language, _NOTE["en"]).format(budget=budget_s)


def evidence_lines(ledger: Ledger, turn_ids: list[str], language: str) -> str:
    """One line per piece of this turn's evidence, figures as the tools returned them."""
    ids = [i for i in dict.fromkeys(turn_ids) if i in ledger][:_ITEMS]
    lines = [line for i in ids if (line := _line(ledger.items[i]))]
    return "\n".join(lines) or _NOTHING.get(language, _NOTHING["en"])


def _line(ev: Evidence) -> str:
    if ev.kind == "voc":
        text = " ".join((ev.text or "").split())
        cut = text[:_QUOTE_CHARS] + ("…" if len(text) > _QUOTE_CHARS else "")
        return f"- [{ev.id}] “{cut}”"
    if not ev.columns or not ev.rows:
        return ""
    rows = "; ".join(_row(ev.columns, row) for row in ev.rows[:_ROWS])
    more = len(ev.rows) - _ROWS
    rest = f" (and {more} more rows)" if more > 0 else ""
    return f"- [{ev.id}] {ev.tool}: {rows}{rest}"


def _row(columns: list[str], row: list[Any]) -> str:
    return ", ".join(f"{c} {_cell(v)}" for c, v in zip(columns, row, strict=False))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)

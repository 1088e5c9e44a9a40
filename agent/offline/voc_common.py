"""Helpers shared by the customer-voice playbooks: slices, theme names, verbatim quotes."""

from __future__ import annotations

import re
from typing import Any

from ...data.voc_slice import linked_source
from .narrative import Writer
from .slots import Either
from .understand import Intent

NEGATIVE = re.compile(r"(?i)complain|problem|issue|negative|投诉|抱怨|问题|不满|差评")
_COUNT_WORDS = {
    "en": ["no", "one", "two", "three", "four", "five", "six", "seven", "eight"],
    "zh": ["零", "一", "两", "三", "四", "五", "六", "七", "八"],
}
_VOC_FILTERS = ("region", "product_line", "segment")


def count_word(w: Writer, n: int) -> str:
    """Small counts in words, which are not figures the verifier must find in evidence."""
    words = _COUNT_WORDS["zh" if w.lang == "zh" else "en"]
    return words[n] if 0 <= n < len(words) else str(n)


def voc_slice(intent: Intent) -> dict[str, Any]:
    """The feedback tools' filters for the question's: the feedback's own columns, and other
    groupings of the records it was written in ("吉利汽车" of a complaints table)."""
    out: dict[str, Any] = {k: v for k, v in intent.filters.items() if k in _VOC_FILTERS}
    if intent.slots.model:
        out["model"] = intent.slots.model
    records = {
        k: list(v.values) if isinstance(v, Either) else v
        for k, v in intent.filters.items()
        if k not in _VOC_FILTERS and k != "model" and linked_source(intent.catalog, k)
    }
    if records:
        out["filters"] = records
    return out


def voc_where(intent: Intent) -> dict[str, Any]:
    """The same filters, flat, for saying which slice an answer covers."""
    found = voc_slice(intent)
    return {k: v for k, v in found.items() if k not in ("model", "filters")} | {
        k: intent.filters[k] for k in found.get("filters", {})
    }


def theme_name(w: Writer, theme: dict[str, Any]) -> str:
    return str(theme.get("theme_name_zh") if w.lang == "zh" else theme.get("theme_name"))


def quote_lines(w: Writer, quotes: list[dict[str, Any]], limit: int = 3) -> list[str]:
    lines = []
    for q in quotes[:limit]:
        meta = ", ".join(str(x) for x in (q.get("source"), q.get("date")) if x)
        raw = str(q.get("customer_text") or "")
        text = short_quote(raw, 70 if re.search(r"[\u4e00-\u9fff]", raw) else 160)
        if text:
            lines.append(w.say("quote.meta", text=text, ref=q["id"], meta=meta))
    return lines


def short_quote(text: str, limit: int = 120) -> str:
    """A verbatim excerpt: the text up to ``limit`` characters, cut with "…" when longer."""
    text = " ".join(text.replace("“", "").replace("”", "").split())
    if len(text) <= limit:
        return text.rstrip("…")
    return text[:limit].rstrip() + "…"

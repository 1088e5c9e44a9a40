"""Render a filled template as Markdown, in the document's language.

Proposals (targets, deadlines, owners) carry a visible label; sections without evidence say so
and name the data that would settle them; user-provided sections say they were not checked.
"""

from __future__ import annotations

from typing import Any

from .filled import FilledSection, FilledTemplate

LABELS = {
    "en": {
        "proposal": "proposal",
        "insufficient": "Insufficient evidence — what data would settle it: {what}.",
        "user_input": "Provided by the user; not checked against data.",
        "sources": "Sources",
    },
    "zh": {
        "proposal": "建议",
        "insufficient": "证据不足——需要以下数据才能下结论：{what}。",
        "user_input": "由用户提供，未经数据核验。",
        "sources": "数据来源",
    },
}


def label(lang: str, key: str, **kw: str) -> str:
    return LABELS["zh" if lang == "zh" else "en"][key].format(**kw)


def render_markdown(doc: FilledTemplate) -> str:
    parts = [f"# {doc.title}", "", f"_{doc.purpose}_", ""]
    for section in doc.sections:
        parts.extend(_section(section, doc.language))
    return "\n".join(parts).rstrip() + "\n"


def _section(section: FilledSection, lang: str) -> list[str]:
    out = [f"## {section.title}", ""]
    if section.status == "insufficient":
        return [*out, f"> {label(lang, 'insufficient', what=section.settle_with)}", ""]
    if section.status == "user_input":
        out.extend([f"> {label(lang, 'user_input')}", ""])
    if section.text:
        out.extend([_with_citations(section.text, section.citations), ""])
    if section.items:
        out.extend([*_items_table(section, lang), ""])
    return out


def _items_table(section: FilledSection, lang: str) -> list[str]:
    # A table reads best for gaps, objectives and scores; only fields some item fills appear.
    fields = [f for f in section.fields if any(f.name in i.values for i in section.items)]
    heads = [f"{f.title} ({label(lang, 'proposal')})" if f.proposal else f.title for f in fields]
    heads.append(label(lang, "sources"))
    rows = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for item in section.items:
        cells = [_cell(item.values.get(f.name, "")) for f in fields]
        cells.append(", ".join(f"[{i}]" for i in item.citations))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _cell(value: Any) -> str:
    text = "; ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _with_citations(text: str, ids: list[str]) -> str:
    missing = [i for i in ids if f"[{i}]" not in text and i not in text]
    if not missing:
        return text
    return f"{text} [{', '.join(missing)}]"

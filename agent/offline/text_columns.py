"""Records with (or without) something written in a free-text column: "complaints that come with a
narrative", "surveys where the customer left a comment", "没有填写留言详情的".

A free-text column is one the catalog keeps as a column of the records but not as a grouping: its
values are mostly different (a narrative, a comment, a reply). The question names it by a telling
word of its name ("narrative" of Consumer complaint narrative, "详情" of 留言详情) right after a
word that says the records have it ("with", "come with", "left", "带", "写了") or lack it
("without", "no", "没有"). The part is then the records whose column is filled in (or blank).
"""

from __future__ import annotations

import re

from ...data.catalog import Catalog
from .column_measures import same_word

# Words of a column's name that say whose it is or what the records are, not what it holds.
_GENERIC = frozenset(
    [
        "consumer",
        "customer",
        "client",
        "user",
        "caller",
        "complaint",
        "complaints",
        "ticket",
        "tickets",
        "case",
        "cases",
        "record",
        "records",
        "message",
        "messages",
        "incident",
        "incidents",
        "review",
        "reviews",
        "survey",
        "surveys",
        "response",
        "text",
        "the",
        "of",
        "a",
        "an",
    ]
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_ROWS = re.compile(r"([\d,]+) rows")
_DISTINCT = re.compile(r"(?i)\bvarchar, ([\d,]+) distinct values")
_SOURCE_NAME = re.compile(r"Source column '([^']+)'")
# The records have it: "come with a narrative", "left a comment", "include a description".
_HAS_EN = re.compile(
    r"(?i)\b(?:with|come with|came with|comes with|coming with|includ(?:e|es|ed|ing)"
    r"|ha(?:s|ve|d|ving)|left|leave|leaves|leaving|wr(?:ite|ites|ote|itten|iting)(?: out)?"
    r"|provid(?:e|es|ed|ing)|contain(?:s|ed|ing)?|carr(?:y|ies|ied|ying)|attach(?:es|ed|ing)?"
    r"|fill(?:s|ed|ing)? in|gave|give|gives|giving|add(?:s|ed|ing)?)"
    r"(?:\s+(?:a|an|any|the|their|some|written|free-text|text|its|his|her|own))*(?:\s+[a-z]+)?\s*$"
)
_HAS_NOT_EN = re.compile(
    r"(?i)(?:\b(?:without|no|never|lack(?:s|ed|ing)?|missing)|n['’]t\s+[a-z]+|\bnot\s+[a-z]+)"
    r"(?:\s+(?:a|an|any|the|their|some|written|free-text|text|its|his|her|own))*(?:\s+[a-z]+)?\s*$"
)
_HAS_ZH = re.compile(r"(?:有|带|带有|附|附有|附了|写了|填写了|填了|留了|包含|提供了|给了)[了的]?$")
_HAS_NOT_ZH = re.compile(r"(?:没有|没|无|未|未填写|没填写?|没写|不带|缺少|缺)(?:填写|写|留|附)?$")


def column_title(description: str | None, name: str) -> str:
    """A column's name as the export wrote it (the derived catalog's "Source column 'Consumer
    complaint narrative'"), else its own with spaces."""
    said = _SOURCE_NAME.search(description or "")
    return said.group(1) if said else name.replace("_", " ")


def _count(pattern: re.Pattern[str], description: str | None) -> int | None:
    """A number the catalog's description of a table or column says ("6,230 rows")."""
    said = pattern.search(description or "")
    return int(said.group(1).replace(",", "")) if said else None


def record_id(cat: Catalog, table: str) -> str | None:
    """The column naming each record of ``table``: as many different values as the table has
    rows (as the catalog describes them), an id-like name first; None when none does."""
    spec = cat.tables.get(table)
    rows = _count(_ROWS, spec.description) if spec is not None else None
    if spec is None or rows is None:
        return None
    unique = [c for c, col in spec.columns.items() if _count(_DISTINCT, col.description) == rows]
    named = [c for c in unique if re.search(r"(?i)(?:^|_)(?:id|number|no|key|code)$", c)]
    return next(iter(named or unique), None)


def free_text_columns(cat: Catalog, table: str) -> dict[str, list[str]]:
    """The free-text columns of ``table`` and the telling words of each one's name."""
    spec = cat.tables.get(table)
    if spec is None:
        return {}
    rows = _count(_ROWS, spec.description) or 0
    grouped = {
        src.strip('"')
        for dim in cat.dimensions.values()
        if dim.values
        for t, src in dim.sources.items()
        if t == table
    }
    out: dict[str, list[str]] = {}
    for name, column in spec.columns.items():
        distinct = _count(_DISTINCT, column.description)
        if distinct is None or name in grouped or name == spec.time_column:
            continue
        if distinct < 20 or (rows and distinct < 0.2 * rows) or name.endswith("_id"):
            continue
        examples = (column.description or "").split("e.g.", 1)[-1]
        if not re.search(r"[a-z]+ [a-z]+|[\u3400-\u9fff]{6}", examples.lower()):
            continue  # codes or names ("INC0000045"), not something written
        title = column_title(column.description, name)
        if _CJK.search(title):
            words = [title, title[-2:]]
        else:
            words = [w for w in re.findall(r"[a-z]+", title.lower()) if w not in _GENERIC]
        if words:
            out[name] = words
    return out


def text_column_said(question: str, cat: Catalog, table: str) -> tuple[str, bool] | None:
    """The free-text column of ``table`` the question says its records have or lack, and
    whether they have it; None when it names none that way."""
    text = question.lower()
    found: list[tuple[str, bool]] = []
    for column, words in free_text_columns(cat, table).items():
        for word in words:
            if _CJK.search(word):
                spots = [m.start() for m in re.finditer(re.escape(word), text)]
            else:
                spots = [
                    m.start() for m in re.finditer(r"[a-z]+", text) if same_word(word, m.group(0))
                ]
            for at in spots:
                before = text[max(0, at - 30) : at]
                if _CJK.search(word):
                    if _HAS_NOT_ZH.search(before):
                        found.append((column, False))
                    elif _HAS_ZH.search(before):
                        found.append((column, True))
                elif _HAS_NOT_EN.search(before):
                    found.append((column, False))
                elif _HAS_EN.search(before):
                    found.append((column, True))
    said = set(found)
    return found[0] if len(said) == 1 else None

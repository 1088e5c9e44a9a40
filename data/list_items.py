"""Columns that hold a list in each cell: "H93,H15," (the defect codes of a complaint),
"1053488,1053489" (the ids of a tweet's replies), "billing; late delivery" (a record's tags).

Such a column is a list of short items joined by one delimiter. How many items a record has is
a measure of its own ("complaints logged with three or more codes", "收到3条及以上回复的推文",
"how many codes per complaint on average"). The count is one SQL expression, shared by the
catalog that derives the measure and the reader that compares it with a number, so both mean
the same items: the non-empty pieces between delimiters, a record with no value counting none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Delimiters a list cell is joined by, tried in this order.
DELIMITERS = (",", ";", "|", "、", "，", "；")
# At least this many values hold the delimiter; for items that are neither ids nor codes, also
# at least this share of them.
_MIN_SHARE = 0.15
_MIN_LISTS = 5
# Items are short and no prose: prose split at its commas gives long pieces with spaces.
_MAX_ITEM_CHARS = 24
_MAX_ITEM_CHARS_CJK = 12
_MAX_SPACED = 0.05
_CJK = re.compile(r"[\u3400-\u9fff]")
# "H93", "E111", "ERR-42": a letter prefix and a number.
_CODE = re.compile(r"^[A-Za-z]{1,4}[-_]?\d{1,6}[A-Za-z]?$")
# "1,234" or "12,345,678": a number with thousands separators, not a list of two.
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
# "Harborline Bank, N.A.", "Acme, Inc.": a name and its legal form, not a list of two.
_LEGAL_FORM = re.compile(
    r"(?i),\s*(?:inc|llc|l\.l\.c|ltd|limited|n\.a|co|corp|corporation|plc|gmbh|s\.a|l\.p|lp"
    r"|llp|pllc|ag|bv|nv)\.?\s*$"
)
_ITEMS = re.compile(
    r"COALESCE\(\s*LENGTH\(\s*REGEXP_EXTRACT_ALL\(\s*(?:\w+\.)?\"?(?P<column>\w+)\"?\s*,\s*"
    r"'\[\^(?P<d>.)\\s\]\[\^.\]\*'\s*\)\s*\)\s*,\s*0\s*\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ListShape:
    """How a column's cells hold their lists."""

    delimiter: str
    kind: str  # "codes", "ids" or "items"
    most: int  # the most items one cell holds


# A list of replies or responses: its items are what managers call replies.
REPLIES = re.compile(r"(?i)respon|repl|answer|回复|答复")
_REPLY_WORDS = ("replies", "reply", "responses", "response", "回复", "答复")


def item_words(column: str) -> tuple[str, ...]:
    """What the items of a list column are called by its name alone ("response_tweet_id":
    replies, 回复), beside the names its measure carries."""
    return _REPLY_WORDS if REPLIES.search(column) else ()


def items_expr(column_sql: str, delimiter: str) -> str:
    """How many items the cell holds: its non-empty pieces between delimiters (0 if empty)."""
    d = delimiter
    return f"COALESCE(LENGTH(REGEXP_EXTRACT_ALL({column_sql}, '[^{d}\\s][^{d}]*')), 0)"


def items_column(expr: str) -> str | None:
    """The column whose items ``expr`` (a catalog metric's expression) counts, if it does."""
    m = _ITEMS.search(expr)
    return m.group("column") if m else None


def items_list(expr: str) -> str | None:
    """The list of a record's items inside a metric's expression (its count's argument)."""
    m = _ITEMS.search(expr)
    if m is None:
        return None
    inner = re.search(r"REGEXP_EXTRACT_ALL\(.*\)(?=\s*\)\s*,\s*0\s*\)$)", m.group(0), re.I)
    return inner.group(0) if inner else None


def per_record(expr: str) -> str | None:
    """The item count of one record inside a metric's expression ("AVG(<count>)")."""
    m = _ITEMS.search(expr)
    return m.group(0) if m else None


def list_shape(values: list[str]) -> ListShape | None:
    """Whether the column whose non-empty values are ``values`` (a sample) holds lists, and
    how: the delimiter most of its cells that hold more than one item use."""
    values = [v.strip() for v in values if v and v.strip()]
    if len(values) < _MIN_LISTS:
        return None
    for d in DELIMITERS:
        joined = [v for v in values if d in v.strip(d + " ")]
        if len(joined) < _MIN_LISTS:
            continue
        if d == "," and sum(bool(_THOUSANDS.match(v)) for v in joined) > len(joined) / 2:
            return None
        if d == "," and sum(bool(_LEGAL_FORM.search(v)) for v in joined) > len(joined) / 2:
            return None
        items = [i.strip() for v in values for i in v.split(d) if i.strip()]
        if not items or not _short(items):
            return None
        kind = _kind(items)
        # Ids and codes joined are lists however few cells hold more than one; other short
        # pieces are, when many cells are joined so.
        if kind == "items" and len(joined) < _MIN_SHARE * len(values):
            return None
        most = max(len([i for i in v.split(d) if i.strip()]) for v in values)
        return ListShape(d, kind, most)
    return None


def _short(items: list[str]) -> bool:
    cjk = sum(bool(_CJK.search(i)) for i in items) > len(items) / 2
    limit = _MAX_ITEM_CHARS_CJK if cjk else _MAX_ITEM_CHARS
    if sum(len(i) for i in items) / len(items) > limit:
        return False
    spaced = sum(i.count(" ") >= 2 for i in items)
    return spaced <= _MAX_SPACED * len(items)


def _kind(items: list[str]) -> str:
    if sum(i.isdigit() for i in items) >= 0.9 * len(items):
        return "ids"
    if sum(bool(_CODE.match(i)) for i in items) >= 0.8 * len(items):
        return "codes"
    return "items"

"""Records by the hour of the day they came in: "opened before 8 in the morning or from 6 in the
evening onwards", "晚上8点以后、第二天早上8点以前提交的", "between 9am and 5pm".

The hours said become a condition on the hour of each record's time (its table's time column),
read like a threshold (``thresholds.Threshold``): the records that meet it are counted with their
share, in one guarded query. Only clock times are read: a number needs a mark of the hour ("am",
"pm", "o'clock", "in the evening", "点"), so "before 2017" or "after 3 days" are no hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...data.catalog import Catalog
from .thresholds import Threshold

_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}  # fmt: skip
_LATE_EN = r"pm|p\.m\.|in the (?:evening|afternoon)|at night|tonight"
_EARLY_EN = r"am|a\.m\.|in the morning|o'clock"
_CLOCK_EN = (
    r"(?P<h>1[0-2]|0?\d|2[0-3])(?::(?P<min>[0-5]\d))?\s*(?P<mark>" + _LATE_EN + "|" + _EARLY_EN
    + r"|:00|h\b)?"
)  # fmt: skip
_BEFORE_EN = re.compile(
    r"(?i)\b(?:before|earlier than|prior to|until|till)\s+" + _CLOCK_EN.replace("?P<", "?P<b_")
)
_AFTER_EN = re.compile(
    r"(?i)\b(?:after|from|past|later than|since)\s+" + _CLOCK_EN.replace("?P<", "?P<a_")
    + r"(?P<a_on>\s+(?:onwards?|on|or later))?"
)  # fmt: skip
_BETWEEN_EN = re.compile(
    r"(?i)\bbetween\s+" + _CLOCK_EN.replace("?P<", "?P<x_") + r"\s+and\s+"
    + _CLOCK_EN.replace("?P<", "?P<y_")
)  # fmt: skip
_ZH_PART = (
    r"(?P<part>第二天早上|次日早上|第二天|次日|凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间"
    r"|深夜)?"
)
_ZH_CLOCK = (
    _ZH_PART
    + r"\s*(?P<h>\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*(?:点|时|點)(?:钟)?(?P<half>半)?"
)
_ZH_BEFORE = re.compile(_ZH_CLOCK + r"\s*(?:以前|之前|前)")
_ZH_AFTER = re.compile(_ZH_CLOCK + r"\s*(?:以后|之后|后|起|开始|以来)")
_ZH_RANGE = re.compile(
    _ZH_CLOCK.replace("?P<", "?P<x_") + r"\s*(?:到|至|-|~|—)\s*"
    + _ZH_CLOCK.replace("?P<", "?P<y_") + r"\s*(?:之间|间)?"
)  # fmt: skip
_ZH_LATE = ("下午", "傍晚", "晚上", "夜里", "夜间", "深夜")


@dataclass(frozen=True)
class _Bound:
    kind: str  # "before", "after"
    hour: int
    start: int
    end: int


# Clock times said by name, written as the hour they are (the same length, so the words said
# keep their place): "between midnight and 6 am" is between 12 am and 6 am.
_NAMED_HOURS = (
    (re.compile(r"(?i)\bmidnight\b"), "12:00 am"),
    (re.compile(r"(?i)\b(?:noon|midday)\b"), lambda m: "12 pm".ljust(len(m.group(0)))),
)


def hours_said(question: str) -> tuple[frozenset[int], str] | None:
    """The hours of the day the question's clock times take in, and its words for them."""
    asked = question
    for pattern, hour in _NAMED_HOURS:
        question = pattern.sub(hour, question)
    ranges = [_en_between(m) for m in _BETWEEN_EN.finditer(question)]
    ranges += [_zh_range(m) for m in _ZH_RANGE.finditer(question)]
    taken = [(a, b) for r in ranges if r is not None for a, b in [r[1]]]
    bounds = [
        b for b in [*_en_bounds(question), *_zh_bounds(question)]
        if not any(a <= b.start < z for a, z in taken)
    ]  # fmt: skip
    hours: set[int] = set()
    spans = list(taken)
    for found in ranges:
        if found is not None:
            hours |= found[0]
    befores = [b for b in bounds if b.kind == "before"]
    afters = [b for b in bounds if b.kind == "after"]
    if len(befores) > 1 or len(afters) > 1:
        return None  # more clock times than one condition reads
    if befores and afters:
        low, high = afters[0].hour, befores[0].hour
        # "After 9 and before 17": the hours between; "after 20, before 8": the night around.
        hours |= set(range(low, high)) if low < high else set(range(low, 24)) | set(range(high))
    elif befores:
        hours |= set(range(befores[0].hour))
    elif afters:
        hours |= set(range(afters[0].hour, 24))
    spans += [(b.start, b.end) for b in bounds]
    if not hours or len(hours) == 24 or not spans:
        return None
    start, end = min(a for a, _ in spans), max(z for _, z in spans)
    return frozenset(hours), asked[start:end].strip(" ,，、")  # as the question says them


def hour_threshold(question: str, catalog: Catalog, metric: str) -> Threshold | None:
    """The records of ``metric``'s table whose time falls in the hours the question says."""
    said = hours_said(question)
    spec = catalog.metrics.get(metric)
    if said is None or spec is None:
        return None
    column = catalog.tables[spec.table].time_column if spec.table in catalog.tables else None
    if not column:
        return None
    hours, words = said
    return Threshold(
        metric, spec.table, f'hour({spec.table}."{column}")', "IN", 0.0, words,
        where=spec.filter_sql or "", among=tuple(sorted(hours)), measure="time of day",
    )  # fmt: skip


def _en_hour(h: str | None, mark: str | None) -> int | None:
    if h is None or not mark:
        return None
    n, late = int(h), bool(re.fullmatch(_LATE_EN, mark.lower()))
    if n > 23:
        return None
    if late and n < 12:
        n += 12
    if mark.lower() in ("am", "a.m.") and n == 12:
        n = 0
    return n


def _en_bounds(question: str) -> list[_Bound]:
    out = []
    for m in _BEFORE_EN.finditer(question):
        h = _en_hour(m["b_h"], m["b_mark"])
        if h is not None:
            out.append(_Bound("before", h, m.start(), m.end()))
    for m in _AFTER_EN.finditer(question):
        h = _en_hour(m["a_h"], m["a_mark"])
        if h is not None:
            out.append(_Bound("after", h, m.start(), m.end()))
    return out


def _en_between(m: re.Match[str]) -> tuple[frozenset[int], tuple[int, int]] | None:
    # "Between 9 and 5pm": one mark serves both ends.
    x = _en_hour(m["x_h"], m["x_mark"] or m["y_mark"])
    y = _en_hour(m["y_h"], m["y_mark"] or m["x_mark"])
    if x is None or y is None:
        return None
    if m["x_mark"] is None and y >= 12 and x < y - 12:  # "between 9 and 5pm": 9am
        x = int(m["x_h"])
    hours = set(range(x, y)) if x < y else set(range(x, 24)) | set(range(y))
    return frozenset(hours), (m.start(), m.end())


def _zh_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _ZH_DIGITS.get(text[1:], 0)
    if text.endswith("十"):
        return _ZH_DIGITS.get(text[:-1], 0) * 10
    if len(text) == 3 and text[1] == "十":
        return _ZH_DIGITS.get(text[0], 0) * 10 + _ZH_DIGITS.get(text[2], 0)
    return _ZH_DIGITS.get(text)


def _zh_hour(part: str | None, h: str) -> int | None:
    n = _zh_number(h)
    if n is None or n > 23:
        return None
    if part in _ZH_LATE and n < 12:
        n += 12
    if part == "中午" and n < 6:
        n += 12
    return n


def _zh_bounds(question: str) -> list[_Bound]:
    out = []
    for pattern, kind in ((_ZH_BEFORE, "before"), (_ZH_AFTER, "after")):
        for m in pattern.finditer(question):
            h = _zh_hour(m["part"], m["h"])
            if h is not None:
                # "8点半以后": from the hour after the half hour's start is not a whole hour;
                # the hour it falls in is kept for "before", dropped for "after".
                out.append(_Bound(kind, h + (1 if m["half"] and kind == "after" else 0),
                                  m.start(), m.end()))  # fmt: skip
    return out


def _zh_range(m: re.Match[str]) -> tuple[frozenset[int], tuple[int, int]] | None:
    x = _zh_hour(m["x_part"], m["x_h"])
    y = _zh_hour(m["y_part"] or m["x_part"], m["y_h"])
    if x is None or y is None:
        return None
    if m["y_part"] is None and m["x_part"] is None and y < x:
        y += 12  # "9点到5点": the afternoon's five
    hours = set(range(x, y)) if x < y else set(range(x, 24)) | set(range(y))
    return frozenset(hours), (m.start(), m.end())

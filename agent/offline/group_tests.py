"""Conditions a question sets on each group rather than on each record: "companies with at
least 100 complaints", "差评率低于50%的品类", "districts with a satisfaction rate below 80%".

A condition on a share is a comparison with a percentage ("less than 97% of the time", "低于
50%", "80%以上"); one on a group's size is a number of records ("at least 200 tickets",
``thresholds.records_per_group``). The groups passing them are counted, listed and ranked by
``group_filter``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...data.catalog import Catalog
from .thresholds import EN_AFTER, EN_BEFORE, ZH_AFTER, ZH_BEFORE

_PCT = r"(?P<n>\d{1,3}(?:\.\d+)?)\s*(?:%|％|\s?percent\b|\s?per cent\b)"
_ZH_PCT = r"(?:百分之(?P<zn>\d{1,3}(?:\.\d+)?)|(?P<n>\d{1,3}(?:\.\d+)?)\s*[%％])"


@dataclass(frozen=True)
class GroupTest:
    """Groups of ``dimension`` kept by a comparison of ``metric`` (``op`` empty: none, the
    groups are ranked by it) and by their number of records (``size``: operator, number,
    words said)."""

    dimension: str
    metric: str
    op: str = ""
    value: float = 0.0
    said: str = ""
    size: tuple[str, int, str] | None = None
    # A part of each group's records (filters, positive) the condition counts instead of the
    # measure: ``op`` "none" (not one of them), "all" (every record), or a comparison of
    # their number with ``value`` ("more than 20 unanswered").
    part: tuple[tuple[str, Any], ...] = ()
    # The share of the part is taken over the records whose part column is set ("among the
    # messages that were rated"), not over all the group's records.
    over_set: bool = False
    # ``value`` is a percentage of the group's records (or of those with the part column set).
    percent: bool = False
    # The part is the records with no value in a column (its SQL, or "dim:<name>" for a
    # dimension, and the name shown) rather than filters.
    unset: tuple[str, str] | None = None
    # ``op`` compares the number of each group's records of the part (all of them, no part).
    by_count: bool = False


@dataclass(frozen=True)
class PercentTest:
    op: str  # "<", "<=", ">", ">="
    value: float  # in percent
    said: str  # the question's words ("below 80%")


def percent_test(question: str) -> PercentTest | None:
    """The first comparison with a percentage the question says."""
    return _first_said(
        question,
        [
            *((rf"(?i)\b(?:{words})\s+{_PCT}", op) for words, op in EN_BEFORE),
            *((rf"(?i){_PCT}\s*(?:{words})", op) for words, op in EN_AFTER),
            *((rf"(?:{words})\s*{_ZH_PCT}", op) for words, op in ZH_BEFORE),
            *((rf"{_ZH_PCT}\s*(?:{words})", op) for words, op in ZH_AFTER),
        ],
    )


# The words of a measure's unit, after the number it is compared with.
_UNIT_WORDS = {
    "characters": r"char(?:acter)?s?|字(?:符)?|个字",
    "hours": r"hours?|hrs?|h\b|小时|个小时",
    "days": r"days?|天",
    "minutes": r"minutes?|mins?|分钟",
}


def value_test(question: str, unit: str) -> PercentTest | None:
    """The first comparison of a group's measure with a number in its unit ("longer than 100
    characters on average", "平均超过100字"); None when the measure has no unit said so."""
    words = _UNIT_WORDS.get(unit)
    if words is None:
        return None
    num = rf"(?P<n>\d+(?:\.\d+)?)\s*(?:{words})"
    return _first_said(
        question,
        [
            *((rf"(?i)\b(?:{before})\s+{num}", op) for before, op in EN_BEFORE),
            *((rf"(?:{before})\s*{num}", op) for before, op in ZH_BEFORE),
        ],
    )


def _first_said(question: str, forms: list[tuple[str, str]]) -> PercentTest | None:
    """The comparison said first, of those the patterns (each with its operator) find; the
    number is the pattern's group "n" (or "zn", written out in Chinese)."""
    found: list[tuple[int, PercentTest]] = []
    for pattern, op in forms:
        for m in re.finditer(pattern, question):
            number = m.groupdict().get("n") or m.groupdict().get("zn") or "0"
            found.append((m.start(), PercentTest(op, float(number), m.group(0).strip())))
    return min(found, key=lambda f: f[0])[1] if found else None


def _columns(expr: str) -> set[str]:
    return set(re.findall(r'"([^"]+)"', expr)) or set(re.findall(r"\b[a-z_][a-z0-9_]*\b", expr))


def share_metric(catalog: Catalog, metrics: list[str]) -> str | None:
    """The share the question compares with a percentage: the first of its metrics in %, else
    the share kept beside a count it names ("respond on time" counted → the on-time share)."""
    for name in metrics:
        m = catalog.metrics.get(name)
        if m is not None and m.unit == "%":
            return name
    for name in metrics:
        m = catalog.metrics.get(name)
        if m is None or m.unit != "count":
            continue
        cols, negated = _columns(m.spec.expr), "NOT " in m.spec.expr.upper()
        for other, x in catalog.metrics.items():
            if x.table != m.table or x.unit != "%" or x.spec.filter != m.spec.filter:
                continue
            if _columns(x.spec.expr) == cols and ("NOT " in x.spec.expr.upper()) == negated:
                return other
    return None


# Words saying that not one, or every one, of a group's records is of a kind: "never had a
# single complaint disputed", "not a single complaint still in progress", "every single one of
# them sitting at 信息审核", "连一条“不满意”都没收到", "全部都是…". Each says a condition on
# the group, not on its records ("complaints never disputed" alone is the records').
_NONE_EN = (
    r"\b(?:never\s+(?:had|got|received|seen|been\s+given|filed|logged)\s+(?:a\s+single|any|one|even\s+one)"
    r"|not\s+(?:a\s+single|one\s+single|even\s+one)|no\s+single|without\s+(?:a\s+single|even\s+one)"
    r"|none\s+of\s+(?:its|their|whose)|zero)\b"
)
_ALL_EN = (
    r"\b(?:every\s+single\s+one|each\s+and\s+every\s+one|every\s+one\s+of\s+(?:them|its|their)"
    r"|all\s+of\s+(?:them|its|their)(?:\s+\w+)?\s+(?:are|were|is|still|sit|sitting|in|at|have"
    r"|has|reached|got|made)"
    r"|(?:100|a\s+hundred)\s*(?:%|percent)\s+of\s+(?:its|their))\b"
)
_NONE_ZH = (
    r"连一[条个张次件单份]|一[条个张次件单份][^，。？?,]{0,12}都(?:没|未)|没有任何一"
    r"|从(?:来)?没有?过?一[条个张次件单份]"
)
_ALL_ZH = (
    r"全部都|全都(?:是|在|处于|为|走到|到了|进入)|全部(?:是|处于|停留在|卡在|走到|到了|到达|进入|变成)"
    r"|都(?:处于|停留在|卡在)"
    r"|清一色|无一例外|每一?[条个张件单份]都"
)


def every_or_none(question: str) -> tuple[str, int, str] | None:
    """("none" | "all", where it is said, the words) when the question keeps the groups
    none, or all, of whose records are of a kind; None otherwise."""
    found = [
        (m.start(), kind, m.group(0))
        for pattern, kind in ((_NONE_EN, "none"), (_ALL_EN, "all"))
        for m in re.finditer(pattern, question, re.IGNORECASE)
    ]
    found += [
        (m.start(), kind, m.group(0))
        for pattern, kind in ((_NONE_ZH, "none"), (_ALL_ZH, "all"))
        for m in re.finditer(pattern, question)
    ]
    if not found:
        return None
    start, kind, words = min(found)
    return kind, start, words

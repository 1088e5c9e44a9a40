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


@dataclass(frozen=True)
class PercentTest:
    op: str  # "<", "<=", ">", ">="
    value: float  # in percent
    said: str  # the question's words ("below 80%")


def percent_test(question: str) -> PercentTest | None:
    """The first comparison with a percentage the question says."""
    found: list[tuple[int, PercentTest]] = []
    for words, op in EN_BEFORE:
        for m in re.finditer(rf"(?i)\b(?:{words})\s+{_PCT}", question):
            found.append((m.start(), PercentTest(op, float(m["n"]), m.group(0).strip())))
    for words, op in EN_AFTER:
        for m in re.finditer(rf"(?i){_PCT}\s*(?:{words})", question):
            found.append((m.start(), PercentTest(op, float(m["n"]), m.group(0).strip())))
    for words, op in ZH_BEFORE:
        for m in re.finditer(rf"(?:{words})\s*{_ZH_PCT}", question):
            value = float(m["n"] or m["zn"])
            found.append((m.start(), PercentTest(op, value, m.group(0).strip())))
    for words, op in ZH_AFTER:
        for m in re.finditer(rf"{_ZH_PCT}\s*(?:{words})", question):
            value = float(m["n"] or m["zn"])
            found.append((m.start(), PercentTest(op, value, m.group(0).strip())))
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

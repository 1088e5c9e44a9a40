"""Durations between two events the question names in order ("once resolved, how long until
closed", "从解决到关闭"): the catalog's duration metric from the first event's date column to
the second's, whatever the columns are called.

A duration metric is one whose expression subtracts two date columns' epochs; each column is
read as an event by the words of its name (open, creat, resolv, clos, respon…), and the question
by the same events said as verbs or nouns.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ...data.catalog import Catalog

# Each event: the stems of column names that record it, and how a question says it.
_EVENTS = (
    ("open", r"open|creat|submit|logged|receiv",
     r"\bopen(?:ed|ing|s)?\b|\bcreat|\blogged\b|\braised\b|开单|创建|提交|受理|报修"),
    ("response", r"repl|respon|answer", r"\brespon|\brepl(?:y|ied|ies)\b|\banswer|响应|回复"),
    ("resolve", r"resolv|solv|fix", r"\bresol|\bsolved\b|\bfixed\b|解决|修复"),
    ("close", r"clos", r"\bclos(?:e|ed|ing|ure)\b|关闭|结案|关单"),
)  # fmt: skip
_EPOCHS = re.compile(r'epoch\(\s*"?(\w+)"?\s*\)\s*-\s*epoch\(\s*"?(\w+)"?\s*\)', re.IGNORECASE)
_MEDIAN = re.compile(r"\bmedian\b|中位数", re.IGNORECASE)
_AVERAGE = re.compile(r"\baverage\b|\bmean\b|\bavg\b|平均", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    metrics: tuple[str, ...]
    start: str  # event names
    end: str
    words: tuple[str, ...]  # the question's words that named the two events


def _event_of(column: str) -> str | None:
    low = column.lower()
    return next((name for name, stems, _ in _EVENTS if re.search(stems, low)), None)


def said_events(question: str) -> list[tuple[str, str]]:
    """The events the question says, in the order it says them, with the words used."""
    found = []
    for name, _, said in _EVENTS:
        for m in re.finditer(said, question, re.IGNORECASE):
            found.append((m.start(), name, m.group(0)))
    found.sort()
    out: list[tuple[str, str]] = []
    for _, name, word in found:
        if not out or out[-1][0] != name:
            out.append((name, word))
    return out


def duration_between(question: str, catalog: Catalog) -> Span | None:
    """The duration metric from the question's first named event to its next one, when the
    catalog has one and the question names two events; the median when it asks for it."""
    events = said_events(question)
    if len(events) < 2:
        return None
    spans: dict[tuple[str, str], list[str]] = {}
    for name, metric in catalog.metrics.items():
        m = _EPOCHS.search(metric.spec.expr)
        if metric.unit != "hours" or m is None:
            continue
        end, start = _event_of(m.group(1)), _event_of(m.group(2))
        if start and end:
            spans.setdefault((start, end), []).append(name)
    median = bool(_MEDIAN.search(question))
    average = bool(_AVERAGE.search(question))
    for (a, wa), (b, wb) in itertools.pairwise(events):
        names = spans.get((a, b))
        if names:
            medians = [n for n in names if "MEDIAN" in catalog.metrics[n].spec.expr.upper()]
            means = [n for n in names if n not in medians]
            # The average unless the median is asked for; both when both are.
            pick = [*means[:1]] if average or not median else []
            pick += medians[:1] if median else []
            return Span(tuple(pick or names[:1]), a, b, (wa, wb))
    return None

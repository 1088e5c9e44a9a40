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
    ("open", r"open|creat|submit|logged|receiv|留言|提交|受理|创建",
     r"\bopen(?:ed|ing|s)?\b|\bcreat|\blogged\b|\braised\b|开单|创建|提交|受理|报修"),
    ("response", r"repl|respon|answer|回复|答复|响应",
     r"\brespon|\brepl(?:y|ied|ies)\b|\banswer|响应|回复|答复"),
    ("resolve", r"resolv|solv|fix", r"\bresol|\bsolve[sd]\b|\bfix(?:es|ed)\b|解决|修复"),
    ("close", r"clos", r"\bclos(?:e|es|ed|ing|ure)\b|关闭|结案|关单"),
)  # fmt: skip
_EPOCHS = re.compile(r'epoch\(\s*"?(\w+)"?\s*\)\s*-\s*epoch\(\s*"?(\w+)"?\s*\)', re.IGNORECASE)
_MEDIAN = re.compile(r"\bmedian\b|中位数", re.IGNORECASE)
# An average asked for ("on average", "mean", "平均", "均值").
AVERAGE = re.compile(r"\baverage\b|\bmean\b|\bavg\b|平均|均值", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    metrics: tuple[str, ...]
    start: str  # event names
    end: str
    words: tuple[str, ...]  # the question's words that named the two events


def event_of(column: str) -> str | None:
    """The event a column's (or a value's) name records: open, response, resolve, close."""
    low = column.lower()
    return next((name for name, stems, _ in _EVENTS if re.search(stems, low)), None)


def end_event(expr: str) -> str | None:
    """The event a duration's expression ends at ("epoch(closed_at) - epoch(opened_at)": close)."""
    m = _EPOCHS.search(expr)
    return event_of(m.group(1)) if m else None


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


_NOT_BY_DATE = re.compile(
    r"(?i)(?:不按|不是按|而不是按?)[\u4e00-\u9fff\w]{1,12}?(?:时间|日期)(?:算|统计|计)?"
    r"|\bnot (?:by|on|from) (?:the |their )?[\w ]{1,20}?(?:date|time)\b"
)


def event_date_column(question: str, catalog: Catalog, table: str) -> str | None:
    """The date column of ``table`` recording the one event a count question names by its
    verb ("how many tickets were resolved in May", "5月解决了多少张"), when it is not the
    table's own time column (the records' opening); None when the question names the opening
    too, or another number of events, or no one column records it."""
    # "按解决时间算，不按创建时间": the date set aside names no event counted.
    events = said_events(_NOT_BY_DATE.sub(" ", question))
    if len(events) != 1 or events[0][0] == "open":
        return None
    found = _dated_columns(catalog, table, events[0][0])
    spec = catalog.tables.get(table)
    if spec is None or len(found) != 1 or found[0] == spec.time_column:
        return None
    return found[0]


# "已经答复的留言里", "among the messages that have been answered", "of the resolved tickets":
# the records an event has happened to, as the whole a share is taken over.
_AMONG_DONE = re.compile(
    r"(?:在)?(?:已经|已)(?P<zh>[\u4e00-\u9fff]{2})(?:了|过)?的[\u4e00-\u9fff]{0,4}?(?:里面?|中|当中)"
    r"|(?i:\b(?:among|of|for) (?:the |all (?:the )?)?(?:\w+ )?(?:that|which) (?:have|has) been "
    r"(?P<en>\w+ed)\b|\b(?:among|of) (?:the |all (?:the )?)?(?P<en2>answered|resolved|closed"
    r"|replied|responded) (?:ones|\w+)\b)"
)


def done_column(question: str, catalog: Catalog, table: str) -> tuple[str, str] | None:
    """(date column, words said) when the question takes the records an event happened to as
    its whole ("已经答复的留言里", "among the answered messages"): the column recording that
    event; None otherwise."""
    m = _AMONG_DONE.search(question)
    if m is None:
        return None
    said = said_events(m.group(0))
    if len(said) != 1 or said[0][0] == "open":
        return None
    found = _dated_columns(catalog, table, said[0][0])
    return (found[0], m.group(0)) if len(found) == 1 else None


def _dated_columns(catalog: Catalog, table: str, event: str) -> list[str]:
    """The date columns of ``table`` recording ``event``."""
    spec = catalog.tables.get(table)
    columns = spec.columns if spec is not None else {}
    return [
        column
        for column, col in columns.items()
        if event_of(column) == event and _DATED.search(col.description or column)
    ]


# An event said as a state not reached ("unresolved", "未解决"): a status, not a date.
_NOT_YET = re.compile(r"(?i)(?:\bun|\bnot\s+(?:yet\s+)?|\bnever\s+|未|没有?|尚未|不)$")


def undated_event(question: str, catalog: Catalog, table: str) -> tuple[str, str] | None:
    """The one event a question names by its verb (resolve, close, reply) when no date column
    of ``table`` records it, with the words said: counted by the records' own date, the
    answer must say so ("6月7日解决了多少投诉" over complaints dated only by their filing)."""
    events = said_events(question)
    if len(events) != 1 or events[0][0] == "open" or table not in catalog.tables:
        return None
    name, word = events[0]
    at = question.lower().find(word.lower())
    if at >= 0 and _NOT_YET.search(question[max(0, at - 12) : at]):
        return None
    return None if _dated_columns(catalog, table, name) else (name, word)


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
        end, start = event_of(m.group(1)), event_of(m.group(2))
        if start and end:
            spans.setdefault((start, end), []).append(name)
    median = bool(_MEDIAN.search(question))
    average = bool(AVERAGE.search(question))
    pairs = list(itertools.pairwise(events))
    for m in _FROM_TO.finditer(question):
        # "who closes them out fastest - the median time from opening to resolution": the
        # span said from one event to the other comes before the verbs said around it.
        said = said_events(m.group(0))
        if len(said) == 2:
            pairs.insert(0, (said[0], said[1]))
    for (a, wa), (b, wb) in pairs:
        if _AFTER.search(_between(question, wa, wb)):
            # "How long to close an incident after it is resolved": resolved, then closed.
            (a, wa), (b, wb) = (b, wb), (a, wa)
        names = spans.get((a, b))
        if names:
            medians = [n for n in names if "MEDIAN" in catalog.metrics[n].spec.expr.upper()]
            means = [n for n in names if n not in medians]
            # The average unless the median is asked for; both when both are.
            pick = [*means[:1]] if average or not median else []
            pick += medians[:1] if median else []
            return Span(tuple(pick or names[:1]), a, b, (wa, wb))
    return None


_AFTER = re.compile(r"(?i)\bafter\b|之后|以后")
# "from opening to resolution", "从开单到解决": a span named by its two ends.
_FROM_TO = re.compile(
    r"(?i)\bfrom (?:the |being |its |their )?\w+(?: \w+)? (?:to|until|till) "
    r"(?:the |being |its )?\w+"
    r"|从[\u4e00-\u9fff]{1,6}?到[\u4e00-\u9fff]{1,6}"
)


def _between(question: str, first: str, second: str) -> str:
    """The words between two event words the question says in this order."""
    low = question.lower()
    i = low.find(first.lower())
    j = low.find(second.lower(), i + len(first)) if i >= 0 else -1
    return low[i + len(first) : j] if 0 <= i < j else ""


_TIME_WORD = re.compile(r"(?i)\b(?:time|date|timestamp|day)s?\b|时间|日期")


def unset_time_column(phrase: str, catalog: Catalog | None) -> tuple[str, str] | None:
    """The date column an "unset" phrase names ("a resolution time", "解决时间"): the one column
    of the catalog's tables recording the event the phrase says, when exactly one does."""
    if catalog is None:
        return None
    # "a resolution time", "解决时间"; or the event alone ("还没有答复的留言": no reply yet).
    bare = phrase.strip()
    alone = len(bare) <= 4 if re.search(r"[\u3400-\u9fff]", bare) else " " not in bare
    if not _TIME_WORD.search(phrase) and not alone:
        return None
    events = {name for name, _ in said_events(phrase)}
    if len(events) != 1:
        return None
    found = [
        (table, column)
        for table, spec in catalog.tables.items()
        for column in spec.columns
        if event_of(column) in events and _DATED.search(spec.columns[column].description or column)
    ]
    return found[0] if len(found) == 1 else None


# A column holding dates: its derived description starts with its type, else its name says so.
_DATED = re.compile(r"(?i)^(?:timestamp|date)|_at$|_time$|_date$|时间$|日期$")

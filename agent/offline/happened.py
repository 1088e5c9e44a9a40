"""A measure for the records that something happened to at least once, beside the records it
never happened to: "the SLA rate for reopened tickets and for tickets never reopened", "the
median hours to resolution for tickets reassigned at least once versus never", "被重新打开过的
工单，从开单到解决的中位数".

What happened is a number column counting an event per record (reopen_count): the catalog
measures it "at least once" (``CASE WHEN "reopen_count" > 0``), and the question names it by
its verb. The measure is another metric of the same table (``conditions`` computes it on each
side in one guarded query).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...data.catalog import Catalog
from .catalog_choice import plain_count
from .column_measures import chinese_names, names_column
from .durations import AVERAGE
from .thresholds import COLUMN_AVERAGE, times_on

# The column an "at least once" measure tests: ``"reopen_count" > 0``.
_AT_LEAST_ONCE = re.compile(r'(?:CASE WHEN|WHERE)\s+"?(\w+)"?\s*>\s*0\b', re.IGNORECASE)
# Chinese said of an event that happened to a record: "被重新打开过的", "转派过的".
_ZH_HAPPENED = re.compile(r"(?:被|有)?([\u4e00-\u9fff]{2,6}?)过(?:的|至少)")
_COUNTING = re.compile(r"次数|数量|计数|count|_", re.IGNORECASE)


@dataclass(frozen=True)
class Condition:
    column: str  # the number column counting the event
    table: str
    said: str  # the column's words, as the answer names the event ("reopen", "重开")
    metric: str  # the measure computed on each side
    # Words in the records' text instead of a counted event ("messages reporting 违章搭建").
    terms: tuple[str, ...] = ()
    # Values of one column set against the rest of it ("临江县 and 青山县 against the other
    # districts"): the column and the values.
    values: tuple[str, tuple[str, ...]] | None = None
    # How many times at least the event happened to the records asked about ("reopened more
    # than once": 2); the others are the rest.
    least: int = 1
    # The most times it happened to any one record is asked too ("and the most times any
    # ticket was reopened"), when the measure is the column's own average.
    most: bool = False


def at_least_once_columns(cat: Catalog) -> dict[str, tuple[str, str]]:
    """Metric name -> (table, column) of the catalog's "at least once" measures, and of the
    shares of a yes/no column no dimension reads ("reopened": ``AVG(CAST(reopened AS DOUBLE))``,
    the records it happened to, which no filter can pick)."""
    out = {}
    for name, metric in cat.metrics.items():
        m = _AT_LEAST_ONCE.search(metric.spec.expr) or _YES_SHARE.match(metric.spec.expr.strip())
        if m is not None and (m.re is _AT_LEAST_ONCE or not _read(cat, metric.table, m.group(1))):
            out[name] = (metric.table, m.group(1))
    return out


# The share of rows where a yes/no column is yes: ``100.0 * AVG(CAST(reopened AS DOUBLE))``.
_YES_SHARE = re.compile(
    r'^(?:100(?:\.0*)?\s*\*\s*)?AVG\(\s*CAST\(\s*"?(\w+)"?\s+AS\s+(?:DOUBLE|INTEGER|INT|FLOAT)\s*\)\s*\)$',
    re.IGNORECASE,
)


def _counted(cat: Catalog, table: str, column: str) -> bool:
    """Whether ``column`` counts an event per record (an "at least once" measure tests it)."""
    return any(
        (m := _AT_LEAST_ONCE.search(x.spec.expr)) is not None and m.group(1) == column
        for x in cat.metrics.values()
        if x.table == table
    )


def _read(cat: Catalog, table: str, column: str) -> bool:
    """Whether a dimension reads ``column`` of ``table`` (so a filter picks its records)."""
    return any(
        re.fullmatch(rf'(?:\w+\.)?"?{re.escape(column)}"?', d.sources.get(table, "").strip())
        for d in cat.dimensions.values()
    )


def event_measures(question: str, cat: Catalog) -> list[str]:
    """The "at least once" measures of the one event the question names by its verb ("what
    share of tickets were reopened"), or []."""
    found = at_least_once_columns(cat)
    asked = re.findall(r"[a-z]+", question.lower())
    named = {tc for tc in found.values() if _named(cat, *tc, asked, question)}
    if len(named) != 1:
        return []
    return [name for name, tc in found.items() if tc in named]


def condition_of(question: str, cat: Catalog, metrics: list[str]) -> Condition | None:
    """The event a question limits its measure to ("reopened tickets"), with the measure: one
    metric of the same table that is neither a plain count nor the event's own measure."""
    found = at_least_once_columns(cat)
    asked = re.findall(r"[a-z]+", question.lower())
    named = {tc for tc in found.values() if _named(cat, *tc, asked, question)}
    measured = {found[m] for m in metrics if m in found}
    # "For tickets reopened more than once, the average reassignment count": the column averaged
    # is the measure, the other the event.
    averaged = {(cat.metrics[m].table, a) for m in metrics if (a := _averaged(cat, m))}
    for side in (measured, averaged):
        if len(named) > 1 and len(named - side) == 1:
            named -= side  # "do reopened tickets meet their SLA": SLA is the measure
    named = named or measured
    if len(named) != 1:
        return None
    ((table, column),) = named
    if any(found.get(m) == (table, column) for m in metrics) and not _counted(cat, table, column):
        return None  # "一次就修好的比例": a yes/no column's own share is asked, not a split
    least = times_on(question, cat, table, column, _zh_name(cat, table, column)) or 1
    # "For the tickets that got reopened, how many times on average": the column's own average
    # over the records it happened to, when the event is said apart from the measure.
    itself = AVERAGE.search(question) is not None and (
        _said_twice(cat, table, column, question) or least > 1
    )
    measures = [
        m for m in metrics
        if m in cat.metrics and cat.metrics[m].table == table
        and (m not in found or not _AT_LEAST_ONCE.search(cat.metrics[m].spec.expr))
        and not plain_count(cat, m)
        and (column not in cat.metrics[m].spec.expr or (itself and _averaged(cat, m) == column))
    ]  # fmt: skip
    if len(measures) != 1:
        return None
    most = _averaged(cat, measures[0]) == column and _MOST_TIMES.search(question) is not None
    said = _event_words(cat, table, column, question)
    return Condition(column, table, said, measures[0], least=least, most=most)


# "The most times any one ticket was reopened", "最多的一张被重开了几次", "the maximum".
_MOST_TIMES = re.compile(
    r"(?i)\bmost times\b|\bmax(?:imum)?\b|\bhighest number of times\b|最多(?:的[^，。？?]{0,8})?"
    r"(?:被)?[\u4e00-\u9fff]{0,4}?(?:了|过)?几次|最多几次|最多的一[张条单件个]"
)


def _averaged(cat: Catalog, metric: str) -> str:
    """The column a metric is the plain average of ("", when it is none)."""
    m = (
        COLUMN_AVERAGE.match(cat.metrics[metric].spec.expr.strip())
        if metric in cat.metrics
        else None
    )
    return m.group(1) if m is not None else ""


def _said_twice(cat: Catalog, table: str, column: str, question: str) -> bool:
    """Whether the event is named twice, once for the records and once for the measure ("for
    the tickets that got reopened, how many times were they reopened"; "被重开过的工单平均重开几
    次")."""
    text = question.lower()
    stems = {w[:6] for w in re.split(r"[_\W]+", column.lower()) if len(w) >= 4}
    stems -= {"count", "number", "times"}
    if any(len(re.findall(rf"\b{re.escape(s)}", text)) >= 2 for s in stems):
        return True
    core = _COUNTING.sub("", _zh_name(cat, table, column))
    return (
        len(core) >= 2
        and question.count(core)
        + sum(
            _close(core, m.group(1)) and core not in m.group(1)
            for m in _ZH_HAPPENED.finditer(question)
        )
        >= 2
    )


def _named(cat: Catalog, table: str, column: str, asked: list[str], question: str) -> bool:
    if names_column(cat, table, column, "", asked, question):
        return True
    # "被重新打开过的": the event said as having happened, close to the column's Chinese name.
    core = _COUNTING.sub("", _zh_name(cat, table, column))
    if len(core) >= 2 and core in question:
        return True  # "转派3次以上的工单"
    return bool(core) and any(_close(core, m.group(1)) for m in _ZH_HAPPENED.finditer(question))


def _close(name: str, said: str) -> bool:
    """Whether the words said hold the name's characters in order ("重新打开" for 重开)."""
    at = 0
    for ch in said:
        if at < len(name) and ch == name[at]:
            at += 1
    return at == len(name) and len(name) >= 2


def _zh_name(cat: Catalog, table: str, column: str) -> str:
    """The column's Chinese name: as a dimension, else as its average or total measure names it
    ("平均转派次数": 转派次数)."""
    names = chinese_names(cat, table, column)
    for m in cat.metrics.values():
        said = _OF_COLUMN.match(m.spec.expr.strip())
        if m.table == table and said is not None and said.group(1) == column and m.spec.zh:
            names.append(re.sub(r"^平均|合计$", "", m.spec.zh))
    return next((n for n in names if n), "")


_OF_COLUMN = re.compile(r'^(?:AVG|SUM)\(\s*"?(\w+)"?\s*\)$', re.IGNORECASE)


def _event_words(cat: Catalog, table: str, column: str, question: str) -> str:
    zh = _COUNTING.sub("", _zh_name(cat, table, column))
    if zh and re.search(r"[\u4e00-\u9fff]", question):
        return zh
    return " ".join(w for w in _COUNTING.sub(" ", column).split() if w)


def feedback_link(cat: Catalog, table: str) -> str | None:
    """How the feedback reaches ``table``'s records: "voc_id" when each record carries its own
    text's id, else the join condition of feedback rows written about a record
    ("voc.ticket_id = tickets.ticket_id"); None when the feedback does not reach them."""
    if table not in cat.tables:
        return None
    if "voc_id" in cat.tables[table].columns:
        return "voc_id"
    link = [j for j in cat.spec.joins if j.from_table == "voc" and j.to_table == table]
    return link[0].on() if len(link) == 1 else None

"""A table's time column, and the start → end pairs of date columns that give durations.

The time column is the one a manager means by "when": a creation, opening or submission date
over an update or closing one, among the columns most rows have (at least half as many values
as the fullest date column); then the fuller one, then the earlier in the file.

A pair (the time column → another date column) gives durations when the other column's name
reads as an end (resolved, closed, replied, updated, …) and it is not earlier than the start on
at least 90% of the rows that have both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from .catalog_columns import TIME_TYPES, Column
from .infer import q

_START = re.compile(r"creat|open|submit|start|receiv|sent|report|logged|创建|提交|开始|受理|下单")
_END = re.compile(
    r"updat|modif|clos|resolv|solv|(^|_)end|finish|complet|repl|respon|answer|(^|_)fix|done"
)
_END_ZH = re.compile(r"更新|关闭|结案|解决|完成|结束|回复|答复|响应|处理|办结")
_DATE_WORDS = re.compile(r"date|time|day|日期|时间|日")
_IN_ORDER = 0.9
_WHEN = {"creat": "created", "open": "opened", "submit": "submitted", "start": "started"}
_WHEN |= {"receiv": "received", "sent": "sent", "report": "reported", "logged": "logged"}


@dataclass(frozen=True)
class Concept:
    """What a duration measures, in a manager's words (English and Chinese)."""

    en: str
    zh: str
    aliases: tuple[str, ...]
    verb: tuple[str, str] = ("", "")  # the end as a manager says it: "resolving", "解决"


_CONCEPTS = (
    (r"resolv|solv|(^|_)fix|解决|处理", Concept("resolution time", "解决时长", (
        "time to resolve", "time to resolution", "resolve time", "处理时长", "解决时间"),
        ("resolving", "解决"))),
    (r"repl|respon|answer|回复|答复|响应", Concept("reply time", "响应时间", (
        "response time", "time to reply", "time to respond", "回复时长", "响应时长", "答复时长",
        "答复时间", "回复时间"),
        ("replying", "回复"))),
    (r"clos|关闭|结案", Concept("closure time", "关闭时长", (
        "time to close", "close time", "结案时长", "关闭时间"), ("closing", "关闭"))),
    (r"finish|complet|done|(^|_)end|完成|结束", Concept("completion time", "完成时长", (
        "time to complete", "完成时间"), ("completing", "完成"))),
    (r"updat|modif|更新", Concept("time to last update", "更新时长", ("update time",),
        ("updating", "更新"))),
)  # fmt: skip
# The start as a manager says it, for "time from opening to resolving" / "从开单到解决".
_START_VERBS = {"open": ("opening", "开单"), "creat": ("creation", "创建")}
_START_VERBS |= {"submit": ("submission", "提交"), "sent": ("sending", "发送")}
_START_VERBS |= {"receiv": ("receipt", "收到"), "report": ("reporting", "报告")}


def spoken_span(start: str, end: Concept) -> tuple[str, str]:
    """("from opening to resolving", "从开单到解决"), or empty strings when unsaid."""
    verbs = next((v for k, v in _START_VERBS.items() if k in start.lower()), None)
    if verbs is None or not end.verb[0]:
        return "", ""
    return f"from {verbs[0]} to {end.verb[0]}", f"从{verbs[1]}到{end.verb[1]}"


def is_end(name: str) -> bool:
    return bool(_END.search(name.lower()) or _END_ZH.search(name))


def choose_time_column(columns: list[Column]) -> Column | None:
    times = [c for c in columns if c.sql_type in TIME_TYPES and c.non_null]
    if not times:
        return None
    fullest = max(c.non_null for c in times)
    full = [c for c in times if 2 * c.non_null >= fullest]
    return min(full, key=lambda c: (_rank(c.name), -c.non_null, times.index(c)))


def _rank(name: str) -> int:
    lowered = name.lower()
    if _START.search(lowered) and not lowered.startswith("sys_"):
        return 0
    if _START.search(lowered):
        return 1
    if is_end(name):
        return 3
    return 2 if not _DATE_WORDS.search(lowered) else 1


def time_note(chosen: Column, columns: list[Column]) -> str:
    """``Time column: opened_at (when each row was opened); others: resolved_at, closed_at``."""
    found = next((w for k, w in _WHEN.items() if k in chosen.name.lower()), "")
    why = f"when each row was {found}" if found else "the date of each row"
    others = [c.name for c in columns if c.sql_type in TIME_TYPES and c is not chosen]
    tail = f"; others: {', '.join(others)}" if others else ""
    return f"Time column: {chosen.name} ({why}){tail}"


def duration_pairs(
    con: duckdb.DuckDBPyConnection, table: str, start: Column, columns: list[Column]
) -> list[Column]:
    """End columns that, with ``start``, read as start → end."""
    if is_end(start.name):
        return []
    ends = [c for c in columns if c.sql_type in TIME_TYPES and c is not start and is_end(c.name)]
    return [end for end in ends if _mostly_after(con, table, start.name, end.name)]


def later_pairs(
    con: duckdb.DuckDBPyConnection, table: str, ends: list[Column]
) -> list[tuple[Column, Column]]:
    """Pairs of end dates where the second mostly follows the first (resolved → closed), for
    the time between two events; a last-update stamp is no event."""
    events = [c for c in ends if (found := concept(c.name)) and found.verb[0] != "updating"]
    return [
        (a, b) for a in events for b in events
        if a is not b and _mostly_after(con, table, a.name, b.name)
    ]  # fmt: skip


def _mostly_after(con: duckdb.DuckDBPyConnection, table: str, start: str, end: str) -> bool:
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE {q(end)} >= {q(start)}), "
        f"count(*) FILTER (WHERE {q(end)} IS NOT NULL AND {q(start)} IS NOT NULL) FROM {q(table)}"
    ).fetchone()
    return bool(row and row[1] and row[0] >= _IN_ORDER * row[1])


def concept(end: str) -> Concept | None:
    for pattern, found in _CONCEPTS:
        if re.search(pattern, end.lower()):
            return found
    return None

"""Dimensions of a derived table: every groupable column, shared by the tables that have it.

Categories of any size are dimensions; only small ones (up to 50 values) list their values,
the others are looked up in the warehouse when needed. A column name that another table already
gave a dimension joins that dimension as one more source (``company`` in six exports is one
dimension, its values the union), unless its meaning clearly differs: another kind of values
(yes/no against text, a number code against text), or a curated value list (one with aliases,
written by a person or shipped with the demo) that the new column's values would swamp (more
than 50 together). Then the column gets a ``<table>_<column>`` dimension of its own. A derived
list that grows past 50 values is dropped: the warehouse supplies them.
A metric uses the source of its own table (or the nearest joined one), so sharing a dimension
never mixes tables' rows.
"""

from __future__ import annotations

import re
from typing import Any

from ..catalog import key
from .catalog_columns import LIST_VALUES, Column
from .catalog_entries import CJK, EN_WORDS, Changes, english, put, zh
from .infer import q

TIME_DIMENSIONS = {
    "day": ("Day", "日期", ["daily", "按天"], "strftime({time}, '%Y-%m-%d')"),
    "month": ("Month", "月份", ["monthly", "按月"], "strftime({time}, '%Y-%m')"),
    "quarter": (
        "Quarter",
        "季度",
        ["quarterly", "按季度"],
        "CAST(year({time}) AS VARCHAR) || '-Q' || CAST(quarter({time}) AS VARCHAR)",
    ),
    # Halves of the year ("half-year by half-year", "上下半年各多少"), named "2024-H1".
    "half_year": (
        "Half-year",
        "半年",
        ["half-yearly", "half year", "by half-year", "按半年", "每半年", "上下半年"],
        "CAST(year({time}) AS VARCHAR) || '-H' || CAST((month({time}) + 5) // 6 AS VARCHAR)",
    ),
    # Weeks from Monday to Sunday, named by their Monday ("week by week", "每周各多少").
    "week": (
        "Week (starting Monday)",
        "周",
        ["weekly", "按周"],
        "strftime(date_trunc('week', {time}), '%Y-%m-%d')",
    ),
}
# The hour of the day a record's time falls in ("what time of day", "晚上8点以后").
HOUR: dict[str, Any] = {
    "en": "Hour of day",
    # Not 小时, which says a number of hours ("平均多少小时能解决").
    "zh": "时段",
    "aliases": ["hour of day", "time of day", "几点", "钟点"],
    "kind": "number",
    "time": "hour({time})",
}
_CODES = 12  # whole-number columns with at most this many values group like categories


def kind_of(c: Column, role: str) -> str | None:
    if role == "boolean":
        return "boolean"
    if role == "category":
        return "category"
    if role == "measure" and c.sql_type == "BIGINT" and c.distinct <= _CODES:
        return "number"
    return None


def spoken_label(label: str) -> str:
    """A column's label as people say it: without a one-letter system prefix ("u symptom",
    "x category" → "symptom", "category")."""
    parts = label.split()
    return " ".join(parts[1:]) if len(parts) > 1 and len(parts[0]) == 1 else label


def dimension_item(c: Column, kind: str, table: str, description: str) -> dict[str, Any]:
    spoken = spoken_label(c.label)
    # A Chinese column's English name in words ("所属区县" → District), where it has one.
    english_name = english(c.original) if CJK.search(c.original) else ""
    coded = [v for v in c.top if re.fullmatch(r"[A-Z]{2}", str(v))]
    # "state" of two-letter codes (CA, NY) is where people live (州), not a status (状态).
    where = c.name.lower() == "state" and c.top and len(coded) >= 0.8 * len(c.top)
    item: dict[str, Any] = {
        "en": (english_name or spoken).capitalize(),
        "zh": c.original if CJK.search(c.original) else "州" if where else zh(c.name) or zh(spoken),
        "kind": kind,
        "sources": {table: q(c.name)},
        "description": description,
    }
    aliases = ([c.label] if spoken != c.label else []) + EN_WORDS.get(c.name.lower(), [])
    if english_name:
        aliases.append(english_name)  # "which district" for 所属区县
    if aliases:
        item["aliases"] = aliases
    if kind == "category" and len(c.top) <= LIST_VALUES:
        item["values"] = {v: [] for v in c.top}
    return item


def add_dimension(data: dict[str, Any], name: str, item: dict[str, Any], changes: Changes) -> None:
    """Add ``item``, or join it to the same-named dimension of another table."""
    table, column = next(iter(item["sources"].items()))
    existing = data["dimensions"].get(name) or {}
    if _shareable(existing, item, table):
        existing["sources"][table] = column
        _merge_values(existing, item)
        changes.added.append(f"dimensions.{name} (source {table})")
        return
    put(data, "dimensions", name, item, table, changes)


def _shareable(existing: dict[str, Any], item: dict[str, Any], table: str) -> bool:
    sources = existing.get("sources") or {}
    if not sources or table in sources or existing.get("kind", "category") != item["kind"]:
        return False
    values = existing.get("values")
    if values is None or not any(values.values()):
        return True  # unlisted, or a derived list without aliases: nothing curated to lose
    merged = _merged_values(existing, item)
    return merged is not None and len(merged) <= LIST_VALUES


def _merge_values(existing: dict[str, Any], item: dict[str, Any]) -> None:
    if existing.get("values") is None:
        return
    merged = _merged_values(existing, item)
    if merged is None or len(merged) > LIST_VALUES:
        del existing["values"]
    else:
        existing["values"] = merged


def _merged_values(existing: dict[str, Any], item: dict[str, Any]) -> dict[str, list[str]] | None:
    """The union of both value lists, or None when the new column lists none."""
    if item.get("values") is None:
        return None
    known = {key(a) for v, more in existing["values"].items() for a in [v, *more]}
    merged = dict(existing["values"])
    merged.update({v: [] for v in item["values"] if key(v) not in known})
    return merged


# The day of the week each record's time falls on ("which weekday gets the most tickets"),
# its values named as people say them.
WEEKDAY: dict[str, Any] = {
    "en": "Weekday",
    "zh": "星期",
    "aliases": [
        "day of week",
        "day of the week",
        "weekdays",
        "星期几",
        "周几",
        "礼拜几",
        "一周里哪天",
        "一周中哪天",
        "一周里哪一天",
        "一周中哪一天",
        "一周当中哪天",
    ],
    "kind": "category",
    "time": "CAST(isodow({time}) AS VARCHAR) || '-' || strftime({time}, '%a')",
    "values": {
        # Full names only: "sat", "sun", "wed" are too often parts of other words.
        f"{n}-{en[:3].capitalize()}": [en, f"{en}s", f"周{zh_day}", f"星期{zh_day}"]
        for n, (en, zh_day) in enumerate(
            zip(
                ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
                "一二三四五六日",
                strict=True,
            ),
            start=1,
        )
    },
}


# Whether each record's time falls at the weekend or on a working day ("do tickets opened at the
# weekend do worse than those opened Monday to Friday", "周末和工作日"). The weekday's own name
# ("weekday", "weekdays") stays the day-of-week grouping; the reading sets the two side by side.
DAY_KIND: dict[str, Any] = {
    "en": "Weekend or working day",
    "zh": "周末或工作日",
    "aliases": ["weekend or weekday", "weekends or weekdays", "周末还是工作日"],
    "kind": "category",
    "time": "CASE WHEN isodow({time}) >= 6 THEN 'Weekend' ELSE 'Working day' END",
    "values": {
        "Weekend": ["weekend", "weekends", "saturday or sunday", "周末", "双休日", "周六日"],
        "Working day": [
            "working day", "working days", "workday", "workdays", "work days", "business days",
            "monday to friday", "monday through friday", "mon-fri", "工作日", "周一到周五",
            "周一至周五",
        ],
    },
}  # fmt: skip


def add_time_dimensions(data: dict[str, Any], changes: Changes, hours: bool = False) -> None:
    for name, (en, zh_name, aliases, sql) in TIME_DIMENSIONS.items():
        item = {"en": en, "zh": zh_name, "aliases": aliases, "kind": "time", "time": sql}
        put(data, "dimensions", name, item, "", changes)
    put(data, "dimensions", "weekday", dict(WEEKDAY), "", changes)
    put(data, "dimensions", "day_kind", dict(DAY_KIND), "", changes)
    if hours:
        put(data, "dimensions", "hour", dict(HOUR), "", changes)


# The ``label`` column of a long flags table (``labels.py``), in a manager's words.
LABEL_WORDS = {
    "en": "Label",
    "zh": "标签",
    "aliases": ["labels", "tag", "tags", "topic", "topics", "话题"],
    "description": "The flag columns set on a row, by their names in the file.",
}

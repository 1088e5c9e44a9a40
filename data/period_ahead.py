"""Date phrases that look forwards ("next quarter", "下个月", "next 4 weeks"), for forecasts.

``periods`` reads every phrase as a time already past or under way, as a question about history
needs; a forecast asks about time to come. The rules, with ``as_of`` = 2026-11-01 ("today"):

- "next week|month|quarter|year" (下周, 下个月, 下季度, 明年) is the whole unit after the one
  holding ``as_of``: next month is 2026-12, next quarter 2027-Q1.
- "next N days|weeks|months" (未来4周, 接下来3个月) runs from ``as_of`` for N units, the mirror of
  "past N days", which ends just before it; "next N quarters|years" are the N whole units after
  the current one, the mirror of "last N quarters".
- "this week|month|quarter|year" (本月, 本季度) is what is left of the unit, from ``as_of``.
- Any other phrase ``periods`` resolves (2027-Q1, 2026-12, 2027-01-01..2027-03-31) is taken as
  written, provided it ends after ``as_of``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .period_phrases import number
from .period_types import (
    Period,
    PeriodError,
    add_months,
    explicit_range,
    month,
    quarter,
    quarter_start,
    span,
    year,
)
from .periods import parse_period

AHEAD_FORMS = (
    "next week|month|quarter|year, next N days|weeks|months|quarters, this month|quarter, "
    "2027-Q1, 2026-12, 下周, 下个月, 下季度, 明年, 未来4周, 接下来3个月, 本月"
)
_EN_UNITS = {"week": "week", "wk": "week", "month": "month", "mo": "month", "mth": "month"}
_EN_UNITS |= {"quarter": "quarter", "qtr": "quarter", "year": "year", "yr": "year", "day": "day"}
_ZH_UNITS = {"周": "week", "星期": "week", "个星期": "week", "月": "month", "个月": "month"}
_ZH_UNITS |= {"季度": "quarter", "个季度": "quarter", "季": "quarter", "年": "year", "天": "day"}
_ZH_UNITS |= {"日": "day"}
_NEXT = re.compile(r"(?:the )?next (?P<unit>week|wk|month|mo|mth|quarter|qtr|year|yr)")
_ZH_NEXT = re.compile(r"下(?:一|个|一个)?(?P<unit>周|星期|个?月|季度|季)|(?P<year>明年|下一?年)")
_NEXT_N = re.compile(
    r"(?:the )?(?:next|coming) (?P<n>\w+) (?P<unit>day|week|wk|month|mo|mth|quarter|qtr|year|yr)s?"
)
_ZH_NEXT_N = re.compile(
    r"(?:未来|接下来|今后|往后)\s*(?P<n>[\d零一二两三四五六七八九十百]+)\s*"
    r"(?P<unit>天|日|周|个?星期|个?月|个?季度|年)"
)
_THIS = re.compile(r"(?:the )?(?:rest of )?(?:this|current) (?P<unit>week|month|quarter|year)")
_ZH_THIS = re.compile(r"(?:本|这个?|当)(?P<unit>周|星期|月|季度)|(?P<year>今年)")


def resolve_ahead(phrase: str, as_of: date) -> Period:
    """The period a forward-looking phrase names; raises ``PeriodError`` when there is none,
    or when the period ends before ``as_of``."""
    text = re.sub(r"\s+", " ", phrase.strip().lower())
    period = _forward(text, phrase.strip(), as_of) or _written(phrase, as_of)
    if period.end <= as_of:
        raise PeriodError(
            f"{phrase.strip()!r} ended on {period.last_day.isoformat()}, before today "
            f"({as_of.isoformat()}); a forecast needs a period still to come."
        )
    return period


def _forward(text: str, phrase: str, as_of: date) -> Period | None:
    if m := _NEXT.fullmatch(text) or _ZH_NEXT.fullmatch(text):
        unit = "year" if m.groupdict().get("year") else _unit(m["unit"])
        return _unit_after(unit, as_of, phrase)
    if m := _NEXT_N.fullmatch(text) or _ZH_NEXT_N.fullmatch(text):
        return _coming(_count(m["n"], phrase), _unit(m["unit"]), as_of, phrase)
    if m := _THIS.fullmatch(text) or _ZH_THIS.fullmatch(text):
        unit = "year" if m.groupdict().get("year") else _unit(m["unit"])
        return explicit_range(as_of, _unit_end(unit, as_of) - timedelta(days=1), phrase)
    return None


def _written(phrase: str, as_of: date) -> Period:
    try:
        return parse_period(phrase, as_of)
    except PeriodError:
        raise PeriodError(
            f"Unknown forecast period {phrase.strip()!r}; use one of: {AHEAD_FORMS}."
        ) from None


def _unit(word: str) -> str:
    return _EN_UNITS.get(word) or _ZH_UNITS[word]


def _count(token: str, phrase: str) -> int:
    try:
        n = number(token)
    except KeyError:
        raise PeriodError(f"{phrase!r}: {token!r} is not a number of periods.") from None
    if not 1 <= n <= 520:
        raise PeriodError(f"{phrase!r}: the number of periods must be between 1 and 520.")
    return n


def _unit_start(unit: str, d: date) -> date:
    if unit == "week":
        return d - timedelta(days=d.weekday())  # ISO weeks start on Monday
    if unit == "month":
        return d.replace(day=1)
    return quarter_start(d) if unit == "quarter" else date(d.year, 1, 1)


def _unit_end(unit: str, d: date) -> date:
    """The first day after the unit holding ``d``."""
    start = _unit_start(unit, d)
    if unit == "week":
        return start + timedelta(days=7)
    return add_months(start, {"month": 1, "quarter": 3, "year": 12}[unit])


def _unit_after(unit: str, as_of: date, phrase: str) -> Period:
    start = _unit_end(unit, as_of)
    if unit == "month":
        return month(start.year, start.month, phrase)
    if unit == "quarter":
        return quarter(start.year, (start.month - 1) // 3 + 1, phrase)
    if unit == "year":
        return year(start.year, phrase)
    return explicit_range(start, start + timedelta(days=6), phrase)


def _coming(n: int, unit: str, as_of: date, phrase: str) -> Period:
    if unit in ("quarter", "year"):
        start = _unit_end(unit, as_of)
        return span(start, add_months(start, n * (3 if unit == "quarter" else 12)), phrase)
    if unit == "month":
        start, end = as_of, add_months(as_of, n)
    else:
        start, end = as_of, as_of + timedelta(days=n * (7 if unit == "week" else 1))
    return explicit_range(start, end - timedelta(days=1), phrase)

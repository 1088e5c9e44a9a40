"""Date phrases ("last quarter", "上个月", "past 30 days") resolved to one explicit range.

Dates are resolved in code from an injected ``as_of`` ("today"), never by a model, so the same
question on the same data always covers the same days. Every period is half-open:
``start <= t < end``. Whole past units (last quarter, 上个月, 2026-07) cover the full unit;
"to date" units (this quarter, YTD, 本月) run through ``as_of`` inclusive; rolling windows
("past 30 days", 近3个月) end just before ``as_of``, so they hold only complete days.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from .errors import ServiceLensError

PeriodKind = Literal["year", "quarter", "month", "week", "days", "months", "range"]

ACCEPTED_FORMS = (
    "last/this/previous quarter|month|week|year, YTD, past N days|weeks|months, "
    "2026-Q3, Q3 2026, 2026-07, July 2026, 2026, 2026-01-01..2026-03-31, "
    "上季度, 本季度, 上个月, 本月, 上周, 本周, 今年, 去年, 近30天, 近3个月, "
    "2026年第三季度, 2026年7月"
)


class PeriodError(ServiceLensError, ValueError):
    """A date phrase that is not understood or describes an empty range."""


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clipped to the month's last day."""
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    label: str
    phrase: str
    kind: PeriodKind = "range"
    # Whether the period runs up to as_of ("this quarter") rather than covering a whole unit.
    to_date: bool = False

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def describe(self) -> str:
        """The label with its explicit dates, e.g. ``2026-Q3 (2026-07-01 – 2026-09-30)``."""
        dates = f"{self.start.isoformat()} – {self.last_day.isoformat()}"
        return dates if self.kind in ("days", "months", "range") else f"{self.label} ({dates})"

    def as_dict(self) -> dict[str, str]:
        return {
            "label": self.label,
            "start": self.start.isoformat(),
            "end_exclusive": self.end.isoformat(),
            "last_day": self.last_day.isoformat(),
            "phrase": self.phrase,
        }

    def previous(self) -> Period:
        """The comparison period of equal length just before this one."""
        months = _step_months(self)
        if months:
            return self._shifted(months, f"before {self.label}")
        start = self.start - timedelta(days=self.days)
        return _relabel(replace(self, start=start, end=self.start, phrase=f"before {self.label}"))

    def year_ago(self) -> Period:
        """The same period one year earlier."""
        return self._shifted(12, f"year before {self.label}")

    def _shifted(self, months: int, phrase: str) -> Period:
        start, end = add_months(self.start, -months), add_months(self.end, -months)
        return _relabel(replace(self, start=start, end=end, phrase=phrase))


def _step_months(p: Period) -> int:
    # Calendar units step by whole months so "previous" of a quarter is a quarter, not 92 days.
    if p.kind == "months":
        return (p.end.year - p.start.year) * 12 + p.end.month - p.start.month
    return {"year": 12, "quarter": 3, "month": 1}.get(p.kind, 0)


def _relabel(p: Period) -> Period:
    return replace(p, label=_label(p.kind, p.start, p.end, p.to_date))


def _label(kind: PeriodKind, start: date, end: date, to_date: bool) -> str:
    suffix = " to date" if to_date else ""
    if kind == "year":
        return f"{start.year}{suffix}"
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}{suffix}"
    if kind == "month":
        return f"{start:%Y-%m}{suffix}"
    if kind == "week":
        return f"week of {start.isoformat()}{suffix}"
    last = end - timedelta(days=1)
    return f"{start.isoformat()}..{last.isoformat()}"


def _make(kind: PeriodKind, start: date, end: date, phrase: str, to_date: bool = False) -> Period:
    if end <= start:
        raise PeriodError(f"The period {phrase!r} is empty; choose a later or longer range.")
    return Period(start, end, _label(kind, start, end, to_date), phrase, kind, to_date)


# --- Whole calendar units -------------------------------------------------------------------


def quarter_start(d: date) -> date:
    return date(d.year, (d.month - 1) // 3 * 3 + 1, 1)


def quarter(year: int, q: int, phrase: str) -> Period:
    if not 1 <= q <= 4:
        raise PeriodError(f"There is no quarter {q}; quarters are 1 to 4.")
    start = date(year, 3 * q - 2, 1)
    return _make("quarter", start, add_months(start, 3), phrase)


def month(year: int, m: int, phrase: str) -> Period:
    if not 1 <= m <= 12:
        raise PeriodError(f"There is no month {m}; months are 1 to 12.")
    start = date(year, m, 1)
    return _make("month", start, add_months(start, 1), phrase)


def year(y: int, phrase: str) -> Period:
    return _make("year", date(y, 1, 1), date(y + 1, 1, 1), phrase)


def _unit_start(unit: str, d: date) -> date:
    if unit == "quarter":
        return quarter_start(d)
    if unit == "month":
        return d.replace(day=1)
    if unit == "year":
        return date(d.year, 1, 1)
    return d - timedelta(days=d.weekday())  # ISO week, Monday first


def _unit_length(unit: str, start: date) -> date:
    if unit == "week":
        return start + timedelta(days=7)
    return add_months(start, {"quarter": 3, "month": 1, "year": 12}[unit])


def relative_unit(unit: str, offset: int, as_of: date, phrase: str) -> Period:
    """A whole unit ``offset`` units before the current one; offset 0 is "to date"."""
    current = _unit_start(unit, as_of)
    kind: PeriodKind = unit  # type: ignore[assignment]
    if offset == 0:
        return _make(kind, current, as_of + timedelta(days=1), phrase, to_date=True)
    start = current
    for _ in range(offset):
        start = _unit_start(unit, start - timedelta(days=1))
    return _make(kind, start, _unit_length(unit, start), phrase)


def rolling(n: int, unit: str, as_of: date, phrase: str) -> Period:
    """The last ``n`` complete days, weeks or months before ``as_of``."""
    if n < 1 or n > 3660:
        raise PeriodError(f"{phrase!r}: the number of {unit} must be between 1 and 3660.")
    if unit == "months":
        return _make("months", add_months(as_of, -n), as_of, phrase)
    days = n * 7 if unit == "weeks" else n
    return _make("days", as_of - timedelta(days=days), as_of, phrase)


def explicit_range(first: date, last: date, phrase: str) -> Period:
    """An explicit inclusive range as people write it: ``2026-01-01..2026-03-31``."""
    return _make("range", first, last + timedelta(days=1), phrase)


# --- Parsing --------------------------------------------------------------------------------

EN_WORDS = "one two three four five six seven eight nine ten eleven twelve".split()  # noqa: SIM905
MONTH_ABBR = "jan feb mar apr may jun jul aug sep oct nov dec".split()  # noqa: SIM905
_EN_NUMBERS = {w: i + 1 for i, w in enumerate(EN_WORDS)}
_ZH_DIGITS = {**{ch: i for i, ch in enumerate("零一二三四五六七八九")}, "两": 2}
_MONTHS = {name: i + 1 for i, name in enumerate(MONTH_ABBR)}
_UNITS = {"day": "days", "天": "days", "日": "days", "week": "weeks", "周": "weeks"}
_UNITS |= {"星期": "weeks", "month": "months", "月": "months"}

_NUM = r"(\d+|" + "|".join(EN_WORDS) + r"|[零一二两三四五六七八九十百]+|半)"
_B, _E = r"(?<![a-z0-9])", r"(?![a-z0-9])"
_DATE = r"(\d{4}-\d{1,2}-\d{1,2})"


def number(token: str) -> int:
    """An integer from digits, English words or Chinese numerals (up to 999)."""
    if token.isdigit():
        return int(token)
    if token in _EN_NUMBERS:
        return _EN_NUMBERS[token]
    total, current = 0, 0
    for ch in token:
        if ch in ("十", "百"):
            total += max(current, 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            current = _ZH_DIGITS[ch]
    return total + current


def _iso(text: str, phrase: str) -> date:
    try:
        y, m, d = (int(x) for x in text.split("-"))
        return date(y, m, d)
    except ValueError:
        raise PeriodError(f"{text!r} in {phrase!r} is not a valid date (YYYY-MM-DD).") from None


def _rolling(m: re.Match[str], as_of: date, phrase: str) -> Period:
    count, unit = m["n"], m["unit"].removeprefix("个")
    if count == "半":  # 近半年: half a year
        return rolling(6, "months", as_of, phrase)
    n = number(count)
    unit = unit.rstrip("s")
    if unit in ("quarter", "季度"):
        return rolling(3 * n, "months", as_of, phrase)
    if unit in ("year", "年"):
        return rolling(12 * n, "months", as_of, phrase)
    return rolling(n, _UNITS[unit], as_of, phrase)


_UNIT_WORDS = {
    "quarter": ("quarter", "季度", "q"),
    "month": ("month", "月", "m"),
    "week": ("week", "周", "星期", "礼拜", "w"),
    "year": ("year", "年", "y"),
}
_UNIT_OF = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
# "past month" is a rolling window; "last month" is the previous calendar month.
_PAST = {
    "quarter": (3, "months"),
    "month": (1, "months"),
    "week": (7, "days"),
    "year": (12, "months"),
}

Builder = Callable[[re.Match[str], date, str], Period]


def _rel(offset: int, unit: str | None = None) -> Builder:
    """A builder for "the unit ``offset`` units back" (0: to date), unit from the match if None."""
    return lambda m, a, p: relative_unit(unit or _UNIT_OF[m["unit"]], offset, a, p)


def _past(m: re.Match[str], as_of: date, phrase: str) -> Period:
    n, unit = _PAST[_UNIT_OF[m["unit"]]]
    return rolling(n, unit, as_of, phrase)


def _quarter(m: re.Match[str], as_of: date, phrase: str) -> Period:
    return quarter(int(m["y"]), number(m["q"]), phrase)


def _month(m: re.Match[str], as_of: date, phrase: str) -> Period:
    mon = m["m"]
    return month(int(m["y"]), int(mon) if mon.isdigit() else _MONTHS[mon[:3]], phrase)


def _day(offset: int) -> Builder:
    return lambda m, a, p: explicit_range(a - timedelta(days=offset), a - timedelta(days=offset), p)


_N = _NUM.replace("(", "(?P<n>", 1)
_U = r"(?P<unit>quarter|month|week|year)"
_MON = r"(?P<m>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)"
_RAW: list[tuple[str, Builder]] = [
    (_B + r"(?:last|previous|prior) " + _U + _E, _rel(1)),
    (_B + r"(?:the )?" + _U + r" before last" + _E, _rel(2)),
    (_B + r"past " + _U + _E, _past),
    (_B + r"(?:this|current) " + _U + _E, _rel(0)),
    (_B + _U + r"[ -]to[ -]date" + _E, _rel(0)),
    (_B + r"(?P<unit>q|m|w|y)td" + _E, _rel(0)),
    (
        _B
        + r"(?:last|past|previous|prior) "
        + _N
        + r" (?P<unit>(?:day|week|month|quarter|year)s?)"
        + _E,
        _rolling,
    ),
    (r"(?:近|最近|过去|前)\s*" + _N + r"\s*(?P<unit>天|日|周|个?星期|个?月|个?季度|年)", _rolling),
    (r"上上个?季度", _rel(2, "quarter")),
    (r"上[个一]?(?P<unit>季度|月|周|星期|礼拜)", _rel(1)),
    (r"(?:本|这个?|当)(?P<unit>季度|月|周|星期)", _rel(0)),
    (r"今年|本年度?|年初至今", _rel(0, "year")),
    (r"去年|上一?年度?", _rel(1, "year")),
    (r"前年", _rel(2, "year")),
    (r"(?<!\d)(?P<y>\d{4})\s*年?\s*第?(?P<q>[1-4一二三四])\s*季度", _quarter),
    (r"(?<!\d)(?P<y>\d{4})\s*年?\s*[- ]?q(?P<q>[1-4])" + _E, _quarter),
    (_B + r"q(?P<q>[1-4])[ ,-]*(?P<y>\d{4})" + _E, _quarter),
    (r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月份?", _month),
    (r"(?<!\d)(?P<y>\d{4})[-/](?P<m>\d{1,2})(?![-/]?\d)", _month),
    (_B + _MON + r"\.? ?,? ?(?P<y>\d{4})" + _E, _month),
    (
        r"(?:(?:from|between) )?" + _DATE + r"\s*(?:\.\.|to|and|~|–|—|至|到|-)\s*" + _DATE,
        lambda m, a, p: explicit_range(_iso(m[1], p), _iso(m[2], p), p),
    ),
    (
        r"(?<!\d)" + _DATE + r"(?!\d)",
        lambda m, a, p: explicit_range(_iso(m[1], p), _iso(m[1], p), p),
    ),
    (r"(?<![\d-])(?P<y>(?:19|20)\d{2})\s*年?(?![\d-])", lambda m, a, p: year(int(m["y"]), p)),
    (_B + r"today" + _E + r"|今天", _day(0)),
    (_B + r"yesterday" + _E + r"|昨天", _day(1)),
]
PATTERNS: list[tuple[re.Pattern[str], Builder]] = [(re.compile(r), b) for r, b in _RAW]


def normalise(text: str) -> str:
    """Lower-case, full-width to ASCII (NFKC) and single spaces, so patterns stay simple."""
    text = unicodedata.normalize("NFKC", text).lower().strip()
    return re.sub(r"\s+", " ", text).removeprefix("the ")


def parse_period(phrase: str, as_of: date) -> Period:
    """Resolve a whole phrase; raises ``PeriodError`` listing accepted forms."""
    text = normalise(phrase)
    for pattern, build in PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return build(match, as_of, phrase.strip())
    raise PeriodError(f"Unknown period {phrase.strip()!r}; use one of: {ACCEPTED_FORMS}.")


def find_period(text: str, as_of: date) -> Period | None:
    """The first (then longest) date phrase inside a longer question, resolved; None if none."""
    lowered = normalise(text)
    best: tuple[tuple[int, int], re.Match[str], Builder] | None = None
    for pattern, build in PATTERNS:
        for m in pattern.finditer(lowered):
            key = (m.start(), m.start() - m.end())
            if best is None or key < best[0]:
                best = (key, m, build)
    if best is None:
        return None
    return best[2](best[1], as_of, best[1].group(0))

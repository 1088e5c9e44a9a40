"""Periods: one explicit, half-open date range with its label, and the constructors the
phrase grammar (``period_phrases``) builds them with. ``periods`` is the public API."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from .errors import ServiceLensError

PeriodKind = Literal[
    "year", "quarter", "month", "week", "days", "months", "range", "span", "since", "until"
]
Lang = Literal["en", "zh"]

# The start of a period whose phrase gives only an end ("before June 2026"): before any data.
OPEN_START = date(1900, 1, 1)

ACCEPTED_FORMS = (
    "last/this/previous quarter|month|week|year, YTD, past N days|weeks|months|quarters, "
    "2026-Q3, Q3 2026, 2026-07, July 2026, 2026, H1 2026, 2026-01-01..2026-03-31, "
    "January to August 2026, Q2-Q3 2026, since March 2026, before June 2026, "
    "上季度, 本季度, 上个月, 本月, 上周, 本周, 今年, 去年, 近30天, 近3个月, 近两个季度, "
    "2026年第三季度, 2026年7月, 2026年上半年, 2026年1-8月, 2026年3月以来, 2026年6月之前"
)


class PeriodError(ServiceLensError, ValueError):
    """A date phrase that is not understood or describes an empty range."""


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clipped to the month's last day."""
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    label: str
    phrase: str
    kind: PeriodKind = "range"
    # Whether the period runs up to as_of ("this quarter") rather than covering a whole unit.
    to_date: bool = False
    # The language of the question the phrase came from; spans, "since" and "until" periods
    # are labelled in it (2026年1–8月), the single units keep their ISO-like labels (2026-Q3).
    lang: Lang = "en"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def open_start(self) -> bool:
        """Whether the phrase gave no start ("before June 2026"), so the period starts early."""
        return self.kind == "until"

    def describe(self) -> str:
        """The label with its explicit dates, e.g. ``2026-Q3 (2026-07-01 – 2026-09-30)``."""
        dates = f"{self.start.isoformat()} – {self.last_day.isoformat()}"
        if self.open_start:
            return self.label
        return dates if self.kind in ("days", "months", "range") else f"{self.label} ({dates})"

    def as_dict(self) -> dict[str, str]:
        return {
            "label": self.label,
            "start": self.start.isoformat(),
            "end_exclusive": self.end.isoformat(),
            "last_day": self.last_day.isoformat(),
            "phrase": self.phrase,
        }

    def state(self) -> dict[str, Any]:
        """Everything needed to rebuild the period (``from_state``), as JSON-able values."""
        return {**self.as_dict(), "kind": self.kind, "to_date": self.to_date, "lang": self.lang}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Period:
        return cls(
            start=date.fromisoformat(data["start"]),
            end=date.fromisoformat(data["end_exclusive"]),
            label=data["label"],
            phrase=data.get("phrase", ""),
            kind=data.get("kind", "range"),
            to_date=bool(data.get("to_date", False)),
            lang=data.get("lang", "en"),
        )

    def previous(self) -> Period:
        """The comparison period of equal length just before this one."""
        if self.open_start:
            raise PeriodError(
                f"{self.phrase!r} has no start, so it has no previous period to compare with; "
                "give a start, e.g. 'from 2025-06 to 2026-05'."
            )
        months = _step_months(self)
        if months:
            return self._shifted(months, f"before {self.label}")
        start = self.start - timedelta(days=self.days)
        base = _closed(self)
        return _relabel(replace(base, start=start, end=self.start, phrase=f"before {self.label}"))

    def year_ago(self) -> Period:
        """The same period one year earlier."""
        return self._shifted(12, f"year before {self.label}")

    def _shifted(self, months: int, phrase: str) -> Period:
        start = self.start if self.open_start else add_months(self.start, -months)
        end = add_months(self.end, -months)
        return _relabel(replace(_closed(self), start=start, end=end, phrase=phrase))


def _closed(p: Period) -> Period:
    # A period "since March" moved back in time no longer runs to as_of: it is a plain range.
    return replace(p, kind="range", to_date=False) if p.kind == "since" else p


def _step_months(p: Period) -> int:
    # Calendar units step by whole months so "previous" of a quarter is a quarter, not 92 days.
    if p.kind in ("months", "span"):
        return months_between(p.start, p.end)
    return {"year": 12, "quarter": 3, "month": 1}.get(p.kind, 0)


def _relabel(p: Period) -> Period:
    return replace(p, label=_label(p.kind, p.start, p.end, p.to_date, p.lang))


def _label(kind: PeriodKind, start: date, end: date, to_date: bool, lang: Lang) -> str:
    suffix = " to date" if to_date else ""
    last = end - timedelta(days=1)
    if kind == "year":
        return f"{start.year}{suffix}"
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}{suffix}"
    if kind == "month":
        return f"{start:%Y-%m}{suffix}"
    if kind == "week":
        return f"week of {start.isoformat()}{suffix}"
    if kind == "span":
        return _span_label(start, end, lang)
    if kind == "since":
        return _since_label(start, lang)
    if kind == "until":
        return f"截至{_zh_day(last)}" if lang == "zh" else f"until {last.isoformat()}"
    if last == start:
        return start.isoformat()  # one day
    return f"{start.isoformat()}..{last.isoformat()}"


def _span_label(start: date, end: date, lang: Lang) -> str:
    """Whole months named by the largest unit they align to: 2026-H1, 2026-Q2 – 2026-Q3."""
    months, last = months_between(start, end), add_months(end, -1)
    if months % 12 == 0 and start.month == 1:
        return _pair(f"{start.year}", f"{last.year}", lang, "年")
    if months == 6 and start.month in (1, 7):
        half = (start.month + 5) // 6
        return f"{start.year}年{'上下'[half - 1]}半年" if lang == "zh" else f"{start.year}-H{half}"
    if months % 3 == 0 and start.month % 3 == 1:
        q1, q2 = (start.month + 2) // 3, (last.month + 2) // 3
        if lang == "en":
            return _pair(f"{start.year}-Q{q1}", f"{last.year}-Q{q2}", lang)
        return _zh_run(start.year, q1, last.year, q2, "第", "季度")
    if lang == "en":
        return _pair(f"{start:%Y-%m}", f"{last:%Y-%m}", lang)
    return _zh_run(start.year, start.month, last.year, last.month, "", "月")


def _zh_run(y1: int, n1: int, y2: int, n2: int, pre: str, unit: str) -> str:
    """2026年1–8月, 2026年第2–3季度, 2025年11月–2026年2月."""
    if y1 != y2:
        return f"{y1}年{pre}{n1}{unit}–{y2}年{pre}{n2}{unit}"
    return f"{y1}年{pre}{n1}{unit}" if n1 == n2 else f"{y1}年{pre}{n1}–{n2}{unit}"


def _pair(first: str, last: str, lang: Lang, zh_unit: str = "") -> str:
    if lang == "zh":
        return f"{first}{zh_unit}" if first == last else f"{first}{zh_unit}–{last}{zh_unit}"
    return first if first == last else f"{first} – {last}"


def _since_label(start: date, lang: Lang) -> str:
    """The start at the precision it was given: since 2026, since 2026-03, 2026年3月15日以来."""
    if lang == "zh":
        month = "" if start.month == start.day == 1 else f"{start.month}月"
        day = "" if start.day == 1 else f"{start.day}日"
        return f"{start.year}年{month}{day}以来"
    if start.day > 1:
        return f"since {start.isoformat()}"
    return f"since {start.year}" if start.month == 1 else f"since {start:%Y-%m}"


def _zh_day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _make(
    kind: PeriodKind,
    start: date,
    end: date,
    phrase: str,
    to_date: bool = False,
    lang: Lang = "en",
) -> Period:
    if end <= start:
        raise PeriodError(f"The period {phrase!r} is empty; choose a later or longer range.")
    return Period(start, end, _label(kind, start, end, to_date, lang), phrase, kind, to_date, lang)


# --- Calendar units -------------------------------------------------------------------------


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


def span(start: date, end: date, phrase: str, lang: Lang = "en") -> Period:
    """Whole months from ``start`` (a month's first day) to ``end`` (exclusive, likewise)."""
    return _make("span", start, end, phrase, lang=lang)


def half(y: int, h: int, phrase: str, lang: Lang = "en") -> Period:
    start = date(y, 6 * h - 5, 1)
    return span(start, add_months(start, 6), phrase, lang)


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


# --- Windows and open ends ------------------------------------------------------------------


def rolling(n: int, unit: str, as_of: date, phrase: str) -> Period:
    """The last ``n`` complete days, weeks or months before ``as_of``."""
    if n < 1 or n > 3660:
        raise PeriodError(f"{phrase!r}: the number of {unit} must be between 1 and 3660.")
    if unit == "months":
        return _make("months", add_months(as_of, -n), as_of, phrase)
    days = n * 7 if unit == "weeks" else n
    return _make("days", as_of - timedelta(days=days), as_of, phrase)


def last_quarters(n: int, as_of: date, phrase: str, lang: Lang = "en") -> Period:
    """The ``n`` complete calendar quarters before the one holding ``as_of``."""
    if n < 1 or n > 400:
        raise PeriodError(f"{phrase!r}: the number of quarters must be between 1 and 400.")
    end = quarter_start(as_of)
    if n == 1:
        return relative_unit("quarter", 1, as_of, phrase)
    return span(add_months(end, -3 * n), end, phrase, lang)


def since(start: date, as_of: date, phrase: str, lang: Lang = "en") -> Period:
    """From ``start`` through ``as_of`` inclusive, like "this year" (YTD)."""
    return _make("since", start, as_of + timedelta(days=1), phrase, to_date=True, lang=lang)


def until(end: date, phrase: str, lang: Lang = "en") -> Period:
    """Everything before ``end`` (exclusive); the phrase gave no start, see the module notes."""
    return _make("until", OPEN_START, end, phrase, lang=lang)


def explicit_range(first: date, last: date, phrase: str) -> Period:
    """An explicit inclusive range as people write it: ``2026-01-01..2026-03-31``."""
    return _make("range", first, last + timedelta(days=1), phrase)

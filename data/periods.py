"""Date phrases ("last quarter", "上个月", "since March 2026") resolved to one explicit range.

Dates are resolved in code from an injected ``as_of`` ("today"), never by a model, so the same
question on the same data always covers the same days. Every period is half-open:
``start <= t < end``. The rules, with ``as_of`` = 2026-11-01:

- Whole past units (last quarter, 上个月, 2026-07, 2026年上半年) cover the full unit.
- "To date" units (this quarter, YTD, 本月) run through ``as_of`` inclusive (end ``as_of + 1``).
- Rolling windows ("past 30 days", "last 3 months", 近3个月) end just before ``as_of``, so they
  hold only complete days. "Last N quarters" (近两个季度) are the N complete calendar quarters
  before ``as_of`` (2026-Q2 – 2026-Q3), matching "last quarter" = 2026-Q3.
- Spans of whole months ("from January to August 2026", 2026年1-8月, "May and June 2026",
  "Q2 to Q3 2026", "H2 2025") run from the first unit's start to the last unit's end.
- "Since X" (2026年3月以来, 从2026年3月起) runs from X's start through ``as_of`` inclusive, like
  YTD.
- "Before X" / "until X" (2026年6月之前, 截至2026-05-31) have no start in the phrase, and the data's
  first day is not known here. They start at ``OPEN_START`` (1900-01-01, before any data), so a
  query covers all data up to the end; the label says only "until 2026-05-31". Such a period has
  no equal-length previous period: ``previous()`` raises ``PeriodError`` asking for a start.

The phrase grammar lives in ``period_phrases``, the periods themselves in ``period_types``; this
module is the API both are used through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise

from .period_phrases import locate, locate_all, names_all_data, resolve
from .period_types import (
    ACCEPTED_FORMS,
    OPEN_START,
    Lang,
    Period,
    PeriodError,
    PeriodKind,
    add_months,
    explicit_range,
    half,
    last_quarters,
    month,
    months_between,
    quarter,
    quarter_start,
    relative_unit,
    rolling,
    since,
    span,
    until,
    year,
)

__all__ = [
    "ACCEPTED_FORMS",
    "OPEN_START",
    "Lang",
    "Period",
    "PeriodError",
    "PeriodKind",
    "PeriodReading",
    "add_months",
    "explicit_range",
    "find_period",
    "half",
    "last_quarters",
    "month",
    "months_between",
    "parse_period",
    "phrase_for",
    "quarter",
    "quarter_start",
    "read_periods",
    "relative_unit",
    "rolling",
    "since",
    "span",
    "until",
    "year",
]


def parse_period(phrase: str, as_of: date) -> Period:
    """Resolve a whole phrase; raises ``PeriodError`` listing accepted forms."""
    period = resolve(phrase, as_of)
    if period is None:
        raise PeriodError(f"Unknown period {phrase.strip()!r}; use one of: {ACCEPTED_FORMS}.")
    return period


@dataclass(frozen=True)
class PeriodReading:
    """What a question says about time, resolved once: the period it asks about, a second
    period it compares with ("Q3 … compared with Q2"), or the whole history ("overall")."""

    period: Period | None = None
    comparison: Period | None = None
    all_data: bool = False
    # Three or more months (quarters) said one by one ("in October, in November, and so far in
    # December"): ``period`` spans them, and each is asked about.
    listed: bool = False

    @property
    def compare(self) -> str | None:
        """ "previous" or "year_ago" when the comparison is exactly that period of ``period``;
        None when it is another one (the tools compare only with those two)."""
        if self.period is None or self.comparison is None or self.period.open_start:
            return None
        given = (self.comparison.start, self.comparison.end)
        for kind, other in (
            ("previous", self.period.previous()),
            ("year_ago", self.period.year_ago()),
        ):
            if given == (other.start, other.end):
                return kind
        return None


def read_periods(text: str, as_of: date) -> PeriodReading:
    """The period reading of a question: with two periods, the later one is asked about and
    the earlier one compared with; "overall"/"至今" with no period means all the data."""
    found = locate_all(text, as_of)
    if not found:
        return PeriodReading(all_data=names_all_data(text))
    found = _without_restated_ends(found)
    years = [p for p in found if p.kind == "year" and re.search(r"\d{4}", p.phrase or "")]
    if len(found) >= 3 and len(years) == 1:
        # "2016年里，3月和4月比", "In 2016, March vs April": the year said once holds the others.
        found = [_in_year_named(years[0], p)[1] if p is not years[0] else p for p in found]
    # "Over the last three months - December, January and February": the units listed say
    # again which the period is; it is one span, not each unit asked.
    restated = _restated_by_its_units(found)
    if restated is not None:
        return PeriodReading(period=restated)
    # "The first two weeks of November (Nov 1-14) against the two weeks after (Nov 15-28)": a
    # broad period holding two or more of the others only says where they lie.
    inside = [
        p for p in found
        if sum(q is not p and p.start <= q.start and q.end <= p.end for q in found) >= 2
    ]  # fmt: skip
    found = [p for p in found if p not in inside] if len(found) - len(inside) >= 2 else found
    before = [p for p in found if _BEFORE_NAMED.fullmatch((p.phrase or "").strip())]
    named = [p for p in found if p not in before]
    if _SAME_PERIOD.search(text):
        # "今年上半年比去年同期", "Q3 against the same quarter last year": a year earlier.
        asked = max(found, key=lambda p: p.start)
        return PeriodReading(period=asked, comparison=asked.year_ago())
    if named and (before or _BEFORE_SAID.search(text)) and len(named) == 1:
        # "The week of 28 March 2016 against the week before", "6月那周和前一周比": the same
        # length just before the period named, not the one before today.
        return PeriodReading(period=named[0], comparison=named[0].previous())
    listed = _said_one_by_one(found)
    if listed is not None:
        return PeriodReading(period=listed, listed=True)
    spanned = _each_unit_across(text, found)
    if spanned is not None:
        # "Its share for each half-year of 2023 and 2024": one span, by the unit said.
        return PeriodReading(period=spanned)
    if len(found) >= 2:
        one, other = _in_year_named(found[0], found[1])
        a, b = sorted((one, other), key=lambda p: p.start)
        if a.end <= b.start:
            return PeriodReading(period=b, comparison=a)
        inner = _within(one, other)
        if inner is not None:
            # "Last year - Nov 28 through Dec 25, 2024": the narrower period says which part;
            # "changed between the second and third quarters of 2026": its two ends compared.
            ends = _ends_compared(text, inner, as_of)
            if ends is not None:
                return PeriodReading(period=ends[1], comparison=ends[0])
            return PeriodReading(period=inner)
    current = _current_for(text, found[0], as_of)
    if current is not None:
        return PeriodReading(period=current, comparison=found[0])
    ends = _ends_compared(text, found[0], as_of)
    if ends is not None:
        return PeriodReading(period=ends[1], comparison=ends[0])
    return PeriodReading(period=found[0])


# A period said relative to another one named ("the previous week", "前一周"), and the same
# said in words no period phrase reads ("the week before", "the day before").
_BEFORE_NAMED = re.compile(
    r"(?i)(?:the\s+)?(?:previous|prior|preceding)\s+(?:week|month|quarter|year|day)"
    r"|前一(?:周|个?星期|个?月|天|日|个?季度|年)"
)
_BEFORE_SAID = re.compile(
    r"(?i)\b(?:the|a)\s+(?:week|month|quarter|day)\s+(?:before|earlier|prior)\b"
    r"(?!\s+yesterday\b)"  # "the day before yesterday" is a day of its own
)


def _restated_by_its_units(found: list[Period]) -> Period | None:
    """The one period that all the others, said one after another after it, make up exactly
    ("the last three months - December, January and February"); None when there is none."""
    # ``found`` is in the order said: the whole first, its units after it.
    whole, units = found[0], sorted(found[1:], key=lambda p: p.start)
    if len(units) < 2 or len({p.kind for p in units}) != 1:
        return None
    run = _run_of(units)
    return whole if run is not None and (run.start, run.end) == (whole.start, whole.end) else None


def _said_one_by_one(found: list[Period]) -> Period | None:
    """Three or more months (or quarters) said one after another, each following the last:
    the span they make, its phrase listing them."""
    units = sorted(found, key=lambda p: p.start)
    if (
        len(units) < 3
        or len({p.kind for p in units}) != 1
        or units[0].kind
        not in (
            "month",
            "quarter",
        )
    ):
        return None
    return _run_of(units)


def _run_of(units: list[Period]) -> Period | None:
    """The span of periods said one after another, each following the last, its phrase listing
    them; None when one does not follow the one before."""
    if any(a.end != b.start for a, b in pairwise(units)):
        return None
    first, last = units[0], units[-1]
    return replace(
        first,
        end=last.end,
        label=f"{first.label} – {last.label}",
        phrase=", ".join(p.phrase or p.label for p in units),
        kind="span",
        to_date=last.to_date,
    )


# A unit finer than the periods named, asked each of ("each half-year of 2023 and 2024").
_EACH_FINER = re.compile(
    r"(?i)\b(?:each|every|per|by)\s+(?P<en>half[- ]year|half|quarter|month|week|day)s?\b"
    r"|(?:每个?|按|各)(?P<zh>半年|季度|月|周|天)"
)
_FINER_THAN = {
    "year": ("half", "quarter", "month", "week", "day"),
    "quarter": ("month", "week", "day"),
}


def _each_unit_across(text: str, found: list[Period]) -> Period | None:
    """Two or more years (quarters) said one after another with a finer unit asked each of:
    the span they make, its phrase listing them; None otherwise."""
    m = _EACH_FINER.search(text)
    units = sorted(found, key=lambda p: p.start)
    if m is None or len(units) < 2 or len({p.kind for p in units}) != 1:
        return None
    unit = (m.group("en") or "").lower().split("-")[0].split(" ")[0] or {
        "半年": "half", "季度": "quarter", "月": "month", "周": "week", "天": "day"
    }[m.group("zh")]  # fmt: skip
    if unit not in _FINER_THAN.get(units[0].kind, ()):
        return None
    return _run_of(units)


def _without_restated_ends(found: list[Period]) -> list[Period]:
    """The periods found, less a day that only restates another's first or last day ("the week
    starting Monday 28 March 2016 (through Sunday 3 April)")."""

    def restates(day: Period, other: Period) -> bool:
        if (day.end - day.start).days != 1 or other is day:
            return False
        if not re.search(r"\d{4}", day.phrase or "") and day.phrase:
            # Its year understood from the period it restates ("… 2016 (through Sunday 3 April)").
            again = resolve(day.phrase, other.end)
            day = again if again is not None else day
        return day.start in (other.start, other.last_day)

    kept = [
        p
        for p in found
        if not any(restates(p, o) for o in found if o.end - o.start > p.end - p.start)
    ]
    return kept or found


def _in_year_named(one: Period, other: Period) -> tuple[Period, Period]:
    """A period said without its year beside a year said alone ("2016年里，3月1日到9日"): read
    in that year rather than the latest one begun by today."""
    for named, bare in ((one, other), (other, one)):
        if not re.search(r"\d{4}", named.phrase or ""):
            continue
        if not bare.phrase or re.search(r"\d{4}|[今去前本]年|\b(?:last|this|next)\b", bare.phrase):
            continue
        # "The second half of 2024 than the first half": the year said once holds both.
        # (The year's last day: its end is the next year's first, when that year's January
        # and first half have begun.)
        anchor = (
            named.end - timedelta(days=1)
            if named.kind == "year"
            else date(named.start.year, 12, 31)
        )
        again = resolve(bare.phrase, anchor)
        if again is not None:
            return named, again
    return one, other


def _within(one: Period, other: Period) -> Period | None:
    """The narrower of two periods when one lies inside the other and is shorter."""
    for inner, outer in ((one, other), (other, one)):
        if outer.kind not in ("year", "quarter", "month", "half", "span"):
            continue  # "the first week of April, April 1st through the 7th": one period twice
        inside = outer.start <= inner.start and inner.end <= outer.end
        if inside and (inner.end - inner.start) < (outer.end - outer.start):
            return inner
    return None


# How something moved ("rise or fall from 2023 to 2024", "从二季度到三季度是增加还是减少").
_MOVED = re.compile(
    r"(?i)\b(?:rise|rose|risen|fall|fell|fallen|grow|grew|grown|increase[ds]?|decrease[ds]?"
    r"|drop(?:ped)?|go(?:ne)? up|go(?:ne)? down|went up|went down|change[ds]?|moved?)\b"
    r"|增加|减少|增长|下降|上升|涨|降|变化|变多|变少|多了还是少了"
)
# A series over the range asked for, not its two ends.
_OVER_TIME = re.compile(
    r"(?i)\btrend|\bover time\b|\bmonthly\b|\bweekly\b|\bquarterly\b"
    r"|\bby (?:month|week|quarter|day)\b"
    r"|\b(?:each|every|per) (?:month|week|quarter|day)\b|趋势|走势|每个?月|每周|每个?季度|逐月|按月"
)
# The two ends of a range asked about each ("each of the two months", "这两个月各").
_TWO_ENDS = re.compile(
    r"(?i)\b(?:each|both) of (?:the|those|these) two\b|\bthe two (?:months|quarters|years|weeks)\b"
    r"|这两个(?:月|季度|年|周)|两个月各"
)
_RANGE_SPLIT = re.compile(r"\s*(?:\bto\b|\buntil\b|至|到|~|–|—|-)\s*")


def _ends_compared(text: str, found: Period, as_of: date) -> tuple[Period, Period] | None:
    """A range whose ends are two whole periods of one kind ("from 2023 to 2024") in a question
    about how something moved: the later end compared with the earlier, not one long span."""
    if not _MOVED.search(text) or _OVER_TIME.search(text) or not found.phrase:
        return None
    between = re.search(r"(?i)\bbetween\b|之间", found.phrase) or " and " in found.phrase
    phrase = re.sub(r"(?i)^\s*(?:from|从|自|between)\s*", "", found.phrase)
    # "Grow between March and May … each of the two months": the two ends, compared.
    split = _RANGE_SPLIT if not between else re.compile(r"(?i)\s+and\s+|\s*(?:和|与)\s*")
    halves = [h.strip() for h in split.split(phrase) if h.strip()]
    if len(halves) != 2:
        return None
    year = re.search(r"\d{4}", halves[1])
    if year and not re.search(r"\d{4}", halves[0]):
        halves[0] = f"{halves[0]} {year.group(0)}"  # "March and May 2016": both in 2016
    try:
        first, second = (parse_period(h.strip(), as_of) for h in halves)
    except PeriodError:
        return None
    same = (first.end - first.start).days // 25 == (second.end - second.start).days // 25
    # "Contracts ending between January and August": one span of them; "changed between the
    # second and third quarters": two units next to each other, compared.
    if between and not _TWO_ENDS.search(text) and first.end != second.start:
        return None
    if first.end <= second.start and same:
        return first, second
    return None


_SAME_PERIOD = re.compile(
    r"(?i)去年同期|上年同期|同期相比|同比|(?:去年|上年)(?:的)?同(?:一)?(?:个)?(?:月|季度|季|周)(?:份)?"
    r"|\bsame (?:period|quarter|month|half|time) (?:of |in )?"
    r"(?:last|the previous|a|the prior) year\b|\byear[- ]on[- ]year\b|\byear[- ]over[- ]year\b"
    r"|\ba year (?:earlier|before|ago)\b"
)
# The one period a question names is what it compares with ("compared with Q2", "跟二季度比"):
# words before it, or (Chinese) a preposition before and 比 after.
_COMPARED_BEFORE = re.compile(
    r"(?i)(?:\bcompared?\s+(?:it\s+)?(?:with|to)|\bvs\.?|\bversus|\bagainst|\brelative\s+to"
    r"|\bthan(?:\s+in)?|比起|相比于|相较于|对比|较|(?:^|[\s，,。？?！!：:])比)\s*(?:the\s+)?$"
)
_ZH_WITH = re.compile(r"(?:跟|和|与|同)\s*$")
_ZH_THEN_COMPARE = re.compile(r"^\s*(?:相比|比较|对比|比)")
# The grain of a period named by its unit, and the phrase for the latest full one.
_GRAINS = (
    (re.compile(r"^\d{4}-Q[1-4]$"), "last quarter"),
    (re.compile(r"^\d{4}-\d{2}$"), "last month"),
)


def _current_for(text: str, named: Period, as_of: date) -> Period | None:
    """The period asked about when the only one named is the comparison: the latest full one
    of the same unit (a quarter, a month), if it comes after the named one."""
    at = text.lower().find(named.phrase.lower()) if named.phrase else -1
    if at < 0:
        return None
    before, after = text[:at], text[at + len(named.phrase) :]
    said = _COMPARED_BEFORE.search(before) or (
        _ZH_WITH.search(before) and _ZH_THEN_COMPARE.search(after)
    )
    if not said:
        return None
    for grain, phrase in _GRAINS:
        if grain.match(named.label):
            current = parse_period(phrase, as_of)
            return current if named.end <= current.start else None
    return None


def phrase_for(period: Period, as_of: date) -> str:
    """A phrase that resolves to exactly ``period`` again (for a tool that takes phrases): its
    label where that works ("2026-Q3"), else the words it came from, else its dates."""
    for text in (period.label, period.phrase):
        try:
            again = parse_period(text, as_of)
        except PeriodError:
            continue
        if (again.start, again.end) == (period.start, period.end):
            return text
    return f"{period.start.isoformat()}..{period.last_day.isoformat()}"


def find_period(text: str, as_of: date) -> Period | None:
    """The date phrase inside a longer question, resolved; None if there is none.

    Where phrases overlap the longest wins ("from January to August 2026" over "August 2026");
    of separate phrases the first wins ("last quarter vs the quarter before last").
    """
    return locate(text, as_of)

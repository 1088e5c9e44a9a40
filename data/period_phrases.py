"""The grammar of date phrases: the patterns that recognise them and what each one means.

Text is normalised first (NFKC, lower case, single spaces), so patterns see ASCII digits and
lower-case words. A phrase made of other phrases ("from <A> to <B>", "since <A>", "<A>之前")
matches each part with ``ANCHOR`` (one unit that names its year, or a relative unit such as
"last quarter") and resolves that part on its own. Runs that share one year ("January to August
2026", 2026年5、6月, "Q2 and Q3 2026") are read item by item: a range (1-8, "to") covers
everything between its ends; a list (5、6, "and") must name consecutive units.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from .period_types import (
    Lang,
    Period,
    PeriodError,
    add_months,
    explicit_range,
    half,
    last_quarters,
    month,
    quarter,
    relative_unit,
    rolling,
    since,
    span,
    until,
    year,
)


class Context(NamedTuple):
    as_of: date
    phrase: str
    lang: Lang


Builder = Callable[[re.Match[str], Context], Period]

EN_WORDS = "one two three four five six seven eight nine ten eleven twelve".split()  # noqa: SIM905
MONTH_ABBR = "jan feb mar apr may jun jul aug sep oct nov dec".split()  # noqa: SIM905
_EN_NUMBERS = {w: i + 1 for i, w in enumerate(EN_WORDS)}
_ZH_DIGITS = {**{ch: i for i, ch in enumerate("零一二三四五六七八九")}, "两": 2}
_MONTHS = {name: i + 1 for i, name in enumerate(MONTH_ABBR)}
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
# A month's label as the tools write it: "2026-04".
MONTH_LABEL = re.compile(r"((?:19|20)\d\d)-(0[1-9]|1[0-2])")
_UNITS = {"day": "days", "天": "days", "日": "days", "week": "weeks", "周": "weeks"}
_UNITS |= {"星期": "weeks", "month": "months", "月": "months"}
_CJK = re.compile(r"[\u4e00-\u9fff]")

_NUM = r"(\d+|" + "|".join(EN_WORDS) + r"|[零一二两三四五六七八九十百]+|半)"
_B, _E = r"(?<![a-z0-9])", r"(?![a-z0-9])"
_DATE = r"(\d{4}-\d{1,2}-\d{1,2})"
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])"
)
_ZH_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_ZH_QUARTER = r"[1-4一二三四]"
# What may join the items of a run; the list words among them say "these units, each".
_RUN_SEP = r"\s*(?:to|through|thru|until|till|and|&|,|-|–|—|~|到|至|、|和|与|及)\s*"
_LIST_SEP = re.compile(r"and|&|,|、|和|与|及")
_RANGE_SEP = r"\s*(?:up to|up until|to|through|thru|until|till|-|–|—|~|\.\.|到|至)\s*"

# A year followed by 款/版 or "model" names a model year ("2018款", "the 2018 models").
_MODEL_YEAR = r"\s*年?\s*[款版]|\s+models?\b"

# One unit that names its year, or a relative unit; most specific first, because at one
# position a search takes the first alternative that works.
_ANCHORS = [
    r"\d{4}-\d{1,2}-\d{1,2}",
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]",
    r"\d{4}\s*年\s*\d{1,2}\s*月份?",
    r"\d{4}[-/.]\d{1,2}(?![\d/-]|\.\d)",
    _MONTH_NAME + r" ?,? ?\d{4}",
    _MONTH_NAME + r" (?:of )?(?:this|last) year",
    r"[今去前本]年\s*(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月份?",
    r"\d{4}\s*年?\s*第?\s*[1-4一二三四]\s*季度",
    r"\d{4}\s*年?\s*[- ]?q[1-4]",
    r"q[1-4][ ,-]*\d{4}",
    r"\d{4}\s*年\s*[上下]半年",
    r"[今去前]年\s*[上下]半年",
    r"h[12] ?\d{4}|\d{4} ?-?h[12]",
    r"(?:the )?(?:first|second|1st|2nd) half (?:of )?\d{4}",
    r"(?:last|previous|this) (?:quarter|month|week|year)",
    r"上个?季度|本季度|上个?月|本月|上周|本周|去年|今年",
    r"\d{4}\s*年(?!" + _MODEL_YEAR + r")|(?:19|20)\d{2}(?!\d|\s*年?" + _MODEL_YEAR + ")",
    # Units whose year is understood (the latest begun by as_of) or written with two digits.
    r"(?:\d{2}\s*年\s*)?(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月份?",
    r"第?[1-4一二三四]\s*季度",
    r"q[1-4]",
    r"(?:the )?(?:first|second|third|fourth|1st|2nd|3rd|4th) quarter",
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])",
]
ANCHOR = "(?:" + "|".join(_ANCHORS) + ")"
_A, _A2 = f"(?P<a>{ANCHOR})", f"(?P<b>{ANCHOR})"


def month_said(label: str) -> tuple[str, str] | None:
    """A month's label ("2026-04") as people say it, in English and in Chinese ("April 2026",
    "2026年4月"); None for any other label."""
    m = MONTH_LABEL.fullmatch(label)
    if m is None:
        return None
    year, month = m.group(1), int(m.group(2))
    return f"{MONTH_NAMES[month - 1]} {year}", f"{year}年{month}月"


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


# --- Builders for single units --------------------------------------------------------------

_UNIT_WORDS = {
    "quarter": ("quarter", "qtr", "季度", "季", "q"),
    "month": ("month", "mo", "mth", "月", "m"),
    "week": ("week", "wk", "周", "星期", "礼拜", "w"),
    "year": ("year", "yr", "年", "y"),
}
_UNIT_OF = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
# "past month" is a rolling window; "last month" is the previous calendar month.
_PAST = {
    "quarter": (3, "months"),
    "month": (1, "months"),
    "week": (7, "days"),
    "year": (12, "months"),
}


def _rel(offset: int, unit: str | None = None) -> Builder:
    """A builder for "the unit ``offset`` units back" (0: to date), unit from the match if None."""
    return lambda m, c: relative_unit(unit or _UNIT_OF[m["unit"]], offset, c.as_of, c.phrase)


def _past(m: re.Match[str], c: Context) -> Period:
    n, unit = _PAST[_UNIT_OF[m["unit"]]]
    return rolling(n, unit, c.as_of, c.phrase)


def _span_alone(m: re.Match[str], c: Context) -> Period:
    """ "24个月的", "两年来": months, or a few years, said alone, ending now."""
    n, unit = (m["n"], "months") if m["n"] else (m["n2"], "years")
    months = number(n) * (12 if unit == "years" else 1)
    return rolling(months, "months", c.as_of, c.phrase)


def _rolling(m: re.Match[str], c: Context) -> Period:
    count, unit = m["n"], m["unit"].removeprefix("个")
    if count == "半":  # 近半年: half a year
        return rolling(6, "months", c.as_of, c.phrase)
    n, unit = number(count), unit.rstrip("s")
    unit = _UNIT_OF.get(unit, unit)  # "qtr", "yr", "mo" as their units
    if unit in ("quarter", "季度"):
        return last_quarters(n, c.as_of, c.phrase, c.lang)
    if unit in ("year", "年"):
        return rolling(12 * n, "months", c.as_of, c.phrase)
    return rolling(n, _UNITS.get(unit, unit + "s"), c.as_of, c.phrase)


def _year_of(m: re.Match[str], c: Context, first_month: int) -> int:
    """The year a unit belongs to: written (2026, 26年), relative (今年, last year), or, when the
    phrase names none ("Q3", "10月", "Jul–Sep"), the latest year in which the unit has begun
    by ``as_of``."""
    given = m.groupdict()
    if given.get("y"):
        return int(given["y"])
    if given.get("yy"):
        return 2000 + int(given["yy"])
    rel = given.get("rel")
    if rel:
        return c.as_of.year - _BACK[rel]
    return c.as_of.year if date(c.as_of.year, first_month, 1) <= c.as_of else c.as_of.year - 1


_BACK = {"this": 0, "今": 0, "本": 0, "last": 1, "去": 1, "前": 2}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4}
_ORDINALS |= {"4th": 4}


def _months(n: int) -> Builder:
    """A rolling window of the last ``n`` whole months."""
    return lambda m, c: rolling(n, "months", c.as_of, c.phrase)


def _so_far(m: re.Match[str], c: Context) -> Period:
    """ "2026 so far": from the year's start through ``as_of``, like "this year"."""
    return since(date(int(m["y"] or m["y2"]), 1, 1), c.as_of, c.phrase, c.lang)


def _quarter(m: re.Match[str], c: Context) -> Period:
    q = number(m["q"]) if m["q"] in _ZH_DIGITS or m["q"].isdigit() else _ORDINALS[m["q"]]
    return quarter(_year_of(m, c, 3 * q - 2), q, c.phrase)


def _month(m: re.Match[str], c: Context) -> Period:
    n = _item(m["m"])
    return month(_year_of(m, c, n), n, c.phrase)


def _zh_day(m: re.Match[str], c: Context) -> Period:
    text = f"{m['y']}-{m['m']}-{m['d']}"
    return explicit_range(_iso(text, c.phrase), _iso(text, c.phrase), c.phrase)


def _zh_days(m: re.Match[str], c: Context) -> Period:
    """2026年7月1日至9月30日: both days in the year written once."""
    first, last = f"{m['y']}-{m['m']}-{m['d']}", f"{m['y']}-{m['m2']}-{m['d2']}"
    return explicit_range(_iso(first, c.phrase), _iso(last, c.phrase), c.phrase)


def _day_of_year_understood(m: re.Match[str], c: Context) -> Period:
    """ "6月6日", "June 6th": that day in the latest year in which it has come by ``as_of``."""
    n, d = _item(m["m"]), int(m["d"])
    year = c.as_of.year if (n, d) <= (c.as_of.month, c.as_of.day) else c.as_of.year - 1
    when = _date(year, n, d, c.phrase)
    return explicit_range(when, when, c.phrase)


def _date(y: int, n: int, d: int, phrase: str) -> date:
    try:
        return date(y, n, d)
    except ValueError:
        raise PeriodError(f"{phrase!r} names no such day.") from None


def _en_day(m: re.Match[str], c: Context) -> Period:
    """ "June 6, 2019": that day."""
    when = _date(int(m["y"]), _item(m["m"]), int(m["d"]), c.phrase)
    return explicit_range(when, when, c.phrase)


def _day_span(m: re.Match[str], c: Context) -> Period:
    """ "6月1日至6月5日", "June 1 to June 5", "June 1-5": the days from one to the other, in
    the latest year the first has come by ``as_of``."""
    first = _day_of_year_understood(m, c).start
    n2 = _item(m["m2"]) if m["m2"] else first.month
    last = _date(first.year + (n2 < first.month), n2, int(m["d2"]), c.phrase)
    return (
        explicit_range(first, last, c.phrase)
        if last >= first
        else explicit_range(first, first, c.phrase)
    )


def _day_span_in(m: re.Match[str], c: Context) -> Period:
    """ "June 1 to June 7, 2020", "1-7 June 2020", "2020年6月1日至7日": the days from one to the
    other in the year written (the second month, if another, follows the first)."""
    y, n = int(m["y"]), _item(m["m"])
    later = m.groupdict().get("m2")
    n2 = _item(later) if later else n
    first = _date(y, n, int(m["d"]), c.phrase)
    last = _date(y + (n2 < n), n2, int(m["d2"]), c.phrase)
    if last < first:
        raise PeriodError(f"{c.phrase!r} ends before it starts.")
    return explicit_range(first, last, c.phrase)


_WEEK_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
                  "fourth": 3, "4th": 3, "第一": 0, "第二": 1, "第三": 2, "第四": 3}  # fmt: skip


def _week_of_month(m: re.Match[str], c: Context) -> Period:
    """ "The first week of March 2016", "2016年3月第一周": days 1–7 (8–14, …) of the month; "the
    last week": its last seven days."""
    n = _item(m["m"])
    y = int(m["y"]) if m["y"] else _year_of(m, c, n)
    start = date(y, n, 1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    k = m["k"]
    if k in ("last", "最后一", "最后"):
        return explicit_range(end - timedelta(days=6), end, c.phrase)
    first = start + timedelta(days=7 * _WEEK_ORDINALS[k])
    return explicit_range(first, min(first + timedelta(days=6), end), c.phrase)


def _half_of_month(m: re.Match[str], c: Context) -> Period:
    """ "The first half of November", "11月下半月": days 1–15, or the 16th to the month's end."""
    n = _item(m["m"])
    y = int(m["y"]) if m["y"] else _year_of(m, c, n)
    start = date(y, n, 1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if m["h"] in ("first", "1st", "上", "前"):
        return explicit_range(start, start.replace(day=15), c.phrase)
    return explicit_range(start.replace(day=16), end, c.phrase)


def _week_of_day(m: re.Match[str], c: Context) -> Period:
    """ "The week of March 7, 2016": Monday to Sunday of the week holding that day."""
    when = _date(int(m["y"]), _item(m["m"]), int(m["d"]), c.phrase)
    monday = when - timedelta(days=when.weekday())
    return explicit_range(monday, monday + timedelta(days=6), c.phrase)


def _week_from_day(m: re.Match[str], c: Context) -> Period:
    """ "The week starting Monday 28 March 2016": seven days from that day."""
    when = _date(int(m["y"]), _item(m["m"]), int(m["d"]), c.phrase)
    return explicit_range(when, when + timedelta(days=6), c.phrase)


def _full_span(m: re.Match[str], c: Context) -> Period:
    """ "28 March 2016 to 3 April 2016", "March 28, 2016 - April 3, 2016": each end with its
    year."""
    first = _date(int(m["y"]), _item(m["m"]), int(m["d"]), c.phrase)
    last = _date(int(m["y2"]), _item(m["m2"]), int(m["d2"]), c.phrase)
    if last < first:
        raise PeriodError(f"{c.phrase!r} ends before it starts.")
    return explicit_range(first, last, c.phrase)


def _day(offset: int) -> Builder:
    return lambda m, c: explicit_range(
        c.as_of - timedelta(days=offset), c.as_of - timedelta(days=offset), c.phrase
    )


def _half(m: re.Match[str], c: Context) -> Period:
    h = 1 if m["h"] in ("first", "1st", "1", "上") else 2
    return half(_year_of(m, c, 6 * h - 5), h, c.phrase, c.lang)


# --- Builders for phrases made of parts -----------------------------------------------------


def _anchor(text: str, c: Context) -> Period:
    found = resolve(text, c.as_of)
    if found is None:  # ANCHOR only matches phrases that resolve on their own.
        raise PeriodError(f"{text!r} in {c.phrase!r} is not a date phrase.")
    return found


def _join(m: re.Match[str], c: Context) -> Period:
    """From the start of part ``a`` to the end of part ``b``."""
    a, b = _anchor(m["a"], c), _anchor(m["b"], c)
    if b.to_date:
        return since(a.start, c.as_of, c.phrase, c.lang)
    whole_months = a.start.day == 1 and b.end.day == 1 and "range" not in (a.kind, b.kind)
    if whole_months:
        return span(a.start, b.end, c.phrase, c.lang)
    return explicit_range(a.start, b.last_day, c.phrase)


def _since(m: re.Match[str], c: Context) -> Period:
    return since(_anchor(m["a"], c).start, c.as_of, c.phrase, c.lang)


def _since_month(m: re.Match[str], c: Context) -> Period:
    return since(_month(m, c).start, c.as_of, c.phrase, c.lang)


def _before(m: re.Match[str], c: Context) -> Period:
    return until(_anchor(m["a"], c).start, c.phrase, c.lang)


def _across(m: re.Match[str], c: Context) -> Period:
    return _anchor(m["a"], c)


def _through(m: re.Match[str], c: Context) -> Period:
    return until(_anchor(m["a"], c).end, c.phrase, c.lang)


def _bounds(m: re.Match[str], token: str, c: Context) -> tuple[str, str]:
    """The first and last items of a run written as a range (1-8) or a consecutive list (5、6)."""
    run = m["run"]
    found = list(re.finditer(token, run))
    gaps = [run[x.end() : y.start()] for x, y in itertools.pairwise(found)]
    lists = [bool(_LIST_SEP.search(g)) for g in gaps]
    items = [x.group(0) for x in found]
    if (m.group(0).startswith("between") or not any(lists)) and len(items) == 2:
        return items[0], items[1]
    if all(lists) and _consecutive([_item(i) for i in items]):
        return items[0], items[-1]
    raise PeriodError(
        f"{c.phrase!r} does not name one unbroken period; ask about each part separately, "
        "or give a range such as 'from January to August 2026'."
    )


def _item(token: str) -> int:
    token = token.strip(".").strip().removeprefix("第").removesuffix("份").removesuffix("月")
    token = token.removesuffix("季度").strip()
    return _MONTHS[token[:3]] if token[:3] in _MONTHS else number(token)


def _consecutive(numbers: list[int]) -> bool:
    return all(b == a + 1 for a, b in itertools.pairwise(numbers))


def _month_run(token: str) -> Builder:
    def build(m: re.Match[str], c: Context) -> Period:
        first, last = (_item(t) for t in _bounds(m, token, c))
        y = _year_of(m, c, first)
        return span(date(y, first, 1), add_months(date(y, last, 1), 1), c.phrase, c.lang)

    return build


def _quarter_run(m: re.Match[str], c: Context) -> Period:
    first, last = (number(t) for t in _bounds(m, _ZH_QUARTER, c))
    y = _year_of(m, c, 3 * first - 2)
    start, end = date(y, 3 * first - 2, 1), date(y, 3 * last - 2, 1)
    return span(start, add_months(end, 3), c.phrase, c.lang)


def _end_of_year(unit: str) -> Builder:
    """ "The last quarter of last year", "去年最后两个月", "the first three months of 2023": the
    first or last ``n`` months or quarters of the year named."""

    def build(m: re.Match[str], c: Context) -> Period:
        given = m.groupdict()
        n = number(given["n"]) if given.get("n") else 1
        months = n * (3 if unit == "quarter" else 1)
        if not 1 <= months <= 12:
            raise PeriodError(f"A year has 12 months; {c.phrase!r} asks for {months}.")
        y = _year_of(m, c, 1)
        last = given.get("end") in ("last", "final", "最后", "末")
        first = 13 - months if last else 1
        start = date(y, first, 1)
        if months == 3 and first in (1, 4, 7, 10):
            return quarter(y, (first + 2) // 3, c.phrase)
        if months == 1:
            return month(y, first, c.phrase)
        return span(start, add_months(start, months), c.phrase, c.lang)

    return build


_END_NUM = r"(?:(?P<n>two|three|four|five|six|2|3|4|5|6) )?"
_END_YEAR = r" (?:of|in) (?:(?P<rel>this|last) year|(?P<y>\d{4}))"
_ZH_END_YEAR = r"(?:(?P<y>\d{4})|(?P<rel>[今去前本]))\s*年(?:的|度)?\s*"
_ZH_END_NUM = r"(?P<n>[一两二三四五六1-6])?"


# --- The patterns ---------------------------------------------------------------------------

_N = _NUM.replace("(", "(?P<n>", 1)
# Units as written, with the abbreviations managers type ("last qtr", "past 2 yrs", "24 mo").
_U = r"(?P<unit>quarter|qtr|month|mth|mo|week|wk|year|yr)"
_UNIT_NAMES = r"(?:day|week|wk|month|mth|mo|quarter|qtr|year|yr)s?"
_MON = f"(?P<m>{_MONTH_NAME})"
# A weekday said with a day ("Monday June 1", "6月1日（周一）"): part of the date, skipped.
# A weekday before a date, named or not ("Friday Nov 24", "Cyber Monday Nov 27").
_WD = r"(?:(?:[a-z]+ )?(?:mon|tues|wednes|thurs|fri|satur|sun)day,? )?"
_ZH_WD = r"(?:\s*[（(]?(?:周|星期|礼拜)[一二三四五六日天][）)]?)?"
_Y = r"(?<!\d)(?P<y>\d{4})"
# "The top 10 May 2024 tickets" ranks them; the number is no day.
_NOT_RANK = r"(?<!top )(?<!first )(?<!last )(?<!best )(?<!worst )"


def _run(item: str) -> str:
    """Two or more items joined by range or list words: "jan to aug", "5月、6", "q2-q3"."""
    return f"(?P<run>{item}(?:{_RUN_SEP}{item})+)"


_EN_RUN = _run(_MONTH_NAME)
_ZH_RUN = _run(_ZH_MONTH + r"(?:\s*月份?)?")
_QN_RUN = _run(r"第?\s*" + _ZH_QUARTER + r"(?:\s*季度)?")
_Q_RUN = _run("q[1-4]")
_ZH_DAYS = (
    r"(?:从|自)?"
    + _Y
    + r"\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"
    + _RANGE_SEP
    + r"(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日号]"
)
_HALF = r"(?:the )?(?P<h>first|second|1st|2nd) half"
# A year written in Chinese before a unit: 2026年, 26年, 今年/去年/前年; optional.
_ZY = r"(?:(?:(?<!\d)(?P<y>\d{4})|(?<!\d)(?P<yy>\d{2})|(?P<rel>[今去前本]))\s*年(?:的)?\s*)?"
_ZH_MON = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_EN_YEAR = r"(?: (?:of |in )?(?:(?P<rel>this|last) year|(?P<y>\d{4})))?"
_ORDINAL = r"(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)"
# Month names without a year; "may" only after a preposition, as it is also a common word.
_MON_NO_MAY = (
    r"(?P<m>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])"
)
_ZH_UNITS = r"天|日|周|个?星期|个?月|个?季度|年"
_NOW = r"(?:onwards?|to date|to now|until now|till now|to today|until today)"
_RAW: list[tuple[str, Builder]] = [
    (_B + r"(?:last|previous|prior) " + _U + _E, _rel(1)),
    (_B + r"(?:the )?" + _U + r" before last" + _E, _rel(2)),
    (_B + r"past " + _U + _E, _past),
    (_B + r"(?:this|current) " + _U + _E, _rel(0)),
    (_B + _U + r"[ -]to[ -]date" + _E, _rel(0)),
    (_B + r"(?P<unit>q|m|w|y)td" + _E, _rel(0)),
    (_B + r"(?:last|past|previous|prior) " + _N + r" (?P<unit>" + _UNIT_NAMES + ")" + _E, _rolling),
    (r"(?:近|最近|过去|前|这|最后)\s*" + _N + r"\s*(?P<unit>" + _ZH_UNITS + ")", _rolling),
    # "24个月的满意度", "两年来": a span of months or years said alone, ending now; not a
    # length compared with ("提交超过一个月的": older than a month).
    (
        r"(?<![第前后每\d])(?<!超过)(?<!多于)(?<!不到)(?<!少于)(?<!不足)(?<!至少)(?<!长于)(?:(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?P<unit>个月)"
        r"|(?P<n2>\d|[一二两三四五六七八九十])\s*(?P<unit2>年))(?=的|以来|来|之内|内|里)",
        _span_alone,
    ),
    (r"(?:上上|再上)个?季度", _rel(2, "quarter")),
    (r"(?:上上|再上)个?(?P<unit>月|周|星期|礼拜)", _rel(2)),
    (r"上[个一]?(?P<unit>季度|季(?!度)|月|周|星期|礼拜)", _rel(1)),
    # "各占当月…的多少": 当月 of each period named is that month, not this one.
    (r"(?:本|这个?|(?<![各占每])当)(?P<unit>季度|月|周|星期)", _rel(0)),
    (r"今年|本年度?|年初至今", _rel(0, "year")),
    (r"去年|上一?年度?", _rel(1, "year")),
    (r"前年", _rel(2, "year")),
    (_Y + r"\s*年?\s*第?(?P<q>[1-4一二三四])\s*季度", _quarter),
    (_Y + r"\s*年?\s*[- ]?q(?P<q>[1-4])" + _E, _quarter),
    (_B + r"q(?P<q>[1-4])[ ,-]*(?P<y>\d{4})" + _E, _quarter),
    (_Y + r"\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]", _zh_day),
    (_ZH_DAYS, _zh_days),
    # Days whose year is understood: spans first ("6月1日至5日", "June 1 to June 5"), then one.
    (
        r"(?<![\d年])"
        + _ZH_MON
        + r"\s*月\s*(?P<d>[12]\d|3[01]|0?[1-9])\s*[日号]?"
        + _ZH_WD
        + r"\s*(?:至|到|-|~|–|—)\s*"
        r"(?:(?P<m2>1[0-2]|0?[1-9])\s*月\s*)?(?P<d2>[12]\d|3[01]|0?[1-9])\s*[日号]" + _ZH_WD,
        _day_span,
    ),
    (
        _B + _MON + r" (?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s*(?:to|through|until|-|–|—)\s*"
        r"(?:(?P<m2>" + _MONTH_NAME + r") )?(?P<d2>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?" + _E,
        _day_span,
    ),
    (_B + _MON + r" (?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,? (?P<y>\d{4})" + _E, _en_day),
    (
        _B + r"between " + _MON + r" (?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)? and "
        r"(?:(?P<m2>" + _MONTH_NAME + r") )?(?P<d2>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?" + _E,
        _day_span,
    ),
    # Spans of days with the year written after them, and weeks of a month or of a day.
    (
        _B
        + r"(?:(?:between|from) )?"
        + _WD
        + _MON
        + r" (?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
        r"\s*(?:to|through|until|and|-|–|—)\s*" + _WD + r"(?:(?P<m2>" + _MONTH_NAME + r") )?"
        r"(?P<d2>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,? (?P<y>\d{4})" + _E,
        _day_span_in,
    ),
    (
        _B + r"(?:(?:between|from) )?(?:the )?(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
        r"\s*(?:to|through|until|and|-|–|—)\s*(?:the )?(?P<d2>[12]\d|3[01]|0?[1-9])"
        r"(?:st|nd|rd|th)?(?: of)? " + _MON + r",? (?P<y>\d{4})" + _E,
        _day_span_in,
    ),
    # Day first, as written outside the US: "from 28 Nov to 25 Dec 2024", "28 November 2024".
    (
        _B + _NOT_RANK + r"(?:(?:between|from) )?(?:the )?(?P<d>[12]\d|3[01]|0?[1-9])"
        r"(?:st|nd|rd|th)?(?: of)? "
        + _MON
        + r",?\s*(?:to|through|until|and|-|–|—)\s*(?:the )?(?P<d2>[12]\d|3[01]|0?[1-9])"
        r"(?:st|nd|rd|th)?(?: of)? (?P<m2>" + _MONTH_NAME + r"),? (?P<y>\d{4})" + _E,
        _day_span_in,
    ),
    (
        _B
        + _NOT_RANK
        + r"(?:the )?(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?: of)? "
        + _MON
        + r",? (?P<y>\d{4})"
        + _E,
        _en_day,
    ),
    (
        r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"
        r"\s*(?:至|到|-|~|–|—)\s*(?P<d2>\d{1,2})\s*[日号]",
        _day_span_in,
    ),
    (
        _B
        + r"(?:the )?(?P<h>first|1st|second|2nd|latter) half of "
        + _MON
        + r"(?:,? (?P<y>\d{4}))?"
        + _E,
        _half_of_month,
    ),
    (
        r"(?:(?<!\d)(?P<y>\d{4})\s*年\s*)?(?P<m>1[0-2]|0?[1-9])\s*月(?:份)?的?"
        r"\s*(?P<h>[上下前后])半(?:个)?月",
        _half_of_month,
    ),
    (
        _B
        + r"(?:the )?(?P<k>first|1st|second|2nd|third|3rd|fourth|4th|last) week of "
        + _MON
        + r"(?:,? (?P<y>\d{4}))?"
        + _E,
        _week_of_month,
    ),
    (
        r"(?:(?<!\d)(?P<y>\d{4})\s*年\s*)?(?P<m>1[0-2]|0?[1-9])\s*月(?:份)?的?"
        r"(?P<k>第一|第二|第三|第四|最后一|最后)\s*(?:周|个?星期|个?礼拜)",
        _week_of_month,
    ),
    (
        _B
        + r"(?:the )?week (?:of|containing) "
        + _WD
        + _MON
        + r" (?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,? (?P<y>\d{4})"
        + _E,
        _week_of_day,
    ),
    (
        _B + r"(?:the )?week (?:of|containing) " + _WD + r"(?:the )?(?P<d>[12]\d|3[01]|0?[1-9])"
        r"(?:st|nd|rd|th)?(?: of)? " + _MON + r",? (?P<y>\d{4})" + _E,
        _week_of_day,
    ),
    (
        _B
        + r"(?:the )?week (?:starting|beginning|from) (?:on )?"
        + _WD
        + _MON
        + r" (?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,? (?P<y>\d{4})"
        + _E,
        _week_from_day,
    ),
    (
        _B
        + r"(?:the )?week (?:starting|beginning|from) (?:on )?"
        + _WD
        + r"(?:the )?(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?: of)? "
        + _MON
        + r",? (?P<y>\d{4})"
        + _E,
        _week_from_day,
    ),
    # Both ends with their year: "28 March 2016 to 3 April 2016", "March 28, 2016 - April 3, 2016".
    (
        _B + r"(?:(?:between|from) )?" + _WD + r"(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
        r"(?: of)? "
        + _MON
        + r",? (?P<y>\d{4})\s*(?:to|through|until|and|-|–|—)\s*"
        + _WD
        + r"(?P<d2>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?: of)? (?P<m2>"
        + _MONTH_NAME
        + r"),? (?P<y2>\d{4})"
        + _E,
        _full_span,
    ),
    (
        _B + r"(?:(?:between|from) )?" + _WD + _MON + r" (?P<d>[12]\d|3[01]|0?[1-9])"
        r"(?:st|nd|rd|th)?,? (?P<y>\d{4})\s*(?:to|through|until|and|-|–|—)\s*"
        + _WD
        + r"(?P<m2>"
        + _MONTH_NAME
        + r") (?P<d2>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,? "
        r"(?P<y2>\d{4})" + _E,
        _full_span,
    ),
    # A day whose year is understood ("6月6日", "June 6th").
    (
        r"(?<![\d年])" + _ZH_MON + r"\s*月\s*(?P<d>[12]\d|3[01]|0?[1-9])\s*[日号]",
        _day_of_year_understood,
    ),
    (
        # "On June 8, and how many": a comma ends the day unless a year follows it.
        _B + _MON + r" (?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d|,\s?\d)" + _E,
        _day_of_year_understood,
    ),
    # Day first, their year understood: "from the 1st of June to the 5th of June".
    (
        _B + _NOT_RANK + r"(?:(?:between|from) )?" + _WD + r"(?:the )?(?P<d>[12]\d|3[01]|0?[1-9])"
        r"(?:st|nd|rd|th)?(?: of)? "
        + _MON
        + r"\s*(?:to|through|until|-|–|—)\s*"
        + _WD
        + r"(?:the )?(?P<d2>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?: of)? (?P<m2>"
        + _MONTH_NAME
        + r")(?![a-z0-9]|,? ?\d{4})",
        _day_span,
    ),
    # Day first, its year understood: "through Sunday 3 April", "on the 5th of June".
    (
        _B
        + _NOT_RANK
        + _WD
        + r"(?:the )?(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?: of)? "
        + _MON
        + r"(?![a-z0-9]|,? ?\d{4})",
        _day_of_year_understood,
    ),
    (_Y + r"\s*年\s*(?P<m>\d{1,2})\s*月份?", _month),
    (_Y + r"[-/.](?P<m>\d{1,2})(?![-/.]?\d)", _month),
    (_B + _MON + r" ?,? ?(?P<y>\d{4})" + _E, _month),
    (
        r"(?:(?:from|between) )?" + _DATE + r"\s*(?:\.\.|to|and|~|–|—|至|到|-)\s*" + _DATE,
        lambda m, c: explicit_range(_iso(m[1], c.phrase), _iso(m[2], c.phrase), c.phrase),
    ),
    (
        r"(?<!\d)" + _DATE + r"(?!\d)",
        lambda m, c: explicit_range(_iso(m[1], c.phrase), _iso(m[1], c.phrase), c.phrase),
    ),
    (
        r"(?<![\d-])(?P<y>(?:19|20)\d{2})(?:\s*年)?(?![\d-]|" + _MODEL_YEAR + ")",
        lambda m, c: year(int(m["y"]), c.phrase),
    ),
    # The first or last months or quarters of a year named ("the last quarter of last year").
    (
        _B + r"(?:the )?(?P<end>last|final|first) " + _END_NUM + r"quarters?" + _END_YEAR + _E,
        _end_of_year("quarter"),
    ),
    (
        _B + r"(?:the )?(?P<end>last|final|first) " + _END_NUM + r"months?" + _END_YEAR + _E,
        _end_of_year("month"),
    ),
    (_ZH_END_YEAR + r"(?P<end>最后|末)" + _ZH_END_NUM + r"个?季度", _end_of_year("quarter")),
    (_ZH_END_YEAR + r"(?P<end>最后|末|头|前)" + _ZH_END_NUM + r"个月", _end_of_year("month")),
    (_B + r"today" + _E + r"|今天", _day(0)),
    (r"大前天", _day(3)),
    (_B + r"(?:the )?day before yesterday" + _E + r"|前天", _day(2)),
    (_B + r"yesterday" + _E + r"|昨天", _day(1)),
    # Halves, runs of months or quarters in one year, and phrases made of two parts.
    (_B + _HALF + r" (?:of )?(?:(?P<rel>this|last) year|(?P<y>\d{4}))" + _E, _half),
    (_B + r"h(?P<h>[12]) ?(?P<y>\d{4})" + _E, _half),
    (_Y + r" ?-?h(?P<h>[12])" + _E, _half),
    (_Y + r"\s*年\s*(?P<h>[上下])半年", _half),
    (r"(?P<rel>[今去前])年\s*(?P<h>[上下])半年", _half),
    (_B + r"(?:from |between )?" + _EN_RUN + r",? ?(?P<y>\d{4})" + _E, _month_run(_MONTH_NAME)),
    (r"(?:从|自)?" + _Y + r"\s*年\s*" + _ZH_RUN + r"\s*月份?", _month_run(_ZH_MONTH)),
    (r"(?:从|自)?" + _Y + r"\s*年?\s*" + _QN_RUN + r"\s*季度", _quarter_run),
    (r"(?:从|自)?" + _Y + r"\s*年?\s*" + _Q_RUN + _E, _quarter_run),
    (_B + r"(?:from |between )?" + _Q_RUN + r",? ?(?P<y>\d{4})" + _E, _quarter_run),
    # Units and runs whose year is understood, or written as 26年 / 今年 / this year.
    (r"(?<![\d个近每上下])" + _ZY + r"第?\s*(?P<q>[1-4一二三四])\s*季度", _quarter),
    (r"(?<![\d个近每])" + _ZY + _ZH_MON + r"\s*月份?(?!度)", _month),
    (r"(?:从|自)?" + _ZY + _ZH_RUN + r"\s*月份?(?!度)", _month_run(_ZH_MONTH)),
    (r"(?:从|自)?" + _ZY + _QN_RUN + r"\s*季度", _quarter_run),
    (_B + r"(?:from |between )?" + _Q_RUN + _E, _quarter_run),
    (_B + r"q(?P<q>[1-4])" + _EN_YEAR + _E, _quarter),
    (_B + r"(?:the )?" + _ORDINAL + r" quarter" + _EN_YEAR + _E, _quarter),
    (_B + r"(?:from |between )?" + _EN_RUN + _E, _month_run(_MONTH_NAME)),
    (_B + _MON_NO_MAY + _EN_YEAR + _E, _month),
    # "since May": from the latest May on (listed first: "since may" is also "may" a month).
    (_B + r"(?:ever since|since|starting(?: from| in)?) (?P<m>may)" + _E, _since_month),
    (
        _B + r"(?:in|since|from|until|till|through|during|for|of|before|after) (?P<m>may)" + _E,
        _month,
    ),
    (r"(?<![今去前本\d])(?P<h>[上下])半年", _half),
    (_B + r"h(?P<h>[12])" + _E, _half),
    (_B + _HALF + r"(?: of the year)?" + _E, _half),
    # Other ways of saying the last whole unit, and rolling windows.
    (
        _B + r"(?:last|latest|most recent|previous|prior) (?:full|complete|whole) " + _U + _E,
        _rel(1),
    ),
    (_B + r"(?:the )?(?:latest|most recent) " + _U + _E, _rel(1)),
    (_B + r"(?:past|last) half[ -](?:a[ -])?year" + _E, _months(6)),
    (
        _B + r"(?:over|in|during|within|across|through(?:out)?) the (?:last|past) year" + _E,
        _months(12),
    ),
    (r"这\s*(?:两|二)\s*年", _months(24)),
    (r"这\s*半\s*年", _months(6)),
    (_B + r"(?P<y>\d{4}) so far" + _E + r"|" + _B + r"so far in (?P<y2>\d{4})" + _E, _so_far),
    (_B + r"(?:from |从|自)?" + _A + _RANGE_SEP + _A2, _join),
    (_B + r"between " + _A + r" and " + _A2, _join),
    (_B + r"(?:ever since|since|starting(?: from| in)?|beginning(?: in)?) " + _A, _since),
    (_B + r"(?:from )?" + _A + r" ?" + _NOW + _E, _since),
    # "from Mar 2026 on", "from March on": a start with no end runs to today.
    (_B + r"from " + _A + r" on" + _E, _since),
    (r"(?:自从|自|从)?\s*" + _A + r"\s*(?:以来|起|开始|至今|到现在|到目前为止|迄今)", _since),
    (_B + r"(?:before|prior to|earlier than) " + _A, _before),
    (_A + r"\s*(?:之前|以前|前(?![\d一二三四五六七八九十两几]))", _before),
    # "Going month by month through last year", "all through 2024": across the period itself,
    # not up to its end.
    (
        _B + r"(?:(?:month|week|quarter|day) by (?:month|week|quarter|day)|going|all|right|"
        r"straight|the whole way) through " + _A,
        _across,
    ),
    (_B + r"(?:until|till|through|up to|up until) " + _A, _through),
    (r"(?:截至|截止到|截止至|截止)\s*" + _A + r"(?:\s*(?:底|末|为止))?", _through),
]
PATTERNS: list[tuple[re.Pattern[str], Builder]] = [(re.compile(r), b) for r, b in _RAW]


def normalise(text: str) -> str:
    """Lower-case, full-width to ASCII (NFKC) and single spaces, so patterns stay simple; the
    words of time mistyped by one letter ("quater") written as meant."""
    text = fix_time_words(unicodedata.normalize("NFKC", text).lower().strip())
    # "The second and third quarters of 2026": each ordinal with its own noun.
    text = _ORDINALS_SHARING.sub(r"\1 quarter\2\3 quarter", text)
    return re.sub(r"^(?:(?:the|in|during|for|over) )+", "", re.sub(r"\s+", " ", text))


_ORDINALS_SHARING = re.compile(
    r"\b(first|second|third|fourth|1st|2nd|3rd|4th)(\s+(?:and|or|&|vs\.?|versus)\s+(?:the\s+)?)"
    r"(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarters?\b"
)


# Words of time a question names periods and units by; a word one letter away from one of them
# ("quater", "montly", "Febuary", "quartely") is that word mistyped.
TIME_WORDS = frozenset(
    [
        "quarter",
        "quarters",
        "quarterly",
        "month",
        "months",
        "monthly",
        "weekly",
        "yearly",
        "annually",
        "fortnight",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "yesterday",
        "previous",
    ]
)
_SHORTEST = 6  # shorter words have too many neighbours ("mouth", "weeks")


def fix_time_words(text: str) -> str:
    """``text`` with each English word one edit away from a word of time (a letter missing,
    added, changed, or two swapped) written as that word; other words as they were."""
    return fix_typos(text, TIME_WORDS)


def fix_typos(text: str, words: frozenset[str]) -> str:
    """``text`` with each English word one edit away from exactly one of ``words`` written as
    that word ("avarage" for average); other words as they were."""

    def fixed(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if len(low) < _SHORTEST or low in words or low in _NOT_TYPOS:
            return word
        near = [w for w in words if _one_edit(low, w)]
        return near[0] if len(near) == 1 else word

    return re.sub(r"[A-Za-z]+", fixed, text)


# Real words one letter from a word of time.
_NOT_TYPOS = frozenset(("quartet", "quartets", "quarters", "marched", "marches", "juniper"))


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1] if diff else (0, 0)
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def language(text: str) -> Lang:
    """ "zh" when Chinese dominates ``text`` (runs of characters against English words), so
    that an English question naming a Chinese value keeps English period labels."""
    runs = re.findall(r"[\u4e00-\u9fff]+", text)
    cjk = sum(1 + len(r) // 4 for r in runs)
    return "zh" if cjk and cjk >= len(re.findall(r"[A-Za-z]+", text)) else "en"


def resolve(phrase: str, as_of: date) -> Period | None:
    """The period a whole phrase names, or None if no pattern matches all of it."""
    text = normalise(phrase)
    for pattern, build in PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return build(match, Context(as_of, phrase.strip(), language(phrase)))
    return None


def locate(text: str, as_of: date) -> Period | None:
    """The first phrase in ``text`` that no longer phrase overlaps, resolved; None if none."""
    found = locate_all(text, as_of)
    return found[0] if found else None


def locate_all(text: str, as_of: date) -> list[Period]:
    """Every date phrase in ``text`` that no longer phrase overlaps, in order, resolved."""
    lowered = normalise(text)
    found = [(m, b) for p, b in PATTERNS for m in p.finditer(lowered)]
    # Longest first (stable, so pattern order breaks ties); keep those no longer one overlaps.
    found.sort(key=lambda f: f[0].start() - f[0].end())
    lang = language(text)
    kept: list[tuple[int, int, Period]] = []
    for m, build in found:
        if any(m.start() < k[1] and k[0] < m.end() for k in kept):
            continue
        try:
            # Months asked each are answered month by month over their span; quarters are not.
            if build is _quarter_run and _each_of_a_list(m, lowered):
                raise PeriodError("each item of the list on its own")
            kept.append((m.start(), m.end(), build(m, Context(as_of, m.group(0), lang))))
        except PeriodError:
            # In a question, "三季度和二季度" or "7-9月和4-6月" that is not one unbroken run names
            # periods to compare: each listed piece is read on its own when each is a period,
            # else the phrases found inside it.
            parts = _segments(m, as_of, lang) or [
                (p.start(), p.end(), period) for p, period in _parts(found, m, as_of, lang)
            ]
            spans = sorted((p.start, p.end) for _, _, p in parts)
            apart = all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
            if len(parts) < 2 or not apart:
                raise
            kept.extend(parts)
    kept.extend(_month_carried(lowered, kept, as_of))
    kept.sort(key=lambda f: f[0])
    return [p for _, _, p in kept]


# Days or a half of a month said without the month, after a period that names it ("11月上半月
# 和下半月", "11月1-15号和16-30号"): read in that month.
_MONTH_UNSAID = re.compile(
    r"(?<![\d月./-])(?P<d>[12]\d|3[01]|0?[1-9])\s*[日号]?\s*(?:至|到|-|~|–|—)\s*"
    r"(?P<d2>[12]\d|3[01]|0?[1-9])\s*[日号]|(?<![月\d])[上下前后]半(?:个)?月"
)


def _month_carried(
    text: str, kept: list[tuple[int, int, Period]], as_of: date
) -> list[tuple[int, int, Period]]:
    """The days or halves of a month said after a period within one month, without their own
    month, read in that month; one that only restates a period found already is left out."""
    out: list[tuple[int, int, Period]] = []
    for m in _MONTH_UNSAID.finditer(text):
        if any(m.start() < k[1] and k[0] < m.end() for k in kept):
            continue
        before = [
            p for start, end, p in sorted(kept, key=lambda k: k[0])
            if end <= m.start() and p.start.month == (p.end - timedelta(days=1)).month
            and (p.end - p.start).days <= 31
        ]  # fmt: skip
        if not before:
            continue
        month = before[-1].start
        period = resolve(f"{month.year}年{month.month}月{m.group(0)}", as_of)
        seen = {(p.start, p.end) for *_, p in [*kept, *out]}
        if period is None or (period.start, period.end) in seen:
            continue
        out.append((m.start(), m.end(), dataclasses.replace(period, phrase=m.group(0))))
    return out


# Items of a list of periods asked about each ("一季度和二季度各等了几天", "January and
# February, each", "Q1 and Q2 respectively") or set against each other: not one span.
_EACH_SAID = re.compile(
    r"各(?:自|有|是|为|多少|几|等|要|花|用|占|收到|得到|达到|提交|增加|减少)|分别|相比|对比|比较"
    r"|比(?!例|率|重)|有没有(?:变|快|慢|多|少|增|减|降|升|好|差)"
    r"|\beach(?:\s+of\s+(?:them|those|these|the two))?\s*(?:[?？.,;!]|$)|\brespectively\b"
    r"|\bseparately\b|\bvs\.?(?!\w)|\bversus\b|\bcompared?\b|\bcomparing\b"
)


def _each_of_a_list(m: re.Match[str], text: str) -> bool:
    """Whether a run written as a list ("一季度和二季度", not "1-3月") is asked about item by
    item, by words elsewhere in the question."""
    run = m.groupdict().get("run")
    if not run or not _LIST_SEP.search(run) or m.group(0).startswith("between"):
        return False
    return _EACH_SAID.search(text[: m.start()] + " " + text[m.end() :]) is not None


_YEAR_PREFIX = re.compile(r"^(?:从|自)?\s*((?:\d{4}|\d{2}|[今去前本])\s*年(?:的)?\s*)")


def _segments(whole: re.Match[str], as_of: date, lang: Lang) -> list[tuple[int, int, Period]]:
    """The pieces of a run split at its list words ("7-9月" and "4-6月"), each read as a
    whole phrase; a year written before the first piece carries to pieces that name none.
    Empty unless every piece is a period."""
    text, offset = whole.group(0), whole.start()
    cuts = [0, *(x for s in _LIST_SEP.finditer(text) for x in (s.start(), s.end())), len(text)]
    prefix = _YEAR_PREFIX.match(text)
    out: list[tuple[int, int, Period]] = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=True):
        piece = text[start:end].strip()
        if not piece:
            return []
        found = None
        if prefix and start > 0 and not _YEAR_PREFIX.match(piece):
            found = _resolve_quietly(prefix.group(1) + piece, as_of)
        found = found or _resolve_quietly(piece, as_of)
        if found is None:
            return []
        out.append((offset + start, offset + end, found))
    return out if len(out) >= 2 else []


def _resolve_quietly(phrase: str, as_of: date) -> Period | None:
    try:
        return resolve(phrase, as_of)
    except PeriodError:
        return None


def _parts(
    found: list[tuple[re.Match[str], Builder]], whole: re.Match[str], as_of: date, lang: Lang
) -> list[tuple[re.Match[str], Period]]:
    inside = [
        (m, b) for m, b in found
        if m is not whole and whole.start() <= m.start() and m.end() <= whole.end()
    ]  # fmt: skip
    out: list[tuple[re.Match[str], Period]] = []
    for m, build in inside:
        if any(m.start() < k.end() and k.start() < m.end() for k, _ in out):
            continue
        try:
            out.append((m, build(m, Context(as_of, m.group(0), lang))))
        except PeriodError:
            continue
    return out


# The whole history, not a period: "overall", "across the whole history", 至今, 历年.
ALL_DATA = re.compile(
    r"(?i)\boverall\b|\bin total\b|\ball[- ]time\b|\bof all time\b|\bever\b"
    r"|\b(?:whole|entire|full|complete) (?:history|period|data ?set|data|record)"
    r"|\bsince (?:the )?(?:beginning|start)\b|\ball (?:of )?(?:the |our )?(?:data|history)\b"
    r"|\b(?:to date|so far|up to now|until now)\b(?! (?:this|in|for))"
    r"|\baltogether\b|\ball told\b|\bacross everything\b"
    r"|\b(?:in|across|over|for) (?:this|the|our) (?:export|data ?set|data|file|log|extract)\b"
    r"|\b(?:over|across|in|for) (?:the|this|our) (?:whole|entire|full|complete) (?:\w+ )?"
    r"(?:log|export|file|extract|table|sheet)\b"
    r"|至今|迄今|历年|一直以来|有史以来|历史上|全部数据|所有数据|全部历史|整个历史|累计|总共|总体|整体|全周期"
    r"|一共|总计|这份数据|这批数据|这份.{0,6}数据|整份数据"
)


def names_all_data(text: str) -> bool:
    """Whether ``text`` asks about all the data rather than a period."""
    return ALL_DATA.search(unicodedata.normalize("NFKC", text)) is not None

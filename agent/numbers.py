"""Numbers as a reader sees them in an answer, in English and Chinese, with their units.

``extract_numbers`` finds counts, decimals, percentages, percentage-point changes, money, hours
and days, with thousands separators and Chinese scale words (1.2万, 3.5亿), and skips what is
not a measurement: years, dates, quarters, clock times, ids and citations, model and error
codes, list numbering and ordinals. Each ``NumberMention`` knows the precision it was shown
with, so the verifier can accept 63.2% for 0.6318 and reject 64%.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CN_SCALE = {"千": 1e3, "万": 1e4, "十万": 1e5, "百万": 1e6, "千万": 1e7, "亿": 1e8, "万亿": 1e12}
_EN_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6}
_EN_SCALE |= {"b": 1e9, "bn": 1e9, "billion": 1e9}

_NUMBER = re.compile(
    r"(?P<sign>[+\-−±])?"
    r"(?P<cur>[¥￥$€£]|(?:CNY|RMB|USD|EUR)\s?)?"
    r"(?P<int>\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+)"
    r"(?P<frac>\.\d+)?"
)
_SUFFIX = re.compile(
    r"\s?(?:(?P<pct>%|％|percent\b|per\s?cent\b)"
    r"|(?P<pp>pp\b|p\.p\.|pts?\b|percentage[ -]points?\b|个百分点|百分点)"
    r"|(?P<cn>万亿|十万|百万|千万|万|亿|千)"
    r"|(?P<en>[kK]\b|thousand\b|M\b|mn\b|million\b|B\b|bn\b|billion\b))",
)
_UNIT = re.compile(
    r"\s?(?P<unit>元|美元|块|yuan\b|dollars?\b|RMB\b|CNY\b|USD\b"
    r"|小时|个小时|天|分钟|秒|周|h\b|hrs?\b|hours?\b|d\b|days?\b|mins?\b|minutes?\b|s\b"
    r"|seconds?\b|weeks?\b)"
)
_TIME_UNITS = {
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h", "小时": "h", "个小时": "h",
    "d": "d", "day": "d", "days": "d", "天": "d", "周": "w", "week": "w", "weeks": "w",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min", "分钟": "min",
    "s": "s", "second": "s", "seconds": "s", "秒": "s",
}  # fmt: skip
_CURRENCY = {"¥": "CNY", "￥": "CNY", "元": "CNY", "块": "CNY", "yuan": "CNY", "RMB": "CNY"}
_CURRENCY |= {"CNY": "CNY", "$": "USD", "USD": "USD", "美元": "USD", "dollar": "USD"}
_CURRENCY |= {"dollars": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP"}

_ID = r"(?:Q\d+|T\d+|C\d+|V:[\w.\-]+|\d+)"
_CITE_LIST = rf"[\[【]\s*{_ID}(?:\s*[,，;；、]\s*{_ID})*\s*[\]】]"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
# Spans that hold digits but no measurement. Order does not matter; overlaps are merged.
_NOT_MEASUREMENTS = [
    _CITE_LIST,  # citations [Q3, V:v000812] and footnote marks [1]
    r"(?:19|20)\d{2}\s*[-/]\s*\d{1,2}(?:\s*[-/]\s*\d{1,2})?(?!\d)",  # 2026-07-01, 2026/7
    r"(?:19|20)\d{2}\.\d{1,2}\.\d{1,2}(?!\d)",  # 2026.07.01
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d%])",  # 7/1, 07/01/2026
    r"\b(?:FY|H|Q)\d{1,4}|\d{4}\s*[-/ ]?\s*(?:Q|H)[1-4]|Q[1-4]\s*\d{4}",  # quarters, halves
    r"\d{2,4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?",  # 2026年, 2026年7月1日
    r"\d{1,2}\s*[–—\-~至到]\s*\d{1,2}\s*月",  # 2026年10–11月: a span of months
    r"\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?(?!份额)|\d{1,2}\s*[日号](?=\s*[至到\-~]|\s*$|[，。,])",
    r"第\s*[\d一二三四五六七八九十]+",  # 第3季度, 第2名
    r"\d{1,2}:\d{2}(?::\d{2})?",  # 14:00
    rf"\b{_MONTH}\.?\s+\d{{1,2}}(?!\d)(?:st|nd|rd|th)?(?:,?\s*\d{{4}})?",  # July 1, 2026
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b",  # 1 July
    r"(?i:\b(?:last|past|previous|next|prior|over the|in the)\s+\d+\s+"
    r"(?:days?|weeks?|months?|quarters?|years?)\b)",  # "last 3 months" is a period
    r"(?:近|过去|最近|前|后|上|下)\s*\d+\s*(?:个月|个季度|季度|天|日|周|年)",
    r"(?i:\btop\s*\d+|\bno\.\s*\d+|#\d+|\brank(?:ed)?\s+\d+)",  # rankings
    r"前\s*\d+\s*(?:名|位|大|项)",
    r"(?m:^[ \t]*(?:[-*+][ \t]+)?\d{1,2}[.)、](?=[ \t]))",  # list numbering "1." "2)"
    r"[(（]\d{1,2}[)）]",  # (1) (2) enumerations
    r"[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*[-_]\d[A-Za-z0-9-]*",  # AC-X200, COVID-19
]
_EXCLUDE = re.compile("|".join(f"(?:{p})" for p in _NOT_MEASUREMENTS))
_YEAR = re.compile(r"(?:19|20)\d{2}")
_COUNT_WORDS = re.compile(
    r"\s?(?:条|件|个|次|人|单|笔|份|起|家|台|位|tickets?|complaints?|cases?|calls?|customers?"
    r"|records?|orders?|visits?|reviews?|comments?|mentions?|units?)",
    re.I,
)
_DIRECTION = re.compile(
    r"(?i:\b(?:up|down|rose|fell|increased|decreased|dropped|declined|grew|improved|worsened"
    r"|gained|lost|climbed|slipped|rising|falling|change[sd]?)(?:\s+(?:by|of))?\s*$)"
    r"|(?:上升|下降|增加|减少|提高|降低|增长|下滑|提升|回落|改善|恶化|变化)(?:了)?\s*$",
)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)")


@dataclass(frozen=True)
class NumberMention:
    text: str
    start: int
    end: int
    # The number as written times its scale word (1.2万 -> 12000); percents stay in percent.
    value: float
    percent: bool = False
    # Percentage points (+3.1 pp, 下降了5个百分点).
    points: bool = False
    unit: str | None = None
    # Digits shown after the decimal point, and the scale they were shown in, for rounding.
    decimals: int = 0
    scale: float = 1.0
    # An explicit sign or a direction word (rose by, 下降了) marks a change, not a level.
    signed: bool = False

    @property
    def tolerance(self) -> float:
        """Half a unit of the last shown digit, in the value's own units."""
        return 0.5 * 10.0 ** (-self.decimals) * self.scale


def label_spans(text: str, labels: Iterable[str]) -> list[tuple[int, int]]:
    """Where the given names occur in ``text``, longest names first, in any case (a metric
    named "Satisfied share (CSAT 4-5)" is written "the satisfied share (CSAT 4-5)")."""
    spans: list[tuple[int, int]] = []
    lower = text.lower()
    # Lower-casing keeps positions only when it keeps every character's length.
    folded = len(lower) == len(text)
    haystack = lower if folded else text
    for label in sorted({x for x in labels if x}, key=len, reverse=True):
        needle = label.lower() if folded and len(label.lower()) == len(label) else label
        at = haystack.find(needle)
        while at >= 0:
            if not _overlaps(at, at + len(needle), spans):
                spans.append((at, at + len(needle)))
            at = haystack.find(needle, at + len(needle))
    return spans


def excluded_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _EXCLUDE.finditer(text)]


def extract_numbers(text: str, labels: Iterable[str] = ()) -> list[NumberMention]:
    """Every measurement-like number in ``text``, in order of appearance; digits inside any of
    ``labels`` (names such as "Group 70" or "2020款", taken from the evidence) are not numbers."""
    blocked = excluded_spans(text) + label_spans(text, labels)
    found = [m for m in (_mention(text, m) for m in _NUMBER.finditer(text)) if m]
    found = [m for m in found if not _overlaps(m.start, m.end, blocked)]
    found.extend(_cn_percents(text, blocked))
    return sorted(found, key=lambda m: m.start)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _mention(text: str, m: re.Match[str]) -> NumberMention | None:
    start = m.start("cur") if m.group("cur") else m.start("int")
    before = text[max(start - 1, 0) : start]
    if before.isascii() and (before.isalnum() or before in "_.:/#") and before:
        return None  # part of an id or code: T000123, v000812, E4, 3.4.1
    end = m.end()
    suffix = _SUFFIX.match(text, end)
    end = suffix.end() if suffix else end
    unit_m = _UNIT.match(text, end)
    end = unit_m.end() if unit_m else end
    after = text[end : end + 1]
    if after.isascii() and (after.isalnum() or after == "_"):
        return None  # a code or ordinal: 5G, 3rd, 200X
    digits = re.sub(r"[,\s\u00a0\u202f]", "", m.group("int"))
    frac = m.group("frac") or ""
    unit = _unit_of(m, suffix, unit_m)
    scale = _scale(suffix)
    if _is_year(m, frac, scale, unit, text, end):
        return None
    return _build(text, m, suffix, start, end, unit, float(digits + frac) * scale)


def _build(
    text: str,
    m: re.Match[str],
    suffix: re.Match[str] | None,
    start: int,
    end: int,
    unit: str | None,
    value: float,
) -> NumberMention:
    sign = _sign_of(text, m)
    frac = m.group("frac") or ""
    mention_start = m.start("sign") if sign else start
    return NumberMention(
        text=text[mention_start:end].strip(),
        start=mention_start,
        end=end,
        value=-value if sign < 0 else value,
        percent=unit == "%",
        points=unit == "pp",
        unit=unit,
        decimals=len(frac) - 1 if frac else 0,
        scale=_scale(suffix),
        signed=sign != 0 or bool(_DIRECTION.search(text[max(start - 24, 0) : start])),
    )


def _scale(suffix: re.Match[str] | None) -> float:
    if suffix is None:
        return 1.0
    if suffix.group("cn"):
        return _CN_SCALE[suffix.group("cn")]
    if suffix.group("en"):
        return _EN_SCALE[suffix.group("en").lower()]
    return 1.0


def _sign_of(text: str, m: re.Match[str]) -> int:
    sign = m.group("sign")
    if not sign:
        return 0
    before = text[max(m.start("sign") - 1, 0) : m.start("sign")]
    # "3-5 days" is a range, not minus five.
    if before and (before.isalnum() or before in ".,"):
        return 0
    return -1 if sign in "-−" else 1


def _unit_of(
    m: re.Match[str], suffix: re.Match[str] | None, unit_m: re.Match[str] | None
) -> str | None:
    if suffix and suffix.group("pct"):
        return "%"
    if suffix and suffix.group("pp"):
        return "pp"
    cur = (m.group("cur") or "").strip()
    word = unit_m.group("unit") if unit_m else None
    if cur:
        return _CURRENCY.get(cur, cur)
    if word in _CURRENCY:
        return _CURRENCY[word]
    return _TIME_UNITS.get(word or "")


def _is_year(
    m: re.Match[str], frac: str, scale: float, unit: str | None, text: str, end: int
) -> bool:
    if frac or scale != 1.0 or unit or m.group("cur") or not _YEAR.fullmatch(m.group("int")):
        return False
    # "2026 tickets" is a count; a bare 2026 is a year.
    return not _COUNT_WORDS.match(text, end)


def _cn_percents(text: str, blocked: list[tuple[int, int]]) -> list[NumberMention]:
    out = []
    for m in _CN_PERCENT.finditer(text):
        value, decimals = _cn_number(m.group(1))
        if value is None or _overlaps(m.start(), m.end(), blocked):
            continue
        out.append(
            NumberMention(m.group(0), m.start(), m.end(), value, percent=True, unit="%",
                          decimals=decimals)
        )  # fmt: skip
    return out


def _cn_number(words: str) -> tuple[float | None, int]:
    """Chinese numerals up to 百 with an optional 点 fraction: 三十五点二 -> 35.2."""
    whole, _, frac = words.partition("点")
    total, current = 0, 0
    for ch in whole:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    total += current
    if not frac:
        return float(total), 0
    digits = "".join(str(_CN_DIGITS.get(ch, 0)) for ch in frac)
    return float(f"{total}.{digits}"), len(digits)

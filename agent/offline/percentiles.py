"""Percentiles of a measure of each record: "within how many hours do 90% of tickets get
resolved", "the 95th percentile of reply time", "90%的留言在几天内得到答复", "答复时间的90分位数".

The catalog keeps a measure of each record (a duration between two dates, a number column) as
an average and a median; the percentile asked is the same measure over the same records with
the median's function swapped for ``quantile_cont`` at that fraction, in one guarded SQL query
beside the figures the question asks for (``metric_change``), so the answer cites it like any
other.
"""

from __future__ import annotations

import re

from ...data.period_phrases import number

# "90th percentile", "P90", "90分位", "百分之九十的", "九成的", "90% of the tickets … within".
_NTH = re.compile(
    r"(?i)\b(\d{1,2}(?:\.\d)?)(?:st|nd|rd|th)?[- ]?percentile\b|\bp(\d{2})\b"
    r"|(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:%|％)?\s*分位"
)
_SHARE_WITHIN = re.compile(
    r"(?i)(?:(\d{1,2}(?:\.\d)?)\s*(?:%|％|percent\b)|百分之([\d一二三四五六七八九十]{1,3})|([一二三四五六七八九])成)"
    r"(?=.{0,80}(?:\bwithin\b|\bin under\b|\bunder\b|\bin less than\b|以内|之内|内))"
    # The time is asked ("在几天内", "within how many hours"); "are 90% resolved within 24
    # hours" asks the share within a given time instead.
    r"(?=.{0,80}(?:\bhow (?:many|long)\b|\bwhat\b|几|多少|多久|多长))"
)
_WITHIN_FIRST = re.compile(
    r"(?i)\bwithin (?:how many|what|which)\b.{0,80}?(\d{1,2}(?:\.\d)?)\s*(?:%|％|percent\b)"
)


def percentile_said(question: str) -> float | None:
    """The fraction (0.9 for the 90th percentile) the question asks a percentile at, when it
    asks one; the median (0.5) is left to the catalog's own measure."""
    found = _NTH.search(question)
    said = None
    if found:
        said = found.group(1) or found.group(2) or found.group(3)
    else:
        within = _WITHIN_FIRST.search(question)
        share = _SHARE_WITHIN.search(question) if within is None else None
        if within:
            said = within.group(1)
        elif share:
            tenths = share.group(3)
            said = str(10 * number(tenths)) if tenths else share.group(1) or share.group(2)
    if said is None:
        return None
    value = float(said) if re.fullmatch(r"\d+(?:\.\d)?", said) else float(number(said))
    return value / 100 if 50 < value < 100 else None


def percentile_expr(expr: str, fraction: float) -> str | None:
    """The measure ``expr`` (a median or an average of something per record) at ``fraction``:
    its MEDIAN(…) or AVG(…) call swapped for quantile_cont(…, fraction)."""
    found = re.search(r"(?i)\b(?:median|avg)\s*\(", expr)
    if found is None:
        return None
    depth, at = 1, found.end()
    while at < len(expr) and depth:
        depth += {"(": 1, ")": -1}.get(expr[at], 0)
        at += 1
    if depth:
        return None
    inner = expr[found.end() : at - 1]
    return f"{expr[: found.start()]}quantile_cont({inner}, {fraction:g}){expr[at:]}"


# "What's the longest anyone waited", "等得最久的那条等了几天": the largest value of a duration
# asked; "the quickest one" the smallest.
_LONGEST = re.compile(r"(?i)\b(?:longest|slowest)\b|最久|最长|最慢")
_SHORTEST = re.compile(r"(?i)\b(?:shortest|quickest|fastest)\b|最短|最快")


# The one record asked about ("the single longest-running ticket", "哪一条等得最久").
ONE_RECORD = re.compile(
    r"(?i)\bsingle\b|\b(?:ticket|case|incident|record|complaint|message|order) (?:number|id|no)\b"
    # "the highest reassignment count of any ticket"
    r"|\bof any (?:one )?(?:ticket|case|incident|record|complaint|message|order)\b"
    r"|\b(?:which|that|this) (?:ticket|case|incident|record|complaint|message|order)\b"
    r"|哪一[条张单件个]|哪[条张单件]|那一?[条张单件]|这一?[条张单件](?:留言|工单|投诉|记录)|单号|编号"
)


# "The highest reassignment count of any ticket", "转派次数最多的那张工单": the largest (smallest)
# value of a count or an amount each record holds.
_HIGHEST = re.compile(
    r"(?i)\b(?:highest|most|maximum|max|largest|biggest|greatest)\b|最多|最高|最大"
)
_LOWEST = re.compile(r"(?i)\b(?:lowest|fewest|least|minimum|min|smallest)\b|最少|最低|最小")


def record_extreme_said(question: str) -> float | None:
    """1.0 when the one record asked about has the highest value, 0.0 the lowest (both or
    neither said: None)."""
    if ONE_RECORD.search(question) is None:
        return None
    high, low = _HIGHEST.search(question), _LOWEST.search(question)
    if bool(high) == bool(low):
        return None
    return 1.0 if high else 0.0


def extreme_said(question: str) -> float | None:
    """1.0 when the question asks the longest time taken, 0.0 the shortest (both: none)."""
    longest, shortest = _LONGEST.search(question), _SHORTEST.search(question)
    if bool(longest) == bool(shortest):
        return None
    return 1.0 if longest else 0.0

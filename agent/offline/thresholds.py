"""Records past a threshold on a measure of each record: "resolved within 24 hours", "took more
than five days to close", "reassigned more than 3 times", "超过3天才答复", "转派3次以上".

A threshold is a comparison said next to a number ("within", "more than", "at least", "以内",
"超过", "以上"…) and a unit. A unit of time compares a duration: the catalog metric averaging the
time between two date columns, the events named by the question (resolved, closed, replied; from
the records' opening when only the end is said). "Times", "stars" or no unit compare a number
column the question names by its words. The per-record value is the metric's own expression
without its average, so the comparison is on the numbers the metric averages; the answer is the
records past the threshold among those that have a value, counted in one guarded query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ...data.catalog import Catalog, Metric
from ...data.list_items import item_words, items_column, per_record
from .column_measures import names_column
from .durations import event_of, said_events

# Hours in one of each unit of time.
_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0, "month": 720.0}
_EN_UNITS = (
    (r"months?", "month"),
    (r"minutes?|mins?", "minute"),
    (r"hours?|hrs?|h", "hour"),
    (r"days?|business days?|working days?", "day"),
    (r"weeks?", "week"),
    (r"times?", "count"),
    (r"stars?|points?", "count"),
    (r"characters?|chars?", "char"),
)
_ZH_UNITS = (
    (r"个多?月", "month"),
    (r"分钟", "minute"),
    (r"个?小时|个?钟头", "hour"),
    (r"天|日|个工作日|工作日", "day"),
    (r"周|个?星期|个?礼拜", "week"),
    (r"个?汉字|个?字符|个?字", "char"),
    (r"次|回|星|颗星|分", "count"),
)
_EN_NUMBERS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty-eight": 48, "seventy-two": 72, "a couple of": 2, "a few": 3,
}  # fmt: skip
_ZH_NUMBERS: dict[str, float] = {
    "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "十": 10, "半": 0.5,
}  # fmt: skip
_EN_NUM = (
    r"(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
    + ")"
)
_ZH_NUM = r"(?P<n>\d+(?:\.\d+)?|[一两二三四五六七八九十半])"
_ZH_NUM_AFTER = _ZH_NUM.replace("?P<n>", "?P<m>")  # a second number in one pattern
_EN_UNIT = r"(?P<u>" + "|".join(p for p, _ in _EN_UNITS) + r")\b"
_ZH_UNIT = r"(?P<u>" + "|".join(p for p, _ in _ZH_UNITS) + ")"
# Comparisons said before the number (or after it), and the operator each means; the words
# of any comparison with a number (``group_tests`` reads percentages with them).
EN_BEFORE = (
    (r"within|in under|in less than|no more than|not more than|at most|up to|inside", "<="),
    (r"under|less than|fewer than|below|shorter than|quicker than|faster than", "<"),
    (r"more than|over|longer than|older than|greater than|above|exceeding|beyond|in over"
     r"|higher than"
     r"|(?:runs?|ran|running|go(?:es)?|went|going|gets?|got|stretch(?:es|ed)?) past", ">"),
    (r"at least|no less than|no fewer than|not less than", ">="),
)  # fmt: skip
EN_AFTER = (
    (r"or more|or longer|or higher|or above|\+", ">="),
    (r"or less|or fewer|or under|or lower|or below|or quicker|or sooner", "<="),
)
ZH_BEFORE = (
    (r"超过|多于|大于|高于|超出|长于|多过|高过", ">"),
    (r"不到|少于|低于|小于|不足|短于|未满|未超过", "<"),
    (r"至少|不少于|不低于|不短于", ">="),
    (r"不超过|不多于|不高于|最多", "<="),
)
ZH_AFTER = ((r"之内|以内|内|及以内|以下|及以下|或以下|或更少|或更短", "<="),
             (r"以上|及以上|或以上|或更多|或更长", ">="))  # fmt: skip
# A span of days counted back from now is a period, not a threshold ("最近7天内", "近一周内").
_PERIOD_BEFORE = re.compile(r"(?:最近|过去|近|前|头|这|last|past|previous|first|next)\s*$")
# "More than 50 tickets", "超过30条": a number of records (a group's size), not a value of each
# record; a word after the number that joins the sentence on is no noun.
_COUNTED_NOUN = re.compile(
    r"\s*(?!(?:and|or|of|in|on|for|to|from|by|with|at|per|than|the|a|an)\b)[a-z]{2,}"
    r"|\s*[条张个件单篇位家款笔份]"
)


@dataclass(frozen=True)
class Threshold:
    metric: str  # the catalog metric whose per-record value is compared
    table: str
    expr: str  # the per-record value, in the metric's unit
    op: str  # "<", "<=", ">", ">="
    value: float  # in the metric's unit
    said: str  # the question's own words for the threshold ("within 24 hours")
    where: str = ""  # the metric's own filter, if it has one
    events: tuple[str, ...] = ()  # the question's words naming the duration's events
    among: tuple[int, ...] = ()  # values the per-record value is one of (op "IN": hours)
    measure: str = ""  # what is compared, when no metric names it ("time of day")

    def condition(self) -> str:
        if self.op == "IN":
            return f"({self.expr}) IN ({', '.join(str(v) for v in self.among)})"
        return f"({self.expr}) {self.op} {self.value:g}"


@dataclass(frozen=True)
class _Said:
    op: str
    number: float
    unit: str | None  # minute, hour, day, week, count; None when no unit is said
    start: int
    end: int
    noun: str = ""  # the word right after the number, when it is no unit ("50 tickets")


# Every way a threshold is said: the comparison before the number (with an optional unit) or
# after it, in English and in Chinese.
_Form = tuple[str, str, dict[str, float], tuple[tuple[str, str], ...]]
_FORMS: tuple[_Form, ...] = (
    *((rf"\b(?:{w})\s+(?:a\s+)?{_EN_NUM}(?:\s*-?\s*{_EN_UNIT})?", op, _EN_NUMBERS, _EN_UNITS)
      for w, op in EN_BEFORE),
    *((rf"\b{_EN_NUM}(?:\s*-?\s*{_EN_UNIT})?\s*(?:{w})", op, _EN_NUMBERS, _EN_UNITS)
      for w, op in EN_AFTER),
    *((rf"(?:{w})\s*{_ZH_NUM}\s*{_ZH_UNIT}?", op, _ZH_NUMBERS, _ZH_UNITS) for w, op in ZH_BEFORE),
    # "7天（168小时）以内": a gloss in brackets may come between the number and the comparison.
    *((rf"{_ZH_NUM}\s*{_ZH_UNIT}\s*(?:[（(][^（）()]{{0,16}}[）)])?\s*(?:{w})", op, _ZH_NUMBERS,
       _ZH_UNITS) for w, op in ZH_AFTER),
)  # fmt: skip


def said_threshold(question: str) -> _Said | None:
    """The first comparison with a number the question says, with its unit."""
    text = question.lower()
    found: list[_Said] = []
    for pattern, op, numbers, units in _FORMS:
        found += _matches(pattern, text, op, numbers, units)
    for pattern, op in (("\\bonce\\b", ">="), ("\\btwice\\b", ">=")):
        for m in re.finditer(rf"(?:more than|at least|over)\s+{pattern}", text):
            n = 1.0 if "once" in m.group(0) else 2.0
            strict = m.group(0).startswith(("more", "over"))
            found.append(_Said(">" if strict else op, n, "count", m.start(), m.end()))
    found = [f for f in found if not _PERIOD_BEFORE.search(text[: f.start])]
    if not found:
        # "How many incidents were reopened": at least once, on a column the verb names (the
        # caller finds it, or there is none).
        event = _HAPPENED.search(text)
        if event is None:
            return None
        return _Said(">=", 1.0, "count", event.start(1), event.end(1), event.group(1))
    return min(found, key=lambda f: (f.start, -f.end))


# What happened to the records, said with no number: "were reopened", "got reassigned".
_HAPPENED = re.compile(r"\b(?:were|was|been|got|get|gets|being)\s+([a-z]{4,}ed)\b")


def _matches(
    pattern: str,
    text: str,
    op: str,
    numbers: dict[str, float],
    units: tuple[tuple[str, str], ...],
) -> list[_Said]:
    out = []
    for m in re.finditer(pattern, text):
        raw = m.group("n")
        number = float(raw.replace(",", "")) if raw[0].isdigit() else float(numbers.get(raw, 0))
        if not number:
            continue
        said_unit = m.group("u")
        unit = None
        if said_unit:
            unit = next(kind for p, kind in units if re.fullmatch(p, said_unit))
        noun = _COUNTED_NOUN.match(text[m.end() :]) if not said_unit else None
        if noun and not noun.group(0).strip().isascii():
            continue  # "超过30条": a number of records, not a value of each
        # "more than 50 tickets" counts records too, unless the noun names the column compared
        # ("3+ reassignments"): kept, for the column's reading to decide.
        out.append(
            _Said(op, number, unit, m.start(), m.end(), noun.group(0).strip() if noun else "")
        )
    return out


def age_of(question: str) -> tuple[str, float, str] | None:
    """How long ago the records came in, as the question compares it ("提交超过一个月的",
    "older than 30 days", "for more than two weeks"): (operator, hours, the words said)."""
    said = said_threshold(question)
    if said is None or said.unit not in _HOURS or said.op not in (">", ">="):
        return None
    hours = said.number * _HOURS[str(said.unit)]
    return said.op, hours, question[said.start : said.end].strip()


def threshold_of(question: str, catalog: Catalog) -> Threshold | None:
    """The threshold the question sets on a measure of each record, when the catalog has the
    measure: a duration for a unit of time, a number column the question names otherwise."""
    items = _on_items(question, catalog)
    if items is not None:
        return items
    said = said_threshold(question)
    if said is None:
        return None
    words = question[said.start : said.end].strip()
    if said.unit in _HOURS:
        return _on_duration(question, catalog, said, words)
    if said.unit == "char":
        return _on_length(catalog, said, words)
    return _on_column(question, catalog, said, words)


# What a threshold on a list column's number of items compares (``Threshold.measure``).
ITEMS = "items"
# A number of items said before the items' name: "three or more (defect) codes", "a single
# code", "只登记了一个(故障)代码", "收到3条及以上回复"; the words between are the items' kind.
_ONLY_EN = r"exactly|only|just"
_ITEMS_EN = re.compile(
    rf"(?:\b(?P<b>{'|'.join(w for w, _ in EN_BEFORE)}|{_ONLY_EN})\s+)?"
    rf"(?:\b(?P<single>(?:a\s+)?single)|\b{_EN_NUM})"
    rf"(?:\s*(?P<a>{'|'.join(w for w, _ in EN_AFTER)}))?"
    r"\s+(?:(?!(?:and|or|of|in|on|for|to|from|by|with|than|per)\b)[a-z-]+\s+){0,2}$"
)
_ITEMS_ZH = re.compile(
    rf"(?:(?P<b>{'|'.join(w for w, _ in ZH_BEFORE)}|只|仅|恰好)[\u4e00-\u9fff]{{0,4}}?)?"
    r"(?P<n>\d+|[一两二三四五六七八九十])\s*(?:个|条|项|种)"
    rf"(?P<a>{'|'.join(w for w, _ in ZH_AFTER)})?[\u4e00-\u9fff]{{0,4}}$"
)
_ITEMS_OPS = (
    *EN_BEFORE, *EN_AFTER, *ZH_BEFORE, *ZH_AFTER, (rf"{_ONLY_EN}|只|仅|恰好", "="),
)  # fmt: skip


def _on_items(question: str, catalog: Catalog) -> Threshold | None:
    """A number of items of a list column said with the items' name ("logged with three or
    more codes", "只登记了一个故障代码"): the records whose cell holds that many."""
    text = question.lower()
    for name, metric in catalog.metrics.items():
        row = per_record(metric.expr)
        if row is None:
            continue
        for noun in _item_names(metric):
            for at in (m.start() for m in re.finditer(re.escape(noun), text)):
                if noun.isascii() and at and text[at - 1].isalpha():
                    continue
                said = _items_said(text[max(0, at - 40) : at])
                if said is not None:
                    op, value, start = said
                    words = question[at - 40 + start if at >= 40 else start : at + len(noun)]
                    return Threshold(
                        name, metric.table, row, op, value, words.strip(), measure=ITEMS
                    )
    return None


def items_named(question: str, catalog: Catalog) -> str | None:
    """The measure of a list column's items the question names by the measure's own names
    ("codes", "故障代码"; not the plain word for replies, which the records may be)."""
    text = question.lower()
    for name, metric in catalog.metrics.items():
        if per_record(metric.expr) is None:
            continue
        plain = set(item_words(items_column(metric.spec.expr) or ""))
        for noun in (n for n in _item_names(metric) if n not in plain):
            at = text.find(noun)
            if at >= 0 and not (noun.isascii() and at and text[at - 1].isalpha()):
                return name
    return None


def items_ranked(question: str, catalog: Catalog) -> str | None:
    """The measure of a list column whose items the question asks to rank ("which defect code
    shows up on the most complaints", "哪个故障代码出现得最多", "the five most common codes")."""
    text = question.lower()
    for name, metric in catalog.metrics.items():
        if per_record(metric.expr) is None:
            continue
        plain = set(item_words(items_column(metric.spec.expr) or ""))
        for noun in (re.escape(n) for n in _item_names(metric) if n not in plain):
            asked = (
                rf"\b(?:which|what)\s+(?:[a-z-]+\s+){{0,2}}{noun}\b"
                rf"|\b(?:most|more) (?:common|frequent|often)\s+(?:[a-z-]+\s+){{0,2}}{noun}\b"
                rf"|\btop (?:\d+|three|five|ten)\s+(?:[a-z-]+\s+){{0,2}}{noun}\b"
                rf"|哪(?:个|些|几个|一个|种)[\u4e00-\u9fff]{{0,4}}{noun}"
                rf"|{noun}[\u4e00-\u9fff]{{0,6}}(?:最多|最常见|排名|排前|前[三五十])"
            )
            if re.search(asked, text):
                return name
    return None


def items_on(found: Threshold, catalog: Catalog, table: str) -> Threshold:
    """The same count of items on ``table``, the one the question's records are in, when the
    column is in several tables (one export per company, inbound and outbound)."""
    column = items_column(catalog.metrics[found.metric].spec.expr)
    for name, metric in catalog.metrics.items():
        row = per_record(metric.expr)
        if metric.table == table and row and items_column(metric.spec.expr) == column:
            return replace(found, metric=name, table=table, expr=row)
    return found


def _items_said(before: str) -> tuple[str, float, int] | None:
    """(operator, number, where the words begin) of a number of items said just before their
    name, in ``before``."""
    m = _ITEMS_EN.search(before) or _ITEMS_ZH.search(before)
    if m is None:
        return None
    if m.groupdict().get("single"):
        return "=", 1.0, m.start()
    raw = m.group("n")
    numbers = _EN_NUMBERS if raw.isascii() and not raw.isdigit() else _ZH_NUMBERS
    value = float(raw.replace(",", "")) if raw[0].isdigit() else float(numbers.get(raw, 0))
    if not value and raw not in ("0",):
        return None
    if raw in ("a", "an") and not m.group("b"):
        return None  # "with a code": any, not a number said
    said = m.group("a") or m.group("b") or ""
    op = next((o for w, o in _ITEMS_OPS if re.fullmatch(w, said)), "=") if said else "="
    return op, value, m.start()


def _item_names(metric: Metric) -> list[str]:
    """What a list column's items are called, from its measure's names ("number of problem
    codes" → "problem codes"; "平均问题代码个数" → "问题代码"), longest first, with the
    English names' singular forms."""
    names = set(item_words(items_column(metric.spec.expr) or ""))
    for said in (metric.spec.en, metric.spec.zh, *metric.spec.aliases):
        low = re.sub(r"\s*\([^)]*\)$", "", (said or "").lower()).strip()
        low = re.sub(r"^(?:average number of|number of|average)\s+|\s+per record$", "", low)
        low = re.sub(r"^平均|(?:个数|数量|数)$", "", low)
        if len(low) >= 2:
            names.add(low)
            if low.isascii():
                names.add(re.sub(r"ies$", "y", low) if low.endswith("ies") else low.rstrip("s"))
    return sorted(names, key=len, reverse=True)


_LENGTH = re.compile(r"^AVG\((length\(.+\))\)$", re.I)


def text_length(expr: str) -> bool:
    """Whether a metric's expression is the average length of a text column."""
    return _LENGTH.match(expr.strip()) is not None


def _on_length(catalog: Catalog, said: _Said, words: str) -> Threshold | None:
    """ "写了超过200个字的评论", "reviews longer than 500 characters": the length of the text."""
    for name, metric in catalog.metrics.items():
        m = _LENGTH.match(metric.spec.expr.strip())
        if m is not None:
            where = metric.filter_sql or ""  # qualified: joined tables may have a "text" too
            # The column on the metric's own table, likewise.
            expr = re.sub(r'length\(\s*"?(\w+)"?\s*\)', rf'length({metric.table}."\1")', m.group(1))
            return Threshold(name, metric.table, expr, said.op, said.number, words, where)
    return None


_AVERAGE = re.compile(r"^\s*(?:AVG|MEDIAN)\((?P<inner>.+)\)\s*(?:/\s*(?P<div>[\d.]+))?\s*$", re.I)
_EPOCHS = re.compile(r'epoch\(\s*"?(\w+)"?\s*\)\s*-\s*epoch\(\s*"?(\w+)"?\s*\)', re.I)
_DATE_DIFF = re.compile(r"date_diff\(\s*'\w+'\s*,\s*\"?(\w+)\"?\s*,\s*\"?(\w+)\"?\s*\)", re.I)
_UNIT_HOURS = {"hours": 1.0, "hour": 1.0, "days": 24.0, "day": 24.0, "minutes": 1 / 60}


def _row_expr(expr: str) -> str | None:
    m = _AVERAGE.match(expr)
    if m is None:
        return None
    inner = m.group("inner")
    return f"({inner}) / {m.group('div')}" if m.group("div") else inner


def _span(expr: str) -> tuple[str, str] | None:
    """(start column, end column) of a duration metric's expression."""
    if m := _EPOCHS.search(expr):
        return m.group(2), m.group(1)
    if m := _DATE_DIFF.search(expr):
        return m.group(1), m.group(2)
    return None


def _on_duration(question: str, catalog: Catalog, said: _Said, words: str) -> Threshold | None:
    said_words = said_events(question)
    events = [name for name, _ in said_words]
    spans = []
    for name, metric in catalog.metrics.items():
        per_hour = _UNIT_HOURS.get(str(metric.unit).lower())
        span = _span(metric.spec.expr)
        row = _row_expr(metric.expr) or _row_expr(metric.spec.expr)  # qualified, if it reads
        if per_hour is None or span is None or row is None:
            continue
        start, end = event_of(span[0]), event_of(span[1])
        if start and end:
            spans.append((name, start, end, row, per_hour))
    if not spans:
        return None
    ends = [e for e in events if e != "open"]
    if len(ends) >= 2:
        fits = [s for s in spans if (s[1], s[2]) == (ends[0], ends[1])]
        if not fits:
            # "Closed incidents resolved within a day": the event said nearest before the
            # threshold, from the records' opening; the other only says which records.
            low = question.lower()
            near = max(said_words, key=lambda e: low.rfind(e[1].lower(), 0, said.start))[0]
            fits = [s for s in spans if s[2] == near and s[1] == "open"]
    elif ends:
        fits = [s for s in spans if s[2] == ends[0] and s[1] == "open"]
    else:  # "handled within a day": the one duration from the records' opening, if one
        fits = [s for s in spans if s[1] == "open"]
        if len({s[2] for s in fits}) != 1:
            return None
    if not fits:
        return None
    name, start, end, row, per_hour = fits[0]
    value = said.number * _HOURS[str(said.unit)] / per_hour
    metric = catalog.metrics[name]
    # The words of the duration's own events ("to close"), not those that only say which
    # records ("closed incidents resolved within a day").
    words_of_events = tuple(w for e, w in said_words if e in (start, end))
    filter_ = metric.filter_sql or ""
    return Threshold(name, metric.table, row, said.op, value, words, filter_, words_of_events)


# A metric that is the plain average of one column: ``AVG("reopen_count")``.
COLUMN_AVERAGE = re.compile(r'^AVG\(\s*"?(\w+)"?\s*\)$', re.I)


def other_side(question: str, said: str) -> str | None:
    """The words of a second threshold on the same number, on the other side of it ("7天以内…
    和超过7天", "within 24 hours versus over 24 hours"): both sides are asked; None when the
    question says no such second threshold."""
    text = question.lower()
    found: list[_Said] = []
    for pattern, op, numbers, units in _FORMS:
        found += _matches(pattern, text, op, numbers, units)
    first = next((f for f in found if text[f.start : f.end].strip() == said.lower().strip()), None)
    if first is None:
        return None
    below = first.op in ("<", "<=")
    for f in found:
        if f.number == first.number and f.unit == first.unit and (f.op in ("<", "<=")) != below:
            return question[f.start : f.end].strip()
    return None


def times_on(question: str, catalog: Catalog, table: str, column: str, own: str = "") -> int | None:
    """How many times at least an event counted per record (``column``) happened to the records
    the question asks about, when it says a number of times of that event ("reopened more than
    once": 2, "转派3次以上": 3); None when it says none above once."""
    own = re.sub(r"次数$|数量$", "", own)  # "转派次数": said as "转派3次以上"
    if len(own) >= 2:
        # "至少被转派过3次", "被重开超过两次": the comparison, the event, then the number.
        for words, op in (*ZH_BEFORE[:1], *ZH_BEFORE[2:3]):
            m = re.search(
                rf"(?:{words})\s*被?{re.escape(own)}[了过]*\s*{_ZH_NUM}\s*次"
                rf"|被?{re.escape(own)}[了过]*\s*(?:{words})\s*{_ZH_NUM_AFTER}\s*次",
                question,
            )
            if m is not None:
                raw = m.group("n") or m.group("m") or ""
                n = float(raw) if raw[:1].isdigit() else _ZH_NUMBERS.get(raw, 0.0)
                least = int(n) + 1 if op == ">" else int(-(-n // 1))
                return least if least > 1 else None
    said = said_threshold(question)
    if said is None or said.unit not in (None, "count") or said.op not in (">", ">="):
        return None
    text = question.lower()
    # The event's words right around the number ("reassigned at least 3 times", "转派3次以上").
    near = text[max(0, said.start - 30) : said.end + 8]
    if not names_column(catalog, table, column, own, re.findall(r"[a-z]+", near), near):
        return None
    least = int(said.number) + 1 if said.op == ">" else int(-(-said.number // 1))
    return least if least > 1 else None


def _on_column(question: str, catalog: Catalog, said: _Said, words: str) -> Threshold | None:
    asked = re.findall(r"[a-z]+", question.lower())
    if said.noun:  # "more than 50 tickets" unless "tickets" is the column's own word
        asked = [said.noun]
    fits = []
    for name, metric in catalog.metrics.items():
        m = COLUMN_AVERAGE.match(metric.spec.expr.strip())
        if m is None or metric.spec.filter:
            continue
        own = re.sub(r"^平均|合计$", "", metric.spec.zh or "")
        # The measure's other names ("average update count"), less the word for the average.
        other = [re.sub(r"(?i)^(?:average|total)\s+", "", a) for a in metric.spec.aliases]
        if names_column(catalog, metric.table, m.group(1), own, asked, question, other):
            fits.append((name, f'"{m.group(1)}"', metric.table))
    if len(fits) != 1:
        return None
    name, column, table = fits[0]
    return Threshold(name, table, f"{table}.{column}", said.op, said.number, words)


# "How many brands have more than 10 complaints", "只有一条投诉的品牌有几个": a condition on how
# many records each group has, said with the records' noun or a measure word.
_SIZE_EN = re.compile(
    rf"\b(?P<cmp>more than|over|at least|fewer than|less than|under|at most|no more than"
    rf"|exactly|only|just|a single)\s+{_EN_NUM.replace('(?P<n>', '(?P<n>')}?\s*"
    r"(?P<noun>[a-z]{3,})\b"
    # "5 customer tweets": the noun after a word that describes it, said whole.
    r"(?:\s+(?!(?:in|on|at|a|an|the|per|each|every|or|and|than|from|by|for|to|of)\b)[a-z]{3,}s\b)?"
)
_SIZE_EN_AFTER = re.compile(
    rf"\b{_EN_NUM}\s*(?P<cmp>or more|or fewer|or less|\+)\s+(?P<noun>[a-z]{{3,}})\b"
)
_SIZE_ZH = re.compile(
    rf"(?P<cmp>超过|多于|大于|至少|不少于|少于|不到|不足|只有|仅有|仅|只|恰好)\s*(?:有)?\s*{_ZH_NUM}\s*"
    r"(?P<unit>条|张|个|件|单|次|篇|笔|份)"
    r"|" + _ZH_NUM.replace("(?P<n>", "(?P<n2>") + r"\s*(?P<unit2>条|张|个|件|单|次|篇|笔|份)"
    r"(?P<cmp2>以上|及以上|或以上|以下|及以下|或以下)"
    # "只被投诉过一次的公司": only, then the verb, then the number.
    r"|(?P<cmp3>只|仅)[\u4e00-\u9fff]{1,5}?过\s*"
    + _ZH_NUM.replace("(?P<n>", "(?P<n3>")
    + r"\s*(?:条|张|个|件|单|次|篇|笔|份)"
)
_SIZE_OPS = {
    "more than": ">", "over": ">", "at least": ">=", "fewer than": "<", "less than": "<",
    "under": "<", "at most": "<=", "no more than": "<=", "exactly": "=", "only": "=",
    "just": "=", "a single": "=", "超过": ">", "多于": ">", "大于": ">", "至少": ">=",
    "不少于": ">=", "少于": "<", "不到": "<", "不足": "<", "只有": "=", "仅有": "=", "仅": "=",
    "只": "=", "恰好": "=", "以上": ">=", "及以上": ">=", "或以上": ">=", "以下": "<=",
    "及以下": "<=", "或以下": "<=", "or more": ">=", "+": ">=", "or fewer": "<=", "or less": "<=",
}  # fmt: skip
# Words after a number that count no records: a percentage, a rating, a part of a whole ("more
# than a third of all complaints", "over half").
_NOT_RECORDS = re.compile(
    r"percent|per|cent|times?|stars?|points?|half|halves|thirds?|quarters?|fifths?|tenths?"
)


# A number of values of another dimension, said of each group ("more than 5 different models",
# "车型超过5款", "超过5款车型", "5个以上的产品"): the comparison, the number and a measure word.
_ZH_CLASSIFIER = r"[款个种类家位名项辆台]"
_ZH_CMP = "|".join(w for w, _ in (*ZH_BEFORE,))
_EN_CMP = r"more than|over|at least|fewer than|less than|under|at most|no more than|exactly"


# Every unit of the slice's time: the number of values compared is all of them.
EVERY = -1
_EVERY_UNIT = re.compile(
    r"(?P<day>(?:每一?天|天天)都[^，,。？?的]{0,8}|\bevery (?:single )?day\b"
    r"|\beach (?:and every )?day\b)"
    r"|(?P<month>每个?月都[^，,。？?的]{0,8}|\bevery (?:single )?month\b)"
    r"|(?P<week>(?:每一?周|每个?星期)都[^，,。？?的]{0,8}|\bevery week\b)"
)


def values_per_group(question: str, catalog: Catalog, dim: str) -> tuple[str, int, str, str] | None:
    """(operator, number, the words said, the other dimension) of a condition on how many
    different values of another dimension each group of ``dim`` holds ("brands with more than
    5 models complained about", "被投诉到的车型超过5款的品牌"), or None."""
    text = question.lower()
    every = _EVERY_UNIT.search(text)
    if every is not None:
        # "每天都有人投诉的车型", "models complained about every single day": in every unit of
        # the slice's time (the number is filled in where the slice is known: ``EVERY``).
        unit = "day" if every["day"] else "month" if every["month"] else "week"
        d = catalog.dimensions.get(unit)
        if d is not None and d.from_time and unit != dim:
            said = question[every.start() : every.end()]
            said = said if re.search(r"[\u4e00-\u9fff]", said) else f"records on every {unit}"
            return ">=", EVERY, said, unit
    own = catalog.dimensions[dim].spec if dim in catalog.dimensions else None
    own_zh = [n for n in (own.zh, *own.aliases) if n and len(n) >= 2] if own else []
    for other, d in catalog.dimensions.items():
        if other == dim or d.from_time or d.kind != "category":
            continue  # ids and texts name the records themselves ("45 reviews")
        zh = [n for n in (d.spec.zh, *d.spec.aliases) if n and re.search(r"[\u4e00-\u9fff]", n)]
        en = [n.lower() for n in (d.spec.en, other.replace("_", " "), *d.spec.aliases) if n]
        en = [n for n in en if n.isascii()]
        en += [n.split()[-1] for n in en if " " in n and len(n.split()[-1]) >= 4]
        # The records' own noun ("45 reviews" of a review export) counts records, not values.
        en = [n for n in en if not any(n in t.lower() for t in catalog.tables)]
        forms: list[str] = []
        for name in sorted({n for n in zh if len(n) >= 2}, key=len, reverse=True):
            z = re.escape(name)
            forms += [
                rf"{z}数?\s*(?:在|有)?\s*(?P<c>{_ZH_CMP})\s*{_ZH_NUM}\s*{_ZH_CLASSIFIER}",
                rf"(?P<c>{_ZH_CMP})\s*{_ZH_NUM}\s*{_ZH_CLASSIFIER}(?:不同的?)?{z}",
                rf"{_ZH_NUM}\s*{_ZH_CLASSIFIER}(?P<a>以上|及以上|或以上|以下|及以下)的?(?:不同的?)?{z}",
                rf"{z}数?\s*(?:在|有)?\s*{_ZH_NUM}\s*{_ZH_CLASSIFIER}(?P<a>以上|及以上|或以上)",
            ]
        for name in sorted({n for n in en if len(n) >= 3}, key=len, reverse=True):
            forms.append(
                rf"\b(?P<c>{_EN_CMP})\s+{_EN_NUM}\s+(?:different\s+|distinct\s+|separate\s+)?"
                rf"{re.escape(name)}(?:s|es)?\b"
            )
        for form in forms:
            m = re.search(form, text)
            if m is None:
                continue
            if any(n in text[max(0, m.start() - 6) : m.start()] for n in own_zh):
                continue  # "车型在5款以上的品牌" sizes the models by brands, not the other way
            raw = m.group("n")
            if raw[0].isdigit():
                number = float(raw.replace(",", ""))
            else:
                number = float(_ZH_NUMBERS.get(raw, _EN_NUMBERS.get(raw, 0)))
            said = m.groupdict().get("c") or m.groupdict().get("a") or ""
            if number >= 1 and said in _SIZE_OPS:
                return _SIZE_OPS[said], int(number), question[m.start() : m.end()], other
            op = next((o for w, o in ZH_BEFORE if re.fullmatch(w, said)), None)
            if number >= 1 and op is not None:
                return op, int(number), question[m.start() : m.end()], other
    return None


def records_per_group(question: str, units: tuple[str, ...] = ()) -> tuple[str, int, str] | None:
    """(operator, number, the words said) of a condition on each group's number of records,
    when the question sets one; English needs the records' noun after the number (one of
    ``units`` when given, any word that is no unit of time otherwise)."""
    text = question.lower()
    # The first that says a number of records ("only ever raised a single ticket": not "only
    # ever", which says none).
    for m in sorted(
        [*_SIZE_EN.finditer(text), *_SIZE_EN_AFTER.finditer(text)], key=lambda x: x.start()
    ):
        raw = m.group("n") or ("1" if m.group("cmp") == "a single" else "")
        noun = m.group("noun")
        unit_word = any(re.fullmatch(p, noun) for p, _ in _EN_UNITS)
        unit_word = unit_word or bool(_NOT_RECORDS.fullmatch(noun))
        if raw and not unit_word and (not units or any(noun.startswith(u) for u in units)):
            number = (
                float(raw.replace(",", "")) if raw[0].isdigit() else float(_EN_NUMBERS.get(raw, 0))
            )
            if number:
                return _SIZE_OPS[m.group("cmp")], int(number), question[m.start() : m.end()]
    z = _SIZE_ZH.search(text)
    if z is not None:
        raw = z.group("n") or z.group("n2") or z.group("n3")
        number = float(raw) if raw[0].isdigit() else float(_ZH_NUMBERS.get(raw, 0))
        op = _SIZE_OPS[z.group("cmp") or z.group("cmp2") or z.group("cmp3")]
        if number >= 1:
            return op, int(number), question[z.start() : z.end()]
    return None

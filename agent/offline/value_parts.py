"""Words a question says that are parts of many values of one column: "手动挡的车" over trims
written "2018款 1.6L 手动 豪华型", "2018款的车里", "四驱车型". No one value is named; the records
meant are those whose value holds the word, a filter on every such value.

A column qualifies when most of its values are made of several parts (a trim, a configuration,
a version string, a comma-separated list of codes); a part qualifies when it holds a Chinese
character, a digit and a letter, or is an acronym ("手动", "2018款", "1.6L", "CVT") — English
words inside longer names are read by the matcher's own word sets — and when it is found in at
least two values but not in nearly all.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from functools import cached_property
from typing import Self

from .slots import Either, Excluded, Slots, normal_text

_CJK = re.compile(r"[\u3400-\u9fff]")
# What separates the parts of a value: spaces, or the commas of a list of codes ("H93,H15,").
_SEPARATOR = re.compile(r"[\s,;，；、|]+")
_DIGIT_AND_LETTER = re.compile(r"(?=.*\d)(?=.*[A-Za-z\u3400-\u9fff])")
# Share of a column's values that must be written in parts, and the most a part may cover.
_IN_PARTS = 0.5
_NEARLY_ALL = 0.8
_GROUPING_CUE = re.compile(r"(?:各|按|每个?|哪[一个些种类款]?|which|each|by)\s*$", re.IGNORECASE)


class _Worded(str):
    """A filter of the values holding one word, shown as that word."""

    word: str
    # Read from the column's own name ("品牌名里带“一汽”的"), not from the values alone.
    by_name: bool = False

    def __new__(cls, word: str, *values: str) -> Self:
        made = super().__new__(cls, *values)  # the next base: Either or Excluded
        made.word = word
        return made


class Holding(_Worded, Either):
    """The values of one column that hold a word said in the question ("手动挡的车")."""


class Lacking(_Worded, Excluded):
    """The values of one column that hold a word the question sets aside ("除了手动挡")."""


def negated_part(value: str) -> str:
    """A value set aside: the values holding a word, or the value itself."""
    if isinstance(value, Holding):
        return Lacking(value.word, *value.values)
    return Excluded(*value.values) if isinstance(value, Either) else Excluded(value)


class ValueParts:
    """The parts of each qualifying column's values, looked up by the words of a question."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    @cached_property
    def index(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """Column -> part -> the values holding it."""
        whole = {v.strip().lower() for found in self._values.values() for v in found}
        out: dict[str, dict[str, tuple[str, ...]]] = {}
        for dim, found in self._values.items():
            split = [(v, _parts(v)) for v in found if v.strip()]
            listed = sum(len(p) > 1 or _SEPARATOR.search(v.strip()) is not None for v, p in split)
            if len(split) < 4 or listed < _IN_PARTS * len(split):
                continue
            holders: dict[str, list[str]] = {}
            for value, parts in split:
                for part in dict.fromkeys(parts):
                    if _qualifies(part) and part.lower() not in whole:
                        holders.setdefault(part, []).append(value)
            kept = {
                part: tuple(vs)
                for part, vs in holders.items()
                if 2 <= len(vs) <= _NEARLY_ALL * len(split)
            }
            if kept:
                out[dim] = kept
        return out

    def said(self, question: str, slots: Slots, names_of: Callable[[str], list[str]]) -> None:
        """Filter each qualifying column by the longest part the question says where nothing
        else was matched; a column named right after the part ("四驱车型") is its noun, not a
        grouping."""
        text = normal_text(question)
        for dim, parts in self.index.items():
            held = slots.filters.get(dim)
            if type(held) is str and len(_parts(held)) == 1 and _parts(held)[0] in parts:
                # "H15" matched as the value "H15," alone: every list holding the code.
                part = _parts(held)[0]
                slots.filters[dim] = value = Holding(part, *parts[part])
                at = next(iter(_finditer(part, text)), None)
                if at is not None:
                    slots.said[f"{dim}={value}"] = at.span()
                continue
            if dim in slots.filters or dim in slots.compared:
                continue
            found = [
                (m.start(), m.end(), part)
                for part in parts
                for m in _finditer(part, text)
                if not any(s < m.end() and m.start() < e for s, e in slots.spans)
                and (not part.isalpha() or not part.isupper() or part in question)
            ]
            if not found:
                continue
            listed = _listed_parts(text, found)
            if len(listed) >= 2:
                # "2019款和2020款的车": each family of values, side by side.
                slots.compared[dim] = [Holding(p, *parts[p]) for _, _, p in listed]
                slots.spans += [(start, end) for start, end, _ in listed]
                if dim not in slots.dimensions:
                    slots.dimensions.append(dim)
                continue
            start, end, part = max(found, key=lambda f: f[1] - f[0])
            slots.filters[dim] = value = Holding(part, *parts[part])
            slots.spans.append((start, end))
            slots.said[f"{dim}={value}"] = (start, end)
            if dim not in slots.dimensions:
                slots.dimensions.append(dim)
            _noun_after(text, end, slots, names_of)

    @cached_property
    def lines(self) -> dict[str, list[str]]:
        """Columns of subject lines (many values, most of them long runs of Chinese words:
        "高新区梅溪苑商家虚假宣传"): their values, to find the words a question says inside them."""
        out = {}
        for dim, found in self._values.items():
            values = [v.strip() for v in found if _CJK.search(v)]
            if len(values) < _MANY_LINES or len(values) < _IN_PARTS * len(found):
                continue
            lengths = sorted(len(v) for v in values)
            # Lines, not bodies of text: a reply or a description is no subject of the records.
            if _LONG_LINE <= lengths[len(lengths) // 2] <= _LONGEST_LINE:
                out[dim] = values
        return out

    def inside(self, question: str, slots: Slots) -> None:
        """ "河道污染的投诉", "投诉广场舞噪音的留言": Chinese words said where nothing else was
        matched that are inside the values of exactly one column of subject lines (and not all
        of them): the records whose subject holds the words, read as a filter on those values —
        not words looked for in a text that may never say them. Words said to be mentioned
        ("提到…") are the text's."""
        if not self.lines:
            return
        text = normal_text(question)
        named = {str(v) for v in slots.filters.values()}
        best: tuple[int, int, str, str, list[str]] | None = None
        for run in _CJK_RUN.finditer(text):
            start, end = run.span()
            if _MENTIONED_BEFORE.search(text[:start]) or _QUOTE_OPEN.search(text[:start]):
                continue  # words said to be in the text, or quoted as written there
            for i in range(start, end):
                if _MENTION_VERB.search(text[start:i]):
                    continue
                for j in range(min(end, i + _MAX_WORDS_INSIDE), i + _MIN_INSIDE - 1, -1):
                    if best is not None and j - i <= best[1] - best[0]:
                        break
                    if any(s < j and i < e for s, e in slots.spans):
                        continue
                    word = text[i:j]
                    if word in named:
                        continue  # "青山县的留言里…青山县这一类": the district said again

                    holders = [
                        (dim, [v for v in values if word in v])
                        for dim, values in self.lines.items()
                        if dim not in slots.filters and _open(slots, dim, word)
                    ]
                    holders = [
                        (d, vs) for d, vs in holders
                        if 2 <= len(vs) <= _NEARLY_ALL * len(self.lines[d]) and word not in vs
                    ]  # fmt: skip
                    if len(holders) == 1:
                        best = (i, j, word, *holders[0])
                        break
        if best is None:
            return
        start, end, word, dim, values = best
        slots.compared.pop(dim, None)
        slots.filters[dim] = value = Holding(word, *values)
        value.by_name = True  # the words' own filter: not also words to find in the text
        slots.spans.append((start, end))
        slots.said[f"{dim}={value}"] = (start, end)
        if dim not in slots.dimensions:
            slots.dimensions.append(dim)


# What joins two parts said side by side ("2019款和2020款", "国VI vs 国V").
_JOIN = re.compile(
    r"(?i)^\s*(?:[、,，/]|和|与|跟|及|或|还是|对比|\band\b|\bor\b|\bvs\.?|\bversus\b)\s*$"
)


def _listed_parts(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The parts said one after another joined as a list, none inside another, in the order
    said; [] when they are not listed so."""
    kept = [
        f for f in found
        if not any(o != f and o[0] <= f[0] and f[1] <= o[1] for o in found)
    ]  # fmt: skip
    kept.sort()
    if len(kept) < 2 or len({p for *_, p in kept}) != len(kept):
        return []
    joined = all(_JOIN.match(text[a[1] : b[0]]) for a, b in itertools.pairwise(kept))
    return kept if joined else []


def _open(slots: Slots, dim: str, word: str) -> bool:
    """Whether a column is free to be filtered by the values holding ``word``: nothing read on
    it, or only those very values, each found by that part of its name."""
    named = slots.compared.get(dim)
    return named is None or all(word in str(v) for v in named)


# A column of subject lines: at least this many values, most at least this long.
_MANY_LINES = 30
_LONG_LINE = 6
_LONGEST_LINE = 30
# An opening quote not yet closed: the words after it are quoted.
_QUOTE_OPEN = re.compile(r"[“\"「『][^”\"」』]*$")
# The words looked for inside them: at least three characters, at most eight.
_MIN_INSIDE = 3
_MAX_WORDS_INSIDE = 8
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{3,}")
# Words said to be mentioned are looked for in the text ("提到河道污染的").
_MENTION_VERB = re.compile(r"提到|提及|说到|写到|反映|带有?|包含|含有|出现")
_MENTIONED_BEFORE = re.compile(
    r"(?:提到|提及|说到|写到|反映|带有?|包含|含有|出现"
    r"|\b(?:about|mentions?|mentioning|mentioned|contains?|containing|says?|saying))\s*[“\"']?\s*$"
)


def _parts(value: str) -> list[str]:
    return [p for p in _SEPARATOR.split(value) if p]


def _qualifies(part: str) -> bool:
    if _CJK.search(part):
        return len(part) >= 2
    # An acronym of three capitals or more ("CVT", "DSG") is a code, not an English word.
    acronym = len(part) >= 3 and part.isascii() and part.isalpha() and part.isupper()
    return acronym or (len(part) >= 2 and bool(_DIGIT_AND_LETTER.match(part)))


def _finditer(part: str, text: str) -> list[re.Match[str]]:
    word = re.escape(part.lower())
    if _CJK.search(part):
        # "2018款" is not inside "12018款"; a Chinese part may sit between other characters.
        return list(re.finditer(rf"(?<![0-9a-z.]){word}", text))
    return list(re.finditer(rf"(?<![0-9a-z.]){word}(?![0-9a-z])", text))


def _noun_after(text: str, end: int, slots: Slots, names_of: Callable[[str], list[str]]) -> None:
    """ "四驱车型的投诉": a grouping named right after the part is the records' noun."""
    if _GROUPING_CUE.search(text[:end].rstrip()):
        return
    rest = text[end:].lstrip(" 的")
    for dim in [d for d in slots.dimensions if d not in slots.filters]:
        if any(n and rest.startswith(n.lower()) for n in names_of(dim)):
            slots.dimensions.remove(dim)


def families_said(question: str, values: list[str]) -> dict[str, list[str]]:
    """The names the question says mapped to the values holding each (by the longest run of
    the question found in the value); empty unless every value falls to one name, there are
    two names or more, and one of them holds several values."""
    text = question.lower()
    out: dict[str, list[str]] = {}
    for value in values:
        said = _longest_said(text, value.lower())
        if said is None:
            return {}
        out.setdefault(said, []).append(value)
    if len(out) < 2 or all(len(v) == 1 for v in out.values()):
        return {}
    return out


def _longest_said(text: str, value: str) -> str | None:
    best = ""
    cjk = bool(_CJK.search(value))
    pieces = (
        [value[i:j] for i in range(len(value)) for j in range(i + 2, len(value) + 1)]
        if cjk
        else [
            " ".join(words[i:j])
            for words in [re.findall(r"[a-z0-9]+", value)]
            for i in range(len(words))
            for j in range(i + 1, len(words) + 1)
        ]
    )
    for piece in pieces:
        if len(piece) <= len(best) or len(piece) < 2:
            continue
        pattern = re.escape(piece) if cjk else rf"(?<![a-z0-9]){re.escape(piece)}(?![a-z0-9])"
        if re.search(pattern, text):
            best = piece
    return best or None

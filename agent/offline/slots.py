"""Catalog matching for the offline analyst: metrics, dimensions and values named in a question.

Names and aliases come from the workspace's own catalog (English and Chinese), so a user's
catalog brings its own vocabulary. Exact matches are found first, longest first and without
overlaps ("installation sla" wins over "sla"); typos are caught by fuzzy matching of word
n-grams (English) or equal-length character windows (Chinese) when nothing exact was found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Self

from ...data.catalog import Catalog, Dimension, key
from ...data.glossary import same_thing
from ...data.ingest.catalog_metrics import record_noun
from ...data.ingest.labels import LABEL
from .grouping import synonyms_of

# Dimensions whose values are matched as filters, and dimensions a question may group by. A
# user's own catalog adds its category dimensions to both (see ``_groupable``/``_filterable``).
FILTER_DIMENSIONS = (
    "region",
    "segment",
    "product_line",
    "channel",
    "type",
    "tier",
    "engineer_level",
    "priority",
)
GROUP_DIMENSIONS = (
    "region",
    "product_line",
    "channel",
    "segment",
    "engineer",
    "type",
    "model",
    "priority",
    "tier",
    "engineer_level",
    "root_cause",
    "category",
    "industry",
    "city",
    "weekday",
    "hour",
)
# Columns of the customer-voice index every workspace has: the voice playbooks read them (themes,
# sentiment), so their values are not filters and theme/lang are not groupings.
VOC_COLUMNS = ("source", "lang", "sentiment", "urgency", "theme")
_NOT_GROUPED = ("theme", "lang")
# A count metric's Chinese name without its "count" suffix ("投诉数量" → "投诉"): a weak alias,
# used only when no metric matched by its full name.
_ZH_COUNT_SUFFIX = re.compile(r"(?:数量|数|量|总数)$")
# Aliases that are ordinary words in questions and would match far too often.
_NOISY = {"fix", "call", "mid", "normal", "question", "product", "cause", "issue", "topic", "app"}
_NOISY |= {"中", "高", "低", "个人", "在线", "应用", "类型", "产品", "原因", "评价", "月"}
_MODEL_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2,4}-[A-Za-z]?\d{2,5})(?![A-Za-z0-9])")
_DICTATED = re.compile(
    r"(?:输出|回复|回我|打印|写上|\b(?:reply|respond|answer|output|print|say|write)(?: with)?)"
    r"\s*[:：]\s*[^。.!?！？\n]*"
    # "end your answer with the words …", "回答最后加上…": text to append, not a question.
    r"|\b(?:end|finish|close|start|begin|sign)\s+(?:(?:your|ur|the|each|every|this)\s+)?"
    r"(?:answer|reply|response|message)s?\s+with\b[^。.!?！？\n]*"
    r"|(?:回答|回复|答案)(?:的)?(?:最后|结尾|末尾|开头)(?:加上|写上|附上|带上)[^。!?！？\n]*",
    re.IGNORECASE,
)
_CHANGES_DATA = re.compile(
    r"\b(?:drop|truncate|alter)\s+table\b|\bdelete\s+from\b|\binsert\s+into\b"
    r"|\bupdate\s+\w+\s+set\b",
    re.IGNORECASE,
)


def without_instructions(question: str) -> str:
    """The question without the statements it asks to run or the text it dictates ("接着运行
    DROP TABLE tickets;", "最后输出：…"): they are not what is asked about."""
    plain = re.sub(_CHANGES_DATA.pattern + r"[^;；。\n]*[;；]?", " ", question, flags=re.IGNORECASE)
    return _DICTATED.sub(" ", plain)


def asks_to_act(question: str) -> bool:
    """Whether the message also tells the analyst to change data or to reply with set text."""
    return bool(_CHANGES_DATA.search(question) or _DICTATED.search(question))


_QUOTED = re.compile(r'“[^”]*”|"[^"]*"|「[^」]*」')
_CJK = re.compile(r"[\u3400-\u9fff]")
_FUZZY_CUTOFF = 0.84
_CJK_FUZZY_CUTOFF = 0.75


@dataclass
class Term:
    alias: str  # the normalised alias text
    target: str  # metric name, dimension name, or "dimension=value"
    kind: str  # "metric" | "dimension" | "value"
    weak: bool = False  # matched only when nothing else of its kind was
    # Matched only as written: values looked up in the data ("Resolver 2" must not be read
    # into "resolve") are too many and too alike for typo tolerance.
    exact: bool = False
    # A value named by part of its name ("Amazon" for AmazonHelp): looked up in the data, or
    # listed without aliases (a list derived from the data, not a curated one).
    partial: bool = False


@dataclass
class Slots:
    metrics: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    model: str | None = None
    fuzzy: list[str] = field(default_factory=list)  # what was matched by fuzzy matching
    # Where in the normalised question exact matches were found (for matching the rest).
    spans: list[tuple[int, int]] = field(default_factory=list)
    # Where each metric found by name was named, in the normalised question.
    metric_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Metrics found by meaning rather than by name, with how sure: (metric, score, text).
    by_meaning: list[tuple[str, float, str]] = field(default_factory=list)
    # True when the only metric found is a plain row count named by the table's noun.
    noun_only: bool = False
    # Dimensions with several values named, to be compared side by side.
    compared: dict[str, list[str]] = field(default_factory=dict)
    # Yes/no columns the question names as a condition ("used a knowledge article"), filtered.
    flags: list[str] = field(default_factory=list)
    # Where values named by their words in another order were said ("dim=value" → span).
    said: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Words read as a measure or a yes/no column in other words ("include a link", "附上了链接"
    # for Provide URL): not words to find in the text.
    read_as_columns: list[tuple[int, int]] = field(default_factory=list)


class _Values(str):
    """A filter value standing for several values of one dimension: a value like any other for
    display and matching, its ``values`` where queries are built."""

    values: tuple[str, ...]
    _joiner = "、"

    def __new__(cls, value: str, *more: str) -> Self:
        made = super().__new__(cls, cls._joiner.join([value, *more]))
        made.values = (value, *more)
        return made


class Excluded(_Values):
    """A filter value the records must NOT have ("不算酒店", "not by email"), turned into an
    exclusion where queries are built. Several values set aside together ("把吉利和马自达放一边")
    are its ``values``. Records with no value at all are "not" it too, unless the question
    leaves them out ("…; leave out tickets that never got a group"): ``unset`` False."""

    unset: bool = True


class Either(_Values):
    """A filter the records meet with any of several values ("on a Saturday or a Sunday",
    "周末两天一共"): a list where queries are built."""

    _joiner = "/"


def fixed(filters: dict[str, Any], dim: str) -> bool:
    """Whether the records are held to one value of ``dim`` (a value set aside still leaves the
    others to group by: "剩下的品牌里谁最多"; so do the values holding a word: "which banks")."""
    value = filters.get(dim)
    return dim in filters and not isinstance(value, Excluded) and not hasattr(value, "word")


def split_excluded(filters: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(values the rows must have, values they must not have)."""
    keep = {
        d: list(v.values) if isinstance(v, Either) else v
        for d, v in filters.items()
        if not isinstance(v, Excluded)
    }
    drop = {d: list(v.values) for d, v in filters.items() if isinstance(v, Excluded)}
    return keep, drop


class CatalogMatcher:
    """Finds catalog names in free text; built once per catalog."""

    def __init__(self, catalog: Catalog, values: dict[str, list[str]] | None = None) -> None:
        self.catalog = catalog
        terms = _terms(catalog) + _looked_up_terms(catalog, values or {})
        unique = {(t.alias, t.target, t.kind): t for t in terms}
        self.terms = sorted(unique.values(), key=lambda t: -len(t.alias))
        # The words of metric and dimension names, which are never part of a value's name.
        self._vocabulary = " ".join(t.alias for t in self.terms if t.kind != "value")
        self._vocabulary_words = set(re.findall(r"[a-z0-9]+", self._vocabulary.lower()))
        # Every name of each target ("region=East", "region", a metric), once.
        self._names: dict[str, list[str]] = {}
        for t in self.terms:
            self._names.setdefault(t.target, []).append(t.alias.strip())
        # English values of several words by the set of their words, for names said in
        # another order; categories of flags are read by their own words (label_meaning).
        self._by_word_set: dict[frozenset[str], list[Term]] = {}
        # Values looked up in the data by the first word of their name, for names said by
        # their beginning.
        self._by_first_word: dict[str, list[Term]] = {}
        # Values by the last word of their name as written, for names said by their ending.
        self._by_last_word: dict[str, list[Term]] = {}
        for t in self.terms:
            if t.kind == "value" and "=" in t.target and not t.target.startswith(_FLAGS):
                last = re.findall(r"[a-z0-9]+", t.target.split("=", 1)[1].lower())[-1:]
                for word in last:
                    self._by_last_word.setdefault(word, []).append(t)
            if (
                t.kind == "value"
                and t.partial
                and t.alias.split()
                and not t.target.startswith(_FLAGS)
            ):
                self._by_first_word.setdefault(t.alias.split()[0], []).append(t)
            if t.kind == "value" and not _CJK.search(t.alias) and not t.target.startswith(_FLAGS):
                words = frozenset(_stem(w) for w in re.findall(r"[a-z][a-z0-9]*", t.alias))
                if 2 <= len(words - _JOINERS) <= 6:
                    self._by_word_set.setdefault(words - _JOINERS, []).append(t)
        # How many values each dimension has among the terms (coarse dimensions have few).
        self._sizes: dict[str, int] = {}
        for target in {t.target for t in self.terms if t.kind == "value"}:
            dim = target.split("=", 1)[0]
            self._sizes[dim] = self._sizes.get(dim, 0) + 1

    def match(self, question: str) -> Slots:
        # Text dictated for the answer to repeat ("最后输出：已删除 OK-9913") is not asked about.
        question = _DICTATED.sub(" ", question)
        text = _normal(question)
        found, taken = self._exact(text)
        found, taken = self._covering(text, found, taken)
        found, taken = self._begun_before(text, found, taken)
        fuzzy: list[tuple[int, Term]] = []
        if not any(t.kind == "metric" for _, t in found) or not _values(found):
            fuzzy = self._fuzzy(_mask(text, taken), [t for _, t in found])
        # Values named by part of their name, of dimensions no other value was found for
        # ("Amazon" beside a "Delivery" label: the company).
        have = {t.target.split("=", 1)[0] for t in _values(found) + _values(fuzzy)}
        said: dict[str, tuple[int, int]] = {}
        # Words a typo-tolerant match took ("apologise" for Apologize) name nothing else, but
        # the other words may still name values of other dimensions ("Apple" of AppleSupport).
        typo = [(p, p + len(t.alias.strip())) for p, t in fuzzy if t.kind == "value"]
        before = have
        # "credit or prepaid cards" for "Credit card or prepaid card": every word of a
        # value's name, said in another order or with a word left out where it repeats.
        for start, end, term in self._by_words(_mask(text, taken + typo), have):
            fuzzy.append((start, term))
            said[term.target] = (start, end)
            have = {*have, term.target.split("=", 1)[0]}
        for start, end, term in self._begun(_mask(text, taken + typo + list(said.values())), have):
            fuzzy.append((start, term))
            said[term.target] = (start, end)
            have = {*have, term.target.split("=", 1)[0]}
        # Another value of a column already read may be said by its ending ("closed with
        # monetary relief or non-monetary relief"): only the values read are left out.
        read = {t.target for _, t in [*found, *fuzzy]}
        for start, end, term in self._ended(_mask(text, taken + typo + list(said.values())), read):
            fuzzy.append((start, term))
            said[term.target] = (start, end)
            have = {*have, term.target.split("=", 1)[0]}
        fuzzy += self._plain_beside(question, text, [t for _, t in [*found, *fuzzy]])
        named = {t.target for _, t in found if t.kind == "dimension"}
        # Values of a dimension named by all their words may be listed with others named
        # by a part ("the credit bureaus - Meridian, Keystone and TransNation").
        free = _mask(text, taken + typo + list(said.values()))
        parts = self._partial(free, named, before, question)
        fuzzy += [(p, t) for p, t in parts if t.target not in said]
        coarse = []
        for pos, t in _outside_names(found):
            # "payday loans specifically": the fine value itself, not the broader category.
            own = _ONLY_THIS.match(text[pos + len(t.alias.strip()) :]) is not None
            wider = t if own else self._coarser(t)
            if wider is not t:  # said as the narrow value's name: where, for its negation
                said[wider.target] = (pos, pos + len(t.alias.strip()))
            coarse.append((pos, wider))
        found = coarse
        terms = [t for _, t in sorted(found + fuzzy, key=lambda p: p[0])]
        slots = _slots(terms)
        slots.metrics = _specific(self.catalog, slots.metrics, terms)
        slots.noun_only = len(slots.metrics) == 1 and _noun_only(
            self.catalog, slots.metrics[0], terms
        )
        slots.fuzzy = [t.target for _, t in fuzzy]
        slots.spans = sorted(taken)
        slots.said = said
        slots.metric_spans = {
            t.target: (pos, pos + len(t.alias.strip()))
            for pos, t in found + fuzzy
            if t.kind == "metric" and t.target in slots.metrics
        }
        # A code inside quotation marks is text the user quotes ("reply 'OK-9913'"), not a model.
        code = _MODEL_CODE.search(_QUOTED.sub(" ", question))
        if code:
            slots.model = code.group(1).upper()
        return slots

    def _exact(self, text: str) -> tuple[list[tuple[int, Term]], list[tuple[int, int]]]:
        # Values and metrics are matched independently ("大客户满意度" holds both 大客户 and
        # 满意度); a dimension name inside a value ("华东区域") is not a dimension mention.
        found: list[tuple[int, Term]] = []
        used: list[tuple[int, int]] = []
        for kinds in (("value",), ("metric",), ("dimension",)):
            taken = list(used) if kinds == ("dimension",) else []
            terms = [t for t in self.terms if t.kind in kinds and not t.weak]
            if kinds == ("metric",):
                terms += [t for t in self.terms if t.weak]
            for term in terms:
                if term.weak and any(t.kind == "metric" for _, t in found):
                    break
                hit = False
                for m in _pattern(term.alias).finditer(text):
                    if term.kind == "value" and self._inside_own_name(text, term, m.span()):
                        continue  # "满意" inside "满意度": the dimension said, not its value
                    if not any(s < m.end() and m.start() < e for s, e in taken):
                        # Every time a value is said is its own ("不满意 … 不满意 ratings": no
                        # 满意 inside the second); the term is found once.
                        taken.append(m.span())
                        if not hit:
                            found.append((m.start(), term))
                        hit = True
                        if term.kind != "value":
                            break
            used += taken
        return found, used

    def _coarser(self, term: Term) -> Term:
        """A value said exactly as one of a fine column ("credit reporting", a sub-product)
        that is also how the one value of a coarser column begins ("Credit reporting, credit
        repair services, …", a product): people name the broader category."""
        if term.kind != "value" or _CJK.search(term.alias):
            return term
        dim = term.target.split("=", 1)[0]
        said = term.alias.strip()
        begins = [
            t for t in self._by_first_word.get(said.split()[0] if said else "", [])
            if t.target.split("=", 1)[0] != dim and _begins(t.alias.strip(), said)
            and self._sizes.get(t.target.split("=", 1)[0], 0) < self._sizes.get(dim, 0)
        ]  # fmt: skip
        targets = {t.target for t in begins}
        return begins[0] if len(targets) == 1 else term

    def _owner_of(self, after: str, dims: Collection[str]) -> bool:
        """Whether the words right after a word are one of ``dims``' names, the word saying
        whose they are ("Apple's topics", "Apple topics")."""
        rest = re.sub(r"^(?:'s|’s|s')?\s+", "", after.lower(), count=1)
        return any(
            re.match(rf"{re.escape(n.lower().removesuffix('s'))}s?\b", rest)
            for d in dims for n in self.names_of(d) if n and not _CJK.search(n)
        )  # fmt: skip

    def names_of(self, target: str) -> list[str]:
        """Every name the catalog gives ``target`` ("region=East", "region", a metric)."""
        return [n for n in self._names.get(target, []) if n]

    def _inside_own_name(self, text: str, term: Term, span: tuple[int, int]) -> bool:
        """Whether a value's match lies inside its own dimension's name said in the text."""
        for name in self.names_of(term.target.split("=", 1)[0]):
            if len(name) <= span[1] - span[0]:
                continue
            for m in _pattern(name).finditer(text):
                if m.start() <= span[0] and span[1] <= m.end():
                    return True
        return False

    def _partial(
        self, free: str, named: set[str], have: Collection[str] = (), question: str = ""
    ) -> list[tuple[int, Term]]:
        """Values looked up in the data, named by part of their name ("奔驰" for 北京奔驰
        and 奔驰（进口）, "Amazon" for AmazonHelp): a word of the question found inside few
        values of a dimension — of the coarsest such dimension when several hold it (a brand
        before its models). Several values are groups side by side, each shown by name."""
        out: list[tuple[int, Term]] = []
        chosen: str | None = None
        said = _normal(question) if question else free
        for pos, word in _free_words(free):
            latin = not _CJK.search(word)
            if _ALSO_COUNTED.match(free[pos + len(word) :]):
                continue  # "国产的和进口的都算上": which values to include, not values of its own
            # The catalog's own words ("客户" of 客户满意度) name no value, unless a value's
            # name starts with the word ("Apple" of AppleSupport, beside an "Apple Pay" flag).
            own = word in (self._vocabulary_words if latin else self._vocabulary)
            if own and not (latin and len(word) >= 4):
                continue
            capital = latin and _capitalised(word, question)
            by_dim: dict[str, dict[str, Term]] = {}
            for t in self.terms:
                # Only values looked up in the data: a listed value's aliases are written to be
                # matched whole ("在线客服" is not named by "客服").
                if not t.partial or word not in t.alias or (own and not t.alias.startswith(word)):
                    continue
                # A word inside a long English value ("received" of "Received bad information
                # about your loan") is an ordinary word, not that value's name.
                if latin and len(t.alias.split()) > _PARTIAL_WORDS:
                    continue
                # Only the start of a longer word of the name ("quick" of QuickBridge, "open"
                # of Opening) names it when written as a name is, with a capital.
                if latin and not capital and not _whole_word_in(word, t.alias):
                    continue
                # A lowercase common word inside a name written in capitals ("card" of
                # Redwood Card Services) is that word, not the name, unless the name begins
                # with it ("amazon" for AmazonHelp).
                by_name = t.target.split("=", 1)[0] in named
                alias = t.alias.strip()
                # "amazon" for AmazonHelp; not "first" for First Summit Financial Corp.
                begins = alias.startswith(word) and " " not in alias
                if latin and not capital and not by_name and not begins:
                    continue
                if _names_in(word, t.target):
                    by_dim.setdefault(t.target.split("=", 1)[0], {})[t.target] = t
            few = {
                d: hits for d, hits in by_dim.items() if len(hits) <= _PARTIAL_MAX and d not in have
            }  # fmt: skip
            # "high priority": the value of the dimension the question names beside it; a
            # common word ("high", "low") names a value only so.
            beside = {d: hits for d, hits in few.items() if d in named}
            if len(beside) < len(few) and self._owner_of(said[pos + len(word) :], beside):
                # "Apple's topics", "Apple topics": whose they are (AppleSupport), not the
                # topic whose name holds the word (Apple Pay).
                beside = {}
            few = beside or ({} if word in _PLAIN else few)
            if latin and not capital:
                # A lowercase English word inside several values' names ("credit" of Credit
                # reporting, Credit card debt…) is an ordinary word, not a family of names.
                few = {d: hits for d, hits in few.items() if len(hits) == 1 or d in beside}
            if chosen is None and few:
                chosen = min(few, key=lambda d: self._sizes.get(d, 0))
            # Further words naming values of the same dimension: groups side by side
            # ("Amazon or Apple").
            if chosen is not None and chosen in few:
                out += [(pos, t) for t in few[chosen].values() if all(t is not x for _, x in out)]
        return out

    def _plain_beside(self, question: str, text: str, read: list[Term]) -> list[tuple[int, Term]]:
        """ "Critical … Moderate 的呢": a coded value whose name is a common word ("3 -
        Moderate"), written with its capital in a question that names another value of its
        column, is that value too."""
        dims = {t.target.split("=", 1)[0] for t in read if t.kind == "value" and "=" in t.target}
        targets = {t.target for t in read}
        out: list[tuple[int, Term]] = []
        for target in self._names:
            dim, _, value = target.partition("=")
            if not value or dim not in dims or target in targets:
                continue
            name = coded_name(value)
            if name == value or name.lower() not in _PLAIN or not name[:1].isupper():
                continue
            if re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", question) is None:
                continue
            at = re.search(rf"(?<![a-z]){re.escape(name.lower())}(?![a-z])", text)
            if at is not None:
                out.append((at.start(), Term(name.lower(), target, "value")))
        return out

    def _by_words(self, free: str, have: Collection[str]) -> list[tuple[int, int, Term]]:
        """English values of several words named by a run of the question holding exactly
        their words in any order ("checking or savings accounts", "credit or prepaid cards"),
        when one value alone has those words."""
        found = list(re.finditer(r"[a-z][a-z0-9]*", free))
        tokens = [(m.start(), _stem(m.group(0))) for m in found]
        spans = [m.span() for m in found]
        for i in range(len(tokens)):
            if tokens[i][1] in _JOINERS:
                continue
            for j in range(min(len(tokens), i + 7), i + 1, -1):
                run = [t for _, t in tokens[i:j]]
                words = frozenset(run) - _JOINERS
                if run[-1] in _JOINERS or len(words) < 2:
                    continue
                hits = {
                    t.target: t for t in self._by_word_set.get(words, [])
                    if t.target.split("=", 1)[0] not in have
                }  # fmt: skip
                # A comma may stand where the name has one ("payday, title or personal loan").
                gap = _gap(free, tokens[i][0], tokens[j - 1][0], commas=False)
                if len(hits) == 1 and not gap:
                    return [(spans[i][0], spans[j - 1][1], next(iter(hits.values())))]
        return []

    def _covering(
        self, text: str, found: list[tuple[int, Term]], taken: list[tuple[int, int]]
    ) -> tuple[list[tuple[int, Term]], list[tuple[int, int]]]:
        """A value whose every word is said over a run holding shorter values found exactly
        ("payday, title or personal loan" for "Payday loan, title loan, or personal loan", not
        the sub-product "Loan"): the longer name is what was said."""
        for start, end, term in self._by_words(text, set()):
            inside = [
                (p, t) for p, t in found
                if t.kind == "value" and start <= p and p + len(t.alias.strip()) <= end
            ]  # fmt: skip
            if not inside or any(t.target == term.target for _, t in inside):
                continue
            if _said_more_often(text[start:end], term.alias):
                continue  # "monetary relief or non-monetary relief": two names, each said
            found = [f for f in found if f not in inside] + [(start, term)]
            taken = [sp for sp in taken if not (start <= sp[0] and sp[1] <= end)] + [(start, end)]
        return found, taken

    def _begun_before(
        self, text: str, found: list[tuple[int, Term]], taken: list[tuple[int, int]]
    ) -> tuple[list[tuple[int, Term]], list[tuple[int, int]]]:
        """ "federal student loan" for "Federal student loan servicing", though "student loan"
        alone is another value's whole name: the word before a value found exactly, with it,
        begins the name of exactly one other value — the longer name is what was said."""
        for pos, term in list(found):
            if term.kind != "value":
                continue
            before = re.search(r"([a-z][a-z0-9]*)\s+$", text[:pos])
            if before is None or before.group(1) in _JOINERS:
                continue
            start, end = before.start(1), pos + len(term.alias.strip())
            said = text[start:end]
            by_dim: dict[str, dict[str, Term]] = {}
            for t in self._by_first_word.get(before.group(1), []):
                if t.target != term.target and _begins_words(t.alias.strip(), said):
                    by_dim.setdefault(t.target.split("=", 1)[0], {}).setdefault(t.target, t)
            one = self._only_of_coarsest(by_dim)
            if one is None:
                continue
            found = [(p, t) for p, t in found if (p, t) != (pos, term)] + [(start, one)]
            taken = [sp for sp in taken if not (start <= sp[0] and sp[1] <= end)] + [(start, end)]
        return found, taken

    def _begun(self, free: str, have: Collection[str]) -> list[tuple[int, int, Term]]:
        """A value named by the first words of its name ("credit card" for "Credit card or
        prepaid card"): two to four words that begin the name of exactly one value of the
        coarsest column holding such a value."""
        spans = [(m.start(), m.end()) for m in re.finditer(r"[a-z][a-z0-9]*", free)]
        for i in range(len(spans)):
            for j in range(min(len(spans), i + 4), i + 1, -1):
                if _gap(free, spans[i][0], spans[j - 1][0]):
                    continue
                said = " ".join(free[a:b] for a, b in spans[i:j])
                if set(said.split()) <= _JOINERS:
                    continue
                by_dim: dict[str, dict[str, Term]] = {}
                for t in self._by_first_word.get(said.split()[0], []):
                    dim = t.target.split("=", 1)[0]
                    if dim not in have and _begins_words(t.alias.strip(), said):
                        by_dim.setdefault(dim, {}).setdefault(t.target, t)
                one = self._only_of_coarsest(by_dim)
                if one is not None:
                    return [(spans[i][0], spans[j - 1][1], one)]
        return []

    def _only_of_coarsest(self, by_dim: dict[str, dict[str, Term]]) -> Term | None:
        """The one value found in the coarsest column holding any (None: none, or several)."""
        if not by_dim:
            return None
        dim = min(by_dim, key=lambda d: self._sizes.get(d, 0))
        return next(iter(by_dim[dim].values())) if len(by_dim[dim]) == 1 else None

    def _ended(self, free: str, read: Collection[str]) -> list[tuple[int, int, Term]]:
        """A value named by the words that end its name ("ended in monetary relief" for
        "Closed with monetary relief", not "…non-monetary relief"): two or three words said
        together, found as a whole run in exactly one value of the coarsest column holding
        such a run, at the end of that value's name."""
        spans = [(m.start(), m.end()) for m in re.finditer(r"[a-z][a-z0-9]*", free)]
        out: list[tuple[int, int, Term]] = []
        i = 0
        while i < len(spans):
            hit = self._ended_at(free, spans, i, read)
            if hit is None:
                i += 1
                continue
            # "monetary relief or non-monetary relief": each value of the column said by its
            # ending, in turn.
            j, term = hit
            out.append((spans[i][0], spans[j - 1][1], term))
            i = j
        return out

    def _ended_at(
        self, free: str, spans: list[tuple[int, int]], i: int, read: Collection[str]
    ) -> tuple[int, Term] | None:
        """The value (not one ``read`` already) whose name ends with the words said from
        ``spans[i]`` on, and where they stop (None: no such value)."""
        for j in range(min(len(spans), i + 3), i + 1, -1):
            if _gap(free, spans[i][0], spans[j - 1][0]):
                continue
            words = [free[a:b] for a, b in spans[i:j]]
            if len(set(words) - _JOINERS - _PLAIN) < 2:
                continue
            by_dim: dict[str, dict[str, Term]] = {}
            for t in self._by_last_word.get(words[-1], []):
                dim = t.target.split("=", 1)[0]
                if t.target not in read and _ends_with_words(t.target.split("=", 1)[1], words):
                    by_dim.setdefault(dim, {}).setdefault(t.target, t)
            one = self._only_of_coarsest(by_dim)
            if one is not None:
                return j, one
        return None

    def _fuzzy(self, free: str, found: list[Term]) -> list[tuple[int, Term]]:
        """Typo-tolerant matches in the text no exact match used, one per slot kind."""
        have = {_slot_key(t) for t in found}
        out: list[tuple[int, Term]] = []
        for term in self.terms:
            short = len(term.alias) < (4 if term.kind == "value" else 5)
            # Numbered values ("Resolver 3", "Group 70") come in families of alike names: a
            # near miss is another word ("resolve"), not a typo of one of them.
            numbered = term.kind == "value" and any(ch.isdigit() for ch in term.alias)
            if _slot_key(term) in have or short or term.weak or term.exact or numbered:
                continue
            pos = _fuzzy_hit(term.alias, free)
            if pos is not None:
                out.append((pos, term))
                have.add(_slot_key(term))
        return out


# The dimension of a flags table's categories ("label=Provide URL").
_FLAGS = f"{LABEL}="
# Words that join the words of a value's name and say nothing of it.
_JOINERS = frozenset(("and", "or", "of", "the", "a", "an", "for", "to", "with", "your", "my"))


def _stem(word: str) -> str:
    """An English word without a plural ending ("cards" → card, "services" → service), and one
    word for a thing said in several ("car" → vehicle)."""
    word = same_thing(word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# Said right after a word: the records of that kind are included too ("进口的都算上").
_ALSO_COUNTED = re.compile(r"^\s*的?\s*(?:也|都)(?:要)?(?:算上?|包括|包含|计入|算进去)")
# Said right after a value: that value alone ("payday loans specifically", "只算发薪日贷款本身").
_ONLY_THIS = re.compile(
    r"(?i)^s?\s*(?:specifically|alone|in particular|proper|themselves|itself"
    r"|only\b(?! (?:a|one)\b))|^\s*本身"
)


def _said_more_often(said: str, name: str) -> bool:
    """Whether a word of ``name`` is said more often in ``said`` than the name holds it."""
    run = [_stem(w) for w in re.findall(r"[a-z][a-z0-9]*", said)]
    own = [_stem(w) for w in re.findall(r"[a-z][a-z0-9]*", name.lower())]
    return any(run.count(w) > own.count(w) for w in set(own) - _JOINERS)


def _begins(name: str, said: str) -> bool:
    """Whether ``name`` begins with the words ``said`` and goes on after them."""
    return len(name) > len(said) and name.startswith(said) and name[len(said)] in " ,;:"


def _ends_with_words(name: str, words: list[str]) -> bool:
    """Whether ``name`` as written ends with ``words`` taken as whole words of it, and has more
    before them: "Closed with non-monetary relief" ends with "non monetary relief", not with
    "monetary relief" (a hyphened word is one word). The words are two fifths of the name or
    more."""
    chunks = [re.findall(r"[a-z0-9]+", c) for c in name.lower().split()]
    if 5 * len(words) < 2 * sum(len(c) for c in chunks):
        return False  # too small a part of a long name ("credit report" of a problem's name)
    tail: list[str] = []
    for k in range(len(chunks) - 1, 0, -1):
        tail = chunks[k] + tail
        if len(tail) >= len(words):
            return tail == words
    return False


def _begins_words(name: str, said: str) -> bool:
    """Whether ``name`` begins with the words ``said``, a plural for a singular ("credit cards"
    for "Credit card or prepaid card"), and goes on after them."""
    if _begins(name, said):
        return True
    words, named = said.split(), re.findall(r"[a-z0-9]+", name.lower())
    return len(named) > len(words) and all(
        _stem(a) == _stem(b) for a, b in zip(words, named, strict=False)
    )


def _gap(free: str, start: int, end: int, commas: bool = True) -> bool:
    """Whether a masked stretch (another name matched) or a sentence break (a comma too, unless
    ``commas`` is False) lies in the run."""
    return bool(re.search(r"\s{3,}|[,.;:?!]" if commas else r"\s{3,}|[.;:?!]", free[start:end]))


# A word found inside more values than this names none of them in particular.
_PARTIAL_MAX = 6
_LATIN_WORD = re.compile(r"[a-z][a-z0-9]{3,}")
# Question words that are inside many names and name nothing ("service", "客户").
_NOT_NAMES = {"what", "which", "with", "from", "have", "many", "much", "most", "more", "that"}
_NOT_NAMES |= {"this", "there", "their", "about", "does", "were", "been", "into", "than", "each"}


def _names_in(word: str, target: str) -> bool:
    """Whether ``word`` is a name inside the value of ``target`` ("dim=Value"): Chinese words
    anywhere, Latin words where the value spells them with a capital ("Amazon" in AmazonHelp,
    not "split" in "wall-mounted split")."""
    value = target.split("=", 1)[1]
    if _CJK.search(word):
        return True
    at = value.lower().find(word)
    return at >= 0 and value[at].isupper()


def _whole_word_in(word: str, alias: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", alias.lower()) is not None


def _capitalised(word: str, question: str) -> bool:
    """Whether the question writes ``word`` with a capital somewhere ("Amazon", not "amazon")."""
    return any(
        m.group()[0].isupper() for m in re.finditer(re.escape(word), question, re.IGNORECASE)
    )


def _free_words(free: str) -> list[tuple[int, str]]:
    """Words of the question no match used: Latin words of four letters or more, and Chinese
    words of two characters or more (segmented)."""
    from ...data.segment import segmenter

    words = _LATIN_WORD.finditer(free)
    out = [(m.start(), m.group()) for m in words if m.group() not in _NOT_NAMES]
    pos = 0
    for token in segmenter().lcut(free):
        if len(token) >= 2 and all(_CJK.match(ch) for ch in token) and token not in _ZH_VERBS:
            out.append((pos, token))
        pos += len(token)
    return out


# Verbs of handling a matter, said of any record: inside a value's name ("社保卡办理问题") they
# are not what names it ("要求重新办理的" names no matter).
_ZH_VERBS = frozenset(
    ("办理", "处理", "解决", "答复", "回复", "反映", "要求", "申请", "咨询", "需要", "重新", "进行")
)


def _outside_names(found: list[tuple[int, Term]]) -> list[tuple[int, Term]]:
    """Without values that are part of a longer metric name ("上门" inside "重复上门率")."""
    names = [(p, p + len(t.alias.strip())) for p, t in found if t.kind == "metric"]

    def inside(pos: int, term: Term) -> bool:
        end = pos + len(term.alias.strip())
        return any(s <= pos and end <= e and e - s > end - pos for s, e in names)

    return [(p, t) for p, t in found if t.kind != "value" or not inside(p, t)]


def _specific(catalog: Catalog, metrics: list[str], terms: list[Term]) -> list[str]:
    """Without plain row counts named only by the table's noun ("tickets" in "share of tickets
    that met their SLA") when another metric was named too."""
    nouns = {m for m in metrics if _noun_only(catalog, m, terms)}
    if not nouns or len(nouns) == len(metrics):
        return metrics
    return [m for m in metrics if m not in nouns]


def _noun_only(catalog: Catalog, metric: str, terms: list[Term]) -> bool:
    spec = catalog.metrics[metric].spec
    if spec.unit != "count" or spec.filter or spec.expr.strip().upper() != "COUNT(*)":
        return False
    table = key(spec.table)
    noun = record_noun(spec.table).split()[-1]  # "incident" of incident_event_log_…
    nouns = {table, table.rstrip("s"), table.rstrip("s") + "s", noun.rstrip("s"), noun + "s"}
    nouns |= {noun.rstrip("s") + "s", f"{noun.rstrip('s')} count", f"number of {noun}s"}
    # The noun the count is named by ("Review count": each row is a review).
    said = spec.en.lower().removesuffix(" count").strip()
    if said and " " not in said:
        nouns |= {said, f"{said}s", f"{said} count", f"number of {said}s"}
    # The Chinese noun the count is named by ("留言数量": each row is a 留言).
    zh_noun = spec.zh.removesuffix("数量") if spec.zh.endswith("数量") else ""
    if zh_noun:
        nouns |= {zh_noun, f"{zh_noun}数", f"{zh_noun}条数", f"{zh_noun}量"}
    used = {t.alias.strip() for t in terms if t.kind == "metric" and t.target == metric}
    return bool(used) and (used <= nouns or all(t.weak for t in terms if t.target == metric))


def _slot_key(term: Term) -> str:
    # One metric and one value per dimension is enough from fuzzy matching.
    return "metric" if term.kind == "metric" else term.target.split("=")[0]


def _terms(catalog: Catalog) -> list[Term]:
    terms: list[Term] = []
    for name, metric in catalog.metrics.items():
        spec = metric.spec
        for alias in {name, spec.en, spec.zh, *spec.aliases}:
            terms.extend(_term(alias, name, "metric"))
        # A count of some of the rows ("差评数": COUNT(*) FILTER …) is not named by its stem:
        # the stem names the rows' value ("差评"), a filter on the plain count.
        if metric.unit == "count" and not spec.filter and "FILTER" not in spec.expr.upper():
            terms += _weak_terms(name, [spec.zh, *spec.aliases])
    claimed: set[str] = set()
    # A value held by several dimensions is named for the one in more tables (the company
    # of every file, not the author of some).
    ordered = sorted(catalog.dimensions.items(), key=lambda kv: -len(kv[1].sources))
    for name, dim in ordered:
        if _groupable(name, dim):
            names = {name, dim.spec.en, dim.spec.zh, *dim.spec.aliases}
            for alias in names | set(synonyms_of(catalog, list(names))):
                terms.extend(_term(alias, name, "dimension"))
        if _filterable(name, dim):
            for value, aliases in dim.spec.values.items():  # type: ignore[union-attr]
                if is_code(value) and not aliases:
                    continue  # "IN", "OR": matched by case (``codes``), never as "in", "or"
                # A unit of time's value ("6-Sat") is named by its aliases ("saturday"): the
                # short name after its number would read "sat" (a verb) as the day.
                parts = [] if dim.from_time else _named_part(value, name)
                for alias in {value, *aliases, *parts} - claimed:
                    claimed.add(alias)
                    found = _term(alias, f"{name}={value}", "value")
                    terms += [replace(t, partial=not aliases) for t in found]
    return terms


def is_code(value: object) -> bool:
    """A two-letter code in capitals ("CA", "IN"): in lower case, often an ordinary word."""
    text = str(value)
    return len(text) == 2 and text.isascii() and text.isalpha() and text.isupper()


def _looked_up_terms(catalog: Catalog, values: dict[str, list[str]]) -> list[Term]:
    """Values of dimensions the catalog does not list (looked up in the data), as filters."""
    terms: list[Term] = []
    for name, found in values.items():
        dim = catalog.dimensions.get(name)
        if dim is None or dim.spec.values or dim.kind != "category" or name in VOC_COLUMNS:
            continue
        for value in found:
            if is_code(value):
                continue  # a two-letter code ("CA") is matched by case (``codes``), not here
            for alias in (value, *_named_part(value, name)):
                named = _term(alias, f"{name}={value}", "value")
                terms += [replace(t, exact=True, partial=True) for t in named]
    return terms


# A value led by a code ("1 - Critical", "3 – Moderate"): managers say the name ("critical").
_CODED = re.compile(r"^\s*[\w.]{1,4}\s*[-–:.)]\s*(\S.*)$")


def coded_name(value: str) -> str:
    """A coded value's name ("Critical" of "1 - Critical"), or the value as it is."""
    m = _CODED.match(value)
    return (m.group(1) if m else value).strip()


# Names of coded values too common as ordinary words to read as a filter on their own.
_PLAIN = {"high", "low", "medium", "moderate", "normal", "none", "other", "unknown", "yes", "no"}


# Dimensions whose coded values managers call by letter and number ("P1", "Sev 2", "1级").
_RANKED = {"priority": "p", "severity": "sev", "sev": "sev", "优先级": "p", "严重": "sev"}


# English values of more words than this are never named by one of their words.
_PARTIAL_WORDS = 3


# A company's legal form after its name ("Meridian Credit Bureau, Inc.", "Keystone Data LLC",
# "北京某某科技有限公司"): people name it without.
_LEGAL_FORM = re.compile(
    r"(?i)(?:,?\s+(?:inc|incorporated|llc|l\.l\.c|ltd|limited|co|corp|corporation|plc|gmbh|ag"
    r"|s\.a|n\.a|lp|llp)\.?)+\s*$|(?:股份)?有限(?:责任)?公司$"
)


def _named_part(value: str, dim: str = "") -> list[str]:
    bare = _LEGAL_FORM.sub("", value).strip(" ,")
    if bare != value.strip() and len(bare) >= 3:
        return [bare]  # "Meridian Credit Bureau" for "Meridian Credit Bureau, Inc."
    m = _CODED.match(value)
    name = m.group(1).strip() if m else ""
    out = [name] if len(name) >= 3 and name.lower() not in _PLAIN else []
    code = value.split("-", 1)[0].strip() if m else ""
    prefix = next((p for word, p in _RANKED.items() if word in dim.lower()), None)
    if prefix and code.isdigit():
        # "P1" and "priority 1" for "1 - Critical"; "sev 2" and "severity 2" for "2 - High".
        long = "priority" if prefix == "p" else "severity"
        out += [f"{prefix}{code}", f"{long} {code}", f"{code}级"]
        out += [f"{prefix} {code}"] if prefix == "sev" else []
    return out


def _weak_terms(metric: str, aliases: list[str]) -> list[Term]:
    stems = {_ZH_COUNT_SUFFIX.sub("", a) for a in aliases if _CJK.search(a)} - set(aliases)
    return [Term(t.alias, metric, "metric", weak=True) for s in stems for t in _term(s, metric, "")]


def _groupable(name: str, dim: Dimension) -> bool:
    """Whether a question may split by this dimension: the usual ones and any category."""
    return name in GROUP_DIMENSIONS or (dim.kind == "category" and name not in _NOT_GROUPED)


def _filterable(name: str, dim: Dimension) -> bool:
    """Whether this dimension's listed values are matched as filters in questions."""
    if not dim.spec.values:
        return False
    return name in FILTER_DIMENSIONS or (dim.kind == "category" and name not in VOC_COLUMNS)


def _term(alias: str, target: str, kind: str) -> list[Term]:
    text = _normal(alias).strip()
    if not text or text in _NOISY:
        return []
    cjk = bool(_CJK.search(text))
    if (cjk and len(text) < 2) or (not cjk and len(text) < 2):
        return []
    return [Term(text, target, kind)]


def _normal(text: str) -> str:
    return " " + key(text).replace("-", " ") + " "


def unmatched_text(question: str, slots: Slots) -> str:
    """The question with what exact matching used blanked out."""
    return _mask(_normal(question), slots.spans)


def normal_text(question: str) -> str:
    """The question as matching sees it (lower case, single spaces, no hyphens)."""
    return _normal(question)


@lru_cache(maxsize=65536)  # names of every catalog, compiled once (re's own cache holds 512)
def _pattern(alias: str) -> re.Pattern[str]:
    body = re.escape(alias.strip())
    if _CJK.search(alias):
        # "SLA 达成率" for SLA达成率: a space may stand between Latin letters and Chinese ones.
        runs = re.findall(r"[\u3400-\u9fff]+|[^\u3400-\u9fff]+", alias.strip())
        return re.compile(r"\s?".join(re.escape(r.strip()) if r.strip() else r"\s*" for r in runs))
    # English words take their endings: "phoned" is phone, "installs" installations are not.
    ending = "(?:s|es|d|ed|ing)?" if len(alias.strip()) >= 4 else "s?"
    if len(alias.strip()) >= 4 and re.search(r"[^aeiou]y$", alias.strip()):
        # "categories", "deliveries": a word ending in a consonant and y takes -ies.
        body, ending = re.escape(alias.strip()[:-1]), "(?:y|ies|ied)"
    return re.compile(rf"(?<![a-z0-9]){body}{ending}(?![a-z0-9])")


def _mask(text: str, taken: list[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in taken:
        chars[s:e] = " " * (e - s)
    return "".join(chars)


def _fuzzy_hit(alias: str, text: str) -> int | None:
    """Where a close variant of ``alias`` starts in ``text``, or None."""
    alias = alias.strip()
    if _CJK.search(alias):
        n = len(alias)
        if n < 3:
            return None
        for i in range(0, max(len(text) - n + 1, 0)):
            window = text[i : i + n]
            if _CJK.search(window) and _ratio(alias, window) >= _CJK_FUZZY_CUTOFF:
                return i
        return None
    size = len(alias.split())
    for m in re.finditer(r"[a-z0-9]+", text):
        # Words only: trailing punctuation ("rgion?") must not spoil the comparison.
        gram = " ".join(re.findall(r"[a-z0-9]+", text[m.start() :])[:size])
        # A typo keeps the first letter; another first letter is another word ("least" is
        # not a misspelt "east").
        if gram[:1] != alias[:1]:
            continue
        if abs(len(gram) - len(alias)) <= 3 and _ratio(alias, gram) >= _FUZZY_CUTOFF:
            # Each word is the alias's word or a typo of it, which keeps its first letter:
            # "number of such" shares most letters with "number of echo", but "such" is another
            # word.
            pairs = zip(alias.split(), gram.split(), strict=False)
            if all(a == b or a[:1] == b[:1] for a, b in pairs):
                return m.start()
    return None


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _values(found: list[tuple[int, Term]]) -> list[Term]:
    return [t for _, t in found if t.kind == "value"]


def _slots(found: list[Term]) -> Slots:
    slots = Slots()
    for term in found:
        if term.kind == "metric" and term.target not in slots.metrics:
            slots.metrics.append(term.target)
        elif term.kind == "dimension" and term.target not in slots.dimensions:
            slots.dimensions.append(term.target)
        elif term.kind == "value":
            dim, value = term.target.split("=", 1)
            slots.filters.setdefault(dim, value)
            named = slots.compared.setdefault(dim, [])
            if value not in named:
                named.append(value)
    # Two or more values of one dimension ("social vs phone", "East and North") are groups to
    # compare, not a filter.
    slots.compared = {d: v for d, v in slots.compared.items() if len(v) > 1}
    for dim in slots.compared:
        del slots.filters[dim]
    return slots


def groupable_dimensions(catalog: Catalog) -> list[str]:
    """The dimensions a question may split by, in catalog order."""
    return [n for n, d in catalog.dimensions.items() if _groupable(n, d) and d.sources]

"""The grouping a question names in its own words, read against the catalog's dimensions.

"Which support group handles the most tickets", "through which channel", "哪个处理组": when no
dimension was matched by its name or alias, the words after the grouping cue are compared with
every groupable dimension — first by the words they share ("support group" ~ assignment group),
then by meaning with the workspace's embedder ("channel" ~ contact type), which only counts when
it is clearly ahead. What was matched only by meaning, and a grouping that fits nothing, is said
in the answer rather than replaced silently by some other dimension.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...data.catalog import Catalog
from ...data.embeddings import Embedder
from ...data.glossary import gloss
from .meaning import LabelVectors


def _split(text: str) -> frozenset[str]:
    return frozenset(text.split())


# English cues that introduce a grouping noun; "what" is left out (it asks for values too), and
# "per" ("cost per ticket") names a rate more often than a grouping.
_EN_CUE = re.compile(
    # "Across all products" is the scope, not a split; "the three issues … most" is the top 3.
    r"\b(?:which|(?:at|in|on|during|from) what|each|every|by|across(?!\s+(?:all|every)\b)"
    r"|among(?: the| our| all)?"
    r"|(?:top|bottom|the)\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twenty))"
    r"\s+([a-z][a-z0-9'\u2019 -]*)",
    re.IGNORECASE,
)
_ALL_OF = re.compile(
    r"(?i)\b(?:look(?:ing)? at|of|from|among|across|through|in|over|on|counting|taking)\s+$"
)
_CAME = re.compile(
    r"(?i)\b(?:came|come|comes|coming|sent|submitted|filed|arrived|reached us|raised|contacted us)"
    r"(?: in| us)?\s*$"
)
# "By number of complaints", "by volume": what is ranked by, a measure, not a grouping.
_MEASURE_AFTER_BY = re.compile(
    r"(?i)^(?:the )?(?:number|count|volume|share|percentage|amount|total|size)\b"
)
_ZH_CUE = re.compile(
    r"(?:哪一个|哪一款|哪一种|哪一类|哪一位|哪一家|哪几[位个款种类家条]|哪几"
    r"|哪[两二三四五六七八九十\d]+[位个款种类家条]|哪个|哪些|哪种|哪类|哪位|哪家|哪款|哪一"
    r"|各个|各|按|每个|每一个)(?!几|多少)([\u3400-\u9fffA-Za-z0-9]*[\u3400-\u9fff]+)"
)
# "好评率最高的品类是哪个", "投诉最多的城市是哪些": the noun between the superlative and "哪".
_ZH_SUPERLATIVE = re.compile(
    r"(?:最|较)(?:差|好|低|高|多|少|快|慢|大|小)的([\u3400-\u9fff]{1,4}?)(?:是|为|分别是)?(?:哪|什么|谁)"
)
# "排名第二的团队是哪个", "处理最快的组是哪一个": the noun right before "是哪…".
_ZH_IS_WHICH = re.compile(r"的([\u3400-\u9fff]{1,4}?)(?:是|为)(?:哪|谁)")
# Words after which the grouping noun has ended (verbs, articles, measure words).
_EN_END = _split(
    "a an the of in on at to for with from is are was were be been has have had do does did "
    "get gets got handle handles handled take takes took make makes made see sees saw raise "
    "raises raised has most more least fewer less best worst highest lowest top one ones "
    "and or than that who whose where when how many much what there it they we our them those "
    "these"
)
_ZH_END = re.compile(r"[的最有是被在中里上下多少比较更和与及对占]")
_EN_TIME = frozenset(("day", "week", "month", "quarter", "year", "period", "time"))
_ZH_TIME = ("月", "周", "天", "日", "季", "星期")
# Words of dimension names that say nothing about which one is meant.
# A word that may be a verb after a singular noun ("causes", "gets", "handles").
_VERB_S = re.compile(r"(?i)[^s]s$")
_GENERIC = frozenset(
    ("u", "id", "ids", "no", "number", "code", "name", "names", "type", "types", "sys", "key")
)
_MAX_WORDS = 3
# How closely the grouping words must resemble a dimension's names by meaning alone, and by
# how much the best must lead the next.
MEANING_ACCEPT = 0.86
MEANING_LEAD = 0.015


@dataclass(frozen=True)
class GroupGuess:
    """The grouping words of a question and the dimension they were read as (None: none fits)."""

    phrase: str
    dimension: str | None
    # Read by meaning, or chosen among several dimensions sharing its words: said in the answer.
    by_meaning: bool = False


_CLASS_OF = re.compile(
    r"(?P<cls>group|type|kind|sort|category|class|segment|tier|line)s? of (?:the |our |its )?"
    r"(?P<noun>[a-z]+)",
    re.IGNORECASE,
)


def _singular(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def words_after(text: str) -> str:
    """The noun phrase an English cue is followed by: up to three words, ending at a verb."""
    words: list[str] = []
    for word in text.lower().replace("\u2019", "'").split():
        if not words and word in _WHICH_ONE_WORDS:
            continue  # "which single user": the user
        if word in _EN_END or len(words) == _MAX_WORDS:
            break
        owner = _POSSESSIVE.fullmatch(word)
        if owner:
            # "Which district's messages": the grouping is the owner; what it owns is counted.
            words.append(owner.group(1))
            break
        words.append(word)
    return " ".join(words)


_POSSESSIVE = re.compile(r"([a-z0-9-]+?)(?:'s|s')")


# Words that say one of a grouping is asked, not which grouping ("which single user").
_WHICH_ONE_WORDS = frozenset(("single", "individual", "particular", "specific"))


_ZH_EVENT_VERB = re.compile(
    r"(?<=[\u3400-\u9fff]{2})(?:解决|关闭|回复|答复|提交|受理|创建|处理|修复|结案)"
)


def zh_noun(text: str) -> str:
    """The noun a Chinese cue is followed by: up to four characters, ending at a particle."""
    noun = _ZH_END.split(text)[0]
    # "哪个分组2016年6月": a number after the noun starts a date or a figure, not the noun.
    noun = re.split(r"(?<=[\u3400-\u9fff])[0-9]", noun)[0]
    # "哪个团队关闭用时最多": a verb of the records' events after two characters ends the noun.
    noun = _ZH_EVENT_VERB.split(noun, maxsplit=1)[0][:4]
    # "哪几款车上", "哪个渠道里": a place word after the noun is not part of it.
    return noun[:-1] if len(noun) > 1 and noun[-1] in "上里中内" else noun


# "Of our three biggest categories, which one …": the groups named before "which one".
_WHICH_ONE = re.compile(r"(?i)\bwhich (?:one|of (?:them|those|these))\b")
_BIGGEST_NOUN = re.compile(
    r"(?i)\b(?:biggest|largest|busiest|top|main)\s+(?:\d+\s+)?([a-z][a-z0-9' -]*)"
)


_ZH_TOPIC = ("话题", "主题", "问题", "原因", "方面", "毛病", "情况", "投诉点", "诉求")


# "Who resolved the most incidents": the people recorded as having done it ("resolved by").
_WHO_DID = re.compile(
    r"(?i)\bwho (?:has |have |had )?([a-z]+ed)\b"
    # "Which three service desk staff logged the most tickets": staff named, then the verb (a
    # user or a customer who raised them is the requester, a grouping of its own).
    r"|\b(?:which|what)\s+(?:[a-z0-9-]+\s+){0,4}?(?:staff|agents?|analysts?|engineers?"
    r"|employees?|technicians?|operators?|members?|colleagues|reps?"
    r"|representatives?|workers?)\s+(?:have |has |had )?([a-z]+ed)\b"
)


def grouping_phrase(question: str) -> str:
    """The noun after the question's grouping cue ("support group"), or ""."""
    who = _WHO_DID.search(question)
    if who:
        return f"{(who.group(1) or who.group(2)).lower()} by"
    if _WHICH_ONE.search(question) and (b := _BIGGEST_NOUN.search(question)):
        words = words_after(b.group(1))
        if words:
            return words
    cues = [c for c in _EN_CUE.finditer(question) if not _MEASURE_AFTER_BY.match(c.group(1))]
    # "came in by phone, and which product had the most": a way the records came ("by" after a
    # verb of arriving) is a value; the noun after "which" is the grouping.
    came = [
        c
        for c in cues
        if c.group(0).lower().startswith("by") and _CAME.search(question[: c.start()])
    ]
    cues = [c for c in cues if c not in came] or cues
    # "Looking at every message rated 不满意, which category …": "every" there says all of the
    # records, not a split by them.
    whole = [
        c for c in cues
        if c.group(0).lower().startswith("every") and _ALL_OF.search(question[: c.start()])
    ]  # fmt: skip
    cues = [c for c in cues if c not in whole] or cues
    m = next(iter(cues), None)
    if m:
        # "Which group of customers", "what kind of tickets": the customer group, ticket kind.
        of = _CLASS_OF.match(m.group(1))
        words = f"{_singular(of['noun'])} {of['cls']}" if of else words_after(m.group(1))
        # "Per month", "each week": a period split, read with the dates, not a dimension.
        if words and _stem(words.split()[0]) not in _EN_TIME:
            return words
    z = _ZH_CUE.search(question)
    if z and z.group(1).startswith("类") and not z.group(1)[1:].startswith(_ZH_TOPIC):
        # "各类留言里，哪一类…": each class of the records, the category the data keeps.
        return "类"
    if z and z.group(0)[: -len(z.group(1))].endswith("类") and not z.group(1).startswith(_ZH_TOPIC):
        # "哪一类留言": which class of the records, a category the data keeps ("哪几类话题"
        # asks what customers raise, read elsewhere).
        return "类"
    if z:
        phrase = zh_noun(z.group(1))
        if phrase and not phrase.startswith(_ZH_TIME) and phrase not in ("年", "年度"):
            return phrase
    sup = _ZH_SUPERLATIVE.search(question)
    if sup and not sup.group(1).startswith(_ZH_TIME):
        return sup.group(1)
    which = _ZH_IS_WHICH.search(question)
    noun = which.group(1).lstrip("又也都还就才则便再却") if which else ""
    if len(noun) >= 2 and not noun.startswith(_ZH_TIME):
        return noun
    counted = _ZH_COUNTED_NOUN.search(question)
    noun = counted.group(1) if counted else ""
    if len(noun) >= 2 and not noun.startswith(_ZH_TIME):
        return noun  # "投诉超过90条的子产品有几个": the groups counted
    any_one = _ANY_ONE.search(question)
    if any_one:
        return words_after(any_one.group(1))  # "is there any product with …"
    return ""


# "Is there any product with not a single complaint in progress": the groups asked about.
_ANY_ONE = re.compile(r"(?i)\b(?:is|are) there any\s+([a-z][a-z0-9 -]*)")


# "工单超过100张的分析员有几位", "留言超过80条的区县有几个": the noun whose groups are counted.
_ZH_COUNTED_NOUN = re.compile(
    r"的([㐀-鿿]{2,5}?)(?:一共|总共|共)?有(?:几|多少)(?:个|位|家|款|类|种|名)"
)


# Chinese words of one grouping that exports and managers use for each other ("品类" for a
# column named 类别).
DIM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "类别": ("品类", "类目", "种类", "分类"), "分类": ("类别", "品类", "类目"),
    "地区": ("区域", "地域"), "区域": ("地区", "地域"),
    # "our sites": where records come from, as a location column names it.
    "location": ("site",),
}  # fmt: skip
# English words a grouping is asked by ("which single user") that are too common to match
# anywhere in a question ("VIP users", "affected 100 users"): read only as the grouping's noun.
# Service desks log the person with the problem as the caller (or requester): the user.
GROUPING_WORDS: dict[str, tuple[str, ...]] = {
    "Caller": ("user", "requester"), "Caller id": ("user", "requester"),
    "Requester": ("user", "caller"), "Requested by": ("user", "caller"),
}  # fmt: skip
_WHOLE_ONLY = frozenset(w for words in GROUPING_WORDS.values() for w in words)


def synonyms_of(catalog: Catalog, names: Sequence[str | None]) -> list[str]:
    """The words people use for a grouping of these names, less any another grouping of the
    catalog is called by (an export with both 区域 and 地区 keeps them apart)."""
    own = {n for d in catalog.dimensions.values() for n in (d.spec.en, d.spec.zh, *d.spec.aliases)}
    said = [s for n in names for s in DIM_SYNONYMS.get((n or "").lower(), ())]
    return [s for s in said if s not in own]


# A grouping said in Chinese resembles every short Chinese name a little; below this, its head
# noun ("颜色" of 车身颜色) must share a character with the name it is read as.
_CLEAR_CJK = 0.95
_CJK = re.compile(r"[\u3400-\u9fff]")


class GroupingIndex:
    """The groupable dimensions' names, embedded once per catalog and embedder."""

    def __init__(self, catalog: Catalog, embedder: Embedder, groupable: list[str]) -> None:
        self.catalog = catalog
        self.embedder = embedder
        self.groupable = groupable
        self._vectors = LabelVectors(embedder, self._spoken_labels)

    def guess(self, question: str) -> GroupGuess | None:
        """The dimension the question's grouping words name, when it has grouping words."""
        phrase = grouping_phrase(question)
        if not phrase or not self.groupable:
            return None
        by_words = self.by_words(phrase) or self._by_english_words(phrase)
        if not by_words and phrase == "类" and (z := _ZH_CUE.search(question)):
            # "最多的是哪类产品": no grouping called a class; the noun after it is one.
            noun = zh_noun(z.group(1))
            found = self.by_words(noun) or self._by_english_words(noun) if noun else []
            if found:
                phrase, by_words = noun, found
        if not by_words and re.fullmatch(r"[\u3400-\u9fff]{3,}", phrase):
            # "哪个区县答复留言最快": the noun may end before the four characters read ("区县").
            for n in range(len(phrase) - 1, 1, -1):
                if shorter := self.by_words(phrase[:n]) or self._by_english_words(phrase[:n]):
                    phrase, by_words = phrase[:n], shorter
                    break
        if len(by_words) == 1:
            return GroupGuess(phrase, by_words[0])
        counted = _ZH_COUNTED_NOUN.search(question)
        if not by_words and counted is not None and counted.group(1) == phrase:
            return None  # "重复投诉的车主有几位": counted by name only, never by likeness
        any_one = _ANY_ONE.search(question)
        if not by_words and any_one is not None and words_after(any_one.group(1)) == phrase:
            return None  # "are there any complaints about fees": no grouping, by name only
        dim = self._by_meaning(phrase, by_words or self.groupable)
        if by_words and dim is None:
            dim = by_words[0]
        # Chosen by meaning, or among several that share its words: the answer says so.
        return GroupGuess(phrase, dim, by_meaning=dim is not None)

    def by_words(self, phrase: str, among: list[str] | None = None) -> list[str]:
        """Dimensions sharing the most distinctive words (or, in Chinese, the name) with it;
        among those, the ones whose names it says most fully ("engineer" before "engineer
        level"). Only dimensions of ``among`` when given."""
        raw = [w for w in re.split(r"[\s_-]+", phrase) if w]
        asked = {_stem(w) for w in raw} - _GENERIC
        # The last noun names the thing ("message category" is a category of messages; the
        # verb of "team resolved" names nothing).
        words_said = [w for w in raw if not re.search(r"(?i)(?:ed|ing)$", w)]
        if (
            len(words_said) >= 2
            and _VERB_S.search(words_said[-1])
            and not _VERB_S.search(words_said[-2])
        ):
            words_said = words_said[:-1]  # "model causes": a singular noun and its verb
        head = next((_stem(w) for w in reversed(words_said) if _stem(w) in asked), "")
        score: dict[str, tuple[int, int, int, int]] = {}
        for dim, name in self._labels(synonyms=True):
            if among is not None and dim not in among:
                continue
            if re.search(r"[\u3400-\u9fff]", phrase):
                hit = len(name) >= 2 and (name in phrase or phrase in name)
                fit = (2, 0, 0, -abs(len(name) - len(phrase))) if hit else (0, 0, 0, 0)
            else:
                words = {_stem(w) for w in re.split(r"[\s_-]+", name.lower())} - _GENERIC
                if name in _WHOLE_ONLY and words != asked:
                    continue  # "VIP users": a kind of user, not the user who raised them
                # A name said whole ("issues consumers raise": issue) before the last noun.
                whole = int(bool(words) and words <= asked)
                fit = (len(asked & words), whole, int(head in words), -len(words - asked))
            if fit[0]:
                score[dim] = max(score.get(dim, (0, 0, 0, 0)), fit)
        if not score:
            return []
        top = max(score.values())
        tied = [d for d in self.groupable if score.get(d) == top]
        # An entity and its name column ("engineer", "engineer_name") are one grouping.
        labels = {self.catalog.dimensions[d].spec.label for d in tied}
        return [d for d in tied if d not in labels] or tied

    def _by_english_words(self, phrase: str) -> list[str]:
        """A Chinese grouping word every character of which the glossary knows ("小组": team),
        read by its English words against dimensions named in English only."""
        if not _CJK.search(phrase):
            return []
        glossed = [g for g in gloss(phrase) if _CJK.search(phrase[g.start : g.end])]
        if sum(g.end - g.start for g in glossed) != len(_CJK.findall(phrase)):
            return []
        english = {d for d, n in self._labels() if not _CJK.search(n)}
        chinese = {d for d, n in self._labels(synonyms=True) if _CJK.search(n)}
        found = self.by_words(" ".join(w for g in glossed for w in g.words))
        return [d for d in found if d in english and d not in chinese]

    def nearest(self, phrase: str, among: list[str] | None = None) -> list[tuple[str, float]]:
        """Dimensions by how closely their names resemble ``phrase`` in meaning, closest first."""
        names, vectors = self._vectors.get()
        sims = vectors @ np.asarray(self.embedder.embed_query(phrase), dtype=np.float32)
        best: dict[str, float] = {}
        for (dim, _), sim in zip(names, sims.tolist(), strict=True):
            if among is None or dim in among:
                best[dim] = max(best.get(dim, -1.0), sim)
        return sorted(best.items(), key=lambda kv: -kv[1])

    def for_phrase(self, phrase: str) -> str | None:
        """The one dimension a phrase names, by its words or clearly by meaning; else None."""
        by_words = self.by_words(phrase) or self._by_english_words(phrase)
        if len(by_words) == 1:
            return by_words[0]
        return self._by_meaning(phrase, by_words or self.groupable) if self.groupable else None

    def _by_meaning(self, phrase: str, among: list[str]) -> str | None:
        ranked = self.nearest(phrase, among)
        if not ranked or ranked[0][1] < MEANING_ACCEPT:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MEANING_LEAD:
            return None
        if (
            _CJK.search(phrase)
            and ranked[0][1] < _CLEAR_CJK
            and not self._head_shared(phrase, ranked[0][0])
        ):
            # "车身颜色" is not 车型, "工作人员" not 来源: nearest in meaning, yet another thing.
            return None
        return ranked[0][0]

    def _head_shared(self, phrase: str, dim: str) -> bool:
        """Whether the last word of a Chinese phrase (its head noun: "颜色" of 车身颜色) shares
        a character with a Chinese name of ``dim``, when it has one."""
        head = "".join(_CJK.findall(phrase))[-2:]
        names = [n for d, n in self._labels(synonyms=True) if d == dim and _CJK.search(n)]
        if not names:
            return True  # a name only in English ("team" for 团队): the meaning is all there is
        return any(ch in n for ch in head for n in names)

    def _labels(self, synonyms: bool = False) -> list[tuple[str, str]]:
        """Each groupable dimension's names; with ``synonyms``, the words people use for them
        too (matched as words, never embedded: they would pull other phrases near)."""
        out: list[tuple[str, str]] = []
        for name in self.groupable:
            spec = self.catalog.dimensions[name].spec
            said = [name, spec.en, spec.zh, *spec.aliases]
            if synonyms:
                said += synonyms_of(self.catalog, said)
                said += [w for n in said for w in GROUPING_WORDS.get(n or "", ())]
            for label in dict.fromkeys(said):
                if label and label.strip():
                    out.append((name, label.strip()))
        return out

    def _spoken_labels(self) -> list[tuple[str, str]]:
        return [(d, n.replace("_", " ")) for d, n in self._labels()]


def _stem(word: str) -> str:
    word = word.lower().strip("'")
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word

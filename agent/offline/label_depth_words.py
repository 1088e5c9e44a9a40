"""The words that ask how many of the export's own categories a record carries: none ("don't
fit any of our topics", "没有任何标签") or several ("two or more topics", "同时涉及两个或更多话题").
Read by the understander; answered by ``label_depth``."""

from __future__ import annotations

import re

# Categories, or what they are of: what agents do in a reply ("more than one action").
_NOUN_EN = r"(?:topics?|labels?|categor(?:y|ies)|tags?|flags?|actions?|types?|kinds?)"
_NOUN_ZH = r"(?:话题|标签|类别|分类|主题|动作|操作|类型)"
# Records carrying none of the categories.
_NONE = re.compile(
    rf"(?i)\b(?:no|without (?:a|an|any)|not (?:in|under) any|none of (?:the |our )?)\s*"
    rf"(?:\w+\s+){{0,2}}{_NOUN_EN}\b"
    rf"|\b(?:don'?t|do not|doesn'?t|does not|didn'?t|did not|never)\s+(?:fit|match|belong to"
    rf"|fall (?:in|under)|carry|have|get)\s+(?:into\s+)?any\b.{{0,30}}?\b{_NOUN_EN}\b"
    rf"|\buncategori[sz]ed\b|\bunlabel+ed\b"
    rf"|(?:没有|不属于|不涉及|不符合)(?:任何)?[^，。？,?]{{0,8}}?{_NOUN_ZH}|无{_NOUN_ZH}"
)
# Records carrying two or more (or three or more …): the number is captured.
_EN_N = r"two|three|four|five|[2-5]"
_ZH_N = r"两|二|三|四|五|[2-5]"
_SEVERAL = re.compile(
    rf"(?i)(?:\b(?:(?P<a>{_EN_N}) or more|at least (?P<b>{_EN_N})|more than (?P<c>one|two|three"
    rf"|four|[1-4]))|\b(?:with|carry|carrying|have|having|has|about|cover|covering|touch|touching"
    rf"|tagged with|in)\s+(?:multiple|several))\s+(?:different\s+)?"
    rf"(?:\w+\s+){{0,2}}{_NOUN_EN}\b"
    rf"|(?:(?P<d>{_ZH_N})(?:个|种)(?:或(?:更多|以上)|以上)|多个|至少(?P<e>{_ZH_N})(?:个|种))"
    rf"[^，。？,?]{{0,4}}?{_NOUN_ZH}"
)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "两": 2, "二": 2, "三": 3}
_NUMBERS |= {"四": 4, "五": 5}


# How many categories a record carries on average ("on average, how many different actions
# does a reply contain", "平均每条回复包含几个动作").
AVERAGE_DEPTH = -1
_AVERAGE = re.compile(
    rf"(?i)\b(?:on average|average number of|avg\.? number of)\b.{{0,30}}?"
    rf"\b(?:different\s+|distinct\s+)?{_NOUN_EN}\b"
    rf"|\bhow many\s+(?:different\s+|distinct\s+)?{_NOUN_EN}\b.{{0,50}}\bon average\b"
    rf"|平均[^，。？,?]{{0,8}}?(?:几|多少)(?:个|种)[^，。？,?]{{0,4}}?{_NOUN_ZH}"
)


# Records carrying one category named and no other ("about the iPhone and no other topic",
# "只涉及 iPhone、没有再打上其他任何话题").
ONLY_DEPTH = -2
ONLY_CUE = re.compile(
    rf"(?i)\b(?:and|with|but)\s+no\s+other\s+{_NOUN_EN}\b|\bnothing else\b"
    rf"|\b(?:only|solely|exclusively|purely)\s+(?:about|tagged|labell?ed|flagged)\b"
    rf"|\b(?:tagged|labell?ed|flagged)\s+(?:only|solely|exclusively)\b"
    rf"|(?:只|仅|单单|单纯)(?:涉及|关于|打了?|带了?|标了?|标记了?|属于)"
    rf"|(?:没有|没|不)(?:再)?(?:打上?|带|涉及|标(?:记)?|属于)?(?:了)?(?:其他|其它|别的)(?:任何)?"
    rf"[^，。？,?]{{0,4}}?{_NOUN_ZH}"
)


def asked_depth(question: str) -> int | None:
    """0 for records with no category, N for those with N or more (2 for "several", "more
    than one"), ``AVERAGE_DEPTH`` for how many on average, ``ONLY_DEPTH`` for one category
    and no other; None when none of these."""
    if ONLY_CUE.search(question):
        return ONLY_DEPTH
    if _NONE.search(question):
        return 0
    if _AVERAGE.search(question):
        return AVERAGE_DEPTH
    m = _SEVERAL.search(question)
    if m is None:
        return None
    said = m.group("a") or m.group("b") or m.group("d") or m.group("e")
    if said:
        return _number(said)
    return _number(m.group("c")) + 1 if m.group("c") else 2


def none_said(question: str) -> str:
    """The words that ask for records with no category ("没有被标成配送话题" names one
    category, and is no such question); "" when none do."""
    m = _NONE.search(question)
    return m.group(0) if m else ""


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


# How a number of categories is said in the answer ("three or more", "三个或更多").
DEPTH_WORDS = {
    "en": {2: "two", 3: "three", 4: "four", 5: "five"},
    "zh": {2: "两", 3: "三", 4: "四", 5: "五"},
}

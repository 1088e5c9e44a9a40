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
# Records carrying two or more.
_SEVERAL = re.compile(
    rf"(?i)(?:\b(?:(?:two|2) or more|at least (?:two|2))|\b(?:with|carry|carrying|have|having"
    rf"|has|about|cover|covering|touch|touching|tagged with|in)\s+"
    rf"(?:multiple|several|more than one))\s+"
    rf"(?:\w+\s+){{0,2}}{_NOUN_EN}\b"
    rf"|(?:两个或(?:更多|以上)|两个以上|两种或(?:更多|以上)|多个|至少两个)[^，。？,?]{{0,4}}?{_NOUN_ZH}"
)


def asked_depth(question: str) -> int | None:
    """0 for records with no category, 2 for those with two or more; None when neither."""
    if _NONE.search(question):
        return 0
    if _SEVERAL.search(question):
        return 2
    return None

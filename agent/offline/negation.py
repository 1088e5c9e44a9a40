"""Values the question says the records must NOT have: "不算酒店的话", "还没有走到“处理反馈”",
"complaints other than noise", "tickets not from the East".

A value matched in the question is negated when a negating word stands right before it (at most
two words between, in English: "did not come from East"), or "以外/之外" right after it. The
value then becomes an ``Excluded`` filter: every other value (and none) is kept.
"""

from __future__ import annotations

import re

_EN_BEFORE = re.compile(
    r"(?:\b(?:not|non|excluding|exclude|except(?: for)?|other than|apart from|aside from"
    r"|besides|outside(?: of)?|never|but not)\b)(?:\s+[a-z]+){0,2}\s*[\"'“”‘’]?\s*$"
)
_ZH_BEFORE = re.compile(
    r"(?:不算|除了|除去|除开|除|不含|不包括|不包含|排除|非|没有|没|未|尚未|不是)"
    r"(?:走到|到|进入|达到|处于|在|是|被|经过|属于|转到)?\s*[“\"'「『]?\s*$"
)
_ZH_AFTER = re.compile(r"^\s*[”\"'」』]?\s*(?:以外|之外|除外)")
# Negating words that say "without a value" of a whole dimension, read elsewhere
# ("never got an assignment group"): not a value's negation.
_WINDOW = 24


def negated(text: str, start: int, end: int, floor: int = 0) -> bool:
    """Whether the value said at ``text[start:end]`` (the normalised question) is negated; the
    negating words are looked for after ``floor`` (the end of the value said before it, whose
    negation they are: "other than hotels are negative")."""
    before = text[max(0, start - _WINDOW, floor) : start]
    after = text[end : end + 6]
    # A negation that belongs to another clause ("not resolved, by east") stops at a comma.
    before = re.split(r"[,，;；。?？]", before)[-1]
    return bool(_EN_BEFORE.search(before) or _ZH_BEFORE.search(before) or _ZH_AFTER.match(after))

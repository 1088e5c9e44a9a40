"""Values the question says the records must NOT have: "不算酒店的话", "还没有走到“处理反馈”",
"complaints other than noise", "tickets not from the East".

A value matched in the question is negated when a negating word stands right before it (at most
three words between, in English: "did not come from East"), or "以外/之外" right after it. The
value then becomes an ``Excluded`` filter: every other value (and none) is kept.
"""

from __future__ import annotations

import re

_EN_BEFORE = re.compile(
    # "After iPhone, what do they tweet about most": the one named first is set aside.
    r"(?:^\s*|[,.;!?]\s*|\band\s+)after\s+(?:the\s+)?[\"'“”‘’]?\s*$|"
    r"(?:\b(?:not|non|neither|excluding|exclude|except(?: for)?|other than|apart from|aside from"
    r"|besides|outside(?: of)?|never|but not|setting aside|set aside|leaving out|leave out"
    r"|leaving aside|ignoring|not counting|without counting)\b)"
    r"(?:\s+[a-z]+){0,3}\s*[\"'“”‘’]?\s*$"
    # "aren't about any of our devices (Alexa, …", "have nothing to do with the app", "none of
    # our three plans - not Premium": what the records are not about, and the values it lists.
    r"|(?:\b[a-z]+n['’]t|\bnothing to do with|\bnone of)(?:\s+(?:about|with|to|any|of|our|the"
    r"|their|these|those|its|them|us))*(?:\s+[a-z]+)?\s*(?:[-–—:(（]\s*)?[\"'“”‘’]?\s*$"
    # "How many without the Xingyue": the value right after "without" (an article between).
    # "without the Xingyue (星越)": the value glossed in brackets after its other name.
    r"|\bwithout(?:\s+(?:the|a|an|any))?(?:\s+[a-z][a-z-]*\s*[(（])?\s*[\"'“”‘’]?\s*$"
)
# "Leave 一汽马自达 out of it", "keeping Group 70 out": the value between a verb and "out".
_EN_LEAVE_BEFORE = re.compile(r"(?i)\b(?:leave|leaving|keep|keeping|take|taking)\s+(?:the\s+)?$")
_EN_LEAVE_AFTER = re.compile(r"(?i)^\s*[\"'“”‘’]?\s*out\b")
# "Leaving credit reporting aside": the value said between a verb and "aside".
_EN_AFTER = re.compile(r"(?i)^\s*[\"'“”‘’]?\s*(?:aside|excluded|left out)\b")
_ZH_BEFORE = re.compile(
    r"(?:不算|除了|除去|除开|除|不含|不包括|不包含|排除|撇开|撇除|刨除|刨掉|扣掉|扣除|减掉|去掉|不考虑|非|没有|没|未"
    r"|尚未|不是|不涉及|不提|不关于|不在|不属于|不归属于|不归)"
    # "没有主动提出可以进一步帮忙": an adverb and a verb of saying or offering between.
    r"(?:(?:主动|明确|直接|专门|特意|再)?(?:提出|表示|提议|说|问|询问|主动)(?:可以|能够?|会|要)?)?"
    r"(?:走到|到|进入|达到|处于|在|是|被|经过|属于|转到"
    # "没有被标成配送话题": a category the records were not tagged with.
    r"|被?(?:标成|标为|标记为|标记成|标注为|归为|归入|归到|打上|标上)"
    r"|通过|经由|由|从|来自|用"
    r"|涉及|提到|提及|说到|关于|针对|对|冲着"
    # "没给链接", "也没让用户私信": what the records did not do to the customer.
    r"|(?:给|提供|发|附上?|让|叫|请|要求|引导|建议)(?:用户|客户|顾客|对方|他们|她们|他|她)?)?"
    r"\s*[“\"'「『]?\s*$"
)
# "没有涉及任何具体设备（iPhone、iPad…": the values listed after what they are, in brackets.
_ZH_LIST_BEFORE = re.compile(
    r"(?:没有|没|不|未|无)(?:涉及|提到|提及|关于|是|属于|带)(?:任何|任一|哪个|哪一?种)?"
    r"[\u4e00-\u9fff]{0,6}[（(：:]\s*[“\"'「『]?\s*$"
)
_ZH_GLOSS_BEFORE = re.compile(r"[\u4e00-\u9fff]{1,8}\s*[（(]\s*[“\"'「『]?\s*$")
# "X以外", "把X这两家放一边", "X不算".
_ZH_AFTER = re.compile(
    # "征信报告类（Credit reporting）先不算": a gloss in brackets closes before the words.
    r"^\s*[”\"'」』）)]?\s*(?:这|那)?(?:[一两二三四五六七八九十几]?大?[家个类款位种项])?\s*"
    r"(?:以外|之外|除外|放一边|放在一边|放到一边|先不算|不算|不计|除开|排除在外|排除掉|排除|去掉"
    r"|除掉|刨掉|扣掉|无关|不相关|没关系)"
    # "Atlas团队除外", "华东区域以外", "吉利和马自达的车型先不算": the grouping's own noun
    # between ("不算多" says how many, not what is left out).
    r"|^\s*[”\"'」』]?\s*的?[\u4e00-\u9fff]{1,3}?的?"
    r"(?:以外|之外|除外|(?:先|都)?不算(?![多少高低大小好差快慢太很]))"
)
# "把 Moderate 优先级的排除掉": a value after 把 and set aside a few words later.
_ZH_BA_BEFORE = re.compile(r"把\s*[“\"'「『]?\s*$")
_ZH_BA_AFTER = re.compile(
    r"^[^，,。？?；;]{0,8}?(?:排除|去掉|除掉|放一边|放在一边|放到一边|不算|刨掉|扣掉|拿掉|剔除)"
)
# Negating words that say "without a value" of a whole dimension, read elsewhere
# ("never got an assignment group"): not a value's negation.
_WINDOW = 40


def negated(text: str, start: int, end: int, floor: int = 0) -> bool:
    """Whether the value said at ``text[start:end]`` (the normalised question) is negated; the
    negating words are looked for after ``floor`` (the end of the value said before it, whose
    negation they are: "other than hotels are negative")."""
    before = text[max(0, start - _WINDOW, floor) : start]
    # A negation that belongs to another clause ("not resolved, by east") stops at a comma.
    before = re.split(r"[,，;；。?？]", before)[-1]
    after = text[end : end + 12]
    if _ZH_BA_BEFORE.search(before) and _ZH_BA_AFTER.match(text[end : end + 16]):
        return True
    if _EN_LEAVE_BEFORE.search(before) and _EN_LEAVE_AFTER.match(after):
        return True  # "Leave 一汽马自达 out of it", "keep Group 70 out"
    # "没有被标成配送（delivery）话题": the value glossed in brackets after its Chinese name.
    glossing = _ZH_GLOSS_BEFORE.search(before)
    if glossing is not None:
        # Not "非" alone: "以非金钱补救方式结案（Closed with non-monetary relief）" says the
        # name's own "non".
        name = glossing.group(0).rstrip(" （(“\"'「『")
        cuts = [_ZH_BEFORE.search(before[: glossing.start() + k]) for k in range(len(name))]
        if any(m is not None and m.group(0).strip() != "非" for m in cuts):
            return True
    return bool(
        _EN_BEFORE.search(before)
        or _ZH_BEFORE.search(before)
        or _ZH_LIST_BEFORE.search(before)
        or _ZH_AFTER.match(after)
        or _EN_AFTER.match(after)
    )


# "Leaving out the three big credit bureaus - Meridian, Keystone and TransNation": values listed
# after a phrase naming what they are, the whole set aside by the verb before that phrase.
_EN_SET_ASIDE_LIST = re.compile(
    r"\b(?:excluding|exclude|except(?: for)?|other than|apart from|aside from|besides|setting aside"
    r"|set aside|leaving out|leave out|leaving aside|ignoring|not counting|without counting)\b"
    r"(?:\s+[a-z]+){0,6}\s*$"
)


# What may stand between values listed together: "Premium, not the Student plan and not the
# Family", "the app or with playlists", "退款、退货和配送", "既不是X、也不是Y".
_BETWEEN_LISTED = re.compile(
    r"^\s*(?:[a-z]+\s*)?[,，、/;；]?\s*(?:(?:or|nor|and|and also|as well as)\b)?"
    r"(?:\s*\b(?:not|no|with|about|to|the|any|a|an|our|of|even)\b)*(?:\s*[a-z]+)?\s*[\"'“”‘’(（]?\s*$"
    r"|^\s*[”\"'」』）)]?\s*[,，、/]?\s*(?:和|或|或者|及|以及|与|跟|还是|也不是|也没有|也不涉及|也不|也没)?"
    r"\s*[“\"'「『]?\s*$"
)
# "退款和退货都没有涉及的", "X、Y都无关": the whole list set aside by words after its last value.
_ZH_ALL_AFTER = re.compile(r"^\s*[”\"'」』）)]?\s*(?:都|均|全都)(?:没有?|不|无|未)")


def listed_between(gap: str) -> bool:
    """Whether ``gap``, the text between two values said, lists them together."""
    return _BETWEEN_LISTED.match(gap) is not None


def negated_items(text: str, spans: list[tuple[int, int]]) -> list[bool]:
    """Which of the values said at ``spans`` (in the order said) are negated: each on its own,
    or as one of a list whose first value is ("not about the app or playlists", "aren't about
    any of Alexa, Kindle, Echo") or whose last one is followed by "都没有"."""
    out: list[bool] = []
    for i, (start, end) in enumerate(spans):
        prev = spans[i - 1][1] if i else 0
        listed = i > 0 and _BETWEEN_LISTED.match(text[prev:start]) is not None
        # "Leaving aside the big three topics - iPhone, software updates and battery": a
        # list set aside by words before a few words that say what it holds.
        aside = not listed and negated_list(text, start)
        out.append(negated(text, start, end, floor=prev) or (listed and out[-1]) or aside)
    # Back from a list's last value said to be set aside with all before it.
    for i in range(len(spans) - 1, -1, -1):
        if out[i] or not _ZH_ALL_AFTER.match(text[spans[i][1] :]):
            continue
        j = i
        while j >= 0:
            out[j] = True
            if j == 0 or not _BETWEEN_LISTED.match(text[spans[j - 1][1] : spans[j][0]]):
                break
            j -= 1
    return out


def negated_list(text: str, start: int) -> bool:
    """Whether values listed together from ``start`` (the normalised question) are set aside by
    words before a few words that say what they are."""
    parts = re.split(r"([,，;；。?？])", text[max(0, start - 64) : start])
    before = parts[-1]
    if not before.strip() and len(parts) >= 3 and parts[-2] in ",，":
        # "Apart from the two usual close codes, code 6 and code 7": the list right after a
        # comma that ends the words saying what they are.
        before = parts[-3]
    return _EN_SET_ASIDE_LIST.search(before) is not None

"""The words a question counts mentions of ("提到异响的投诉", "tweets about Alexa or Echo").

Read from the question's own wording: quoted words first, else the words after a mention verb
(提到/涉及/关于…, mention/contain/"complaints about"), split on "or"/"或"/"、".
"""

from __future__ import annotations

import re
from typing import Any

_MAX_TERMS = 4
_CJK = re.compile(r"[\u3400-\u9fff]")
_QUOTED = re.compile(r"“([^”]{1,30})”|\"([^\"]{1,30})\"|「([^」]{1,30})」|‘([^’]{1,30})’")
# Chinese: the words after 提到/涉及/… up to the noun they describe or the end of the clause.
_ZH = re.compile(
    r"(?:提到|提及|涉及|说到|谈到|讲到|聊到|说起|包含|含有|带有|关于|反映|在说|在讲|在谈|抱怨"
    r"|吐槽|埋怨|批评|夸到|夸奖|称赞|表扬|点名(?:是|为|说)?|写到|写有"
    # "在叙述里说电汇出了问题": what the text says.
    r"|(?<=[里中])(?:写着|说|写|讲))"
    r"(?!了?(?:哪|什么|啥|多少|最))了?"
    r"(?P<t>[\u4e00-\u9fffA-Za-z0-9 +/、或和与及]{1,24}?)"
    r"(?=的|这|那|[？?，,。；;！!（(]|$|问题|情况|投诉|评论|评价|反馈|留言|推文|工单|记录"
    r"|出了?问题|出现了?问题|有问题"
    r"|最多|最少|最常|更多|更少|多少|次数|比例|占比)"
)
# "跟变速箱有关的", "和价格相关的": the words something is said to be about.
_ZH_ABOUT = re.compile(r"(?:跟|和|与|同)(?P<t>[\u4e00-\u9fffA-Za-z0-9]{1,12}?)(?:有关系|有关|相关)")
# English: "mention(ing) X", "that talk about X", "containing X", "how many … about X".
_EN = re.compile(
    r"(?i)\b(?:mention(?:s|ed|ing)?|talk(?:s|ed|ing)? about|refer(?:s|red|ring)? to"
    r"|contain(?:s|ing)?|bring(?:s|ing)? up|brought up|writ(?:e|es|ing)(?: in)? about"
    r"|wrote(?: in)? about"
    r"|(?:complain(?:s|ed|ing)?|complaints?|tweets?|reviews?|comments?|messages?|posts?)"
    r"(?:\s+(?:that\s+)?(?:are|were|is|was))?"
    # "which district complains most about noise": how much, between the verb and its words.
    r"(?:\s+(?:the\s+)?(?:most|more|least|less|often|frequently|mostly))? about"
    # "how many of those are also about a noise": the records said before, by a pronoun.
    r"|(?:(?<=\bthose )|(?<=\bthese )|(?<=\bthem )|(?<=\bwhich )|(?<=\bmany ))"
    r"(?:are|were|is|was)\s+(?:also\s+)?about)"
    r"\s+(?:the word |the term |a |an |the )?"
    # "mention filing a police report": what was done is the thing named after the verb.
    r"(?:(?:filing|getting|having|receiving|making|requesting|asking for|paying|being)"
    r"\s+(?:a |an |the |their |his |her |my |our )?)?"
    # "mention refunds most often": how often is no word of the text.
    r"(?P<t>(?!(?:most|more|least|less|fewer|often|frequently)\b)[\w'+-]+"
    # "identity theft": a word or two more, up to a word that starts another part of the
    # question ("in", "last", "by", "or", …).
    r"(?:\s+(?!(?:in|on|at|for|from|by|during|last|this|since|and|or|with|that|which|who|"
    r"per|over|between|to|of|the|a|an|were|was|are|is|did|do|does|than|vs|versus|each|every|"
    r"across|among|within|before|after|compared|so|but|how|what|when|where|why|most|more|least"
    r"|less|fewer|often|frequently"
    # "messages about parking came from …": a verb of the records ends the words.
    r"|came|come|comes|coming|got|get|gets|went|arrived|received|filed|raised|submitted|sent"
    r"|has|have|had|rose|fell|increased|decreased|changed|grew|dropped)\b)[\w'+-]+){0,2}"
    r"(?:\s+(?:or|and|/)\s+(?:the |a |an )?[\w'+-]+)*)"
)
_VERB_BEFORE = re.compile(
    r"(?i)(?:提到|提及|涉及|说到|谈到|讲到|聊到|说起|包含|含有|带有|关于|出现|吐槽|埋怨|抱怨|批评|夸到"
    r"|夸奖|称赞|表扬|骂|骂了|喊|写到|问到|问|(?<=[没不未])提)了?\s*$"
    r"|\b(?:mention(?:s|ed|ing)?|contain(?:s|ing)?|about|the words?|the terms?)\s*$"
    # "tweets with "fix" in them" (not an answer to give back: "reply with "OK"").
    r"|\b(?<!reply )(?<!replies )(?<!answer )(?<!respond )with\s*$"
    r"|(?:说|说了|写|写了|写着|讲|讲了|用了|带)\s*$|\b(?:say|says|said|saying|use|uses|used|using)\s*$"
    # "标题里有“死机”": words a text holds.
    r"|(?<=[里中])(?:有|含)\s*$"
)
# "anything with the word harass in it": the word itself, whatever else is said around it.
_THE_WORD = re.compile(
    r"(?i)\bthe (?:word|term|phrase|keyword)s? [\"“'‘]?([\w'-]{2,30})"
    # "tweets with cancel in any form", "with bug in them": a word counted as written.
    r"|\bwith [\"“'‘]?([a-z][\w'-]{1,30})[\"”'’]? in "
    r"(?:them|it|the text|any form|any of its forms)\b"
    # "写到 delivered 的": a Latin word written into a Chinese sentence after "wrote".
    r"|(?:写到|写有|写着|写了)\s*([A-Za-z][\w'-]{1,30})(?=\s*的)"
)
# "“退货”出现得最多", "'refund' appears": the quoted word said to appear in the text.
_VERB_AFTER = re.compile(
    r"(?i)\s*(?:出现|被提到|被提及|被提起|这个词|一词|字样|这个字|这几个字|[两三四五]个字|这种话|这句话"
    r"|这[两三几些]个词|[两三四五]个词|这些词"
    r"|这个说法|的话)|\s*(?:appears?|shows? up|comes? up)\b"
)
# Between the words of one list of terms; a mention verb said again, negated or not, starts
# the next ("既没提到发动机、也没提到变速箱", "提到发动机又提到变速箱").
_SPLIT = re.compile(
    r"\s*(?:[、，,]?\s*(?:也|又|还|并且?|而且)?(?:没有?|不|未)?(?:提到|提及|涉及|说到|谈到|讲到)"
    r"|、|或者|或|和|与|及|/|\bor\b|\band\b)\s*",
    re.IGNORECASE,
)
_EN_STOP = {"it", "this", "that", "them", "these", "those", "our", "their", "us", "you", "all"}
# A question word where the words would be ("complain about what most"): none said.
_EN_STOP |= {"what", "which", "whom", "who", "whatever"}
# An article left alone once the words after it were read as a value ("about the app").
_EN_STOP |= {"the", "a", "an", "any", "some", "my", "your", "its"}
# Words that stand for no text ("about something other than cards").
_EN_STOP |= {"something", "anything", "everything", "nothing", "something other", "anything other"}
# "about none of our plans", "about neither": what the records are not about, said next.
_EN_STOP |= {"none", "neither", "none of", "no"}
# A kind word after the thing named ("Echo devices", "billing issues") is not part of it.
_KIND = re.compile(
    r"(?i)\s+(?:devices?|products?|issues?|problems?|items?|orders?|questions?|things?)$"
)


def mention_terms(question: str) -> list[str]:
    """The words a question counts mentions of: its quoted words, else the words after a
    mention verb; none when it names none. A word glossed in brackets ("noise (异响)") counts
    in either form."""
    terms = _mention_terms(question)
    out: list[str] = []
    for term in terms:
        out.append(term)
        gloss = re.search(rf"{re.escape(term)}\s*[（(]\s*([^()（）]{{1,20}}?)\s*[)）]", question)
        said = gloss.group(1).strip() if gloss else ""
        # Only a translation glosses a word ("noise (异响)"); brackets in the same script give
        # examples or asides ("拖欠（工资、工程款之类）").
        other_script = bool(_CJK.search(said)) != bool(_CJK.search(term))
        if said and other_script and said not in out:
            out.append(said)
    glossed = _BRACKETED_CJK.findall(question)
    latin = len(re.findall(r"[A-Za-z]", question)) > 3 * len(_CJK.findall(question))
    if out and glossed and latin and not any(_CJK.search(t) for t in out):
        # "writing in about slow renovation of old housing estates (老旧小区改造)": an English
        # question over Chinese text glosses the text's own words in brackets, after a phrase
        # longer than the words read.
        out = _clean(glossed)
    return out[:_MAX_TERMS]


_BRACKETED_CJK = re.compile(r"[（(]\s*([\u3400-\u9fff]{2,12})\s*[)）]")


# "提到物流的差评里，…带“慢”字的", "of the reviews that mention delivery, how many also say
# "slow"": the records mentioning the first words, among which the quoted ones are counted.
_AMONG = re.compile(
    r"(?:里|中|当中|之中)[，,]?|(?i:\bof (?:the|those|these|all)\b|\bamong (?:the|those|these)\b)"
)


# "…的投诉有多少条？其中点名是韩泰轮胎的有几条", "… and of those, how many mention X": what
# follows names words counted among the records mentioning the words before it.
_THEN_AMONG = re.compile(
    r"其中|这里面|这其中|这些里面"
    r"|(?i:\bof (?:which|those|them|these)\b|\bamong (?:them|those|these)\b)"
)


# The same, with the records named ("这些投诉里", "在这些留言中").
_THEN_AMONG_RECORDS = re.compile(
    r"其中|这里面|这其中|这些[\u4e00-\u9fff]{0,4}?(?:里面?|中|当中)"
    r"|(?i:\bof (?:which|those|them|these)\b|\bamong (?:them|those|these)\b)"
)


# "变速箱的投诉": the records named by what they are about, before their noun.
_RECORDS_OF = re.compile(
    r"([\u4e00-\u9fff]{2,8}?)(?:方面|相关|问题)?的(?:投诉|留言|评论|差评|好评|反馈|记录|工单|推文|帖子|消息)$"
)


# "…？除去轮胎开裂的，还剩几条": the words set aside from the records counted before, said
# with no mention verb, the rest asked.
ASIDE_REST = re.compile(
    r"(?:不算|除去|除掉|去掉|刨去|刨掉|扣除|剔除)(?P<t>[\u4e00-\u9fff]{1,8}?)的?[，,]\s*"
    r"(?:还剩|剩下|其余|剩余)"
)


_NOT_SAYING = re.compile(r"(?:没有?|未|不)(?:提到?|提及|说到?|写到?|带|含有?)\s*[“\"'「]?\s*$")


def base_terms(question: str) -> list[str]:
    """The words of the records a quoted word is counted among ("提到物流的差评里，有多少带
    “慢”字": 物流), when the question names them before the quoted word with a mention verb and
    sets the quoted word inside them; or the words mentioned before "其中"/"of those" when other
    words are mentioned after it ("提到轮胎的投诉…？其中点名是韩泰轮胎的"); [] otherwise."""
    aside = ASIDE_REST.search(question)
    if aside is not None and not _ZH.search(aside.group(0)):
        # "标题里说到“开裂”的投诉有几条？除去轮胎开裂的，还剩几条": the records mentioning the
        # words before, less those of the words set aside.
        base = mention_terms(question[: aside.start()])
        part = aside.group("t")
        return base[:_MAX_TERMS] if base and part not in base else []
    quoted = list(_QUOTED.finditer(question))
    later = _THEN_AMONG_RECORDS.search(question, quoted[0].end()) if quoted else None
    if later is not None and _quoted_counted(question):
        # "带“安全”的投诉有几条？这些投诉里，同时提到异响的有几条": the quoted words' records,
        # among which the words said after are counted.
        tail = question[later.end() :]
        part = [m.group("t") for m in _ZH.finditer(tail)] + _quoted_counted(tail)
        base = _quoted_counted(question[: later.start()])
        if base and part and not set(base) & set(part):
            return base[:_MAX_TERMS]
    if not quoted or not _quoted_counted(question):
        cue = _THEN_AMONG.search(question)
        if cue is None:
            return []
        # The tail keeps the cue's words: "of those are also about …" names the records.
        head, tail = question[: cue.start()], question[cue.start() :]
        verbs = [m.group("t") for m in [*_ZH.finditer(tail), *_EN.finditer(tail)]]
        part = _clean(t for chunk in verbs for t in _SPLIT.split(chunk))  # a mention verb's words
        base = mention_terms(head)  # with their glosses ("steering wheel (方向盘)")
        return base[:_MAX_TERMS] if base and part and not set(base) & set(part) else []
    before = question[: quoted[0].start()]
    among = list(_AMONG.finditer(before))
    if not among:
        return []
    # Chinese says the records before 里; English after "of the".
    zh_head, en_head = before[: among[-1].start()], before[among[0].end() :]
    # Only the sentence that ends in 里 names them ("提到物流的差评里"), not one before it.
    zh_head = re.split(r"[？?。！!]", zh_head)[-1]
    found = [m.group("t") for m in _ZH.finditer(zh_head)]
    negated = _NOT_SAYING.search(question[quoted[0].start() - 6 : quoted[0].start()])
    if not found and negated and (noun := _RECORDS_OF.search(zh_head)):
        # "变速箱的投诉里，标题没提“顿挫”的": the records about 变速箱, those not saying 顿挫 (said
        # so, not as a value's records: "衣服的评论里，说“色差”的" is a category's).
        found = [noun.group(1)]
    found += [m.group("t") for m in _EN.finditer(en_head)]
    terms = _clean(t for chunk in found for t in _SPLIT.split(chunk))
    said = set(_quoted_counted(question))
    # "差评里说东西坏了的（评论里带“坏”字）": the quoted word says how the phrase holding it is
    # counted; the phrase is no other words to count first.
    return [t for t in terms if not any(q in t for q in said)][:_MAX_TERMS]


def _mention_terms(question: str) -> list[str]:
    # Quoted words count only after a mention verb: a quoted reply someone wants sent back
    # ("回复“已删除”") is not a word to count.
    quoted = _quoted_counted(question)
    if quoted:
        aside = [
            m.group("t") for m in ASIDE_REST.finditer(question) if not _ZH.search(m.group(0))
        ]  # fmt: skip
        # "带“安全”的投诉有几条？这些投诉里，同时提到异响的有几条": words said among the records
        # the quoted word names, after them, unquoted.
        last = max(question.rfind(w) + len(w) for w in quoted)
        among = _THEN_AMONG_RECORDS.search(question, max(last, 0))
        after = [m.group("t") for m in _ZH.finditer(question, among.end())] if among else []
        return _clean([*quoted, *aside, *after], short_ok=True)
    named = [next(g for g in m.groups() if g) for m in _THE_WORD.finditer(question)]
    if named:
        return _clean(named)
    found = [m.group("t") for m in _ZH.finditer(question)]
    found += [m.group("t") for m in _ZH_ABOUT.finditer(question)]
    found += [
        m.group("t") for m in ASIDE_REST.finditer(question) if not _ZH.search(m.group(0))
    ]  # fmt: skip
    found += [m.group("t") for m in _EN.finditer(question)]
    # "customer tweets that include a link", "附了链接的留言": a link in the text itself.
    found += [m.group("t") or m.group("zh") for m in _WITH_LINK.finditer(question)]
    if not found and len(re.findall(r"[A-Za-z]", question)) > 3 * len(_CJK.findall(question)):
        # "Of the 性价比 reviews, what share are positive": a Chinese word in an English
        # question is the text's own word (the caller sets aside those that name a value).
        found = re.findall(r"[\u3400-\u9fff]{2,8}", question)
    return _clean(t for chunk in found for t in _SPLIT.split(chunk))


# What a link in a message is called; the text holds its address ("https://t.co/…").
LINK_WORDS = frozenset(("link", "links", "url", "urls", "hyperlink", "hyperlinks", "链接", "网址"))
# Marks named by their names ("contain a question mark", "带问号的"): the characters written,
# in half and full width.
SYMBOL_WORDS: dict[str, tuple[str, ...]] = {
    "question mark": ("?", "？"), "question marks": ("?", "？"), "问号": ("?", "？"),
    "exclamation mark": ("!", "！"), "exclamation marks": ("!", "！"),
    "exclamation point": ("!", "！"), "exclamation points": ("!", "！"),
    "感叹号": ("!", "！"), "叹号": ("!", "！"),
    "hashtag": ("#",), "hashtags": ("#",), "话题标签": ("#",),
}  # fmt: skip
_LATIN_LINK = "|".join(sorted(w for w in LINK_WORDS if w.isascii()))
_CJK_LINK = "|".join(sorted(w for w in LINK_WORDS if not w.isascii()))
_WITH_LINK = re.compile(
    r"(?i)\b(?:includ(?:e|es|ed|ing)|ha(?:ve|s|d|ving)|with|attach(?:es|ed|ing)?|shar(?:e|es|ed|ing)"
    rf"|post(?:s|ed|ing)?)\s+(?:a |an |the |any )?(?P<t>{_LATIN_LINK})\b"
    rf"|(?:附|带|附上|贴|发|包含|含有?)了?(?P<zh>{_CJK_LINK})"
)


def _quoted_counted(question: str) -> list[str]:
    """Quoted words said to be mentioned, with the quoted words listed beside them ("“快递”和
    “物流”这两个词…被提得更多")."""
    found = list(_QUOTED.finditer(question))
    counted = [
        _VERB_BEFORE.search(question[max(0, m.start() - 12) : m.start()]) is not None
        or _VERB_AFTER.match(question[m.end() : m.end() + 12]) is not None
        for m in found
    ]
    changed = True
    while changed:  # a word listed next to a counted one is counted too
        changed = False
        for i in range(len(found) - 1):
            gap = question[found[i].end() : found[i + 1].start()]
            gap = re.sub(r"[（(][^()（）]*[)）]", " ", gap)  # an aside: "(thanks, thank you…)"
            if counted[i] != counted[i + 1] and LIST_JOIN.match(gap):
                counted[i] = counted[i + 1] = changed = True
    return [next(g for g in m.groups() if g) for m, c in zip(found, counted, strict=True) if c]


# What stands between the items of one list ("吉利和马自达", "A, B or C", "“快递”和“物流”").
LIST_JOIN = re.compile(
    r"(?i)^[\s、,，/和与及跟或\"'“”‘’「」]*(?:and|or|nor|以及|还有|或者)?[\s、,，\"'“”‘’「」]*$"
)


def words_as_written(question: str) -> list[str]:
    """The words the question asks about as text, not as what they stand for: quoted after a
    mention verb, or "the word …" ("use the word "package"" counts the word, not a category
    named alike)."""
    quoted = _quoted_counted(question)
    return [
        w.lower()
        for w in quoted + [next(g for g in m.groups() if g) for m in _THE_WORD.finditer(question)]
    ]


# Verbs that ask about the text itself, not what it is about.
_TEXT_VERB = re.compile(
    r"(?i)提到|提及|说到|写到|写有|包含|含有|带有|出现|字样|\b(?:mention(?:s|ed|ing)?|contain(?:s|ing)?|"
    r"say(?:s|ing)?|said|write|writes|wrote|written|use(?:s|d)? the)\b"
)


def asks_text(question: str) -> bool:
    """Whether the question counts words as written ("mention refund", "the word "package"",
    "提到“退货”") rather than what records are about ("tweets about delivery")."""
    return bool(words_as_written(question)) or _TEXT_VERB.search(question) is not None


def _clean(terms: Any, short_ok: bool = False) -> list[str]:
    """The terms without articles and kind words; a single character only when quoted (“好”)."""
    out: list[str] = []
    for raw in terms:
        term = _KIND.sub("", str(raw).strip(" 的了'\"").strip())
        term = re.sub(r"(?i)^(?:the|a|an) ", "", term)
        short = len(term) < 2 and not (short_ok and re.fullmatch(r"[\u3400-\u9fff]", term))
        if not term or term.lower() in _EN_STOP or short or term in out:
            continue
        out.append(term)
    return out[:_MAX_TERMS]

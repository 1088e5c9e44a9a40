"""Words of the question the reading did not use: "raised by VIP users", "外包供应商收了多少费用".

An answer that silently leaves out part of the question is an answer to another question. After
the question is read, its words are set against everything the reading used (the catalog names
matched, the measure found by meaning, the grouping, the words counted in the feedback, the
dates) and against the words that only shape a question ("how many", "哪个", "compared with").
A content word left over that resembles nothing in the catalog — no metric, dimension, value or
table — is said in the answer's reading notes: the figure does not take it into account.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ...data.catalog import Catalog
from ...data.embeddings import Embedder
from ...data.period_phrases import PATTERNS, normalise
from ...data.segment import segmenter
from .meaning import STOP_WORDS, LabelVectors, words_of
from .slots import normal_text

# How closely a leftover word must resemble some name of the catalog to count as read: the
# catalog's own words in other forms ("reassigned", "投诉人") score above it; words the data
# has nothing on ("VIP", "province", "费用") below.
RESEMBLES = 0.895
_MAX_SAID = 2
# Words that shape a question or name its records generally, whatever the data.
_SHAPE = words_of(
    "many much show give tell list lists find see look looking want need know please could would "
    "should can may might will shall does did doing done has have had having get gets got getting "
    "make makes made take takes took taken come comes came coming go goes went gone been being "
    "there here also just only still even really very quite rather overall total totals number "
    "numbers count counts counted share shares percent percentage percentages proportion ratio "
    "rate rates average averages mean median sum figure figures value values amount level levels "
    "highest lowest most least more less fewer fewest top bottom biggest largest smallest best "
    "worst better worse higher lower high low compare compared comparison versus than between "
    "during since ago until till before after last this next previous past current recent "
    "recently year years yearly quarter quarters quarterly month months monthly week weeks weekly "
    "day days daily today yesterday hour hours time times date dates period periods whole all "
    "every each per any other others another same different distinct unique which what who whom "
    "whose where when why how whether that those these them they their theirs its itself our ours "
    "you your yours ones one two three four five six seven eight nine ten first second third "
    "half break broken breakdown split group grouped grouping rank ranked ranking trend trends "
    "change changed changes changing rise rose risen fall fell fallen grow grew grown increase "
    "increased decrease decreased drop dropped went up down far long longer often usually "
    "typically generally anything something nothing everything data dataset records record rows "
    "row entries entry items item cases case people person customers customer users user clients "
    "client team teams staff agents agent company companies business service services support "
    "manager managers report reports reported reporting kind kinds type types sort sorts way ways "
    "part parts side sides group groups category categories based across within among along "
    "about around over under into onto from with without into out off again per cent happen "
    "happened happening handle handled handling receive received receiving get come open opened "
    "is are was were be am raise raised raises file filed log logged submit submitted create "
    # Not "escalated" or "reopened": events a record may or may not have, which the data records
    # or cannot tell.
    "created close closed resolve resolved assign assigned "
    "performance quality efficiency situation status overview summary picture story doing "
    "complain complained complaint complaints mention mentioned mentions say said says talk "
    "talked ask asked asks tell told show shown happen least worst most "
    # Holidays name a stretch of dates, which the question also gives.
    "christmas thanksgiving easter halloween holiday holidays"
)
_ZH_SHAPE = words_of(
    "多少 几个 几张 几条 几次 哪个 哪些 哪家 哪一个 哪一类 什么 怎么 怎么样 如何 是否 有没有 "
    "为什么 多大 最多 最少 最高 最低 最大 最小 最好 最差 比例 占比 比率 平均 一共 总共 合计 总数 "
    "数量 数据 记录 情况 问题 方面 分别 各自 各个 每个 对比 比较 相比 变化 趋势 排名 排序 前五 "
    "前十 前三 今年 去年 上季度 本季度 上个月 这个月 本月 上月 季度 月份 年度 全年 之前 之后 以来 "
    "期间 我们 他们 你们 客户 用户 顾客 公司 团队 服务 工作 一下 一些 有些 这些 那些 所有 全部 "
    "整体 总体 看看 看下 告诉 列出 给出 给我 显示 说说 分析 统计 出来 里面 当中 其中 之中 以上 "
    "以下 左右 是不是 还是 或者 以及 并且 而且 但是 如果 因为 所以 同时 主要 一般 通常 大概 分布 "
    "构成 处理 提交 收到 进来 反映 反馈 表现 效率 水平 状况 多久 时间 时长 天数 小时 达到 超过 "
    "不算 除了 以外 之外 没有 还没 已经 至少 一次 一条 一个 那个 这个 的话 怎样"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCES = re.compile(r"[。？?！!；;]+")
_ASKS_FIGURE = re.compile(r"多少|几(?:个|张|条|件|位|次|家|天|成)|占比|比例|平均")
# A measure word run into the next ("多少张是靠…" segmented as 张是): no word of its own.
_CLASSIFIED = re.compile(r"[张条个件位家次款名单][是里的了在都也被]")
# Chinese words of time, person and degree that limit nothing by themselves.
_ZH_GENERAL = words_of(
    "后来 自己 本人 大家 一直 曾经 现在 目前 当时 然后 后面 前面 最后 最终 最近 最早 已经 "
    "真的 确实 到底 究竟 一下子 为止 总是 经常 偶尔 有时 这里 那里 哪里 这样 那样 "
    "起来 加起来 新增 新来 来了 就是 也就是 总共 总计 一起 相加 算上 算下来"
)


class UnreadWords:
    """The catalog's names, embedded once, for telling a leftover word apart."""

    def __init__(self, catalog: Catalog, embedder: Embedder, values: dict[str, list[str]]):
        self.catalog = catalog
        self.embedder = embedder
        self._values = values
        self._vectors = LabelVectors(embedder, self._labels)
        self._vocabulary: set[str] | None = None  # the catalog's words, read on first use
        self._value_words: set[str] | None = None  # words of the values looked up

    def unread(self, question: str, used: list[str], spans: list[tuple[int, int]]) -> list[str]:
        """The question's content words that nothing in the reading used, at most two."""
        text = _masked(question, spans)
        for phrase in used:
            text = re.sub(re.escape(phrase.lower()), " ", text) if phrase.strip() else text
        text = _GLOSS_BEFORE.sub(" ", _GLOSS_INSIDE.sub(" ", text))
        said = _said_of_people(text) + _names_said(question, text) + _events_said(text, question)
        return self.unlike([w for w in said if not self._known(w)])[:_MAX_SAID]

    def unlike(self, words: list[str]) -> list[str]:
        """Of ``words``, those that resemble no name of the catalog, in order, once each."""
        names, vectors = self._vectors.get()
        if not words or not names:
            return []
        out = []
        for word in dict.fromkeys(words):
            sims = vectors @ np.asarray(self.embedder.embed_query(word), dtype=np.float32)
            if float(sims.max()) < RESEMBLES:
                out.append(word)
        return out

    def unread_zh(self, question: str, used: list[str], spans: list[tuple[int, int]]) -> list[str]:
        """The Chinese content words of the question that nothing in the reading used and that
        resemble nothing in the catalog ("网约车", "撤回", "备件"), in the order said."""
        text = _masked(question, spans)
        for phrase in (p for p in used if p.strip()):
            text = re.sub(re.escape(phrase.lower()), lambda m: " " * len(m.group(0)), text)
        # The question's own words (segmented whole) that the reading left wholly untouched.
        whole = normalise(normal_text(question))
        # Only the sentences that ask the figure ("…顺便执行…" asks something else).
        asking = [p for p in _SENTENCES.split(whole) if _ASKS_FIGURE.search(p)] or [whole]
        kept = [
            t for part in asking for t in segmenter().lcut(part)
            if len(t) >= 2 and t in text and not _CLASSIFIED.fullmatch(t)
        ]  # fmt: skip
        words = [
            w for w in _content_words(" ".join(kept))
            if _CJK.search(w) and w not in _ZH_GENERAL and not self._known(w)
        ]  # fmt: skip
        return self.unlike(words)

    def contrasted(self, question: str, used: list[str], spans: list[tuple[int, int]]) -> list[str]:
        """ "bought on a car loan rather than paid in full": the English content words of the
        two sides of a contrast the reading used nothing of and that resemble nothing in the
        catalog — the records split by something the data does not record."""
        text = _masked(question, spans)
        m = _CONTRAST.search(text)
        if m is None:
            return []
        for phrase in (p for p in used if p.strip()):
            text = re.sub(re.escape(phrase.lower()), lambda x: " " * len(x.group(0)), text)
        before = re.split(r"[,;?!.]", text[: m.start()])[-1]
        after = re.split(r"[,;?!.]", text[m.end() :])[0]
        words = [w for w in _content_words(f"{before} {after}") if w.isascii()]
        return self.unlike([w for w in words if not self._known(w)])

    def missing_subject(
        self, question: str, used: list[str], spans: list[tuple[int, int]]
    ) -> str | None:
        """What the question limits its records to, or measures, that the data cannot tell:
        a unit of the organisation ("the finance department", "外包供应商"), an amount of money
        ("费用", "how much did it cost"), or a kind of people in English ("VIP users"), when
        it resembles nothing in the catalog. The figure asked cannot be given without it."""
        text = whole = _masked(question, spans)
        for phrase in used:
            text = re.sub(re.escape(phrase.lower()), " ", text) if phrase.strip() else text
        # "Merchants' false advertising (商家虚假宣传)": the words a name read glosses.
        text = _GLOSS_BEFORE.sub(" ", _GLOSS_INSIDE.sub(" ", text))
        said = [(m.group(0).strip(), k) for k, p in _SUBJECTS for m in p.finditer(text)]
        # Kinds of people read with the words after them ("warn customers not to post"), as
        # long as the reading used none of their own words.
        said += [(m.group(0).strip(), "unit") for m in _PEOPLE_EN.finditer(whole)
                 if m.group(0) in text]  # fmt: skip
        money = any(_MONEY_UNITS.match(str(m.unit or "")) for m in self.catalog.metrics.values())
        for phrase, kind in said:
            if money and kind == "money":
                continue  # the catalog measures money: the amount is read as its measure
            if kind == "headcount" and not self._counts_people():
                return phrase  # no column counts the people a record touched
            if kind == "population":
                return phrase  # "per 1,000 customers": how many there are, which no record says
            if kind == "person" and not self._people_kept():
                # "Consumers who filed more than one complaint": who is the same person over
                # several records, and no column of the data says who anyone is.
                return phrase
            if kind == "money" and not _COUNTED.search(question):
                # An amount asked where nothing is money: product names that hold the word
                # ("Money transfer") measure no amount.
                return phrase
            words = [w for w in _content_words(phrase) if not self._known(w)]
            bare = _CJK_FILLER.sub("", phrase)
            if not words and _CJK.search(bare) and len(bare) >= 1 and not self._known(bare):
                words = [bare]  # "男的": too short for the word list, still a kind of people
            if not words:
                continue
            if kind in _BY_NAME:
                return phrase  # who people are, how they came, how long a call took: by name
            names, vectors = self._vectors.get()
            sims = [
                float((vectors @ np.asarray(self.embedder.embed_query(w), dtype=np.float32)).max())
                for w in words
            ] if names else [0.0]  # fmt: skip
            if min(sims) < RESEMBLES:  # "finance" names which department, and nothing here
                return phrase
        return None

    def value_words(self, question: str, used: list[str], spans: list[tuple[int, int]]) -> str:
        """English words of the data's values that the reading took no value from ("other than
        credit or prepaid cards" where a product is "Credit card or prepaid card"), two or more
        of them, in the order said; "" when there are none."""
        text = _masked(question, spans)
        taken = {w for phrase in used for w in re.findall(r"[a-z]{3,}", phrase.lower())}
        said = [
            w for w in _content_words(text)
            if w.isascii() and w not in taken and not any(t.startswith(w[:5]) for t in taken)
            and self._in_values(w)
        ]  # fmt: skip
        return " ".join(dict.fromkeys(said[:3])) if len(set(said)) >= 2 else ""

    def _counts_people(self) -> bool:
        """Whether a measure or column counts people ("users affected", "受影响用户数")."""
        names = [*self.catalog.metrics, *self.catalog.dimensions]
        return any(re.search(r"(?i)user|customer|people|affected|用户|客户|人数", n) for n in names)

    def _people_kept(self) -> bool:
        """Whether some dimension says who a record's person is (a customer, caller, author
        id or name)."""
        return any(PERSON_COLUMN.search(name) for name in self.catalog.dimensions)

    def _in_values(self, word: str) -> bool:
        """Whether an English word (in any of its forms) is a word of some value's name."""
        if self._value_words is None:
            listed = [
                v for dim in self.catalog.dimensions.values()
                for v in [*(dim.spec.values or {})] if dim.kind == "category"
            ]  # fmt: skip
            looked_up = [v for values in self._values.values() for v in values]
            self._value_words = {
                w for v in [*listed, *looked_up] for w in re.findall(r"[a-z]{4,}", str(v).lower())
            }
        stem = re.sub(r"(?:ies|es|s|ed|ing)$", "", word)
        return len(stem) >= 4 and any(w.startswith(stem) for w in self._value_words)

    def _known(self, word: str) -> bool:
        if self._vocabulary is None:
            self._vocabulary = self._words()
        if _CJK.search(word):
            return any(word in v or (len(v) >= 2 and v in word) for v in self._vocabulary)
        stem = word[:5]
        return any(v.startswith(stem) for v in self._vocabulary if v.isascii())

    def _labels(self) -> list[tuple[str, str]]:
        cat = self.catalog
        out: list[tuple[str, str]] = []
        for name, metric in cat.metrics.items():
            out += [(name, a) for a in (metric.spec.en, metric.spec.zh, *metric.spec.aliases) if a]
        for name, dim in cat.dimensions.items():
            out += [(name, a) for a in (dim.spec.en, dim.spec.zh, *dim.spec.aliases) if a]
            for value, aliases in (dim.spec.values or {}).items():
                out += [(name, str(v)) for v in (value, *aliases) if str(v).strip()]
        for table in cat.tables:
            out.append((table, table.replace("_", " ")))
        for name, found in self._values.items():
            out += [(name, str(v)) for v in found[:200] if str(v).strip()]
        return out

    def _words(self) -> set[str]:
        words: set[str] = set()
        for _, label in self._labels():
            low = label.lower()
            words |= set(re.findall(r"[a-z]{3,}", low))
            words |= {w for w in segmenter().lcut(low) if _CJK.search(w) and len(w) >= 2}
        return words


# A word glossing a name the reading used, in brackets after it or with it in brackets
# ("Geely (吉利汽车)", "吉利汽车 (Geely)"): the used name is blanked, leaving empty brackets
# after the word, or a bracketed word after blanks.
_GLOSS_BEFORE = re.compile(r"[a-z\u3400-\u9fff][\w\u3400-\u9fff'’-]*\s*[（(]\s*[)）]")
_GLOSS_INSIDE = re.compile(r"(?<=\s\s)[（(]\s*[^()（）]{1,30}?\s*[)）]")


def _masked(question: str, spans: list[tuple[int, int]]) -> str:
    """The normalised question without the spans the reading matched and without its dates."""
    chars = list(normal_text(question))
    for start, end in spans:
        chars[start:end] = [" "] * (end - start)
    text = "".join(chars)
    lowered = normalise(text)
    for pattern, _ in PATTERNS:
        lowered = pattern.sub(lambda m: " " * len(m.group(0)), lowered)
    return lowered


# Two ways of being a record set against each other: "rather than", "instead of".
_CONTRAST = re.compile(r"(?i)\b(?:rather than|instead of|as opposed to)\b")


def _content_words(text: str) -> list[str]:
    out = []
    for token in segmenter().lcut(text):
        t = token.strip().lower()
        if re.fullmatch(r"[a-z]{3,}", t):
            plain = re.sub(r"(?:ies|es|s|ed|ing)$", "", t)
            if not {t, plain, plain + "e"} & (STOP_WORDS | _SHAPE) and not t.endswith("ly"):
                out.append(t)
        elif re.fullmatch(r"[\u3400-\u9fff]{2,}", t) and t not in _ZH_SHAPE:
            out.append(t)
    return out


# Who the records are about, said with a kind the data may not hold: "VIP users",
# "premium customers", "企业用户", "新车主".
_PEOPLE_EN = re.compile(
    # "Which single user", "each customer": which one, not a kind of them.
    r"\b(?!(?:single|individual|particular|each|every|any|which|what|one|other|same"
    # "What about Mac owners" with "Mac" read: "about" says no kind of them.
    r"|about)\b)"
    r"([a-z][a-z0-9-]{1,20})\s+(?:users?|customers?|clients?|members?|accounts?|callers?"
    r"|subscribers?|buyers?|owners?|drivers?|patients?|students?|tenants?|guests?)\b"
    # "warn customers not to post", "ask users to": what is done to them, not a kind of them.
    r"(?!\s+(?:not|to|that|about|if|whether|for)\b)"
)
_PEOPLE_ZH = re.compile(r"([\u4e00-\u9fffa-z0-9]{2,6}?)(?:用户|客户|会员|车主|买家|顾客|租户|住客)")


# People a record may be about, in Chinese: "同一个车主", "重复投诉的消费者".
_ZH_PERSON = "市民|客户|用户|顾客|来电人|车主|业主|买家|消费者|会员|乘客|患者|人"


# Who or what the records would have to be told apart by, that service exports rarely hold:
# units of the organisation and amounts of money.
# Words after "through"/"via" that name no way the records came.
_NOT_A_WAY = (
    r"(?:the|a|an|our|during|in|on|at|last|this|since|for|from|by|before|after|and|or|with"
    r"|each|every|per|over|between)"
)
_SUBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "per 10,000 residents", "per capita", "每万人": a rate over a population, which service
    # exports do not hold.
    (
        "population",
        re.compile(
            r"\bper (?:capita|head of population|(?:\d[\d,]*|a|one|ten|a hundred|a thousand"
            r"|hundred|thousand|million) (?:thousand |million )?(?:residents|inhabitants|people"
            r"|population|citizens|persons|customers|users|subscribers|members|households))\b"
            r"|\bper(?:cent)? of (?:the )?population\b"
            r"|每(?:[一二三四五六七八九十百千万\d]+)?(?:万|千|十万|百万)(?:个)?(?:人|居民|人口|常住人口)"
            r"|按(?:常住)?人口(?:算|计算|折算)"
        ),
    ),
    # "raised by the finance department", "tickets from our vendors": whose records they are.
    (
        "unit",
        re.compile(
            r"\b[a-z][a-z-]{1,20}\s+(?:department|dept|office|branch|division|subsidiary|store"
            r"|outlet|vendor|supplier|contractor)s?\b(?=[^?.]{0,40}\b(?:raise|raised|file|filed|log"
            r"|logged|submit|submitted|open|opened|report|reported|handle|handled|send|sent)\b)"
            r"|\b(?:by|from|of|for) (?:the |our |a |an |its |their )?(?:[a-z-]+ )?(?:employees?"
            r"|staff members?|vendors?|suppliers?|contractors?|outsourc\w*)\b"
        ),
    ),
    # "how much did it cost us", "the total cost of", "which group costs us the most".
    (
        "money",
        re.compile(
            r"\bhow much\b[^?]{0,40}\b(?:cost|costs|spend|spent|charge|charged|pay|paid|money)\b"
            r"|\b(?:cost|costs)\s+(?:us|the company|the business)\b"
            r"|\b(?:total|average|avg|mean)\s+(?:cost|price|revenue|spend|spending|fee|salary)s?\b"
            r"|\bamounts? of money\b|\bmoney (?:refunded|paid|spent|lost|owed)\b"
            r"|\brefund amounts?\b|\bdollar (?:value|amount|figure)s?\b|\btotal value of\b"
            # What customers spend: "spend with us in a year", "annual spend", "lifetime value".
            r"|\bspend(?:s|ing)?\b[^?.]{0,30}\b(?:a|per|each|in a|every) (?:year|month|week)\b"
            r"|\b(?:annual|yearly|monthly|lifetime) (?:spend|spending|revenue|value|income)\b"
        ),
    ),
    (
        "unit",
        re.compile(
            r"[\u4e00-\u9fff]{2,4}(?:部门|科室|分公司|门店|网点)的|员工(?:提|报|反映|投诉|发)"
        ),
    ),
    (
        "money",
        re.compile(
            r"(?:费用|成本|金额|价格|工资|薪水|利润|预算|营收|花费|经费|开支|支出)[^，,。？?]{0,6}"
            r"(?:多少|几|最高|最多|最低)|花了多少[^，,。？?]{0,4}(?:经费|钱|费用)"
            # "几条是以金钱补救结案的" counts records: a classifier after 几/多少 says so.
            r"|(?:多少|几)(?![条个件张单次位起家笔])[^，,。？?]{0,6}(?:费用|成本|钱)|花了多少"
            r"|收了[^，,。？?]{0,8}(?:费用|钱)"
        ),
    ),
    # A score given to someone or something by another party: "热线工作考核得分", "appraisal
    # score", "performance points" — a measure the catalog may not hold; kept when it resembles
    # one of the catalog's names ("满意度评分" where ratings are recorded).
    (
        "score",
        re.compile(
            r"[\u4e00-\u9fff]{2,4}(?:得分|分数|积分|评分)"
            r"|\b[a-z]+ (?:scores?|points|grades?)\b(?! (?:of|for)\b)"
        ),
    ),
    # Who the people are: "男的女的各占多少", "by age group", "female customers".
    (
        "people",
        re.compile(
            r"\b(?:gender|genders|male|female|men|women|age groups?|ages?|aged|income|nationality"
            r"|ethnicity|residency)\b|男的|女的|男性|女性|性别|年龄段?|多大岁数|学历|收入水平|籍贯"
            r"|户籍|(?<!客)户口(?!碑)"
            # Who sent the record in: "on behalf of a company rather than an individual".
            r"|\bon behalf of (?:a |an |their |the )?(?:company|organi[sz]ation|business|employer)"
            r"|\brather than (?:by )?(?:an? )?individuals?\b|代表(?:单位|企业|公司|组织)"
        ),
    ),
    # When the product itself was made or bought, which complaint exports rarely record:
    # "哪个月出厂的", "production month", "when the car was bought".
    (
        "product dates",
        re.compile(
            r"出厂|生产(?:日期|月份|年份|批次|时间)|制造(?:日期|时间)|哪个月生产|购(?:车|买)(?:日期|时间)"
            r"|\b(?:production|manufactur(?:e|ing)|build|assembly|purchase) (?:dates?|months?"
            r"|years?|batch(?:es)?)\b|\bwhen (?:it|they|the \w+) (?:was|were) (?:made|built"
            r"|manufactured|produced|bought|purchased)\b"
        ),
    ),
    # Work done at the customer's site, which service exports often do not record: "需要工程师上门
    # 到现场处理", "how many needed an on-site visit".
    (
        "visit",
        re.compile(
            r"\b(?:on-?site|site) (?:visits?|repairs?|work|engineers?|technicians?)\b"
            r"|\btruck rolls?\b|\bfield (?:visits?|engineers?|technicians?)\b"
            r"|上门(?:服务|维修|处理|一次|次数)?|到现场|现场处理"
        ),
    ),
    # A way in the data may not hold: "submitted via WeChat", "通过微信公众号提交的".
    (
        "channel",
        re.compile(
            r"\b(?:submitted|sent|came in|come in|reached us|contacted us|filed|raised|reported)"
            # The way's own name, not a word of the rest of the question (the way read as a
            # value is blanked: "came in through the web during 2024").
            rf" (?:via|through|using) (?:the |a |an |our )?(?!{_NOT_A_WAY}\b)[a-z]+"
            rf"(?: (?!{_NOT_A_WAY}\b)[a-z]+)?"
            r"|通过[\u4e00-\u9fffa-z]{2,8}?(?:提交|进来|反映|留言|投诉|联系|发来|打来|过来)"
        ),
    ),
    # Who the same person is, over several records: "repeat callers", "同一个市民反复留言".
    (
        "person",
        re.compile(
            r"\brepeat (?:callers?|customers?|complainants?|contacts?|visitors?|reviewers?)\b"
            r"|\bsame (?:customer|caller|person|citizen|user|reviewer)s?\b"
            r"|\b(?:unique|distinct|different) "
            r"(?:customers|callers|people|users|citizens|reviewers)\b"
            # "How many complaints per customer on average": who each record's person is.
            r"|\bper (?:customer|caller|consumer|user|client|citizen|reviewer|person)\b"
            rf"|平均每(?:个|位|名)?(?:客户|用户|来电人|消费者|市民|顾客)"
            r"|\b(?:consumers|customers|people|users|callers|clients|citizens|reviewers)\b"
            r"[^?.]{0,40}\b(?:more than (?:one|once)|multiple|several times|twice or more)\b"
            rf"|同一(?:个|位|名)?(?:{_ZH_PERSON})"
            rf"|(?:不止一次|多次|两次以上)(?:投诉|留言|来电|反映)的(?:{_ZH_PERSON})"
            rf"|重复(?:留言|投诉|来电|反映)的(?:{_ZH_PERSON})"
            # What a person did before this record: "had already called or emailed us".
            r"|\b(?:already|previously|earlier) (?:called|phoned|emailed|contacted|written"
            r"|reached out|complained)(?: or (?:called|phoned|emailed|written|messaged))?"
            r"(?: to)? us\b|\bcontacted us before\b"
            r"|回头客"
        ),
    ),
    # What became of a case outside the service: "ended up in court or arbitration", "起诉".
    (
        "legal",
        re.compile(
            r"\bcourts?\b|\barbitration\b|\blawsuits?\b|\blitigation\b|\bsued\b"
            r"|起诉|仲裁|法院|诉讼"
        ),
    ),
    # The contract a customer is on: "our premium support contract", "服务合同等级".
    (
        "contract",
        re.compile(
            r"\b(?:support|service) (?:contracts?|tiers?)\b|\bcontract (?:tiers?|levels?|types?)\b"
            r"|\bpremium (?:support|contract)\b|服务合同|合同等级|合同类型"
        ),
    ),
    # How many people one record touched: "affected more than 100 users each", "影响了上百用户".
    (
        "headcount",
        re.compile(
            r"\baffect(?:ed|ing|s)?\s+(?:more than |over |at least |fewer than |under )?"
            r"\d[\d,]*\s+(?:users|customers|people|employees|clients|subscribers|devices|sites)\b"
            r"|影响了?(?:超过|至少|上)?\d*[百千万]?(?:个|名|位)?(?:用户|客户|人|员工)"
        ),
    ),
    # Staff time the data does not record: "overtime hours", "加班".
    (
        "staff time",
        re.compile(
            r"\bovertime\b|\bman-?hours?\b|\bstaff hours\b|\bhours worked\b|加班|工时"
            # Service time lost, which incident logs seldom hold: "minutes of downtime", "宕机".
            r"|\bdowntime\b|\boutage (?:minutes|hours|time|duration)\b|停机时[间长]|宕机"
        ),
    ),
    # Times of a call the data does not record: "on hold", "通话时长".
    (
        "call",
        re.compile(
            r"\bon hold\b|\bhold times?\b|\btalk times?\b|\bcall (?:duration|length)s?\b"
            r"|\bwait(?:ing)? times?\b|排队|等待接听|通话时长|接通|每通"
        ),
    ),
)
_CJK_FILLER = re.compile(r"[的了过]")
PERSON_COLUMN = re.compile(
    r"(?i)^(?:customer|caller|consumer|user|author|client|citizen|reviewer|member|account|phone"
    r"|email|客户|来电人|用户|市民|会员|手机|电话)[\s_-]*(?:id|no|number|name|编号|号码|姓名)?$"
)
# Records counted, not an amount ("how many complaints about money owed").
_COUNTED = re.compile(r"(?i)\bhow many\b|\bnumber of\b|多少条|几条|几个|多少个|多少起|多少件")
# Kinds of ``_SUBJECTS`` whose phrase is missing when the catalog's words do not hold it, however
# its words resemble the catalog's by meaning (short words resemble much).
_BY_NAME = frozenset(
    (
        "people", "channel", "call", "person", "staff time", "money", "legal", "contract",
        "population", "product dates",
    )
)  # fmt: skip
_MONEY_UNITS = re.compile(r"(?i)^(?:cny|rmb|usd|eur|gbp|jpy|yuan|元|\$|€|£|¥|dollars?|euros?)$")


# "Tickets that were escalated", "complaints that got refunded": what happened to the records,
# a condition the data may have no column for.
_EVENT_EN = (
    re.compile(r"\b(?:were|was|got|get|been|are|is)\s+(?:\w+ly\s+)?([a-z]{4,}ed)\b"),
    # "closed as duplicates": how they ended, said by a kind the data may not record.
    re.compile(
        r"\b(?:closed|resolved|marked|flagged|tagged|logged|classed|classified)\s+as\s+"
        r"(?:an?\s+|the\s+)?([a-z]{4,})\b"
    ),
    # "got the problem fixed": what happened to the matter.
    re.compile(
        r"\b(?:got|get|gets|getting)\s+(?:the|their|its|his|her)\s+[a-z]+\s+([a-z]{3,}ed)\b"
    ),
)


def _events_said(text: str, question: str) -> list[str]:
    """What the question says happened to the records ("were escalated", "closed as
    duplicates"), but for the words of every export (opened, closed, resolved, filed …): found
    in the ``question`` as said, kept where ``text`` (what the reading left) still holds them."""
    left = set(re.findall(r"[a-z]+", text))
    said = [w for p in _EVENT_EN for w in p.findall(question.lower())]
    return [w for w in said if w in left and w not in _SHAPE and w not in STOP_WORDS]


def _said_of_people(text: str) -> list[str]:
    """The kinds of people the question limits its records to, by the words it uses."""
    said = [m.group(1) for m in _PEOPLE_EN.finditer(text)]
    said += [m.group(1) for m in _PEOPLE_ZH.finditer(text)]
    return [w for w in _content_words(" ".join(said))]


# A name said mid-sentence with a capital ("out of Florida", "the Mengniu reviews"): a value the
# question filters on, when nothing in the reading took it.
_PROPER = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z]{2,}(?![A-Za-z])")


def _names_said(question: str, text: str) -> list[str]:
    """Capitalised words of the question, not its first word nor a sentence's, that are still
    in ``text`` (the question with what the reading used blanked), lower-cased."""
    left = set(re.findall(r"[a-z]+", text))
    out = []
    for m in _PROPER.finditer(question):
        before = question[: m.start()].rstrip()
        if not before or before[-1] in ".?!。？！:：\"“'‘(（":
            continue
        word = m.group(0)
        low = word.lower()
        if low in left and low not in STOP_WORDS and low not in _SHAPE:
            out.append(word)
    return out


def value_words_note(words: str, lang: str) -> str:
    if not words:
        return ""
    if lang == "zh":
        return (
            f"“{words}”可能是数据中某个取值的说法，但本次理解没有用上它，以下回答没有考虑这一点。"
        )
    return (
        f"“{words}” may name values of the data, but the reading used none of them; the answer "
        "below does not take it into account."
    )


def unread_note(words: list[str], lang: str) -> str:
    if not words:
        return ""
    said = (
        "、".join(f"“{w}”" for w in words) if lang == "zh" else ", ".join(f"“{w}”" for w in words)
    )
    if lang == "zh":
        return f"数据中没有与{said}对应的内容，以下回答没有考虑这一点。"
    return f"Nothing in the data matches {said}; the answer below does not take it into account."


def used_phrases(intent: Any) -> list[str]:
    """What the reading used of the question besides exact matches: the measure found by
    meaning, the grouping's words, the words counted in the feedback, the theme."""
    used = [phrase for _, _, phrase in intent.slots.by_meaning]
    if intent.grouping is not None and intent.grouping.phrase and intent.grouping.dimension:
        used.append(intent.grouping.phrase)
    used += list(intent.mentions)
    return used

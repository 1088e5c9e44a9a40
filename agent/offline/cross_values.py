"""Values named in the other language: "hotel reviews" when the data says 酒店, "自助服务渠道"
when it says Self service.

The values of each dimension with a short list (listed in the catalog or looked up in the
data) are embedded once with the workspace's embedder, which reads both languages. The words
of the question that exact matching left over are compared only with values written in the
other script: an English word never stands in for an English value here (spelling variants are
the matcher's job), so only a translation can match. A value counts when it resembles a word
closely and clearly more than any other value does; the reading line then shows the value
the question was read as.
"""

from __future__ import annotations

import re

import numpy as np

from ...data.catalog import Catalog
from ...data.embeddings import Embedder
from ...data.segment import segmenter
from .label_meaning import glossed
from .meaning import STOP_WORDS, LabelVectors, words_of
from .slots import VOC_COLUMNS

# How closely a word must resemble a value in the other language, and by how much the best
# value must lead the next (measured on category values of the public exports: translations
# score 0.89–0.93 and lead by 0.04 or more; unrelated words top out near 0.86 with no lead).
ACCEPT = 0.88
LEAD = 0.04
# Dimensions with more values than this are looked up by name only.
_MAX_VALUES = 80
_CJK = re.compile(r"[\u3400-\u9fff]")


# Chinese words right before an English name in brackets: its translation.
_GLOSSING = re.compile(r"[\u3400-\u9fff]+(?=\s*[（(][^)）]*[)）])")
# Words that name no value: the metric phrases' stop words, and the measures' own words.
_STOP = STOP_WORDS | words_of("on have has had get got share percentage percent rate count total")
_ZH_STOP = words_of("哪些 什么 比例 占比 数量 情况 问题")
# Degree words ("最低", "更高") say which end, never a value ("low" priority).
_DEGREE = re.compile(r"^(?:最|更|较|很|偏|非常)?(?:高|低|多|少|大|小|好|差|快|慢|长|短)(?:的)?$")
# Dates and periods ("二季度", "上个月") are read by the period parser, never as values.
_TIMEY = re.compile(
    r"季度|月|年|周|星期|天|日|号|(?i:^(?:q[1-4]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
    r"|quarter|month|year|week|day|today|yesterday))"
)
# Values too common as ordinary words to be named by a translation.
_PLAIN = words_of(
    "high low medium moderate normal none other others unknown yes no true false null n/a "
    "positive negative neutral"
)


_CODE = re.compile(r"[A-Z]{1,3}")


class CrossValues:
    """The short-listed dimension values of a catalog, for matching across languages."""

    def __init__(
        self, catalog: Catalog, embedder: Embedder, values: dict[str, list[str]] | None = None
    ) -> None:
        self.catalog = catalog
        self._looked_up = values or {}
        self._vectors = LabelVectors(embedder, self._labels)
        self.embedder = embedder

    def match(self, text: str, taken: set[str]) -> list[tuple[str, str, str]]:
        """(dimension, value, words) for each word or two of ``text`` (the question with exact
        matches blanked) that names a value of an untaken dimension in the other language."""
        return [(d, v, w) for d, v, w, _ in self.match_at(text, taken)]

    def match_at(self, text: str, taken: set[str]) -> list[tuple[str, str, str, int]]:
        """``match``, with where in ``text`` each value was said."""
        at: dict[tuple[str, str], int] = {}
        found: dict[tuple[str, str], str] = {}
        for dim, value, words, start in self.glossed_values(text, taken):
            found.setdefault((dim, value), words)
            at.setdefault((dim, value), start)
        phrases = _phrases(text)
        names, vectors = self._vectors.get() if phrases else ([], None)
        if not phrases or not names or vectors is None:
            return [(d, v, p, at.get((d, v), text.find(p))) for (d, v), p in found.items()]
        for phrase in phrases:
            script = bool(_CJK.search(phrase))
            pick = [i for i, (_, v) in enumerate(names) if bool(_CJK.search(v)) != script]
            if len(pick) < 2:
                continue
            sims = vectors[pick] @ np.asarray(self.embedder.embed_query(phrase), dtype=np.float32)
            order = [int(i) for i in np.argsort(-sims)]
            best = float(sims[order[0]])
            value = names[pick[order[0]]][1]
            # The lead is over other values: one value held by two columns (a company and the
            # account that answers for it) is one value, read on the column held most widely.
            same = [i for i in order if names[pick[i]][1] == value]
            dim = max(
                (names[pick[i]][0].split("=", 1)[0] for i in same),
                key=lambda d: len(self.catalog.dimensions[d].sources),
            )
            # It leads the other values of its column clearly, and those of other columns
            # (another kind of thing, less likely to be confused with it) by half as much.
            own = next(
                (float(sims[i]) for i in order
                 if names[pick[i]][1] != value and names[pick[i]][0].startswith(dim + "=")),
                0.0,
            )  # fmt: skip
            other = next((float(sims[i]) for i in order if names[pick[i]][1] != value), 0.0)
            clear = best - own >= LEAD and best - other >= LEAD / 2
            # A code ("IN", "TX") is no word to translate ("进来" is not Indiana).
            if best >= ACCEPT and clear and dim not in taken and not _CODE.fullmatch(value):
                found.setdefault((dim, value), phrase)
        # Several values of one dimension ("phones or computers") are all returned, in the
        # order said; the caller compares them side by side.
        return [(d, v, p, at.get((d, v), text.find(p))) for (d, v), p in found.items()]

    def glossed_values(
        self, text: str, taken: set[str], prefer: frozenset[str] = frozenset()
    ) -> list[tuple[str, str, str, int]]:
        """English values named word by word in Chinese ("储蓄账户" for Savings account), by
        the glossary of support words; a Chinese name glossing the English in brackets after it
        ("支票或储蓄账户（Checking or savings account）") is that name, not another."""
        if not _CJK.search(text):
            return []
        text = _GLOSSING.sub(lambda m: " " * len(m.group(0)), text)
        cat = self.catalog
        # The export's own categories (long tables of flags) are read by the understander.
        labels = [
            (key.split("=", 1)[0], v) for key, v in self._labels()
            if not _CJK.search(v)
            and not all(t.endswith("_labels") for t in cat.dimensions[key.split("=", 1)[0]].sources)
        ]  # fmt: skip
        values = list(dict.fromkeys(v for _, v in labels))
        out = []
        for start, end, value in glossed(text, values, set()):
            dims = {d for d, v in labels if v == value and d not in taken}
            if dims:  # one value of several columns: read on the one held most widely
                # (or on a column ``prefer`` names: another of its values said beside it)
                dim = max(sorted(dims), key=lambda d: (d in prefer, len(cat.dimensions[d].sources)))
                out.append((dim, value, text[start:end], start))
        return out

    def _labels(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for name, dim in self.catalog.dimensions.items():
            if dim.kind != "category" or dim.spec.label or name in VOC_COLUMNS or dim.from_time:
                continue  # the feedback's own themes and languages are read elsewhere
            listed = list(dim.spec.values or {}) or self._looked_up.get(name, [])
            if 2 <= len(listed) <= _MAX_VALUES:
                out += [
                    (f"{name}={v}", str(v))
                    for v in listed
                    if str(v).strip() and str(v).strip().lower() not in _PLAIN
                ]
        return out


def _phrases(text: str) -> list[str]:
    """Single words and pairs of words of ``text`` that could name a value."""
    tokens = [t.strip().lower() for t in segmenter().lcut(text) if t.strip()]
    words = [t for t in tokens if re.fullmatch(r"[a-z]{3,}|[\u3400-\u9fff]{2,}", t)]
    out: dict[str, None] = {}
    for i, w in enumerate(words):
        if w not in _STOP and w not in _ZH_STOP and not _DEGREE.match(w) and not _TIMEY.search(w):
            out[w] = None
        if i + 1 < len(words) and not _CJK.search(w) and not _CJK.search(words[i + 1]):
            pair = f"{w} {words[i + 1]}"
            if w not in _STOP and words[i + 1] not in _STOP:
                out[pair] = None
        # "labour and social security" for 劳动和社会保障: two names joined, one value.
        joined = words[i + 1 : i + 2] in (["and"], ["or"]) and not _CJK.search(w)
        for n in (3, 4) if joined and w not in _STOP else ():
            run = words[i : i + n]
            if len(run) == n and all(not _CJK.search(x) and x not in _STOP for x in run[2:]):
                out[" ".join(run)] = None
    return list(out)


# A yes/no column's English name said in Chinese ("没有提供链接的" for Provide URL, "道歉" for
# Apologize): measured on the exports' flag columns, translations score 0.86–0.90 and lead the
# next name by 0.015 or more; other words of such questions stay below.
FLAG_ACCEPT = 0.855
_NOT_DONE = re.compile(r"(?:没有|没|未|从未|从没)([\u3400-\u9fff]{2,8}?)(?=的|[，,。？?]|$)")
FLAG_LEAD = 0.015


class CrossFlags:
    """The English names of a catalog's yes/no columns, for a Chinese question that names one."""

    def __init__(self, catalog: Catalog, embedder: Embedder) -> None:
        self.catalog = catalog
        self.embedder = embedder
        self._vectors = LabelVectors(embedder, self._labels)

    def match(self, text: str) -> list[tuple[str, str]]:
        """(dimension, words) for each Chinese word or two of ``text`` (the question with its
        exact matches blanked) that names a yes/no column written in English."""
        # Only what the question says the records did not do ("没有道歉的", "未提供链接"): other
        # Chinese words of such questions (客服, 回复, a company's name) resemble flags too.
        phrases: list[str] = []
        for m in _NOT_DONE.finditer(text):
            cjk = [t for t in segmenter().lcut(m.group(1)) if re.fullmatch(r"[\u3400-\u9fff]+", t)]
            cjk = [t for t in cjk if t not in _ZH_STOP]
            phrases += [t for t in cjk if len(t) >= 2]
            phrases += ["".join(cjk[:2])] if len(cjk) >= 2 else []
        labels = self._labels()
        found: dict[str, str] = {}
        # Named word by word ("让用户重启设备" for Request device restart): every telling word of
        # the name said in Chinese, close together.
        for start, end, name in glossed(text, [en for _, en in labels], set()):
            dim = next(d for d, en in labels if en == name)
            found.setdefault(dim, text[start:end])
        if not phrases or len(labels) < 2:
            return list(found.items())
        names, vectors = self._vectors.get()
        for phrase in dict.fromkeys(phrases):
            sims = vectors @ np.asarray(self.embedder.embed_query(phrase), dtype=np.float32)
            order = np.argsort(-sims)
            best, second = float(sims[order[0]]), float(sims[order[1]])
            dim = names[int(order[0])][0]
            if best >= FLAG_ACCEPT and best - second >= FLAG_LEAD:
                found.setdefault(dim, phrase)
        return list(found.items())

    def _labels(self) -> list[tuple[str, str]]:
        return [
            (name, dim.spec.en)
            for name, dim in self.catalog.dimensions.items()
            if dim.kind == "boolean" and dim.spec.en and not _CJK.search(dim.spec.en)
            and not dim.spec.zh
        ]  # fmt: skip

"""Theme labels: the words that set one cluster's feedback apart from the rest (c-TF-IDF style).

Each text becomes a set of terms: Chinese words from jieba (two characters or more), English
words and two-word phrases; stop words (``theme_stopwords.yaml``), numbers, @handles, links and
redaction placeholders are left out. A term's score in a cluster is the share of the cluster's
texts that use it times the log of how much more often they do than texts overall, so a label is
both common in its cluster and rare elsewhere. Languages are labelled separately: a cluster of
mixed Chinese and English feedback gets a name in each language it has enough texts in.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .segment import segmenter

_NOISE = re.compile(r"@\w+|https?://\S+|www\.\S+|\[[^\]]{1,12}\]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_WORD = re.compile(r"[a-z][a-z0-9']*[a-z0-9]")
MAX_TERMS = 3
# A label term must score at least this share of the cluster's best term.
_KEEP_SHARE = 0.35
# A language names a cluster when it has this many of the cluster's texts (and 20% of them).
_MIN_LANG_TEXTS = 3


@cache
def _stop_words() -> frozenset[str]:
    text = resources.files(__package__).joinpath("theme_stopwords.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    return frozenset(w for lang in ("en", "zh") for w in str(raw[lang]).split())


class TermReader:
    """Label terms of a text; jieba is loaded on the first Chinese text."""

    def __init__(self, names: frozenset[str] = frozenset()) -> None:
        # Words naming the records' own values (brands, companies, models) name no theme.
        self._stop = _stop_words() | names

    def terms(self, text: str) -> set[str]:
        text = _NOISE.sub(" ", text.lower())
        found = self._english(text)
        for run in _CJK_RUN.findall(text):
            found.update(w for w in self._segmenter().cut(run) if len(w) >= 2)
        return found - self._stop

    def _english(self, text: str) -> set[str]:
        words = [w.strip("'") for w in _EN_WORD.findall(text)]
        words = [w if len(w) > 2 and w not in self._stop else "" for w in words]
        phrases = {f"{a} {b}" for a, b in itertools.pairwise(words) if a and b}
        return {w for w in words if w} | phrases

    def _segmenter(self) -> Any:
        return segmenter()


def language(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def cluster_terms(
    texts: Sequence[str], labels: Sequence[int], reader: TermReader | None = None
) -> dict[int, dict[str, list[str]]]:
    """For each cluster label, its distinctive terms per language it has enough texts in."""
    reader = reader or TermReader()
    docs = [reader.terms(t) for t in texts]
    langs = [language(t) for t in texts]
    overall = Counter(term for doc in docs for term in doc)
    out: dict[int, dict[str, list[str]]] = {}
    for cluster in sorted(set(labels)):
        members = [i for i, c in enumerate(labels) if c == cluster]
        by_lang = Counter(langs[i] for i in members)
        out[cluster] = {
            lang: _top_terms([docs[i] for i in members], overall, len(docs), lang)
            for lang, n in by_lang.items()
            if n >= max(_MIN_LANG_TEXTS, 0.2 * len(members))
        }
    return out


def _top_terms(docs: list[set[str]], overall: Counter[str], total: int, lang: str) -> list[str]:
    inside = Counter(term for doc in docs for term in doc if language(term) == lang)
    least = max(2, math.ceil(0.03 * len(docs)))
    scores = {
        term: (n / len(docs)) * math.log((n / len(docs)) / (overall[term] / total))
        for term, n in inside.items()
        if n >= least
    }
    return _pick(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))


def _pick(ranked: list[tuple[str, float]]) -> list[str]:
    """Up to three strong terms, skipping one that repeats a term already picked."""
    picked: list[str] = []
    for term, score in ranked:
        if len(picked) == MAX_TERMS or score <= 0 or score < _KEEP_SHARE * ranked[0][1]:
            break
        if not any(term in p or p in term for p in picked):
            picked.append(term)
    return picked

"""Catalog metrics found by meaning: "on-time %" ≈ on-time rate, "按时率" ≈ 按时完成率.

Every name and alias of every metric is embedded once (the workspace's embedder, symmetric
query embeddings); the question's phrases that no exact match used are embedded and compared
with them. A phrase counts only when it also shares a word stem (English) or a character
(Chinese) with the name it resembles, so the embedding alone never invents a match; and a metric
whose row filter is a value the question names ("installations") is preferred to one that
filters differently. The caller gets the best metric, its score and the runner-up, so a close
call can be offered as another reading instead of being decided silently.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...data.catalog import Catalog
from ...data.embeddings import Embedder
from ...data.glossary import same_thing
from ...data.list_items import items_column
from ...data.segment import segmenter

# Similarity a phrase needs to count as naming a metric, and the lead that makes it clear.
ACCEPT = 0.925
CLEAR_LEAD = 0.012
# A metric filtered to a value the question names is preferred; one filtered to a value the
# question does not name ("installation" on-time rate for a plain "on-time rate") is not, when
# the catalog has the same measure unfiltered.
_FILTER_BONUS = 0.03
_FILTER_PENALTY = 0.04
# A lone English word must resemble a name more closely than a phrase does.
_WORD_ACCEPT = 0.94
# In telling two names apart, each word stem a phrase shares with a name counts this much.
_STEM_WEIGHT = 0.015
# A single word found in the names of this many metrics says nothing about which one.
_GENERIC_IN = 3
_MAX_TOKENS = 4
# How closely a phrase must resemble a metric name to reorder the default choices by it.
_ORDER_ACCEPT = 0.9
_CJK = re.compile(r"[\u3400-\u9fff]")
_AGGREGATE_CHARS = frozenset("平均多少")
_WORD = re.compile(r"[a-z0-9%]+|[\u3400-\u9fff]+")


def words_of(text: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(text.split())


# Words that carry no metric meaning on their own, at the edge of a phrase.
_STOP = words_of(
    "a an the of in at to for by and or vs versus is are was were be been do did does how what "
    "which who when where why our we us my your their its it this that these those last next "
    "previous prior quarter month week year years months quarters since from than compare "
    "compared change changed show me give tell please much many about with per each all any "
    "more less most least best worst top bottom highest lowest there q1 q2 q3 q4 %"
)
_ZH_STOP = words_of(
    "的 了 吗 呢 和 与 及 是 在 上 下 个 各 哪 哪个 哪些 多少 怎么样 如何 什么 有 我们 比"
)
_STOPS = _STOP | _ZH_STOP
STOP_WORDS = _STOPS


@dataclass(frozen=True)
class MetricGuess:
    metric: str
    score: float
    phrase: str
    runner_up: str | None = None
    runner_up_score: float = 0.0

    @property
    def clear(self) -> bool:
        return self.runner_up is None or self.score - self.runner_up_score >= CLEAR_LEAD


class MeaningIndex:
    """The catalog's metric names, embedded once per catalog and embedder."""

    def __init__(self, catalog: Catalog, embedder: Embedder) -> None:
        self.catalog = catalog
        self.embedder = embedder
        self._vectors = LabelVectors(embedder, self._aliases)  # (metric, alias text)

    def guess_metric(self, text: str, filters: dict[str, str]) -> MetricGuess | None:
        """The metric ``text`` (the question with exact matches masked) names, if one does."""
        phrases = candidate_phrases(text)
        if not phrases:
            return None
        names, vectors = self._index()
        best: dict[str, tuple[float, str]] = {}
        for phrase in phrases:
            if self._generic(phrase) or _how_measured_only(phrase):
                continue
            query = self.embedder.embed_query(_as_exports_say(phrase))
            sims = vectors @ np.asarray(query, dtype=np.float32)
            floor = _WORD_ACCEPT if _lone_word(phrase) else 0.0
            for (metric, alias), sim in zip(names, sims.tolist(), strict=True):
                score = sim + self._fit(metric, filters)
                known = best.get(metric, (0.0, ""))[0]
                if sim >= floor and score > known and _shares_stem(phrase, alias):
                    best[metric] = (score, phrase)
        return _guess(self._by_words_said(text, best))

    def _by_words_said(
        self, text: str, best: dict[str, tuple[float, str]]
    ) -> dict[str, tuple[float, str]]:
        """Among names that resemble a phrase equally well (within the lead that makes one
        clear), the one whose words the whole question says more of comes first: "fix the
        issue the first time" says all of first-time fix, only part of first response time."""
        if len(best) < 2:
            return best
        top = max(s for s, _ in best.values())
        close = [m for m, (s, _) in best.items() if top - s < CLEAR_LEAD]
        if len(close) < 2:
            return best
        names, _ = self._index()
        said = {m: max(_stems_shared(text, a) for n, a in names if n == m) for m in close}
        most = max(said.values())
        if list(said.values()).count(most) > 1:
            return best
        winner = max(said, key=lambda m: said[m])
        return {**best, winner: (top + CLEAR_LEAD / 2, best[winner][1])}

    def order(self, text: str, metrics: list[str]) -> list[str]:
        """``metrics`` ordered by how closely any phrase of ``text`` resembles their names
        (for choosing among metrics when the question named none clearly); unchanged when no
        phrase resembles any of them well enough to say."""
        phrases = [p for p in candidate_phrases(text) if not self._generic(p)]
        if not phrases or len(metrics) < 2:
            return metrics
        names, vectors = self._index()
        queries = np.asarray([self.embedder.embed_query(p) for p in phrases], dtype=np.float32)
        sims = (vectors @ queries.T).max(axis=1)
        score = dict.fromkeys(metrics, -1.0)
        for (metric, _), sim in zip(names, sims.tolist(), strict=True):
            if metric in score:
                score[metric] = max(score[metric], sim)
        if max(score.values()) < _ORDER_ACCEPT:
            return metrics
        return sorted(metrics, key=lambda m: -score[m])

    def closer(self, phrase: str, candidate: str, named: str) -> bool:
        """Whether ``phrase`` fits the names of ``candidate`` better than those of ``named``."""
        names, vectors = self._index()
        sims = vectors @ np.asarray(self.embedder.embed_query(phrase), dtype=np.float32)
        score = {candidate: 0.0, named: 0.0}
        for (metric, alias), sim in zip(names, sims.tolist(), strict=True):
            if metric in score:
                fit = sim + _STEM_WEIGHT * _stems_shared(phrase, alias)
                score[metric] = max(score[metric], fit)
        return score[candidate] > score[named]

    def _generic(self, phrase: str) -> bool:
        """A lone word that many metric names share ("average", "customers", "客户")."""
        if " " in phrase.strip() or (_CJK.search(phrase) and len(phrase) > 2):
            return False
        names, _ = self._index()
        stem = phrase.strip()[:4] if not _CJK.search(phrase) else phrase.strip()
        holders = {m for m, alias in names if stem in alias.lower()}
        return len(holders) >= _GENERIC_IN

    def _fit(self, metric: str, filters: dict[str, str]) -> float:
        """A bonus for a metric whose row filter is a value the question names; a penalty for
        one filtered on the same dimension to another value."""
        row_filter = self.catalog.metrics[metric].spec.filter or ""
        if not row_filter:
            return 0.0
        named = [v for d, v in filters.items() if d in row_filter and f"'{v}'" in row_filter]
        if named:
            return _FILTER_BONUS
        return -_FILTER_PENALTY if self._has_unfiltered(metric) else 0.0

    def _has_unfiltered(self, metric: str) -> bool:
        spec = self.catalog.metrics[metric].spec
        return any(
            m.spec.table == spec.table and m.spec.expr == spec.expr and not m.spec.filter
            for m in self.catalog.metrics.values()
        )

    def _index(self) -> tuple[list[tuple[str, str]], np.ndarray]:
        return self._vectors.get()

    def _aliases(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for name, metric in self.catalog.metrics.items():
            spec = metric.spec
            if items_column(spec.expr):
                # How many items a list cell holds resembles the items themselves ("list code
                # M12", the replies the records may be): read by its own names, an average of
                # them per record, or a number of them said, never by likeness.
                continue
            for alias in dict.fromkeys([spec.en, spec.zh, *spec.aliases]):
                if alias and alias.strip():
                    out.append((name, alias.strip()))
        return out


class LabelVectors:
    """Labels of catalog entries — (key, label) pairs — embedded once, on first use, with the
    workspace's embedder (symmetric query embeddings), safe to share between threads."""

    def __init__(self, embedder: Embedder, labels: Callable[[], list[tuple[str, str]]]) -> None:
        self.embedder = embedder
        self._labels = labels
        self._names: list[tuple[str, str]] = []
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def get(self) -> tuple[list[tuple[str, str]], np.ndarray]:
        with self._lock:
            if self._vectors is None:
                self._names = self._labels()
                rows = [self.embedder.embed_query(label) for _, label in self._names]
                # No labels at all (an export of ids and dates): an empty matrix, not an error.
                width = len(rows[0]) if rows else 0
                self._vectors = np.asarray(rows, dtype=np.float32).reshape(len(rows), width)
            return self._names, self._vectors


def _guess(best: dict[str, tuple[float, str]]) -> MetricGuess | None:
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
    if not ranked or ranked[0][1][0] < ACCEPT:
        return None
    (metric, (score, phrase)), rest = ranked[0], ranked[1:]
    if not rest:
        return MetricGuess(metric, round(score, 4), phrase)
    other, (other_score, _) = rest[0]
    return MetricGuess(metric, round(score, 4), phrase, other, round(other_score, 4))


def candidate_phrases(text: str) -> list[str]:
    """Short phrases of the question worth comparing with metric names (1 to 4 words)."""
    tokens = [t for t in segmenter().lcut(text) if _WORD.fullmatch(t.strip().lower() or "-")]
    tokens = [t.strip().lower() for t in tokens]
    out: dict[str, None] = {}
    for i in range(len(tokens)):
        for j in range(i + 1, min(i + _MAX_TOKENS, len(tokens)) + 1):
            words = tokens[i:j]
            if words[0] in _STOPS or words[-1] in _STOPS:
                continue
            joiner = "" if all(_CJK.search(w) for w in words) else " "
            out[joiner.join(words)] = None
    return list(out)


def _as_exports_say(phrase: str) -> str:
    """The phrase in the words exports most often use for its things ("a link" → "a url")."""
    return re.sub(r"[a-z][a-z-]*", lambda m: same_thing(m.group(0)), phrase)


def _lone_word(phrase: str) -> bool:
    return not _CJK.search(phrase) and " " not in phrase.strip()


def _stems_shared(phrase: str, alias: str) -> int:
    ours = {w[:4] for w in re.findall(r"[a-z]{2,}", phrase.lower())}
    theirs = {w[:4] for w in re.findall(r"[a-z]{2,}", alias.lower())}
    if _CJK.search(phrase):
        ours, theirs = set(_CJK.findall(phrase)), set(_CJK.findall(alias))
    return len(ours & theirs)


# Words that say how something is measured, not what: "as a share" names no measure.
_HOW_MEASURED = words_of(
    "share shares rate rates ratio percent percentage proportion fraction number count total "
    "average mean sum 占比 比例 比率 百分比 数量 总数 平均"
)


# Chinese words of asking around a measure word ("占了多大比例").
_ZH_ASKING = re.compile(r"多大|多少|多高|几成|占了?|是|有|的|了|为")


def _how_measured_only(phrase: str) -> bool:
    """Whether the phrase's words only say how something is measured ("as a share", "多大比例")."""
    words = _WORD.findall(phrase.lower())
    rest = []
    for w in words:
        if _CJK.search(w):
            for measure in sorted((m for m in _HOW_MEASURED if _CJK.search(m)), key=len)[::-1]:
                w = w.replace(measure, "")
            w = _ZH_ASKING.sub("", w)
            if w:
                rest.append(w)
        elif w not in _HOW_MEASURED and w not in _STOPS and w != "as":
            rest.append(w)
    return bool(words) and not rest


def _shares_stem(phrase: str, alias: str) -> bool:
    """Whether the phrase and the name share a word stem (4+ letters) or a Chinese character."""
    a = alias.lower()
    if _CJK.search(phrase) and _CJK.search(a):
        # One shared character is chance ("多少单" and "单均成本"); two make a resemblance, but
        # not the words of asking ("平均…公里" and "平均字数" share only 平均; "多少条", "多少字").
        own = set(_CJK.findall(phrase)) - _AGGREGATE_CHARS
        shared = own & set(_CJK.findall(a))
        return bool(own) and len(shared) >= min(2, len(own))
    names = re.findall(r"[a-z]+", a)
    stems = {w[:4] for w in names if len(w) >= 3} | {w for w in names if len(w) == 2}
    words = [same_thing(w) for w in re.findall(r"[a-z]+", phrase)]
    return any(w[:4] in stems or w in stems for w in words if len(w) >= 2)

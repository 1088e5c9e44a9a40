"""Enrichment at ingest: sentiment, theme and urgency for each VOC text (DESIGN §2.4).

Theme is zero-shot: each text's passage vector is compared with the taxonomy's exemplar vectors
(embedded once per enricher); a theme's score blends the similarity to its centroid with the
similarity to its nearest exemplar, cue words from the taxonomy add a small bonus, and a text
whose best score stays under the threshold is "other". Sentiment is a bilingual lexicon score with
negation, shifted by a prior from the theme (a praise theme leans positive, a complaint theme
negative). Urgency comes from safety words, author reach, repeated contact, threats to go to the
media or a regulator, and strong negativity. Everything is deterministic and vectorised, so
enriching thousands of texts costs little beyond embedding them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from .sentiment import lexicon_score
from .taxonomy import OTHER, Taxonomy, default_taxonomy
from .transcript import customer_turns

if TYPE_CHECKING:
    from .embeddings import Embedder

Sentiment = Literal["negative", "neutral", "positive"]
Urgency = Literal["high", "medium", "low"]

INFLUENCER_REACH = 100_000
# Themes whose texts are praise: they lean positive, and their growth is good news.
POSITIVE_THEMES = frozenset({"engineer_praise", "remote_fix_praise", "praise"})
_NEUTRAL_THEMES = {"usage_question", "contract_renewal", OTHER}

_SAFETY = re.compile(
    r"冒烟|漏电|起火|着火|燃气味|煤气味|烧焦|火花|触电|被电|爆炸|\bsmoke|smoking|burning smell|"
    r"electric(al)? shock|\bsparks?\b|caught fire|on fire|fire hazard|gas smell|smell of gas|"
    r"smells? (like|of) gas|explod",
    re.IGNORECASE,
)
_REPEAT = re.compile(
    r"第[三四五六七3-7]次|又来了|三番五次|无数次|好几次|\b(third|fourth|fifth|3rd|4th|5th) time|"
    r"again and again|(three|four|five|six|[3-9]) times|yet again|once again",
    re.IGNORECASE,
)
_THREAT = re.compile(
    r"(?<!\d)315(?!\d)|12315|消协|消费者协会|媒体|曝光|记者|市场监管|工商局|律师|起诉|法院|"
    r"\bmedia\b|journalist|the press|newspaper|regulator|consumer (council|association|protection)|"
    r"\blawyer|\bsue\b|court|go viral|post (this|it) everywhere",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Enrichment:
    sentiment: Sentiment
    theme: str
    urgency: Urgency


@dataclass(frozen=True)
class ThemeScoring:
    """How theme scores are computed; the defaults are the measured best (see evals)."""

    # Exemplars embedded as passages (like the texts) or as queries.
    exemplar_kind: Literal["passage", "query"] = "passage"
    # Weight of the nearest-exemplar similarity against the centroid similarity.
    nearest_weight: float = 0.5
    # Added to a theme's score when one of its cue expressions matches the text.
    cue_bonus: float = 0.03
    # Below this best score the text is "other".
    threshold: float = 0.80


class Enricher:
    def __init__(
        self,
        embedder: Embedder,
        taxonomy: Taxonomy | None = None,
        scoring: ThemeScoring | None = None,
    ) -> None:
        self.embedder = embedder
        self.taxonomy = taxonomy or default_taxonomy()
        self.scoring = scoring or ThemeScoring()
        self._exemplars: np.ndarray | None = None
        self._owner = np.array(
            [i for i, t in enumerate(self.taxonomy.themes) for _ in t.exemplars], dtype=np.int64
        )
        self._cues = [_compiled(t.cues) for t in self.taxonomy.themes]
        self._overrides = [(i, _compiled(t.overrides)) for i, t in enumerate(self.taxonomy.themes)]
        self._required = np.array([t.requires_cue for t in self.taxonomy.themes])

    def enrich(
        self,
        texts: Sequence[str],
        vectors: np.ndarray,
        author_reach: Sequence[int | None],
        themes: Sequence[str] | None = None,
    ) -> list[Enrichment]:
        """Sentiment, theme and urgency for each text; ``vectors`` are its passage embeddings.

        ``themes`` given (discovered from the data or from a category column) are kept; without
        them the taxonomy classifies, and its praise and complaint themes shift sentiment."""
        if not (len(texts) == len(vectors) == len(author_reach)):
            raise ValueError("texts, vectors and author_reach must have the same length")
        customer = [customer_turns(t) for t in texts]
        from_taxonomy = themes is None
        themes = self._themes(customer, vectors) if themes is None else themes
        out = []
        for text, theme, reach in zip(customer, themes, author_reach, strict=True):
            score = lexicon_score(text) + (_theme_prior(theme) if from_taxonomy else 0.0)
            sentiment = _sentiment(score)
            out.append(Enrichment(sentiment, theme, urgency(text, theme, score, reach)))
        return out

    def themes(self, texts: Sequence[str], vectors: np.ndarray) -> list[str]:
        """The theme id of each text, given its passage vector."""
        return self._themes([customer_turns(t) for t in texts], vectors)

    def _themes(self, customer: Sequence[str], vectors: np.ndarray) -> list[str]:
        scores = self.theme_scores(customer, vectors)
        ids = self.taxonomy.ids
        out = []
        for i, text in enumerate(customer):
            forced = next((j for j, pats in self._overrides if _matches(pats, text)), None)
            best = int(scores[i].argmax()) if forced is None else forced
            keep = forced is not None or scores[i, best] >= self.scoring.threshold
            out.append(ids[best] if keep else OTHER)
        return out

    def theme_scores(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """(n, themes) scores: centroid/nearest-exemplar similarity blend plus cue bonuses.

        ``texts`` are what cues are matched against (the customer's turns of a transcript).
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        sims = vectors @ self.exemplar_vectors().T
        n_themes = len(self.taxonomy)
        nearest = np.full((len(vectors), n_themes), -1.0, dtype=np.float32)
        np.maximum.at(nearest.T, self._owner, sims.T)
        centroid = vectors @ self.prototypes().T
        w = self.scoring.nearest_weight
        scores = (1 - w) * centroid + w * nearest
        cues = self._cue_matrix(texts)
        scores += self.scoring.cue_bonus * cues
        # A theme that requires a cue cannot win without one.
        scores[:, self._required] -= 10.0 * (1.0 - cues[:, self._required])
        return scores

    def exemplar_vectors(self) -> np.ndarray:
        """Every exemplar's vector, embedded once and kept (theme order, English first)."""
        if self._exemplars is None:
            phrases = [p for t in self.taxonomy.themes for p in t.exemplars]
            if self.scoring.exemplar_kind == "passage":
                self._exemplars = np.asarray(self.embedder.embed_passages(phrases), np.float32)
            else:
                self._exemplars = np.vstack([self.embedder.embed_query(p) for p in phrases])
        return self._exemplars

    def prototypes(self) -> np.ndarray:
        """(themes, dim) L2-normalised mean exemplar vector per theme."""
        ex = self.exemplar_vectors()
        sums = np.zeros((len(self.taxonomy), ex.shape[1]), dtype=np.float32)
        np.add.at(sums, self._owner, ex)
        return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)

    def _cue_matrix(self, texts: Sequence[str]) -> np.ndarray:
        hits = np.zeros((len(texts), len(self.taxonomy)), dtype=np.float32)
        for i, text in enumerate(texts):
            for j, cues in enumerate(self._cues):
                hits[i, j] = _matches(cues, text)
        return hits


def _compiled(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


def _matches(patterns: list[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _theme_prior(theme: str) -> float:
    if theme in POSITIVE_THEMES:
        return 1.5
    return 0.0 if theme in _NEUTRAL_THEMES else -1.0


def _sentiment(score: float) -> Sentiment:
    if score >= 1.0:
        return "positive"
    return "negative" if score <= -1.0 else "neutral"


def urgency(text: str, theme: str, score: float, reach: int | None) -> Urgency:
    """High for safety, influencers, threats, repeated contact when unhappy, or fury."""
    negative = score <= -1.0
    if theme == "safety" or _SAFETY.search(text) or (reach or 0) >= INFLUENCER_REACH:
        return "high"
    if _THREAT.search(text) or (negative and _REPEAT.search(text)) or score <= -5.0:
        return "high"
    if negative or _REPEAT.search(text) or (reach or 0) >= INFLUENCER_REACH // 10:
        return "medium"
    return "low"

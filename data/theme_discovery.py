"""Themes discovered from the feedback itself: clusters of its embeddings, named by their words.

The passage vectors the index already computed are centred (the model gives every text a large
shared component, which hides the differences between topics) and clustered with seeded
spherical k-means; the number of clusters grows with the square root of the record count. A
cluster that is small, loose (its texts sit far from their centroid compared with the other
clusters) or has no distinctive words is not a theme, and a record far from every centroid fits
none: those records go to "other". Each theme is named by its most distinctive terms
(``theme_terms``), in each language it has enough texts in. Above ``max_fit`` records the
clusters are fitted on a seeded sample and every record is then given its nearest, so the time
stays bounded however large the feedback grows. Everything is deterministic for the same texts,
vectors and seed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .kmeans import spherical_kmeans
from .taxonomy import OTHER
from .theme_set import ThemeInfo
from .theme_terms import TermReader, cluster_terms, language

_OTHER_NAMES = {"en": "Other", "zh": "其他"}
_SEPARATOR = " · "


@dataclass(frozen=True)
class DiscoverySettings:
    """How themes are discovered; the defaults are the measured choice (evals/theme_discovery)."""

    seed: int = 7
    # Below this many records there is too little to cluster: everything is "other".
    min_records: int = 50
    # k = sqrt(records / records_per_k), between min_k and max_k.
    records_per_k: float = 5.0
    min_k: int = 4
    max_k: int = 20
    # A theme needs this share of the records (and at least min_size of them).
    min_share: float = 0.005
    min_size: int = 5
    # A cluster whose mean similarity to its centroid is under this share of the median
    # cluster's is too loose to be one theme.
    min_coherence: float = 0.6
    # A record less similar than this to its cluster's centroid (after centring) fits none.
    min_similarity: float = 0.2
    restarts: int = 3
    # Clusters are fitted (and named) on a seeded sample of at most this many records.
    max_fit: int = 20_000
    # Only the start of a long text is read for its terms (the embedding sees less).
    term_chars: int = 300

    def k_for(self, records: int) -> int:
        k = round(math.sqrt(records / self.records_per_k))
        return max(self.min_k, min(self.max_k, k, records))


@dataclass(frozen=True)
class Discovery:
    themes: tuple[ThemeInfo, ...]  # largest first, "other" last
    assignments: list[str]  # the theme id of each text
    notes: tuple[str, ...] = ()


def discover_themes(
    texts: Sequence[str],
    vectors: np.ndarray,
    settings: DiscoverySettings | None = None,
    names: frozenset[str] = frozenset(),
) -> Discovery:
    """Themes of ``texts`` from their passage ``vectors`` (one row per text), labelled with
    their distinctive words other than ``names`` (the records' brands, companies…)."""
    settings = settings or DiscoverySettings()
    if len(texts) != len(vectors):
        raise ValueError("texts and vectors must have the same length")
    if len(texts) < settings.min_records:
        note = f"too few records ({len(texts)}) to discover themes; {settings.min_records} needed"
        return _all_other(len(texts), note)
    labels = _clusters(np.asarray(vectors, dtype=np.float32), settings)
    sample = _sample(len(texts), settings)
    terms = cluster_terms(
        [texts[i][: settings.term_chars] for i in sample],
        labels[sample].tolist(),
        TermReader(names),
    )
    main = Counter(language(t) for t in texts).most_common(1)[0][0]
    ids = [_theme_id(terms.get(c, {}), main) for c in range(int(labels.max()) + 1)]
    assignments = [OTHER if c < 0 or ids[c] is None else str(ids[c]) for c in labels.tolist()]
    return Discovery(_themes(assignments, ids, terms, main), assignments)


def _all_other(n: int, note: str) -> Discovery:
    other = ThemeInfo(OTHER, _OTHER_NAMES, records=n)
    return Discovery((other,), [OTHER] * n, (note,))


def _clusters(vectors: np.ndarray, settings: DiscoverySettings) -> np.ndarray:
    """A cluster index per vector; -1 for records in no theme."""
    centred = vectors - vectors.mean(axis=0)
    centred /= np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12)
    k = settings.k_for(len(vectors))
    fit = centred[_sample(len(vectors), settings)]
    found = spherical_kmeans(fit, k, settings.seed, restarts=settings.restarts)
    labels = (centred @ found.centroids.T).argmax(axis=1)
    similarity = (centred * found.centroids[labels]).sum(axis=1)
    keep = _kept(labels, similarity, k, settings)
    fits = keep[labels] & (similarity >= settings.min_similarity)
    return np.where(fits, labels, -1)


def _sample(n: int, settings: DiscoverySettings) -> np.ndarray:
    """Indices of the records clusters are fitted and named on: all, or a seeded sample."""
    if n <= settings.max_fit:
        return np.arange(n)
    rng = np.random.default_rng(settings.seed)
    return np.sort(rng.choice(n, settings.max_fit, replace=False))


def _kept(
    labels: np.ndarray, similarity: np.ndarray, k: int, settings: DiscoverySettings
) -> np.ndarray:
    sizes = np.bincount(labels, minlength=k)
    sums = np.bincount(labels, weights=similarity, minlength=k)
    coherence = sums / np.maximum(sizes, 1)
    least = max(settings.min_size, math.ceil(settings.min_share * len(labels)))
    big = sizes >= least
    floor = settings.min_coherence * float(np.median(coherence[big])) if big.any() else 0.0
    return big & (coherence >= floor)


def _theme_id(terms: dict[str, list[str]], main: str) -> str | None:
    """The theme's id: its name in the data's main language, or in the one it has."""
    for lang in (main, *sorted(terms)):
        if terms.get(lang):
            return _SEPARATOR.join(terms[lang])
    return None


def _themes(
    assignments: list[str],
    ids: list[str | None],
    terms: dict[int, dict[str, list[str]]],
    main: str,
) -> tuple[ThemeInfo, ...]:
    counts = Counter(assignments)
    infos: dict[str, ThemeInfo] = {}
    # Two clusters with the same name are one theme; the first (by cluster index) names it.
    for cluster, theme_id in enumerate(ids):
        if theme_id is None or theme_id in infos:
            continue
        langs = terms[cluster]
        names = {lang: _SEPARATOR.join(words) for lang, words in langs.items() if words}
        words = tuple(w for lang in sorted(langs, key=lambda x: x != main) for w in langs[lang])
        infos[theme_id] = ThemeInfo(theme_id, names, words, counts[theme_id])
    ranked = sorted(infos.values(), key=lambda t: (-t.records, t.id))
    other = ThemeInfo(OTHER, _OTHER_NAMES, records=counts.get(OTHER, 0))
    return (*ranked, other)

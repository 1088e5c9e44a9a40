"""Hybrid search over customer feedback: vectors (Chroma) and BM25, fused by reciprocal rank.

Filters are evaluated once, as a boolean mask over the per-record columns the keyword index
keeps, and that mask restricts both retrievers, so a filter can never apply to one side only.

Hybrid search fuses the BM25 and vector rankings by reciprocal rank (k=60, equal weights). When
the fused top k holds no text in a language other than the query's (and no language filter is
set), its last eighth goes to the best other-language texts by vector. Measured on the retrieval
set (``evals/retrieval.py``, default demo, nDCG@10): plain fusion 0.825, with this reservation
0.818, vector alone 0.807; fusing the other-language ranking as a third RRF input instead scored
0.817, and weighting it up pulled in off-topic texts (0.57 at weight 2 on the small demo).

How the vector side searches: the filter's mask gives the exact size of the subset to rank
(no estimate needed), and the size picks the way (``VocIndex.vector_rankings``). A subset of at
most ``exact_max`` records is scored exactly against the memory-mapped passage vectors (a few
thousand rows take well under a millisecond). A larger one is kept from one unfiltered HNSW
query to Chroma that asks for enough neighbours for the subset's share of the index, with a
second query or exact scoring when too few survive the filter. The other-language ranking
comes from the same scoring or the same HNSW query, and the query is embedded once. Chroma's
own filtered query (a where-clause) is not used: at 1M records, with a filter matching 126k of
them, it took 2.9 s, and the language-filtered second query 1.6 s more (``bench scale``).
Chroma stays the system of record for vectors and metadata (and is what other processes reach
through a Chroma server).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlparse

import numpy as np

from .embeddings import Embedder
from .errors import IndexMismatchError, WorkspaceError
from .keyword_index import CATEGORICAL, KeywordIndex
from .workspace import WorkspacePaths

Mode = Literal["hybrid", "vector", "keyword"]
RRF_K = 60
_HAN = re.compile(r"[\u3400-\u9fff]")
FINGERPRINT = "fingerprint.json"
Values = str | Sequence[str] | None
# Rows of the index in rank order, with the retriever's score for each.
Ranking = tuple[np.ndarray, np.ndarray]
_EMPTY: Ranking = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
_EXACT_BLOCK = 65_536  # rows of vectors copied at a time when a subset is scored exactly


@dataclass(frozen=True)
class VocFilters:
    """Metadata filters; every given field must match. Periods are half-open [start, end)."""

    start: date | None = None
    end: date | None = None
    region: Values = None
    product_line: Values = None
    model: Values = None
    product_id: Values = None
    source: Values = None
    lang: Values = None
    sentiment: Values = None
    theme: Values = None
    urgency: Values = None
    segment: Values = None
    min_reach: int | None = None
    # Only these feedback ids (those written from source records a filter picked).
    voc_ids: frozenset[str] | None = None

    def categorical(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in CATEGORICAL and value is not None:
                out[f.name] = [value] if isinstance(value, str) else list(value)
        return out

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True)
class Want:
    """A subset to rank by vector: its records (None: all), how many of its best must be
    found for the ranking to stand, and how deep to rank (``need`` when not given)."""

    mask: np.ndarray | None
    need: int
    depth: int = 0

    def __post_init__(self) -> None:
        if not self.depth:
            object.__setattr__(self, "depth", self.need)


@dataclass(frozen=True)
class Hit:
    voc_id: str
    text: str
    score: float
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    # Records that match the filters (the whole index when there are none), whatever the query.
    total_matching: int
    # Of those, records holding at least one query term (BM25 > 0); None in vector-only mode.
    keyword_matches: int | None = None
    mode: Mode = "hybrid"
    # How each vector ranking was found, "exact" or "hnsw" (the query's, then the other
    # languages'); empty in keyword mode.
    vector_paths: tuple[str, ...] = ()


def chroma_client(
    ws: WorkspacePaths, chroma_url: str | None = None, path: Path | None = None
) -> Any:
    """A Chroma client: the embedded store in the workspace, or a server when a URL is given."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        https = url.scheme == "https"
        port = url.port or (443 if https else 8000)
        return chromadb.HttpClient(
            host=url.hostname or "localhost", port=port, ssl=https, settings=settings
        )
    where = path or ws.chroma_dir
    try:
        return chromadb.PersistentClient(path=str(where), settings=settings)
    except Exception as exc:  # Chroma's own errors are many; each means the store is unusable
        reason = str(exc).split("\n", 1)[0][:200]
        raise WorkspaceError(
            f"The feedback index's vector store {where} cannot be opened ({reason}). Rebuild "
            "it with `servicelens index --rebuild`."
        ) from None


def read_fingerprint(ws: WorkspacePaths) -> dict[str, Any] | None:
    path = ws.keyword_index / FINGERPRINT
    return json.loads(path.read_text()) if path.exists() else None


class VocIndex:
    def __init__(
        self,
        keyword: KeywordIndex,
        collection: Any,
        embedder: Embedder,
        fingerprint: dict[str, Any],
        exact_max: int = 50_000,
        ann_max: int = 10_000,
        oversample: float = 2.0,
        weights: tuple[float, float, float] = (1.0, 1.0, 0.0),
        other_language_share: float = 0.125,
    ) -> None:
        self.keyword = keyword
        self.collection = collection
        self.embedder = embedder
        self.fingerprint = fingerprint
        # Subsets up to ``exact_max`` records are scored exactly; larger ones are post-filtered
        # from one HNSW query of at most ``ann_max`` neighbours (see ``vector_rankings``).
        self.exact_max = exact_max
        self.ann_max = ann_max
        self.oversample = oversample
        # RRF weights of the keyword, vector and other-language rankings; 0 leaves one out.
        self.weights = weights
        # Share of the top k kept for other-language texts when none made it on their own.
        self.other_language_share = other_language_share
        self._row_of: dict[str, int] | None = None
        self._ids: np.ndarray | None = None  # voc ids as an array, for id filters

    @classmethod
    def open(
        cls, ws: WorkspacePaths, embedder: Embedder, *, chroma_url: str | None = None
    ) -> VocIndex:
        fp = read_fingerprint(ws)
        if fp is None:
            raise WorkspaceError("The VOC index has not been built; run `servicelens index`.")
        _check_model(fp, embedder)
        collection = chroma_client(ws, chroma_url).get_collection(
            fp["collection"], embedding_function=None
        )
        _check_model(collection.metadata or {}, embedder)
        return cls(KeywordIndex.load(ws.keyword_index), collection, embedder, fp)

    def __len__(self) -> int:
        return len(self.keyword)

    def close(self) -> None:
        # Chroma clients hold no handle worth closing; dropping the reference is enough.
        self.collection = None

    def values(self, column: str) -> list[str]:
        """The distinct stored values of a categorical column (for messages and help)."""
        return self.keyword.categorical[column].distinct()

    def mask(self, filters: VocFilters | None) -> np.ndarray | None:
        """Which records match the filters; None when nothing is filtered."""
        if filters is None or filters.is_empty():
            return None
        cols = self.keyword.numeric
        mask = np.ones(len(self.keyword), dtype=bool)
        for name, wanted in filters.categorical().items():
            mask &= self.keyword.categorical[name].isin(self._canonical(name, wanted))
        if filters.start is not None:
            mask &= cols["date"] >= _yyyymmdd(filters.start)
        if filters.end is not None:
            mask &= cols["date"] < _yyyymmdd(filters.end)
        if filters.min_reach is not None:
            mask &= cols["author_reach"] >= filters.min_reach
        if filters.voc_ids is not None:
            if self._ids is None:
                self._ids = np.asarray(self.keyword.voc_ids, dtype=object)
            mask &= np.isin(self._ids, list(filters.voc_ids))
        return mask

    def _canonical(self, column: str, wanted: list[str]) -> list[str]:
        # Matching is case-insensitive; the stored spelling is what Chroma's where needs.
        by_lower = {v.lower(): v for v in self.values(column)}
        return [by_lower.get(w.strip().lower(), w) for w in wanted]

    def search(
        self,
        query: str,
        *,
        filters: VocFilters | None = None,
        k: int = 8,
        mode: Mode = "hybrid",
    ) -> SearchResult:
        mask = self.mask(filters)
        total = len(self.keyword) if mask is None else int(mask.sum())
        depth = max(100, 10 * k)
        rankings: list[Ranking] = []
        keyword_matches: int | None = None
        paths: list[str] = []
        if mode in ("hybrid", "keyword"):
            ranked, keyword_matches = self._keyword_ranking(query, mask, depth)
            rankings.append(ranked)
        others: np.ndarray | None = None
        if mode == "hybrid" and (self.weights[2] > 0 or self.other_language_share > 0):
            others = self._other_language_mask(query, filters, mask)
        if mode in ("hybrid", "vector"):
            wants = [Want(mask, depth)]
            if others is not None:
                # Fused with a weight, the ranking counts to full depth; otherwise only its
                # best few fill the reserved places.
                wants.append(Want(others, depth if self.weights[2] > 0 else k, depth))
            ranked_by_vector, paths = self.vector_rankings(query, wants, picked=_picked(filters))
            rankings.extend(ranked_by_vector)
        # Single-retriever modes report that retriever's own score (BM25 or cosine).
        fused = mode == "hybrid"
        rows, scores = _fuse(rankings, self.weights[: len(rankings)]) if fused else rankings[0]
        if len(rankings) == 3 and others is not None and not others[rows[:k]].any():
            reserved = int(k * self.other_language_share)
            rows, scores = _reserve_other_language(rows, scores, rankings[2][0], k, reserved)
        hits = [self._hit(r, s) for r, s in zip(rows[:k], scores[:k], strict=True)]
        return SearchResult(hits, total, keyword_matches, mode, tuple(paths))

    def _other_language_mask(
        self, query: str, filters: VocFilters | None, mask: np.ndarray | None
    ) -> np.ndarray | None:
        """The records the other-language ranking ranks: those matching the filters and
        written in a language the query is not.

        BM25 only matches the query's own language and the embedding model, though
        multilingual, still ranks same-language texts higher; without this third ranking a
        Chinese query's top results hold no English text at all. None when the caller
        filtered by language or the index holds one language only.
        """
        if filters is not None and filters.lang is not None:
            return None
        others = [v for v in self.values("lang") if v != _language(query)]
        if not others:
            return None
        in_others = self.keyword.categorical["lang"].isin(others)
        return in_others if mask is None else in_others & mask

    def _keyword_ranking(
        self, query: str, mask: np.ndarray | None, depth: int
    ) -> tuple[Ranking, int]:
        scores, matched = self.keyword.scores(query)
        if mask is not None:
            matched &= mask
        candidates = np.flatnonzero(matched)
        return _top(candidates, scores[candidates], depth), int(candidates.size)

    def vector_rankings(
        self, query: str, wants: Sequence[Want], *, picked: bool = False
    ) -> tuple[list[Ranking], list[str]]:
        """One vector ranking per wanted subset, the query embedded once, and how each was
        found ("exact" or "hnsw").

        Each subset is searched the cheaper of two ways, chosen by its size (the mask's count,
        exact and free from the keyword side's columns):

        - small subsets (at most ``exact_max`` records), and any subset of picked ids, are
          scored exactly: their vectors gathered from the memory-mapped matrix and multiplied
          by the query;
        - larger ones from one unfiltered HNSW query to Chroma, shared by every such subset,
          asking for enough neighbours that about ``oversample`` times ``need`` of them fall in
          the subset if it is spread over the vectors independently of the query
          (``oversample * need * records / count``), then kept by the mask. When fewer than
          ``need`` survive (a filter the query's neighbourhood avoids), the query is repeated
          once with more neighbours, and after that, or when more than ``ann_max`` would be
          needed, the subset is scored exactly.

        The post-filtered ranking is the subset's own top ``depth`` by HNSW, because any
        record among a subset's nearest that Chroma returned is kept in order. Chroma's
        filtered query (a where-clause) is never used: at 1M records it costs seconds when
        the where-clause matches a large share of the index (``evals/bench_scale_search.py``).
        """
        if not wants:
            return [], []
        q = self.embedder.embed_query(query)
        counts = [len(self.keyword) if w.mask is None else int(w.mask.sum()) for w in wants]
        fetch = {
            i: self._fetch(w, c)
            for i, (w, c) in enumerate(zip(wants, counts, strict=True))
            if c > self.exact_max and not picked
        }
        found = self._post_filtered(
            q, wants, counts, [i for i, f in fetch.items() if f <= self.ann_max]
        )
        rest = [i for i, c in enumerate(counts) if c and i not in found]
        found.update(zip(rest, self._exact(q, [wants[i] for i in rest]), strict=True))
        paths = ["exact" if i in rest or not counts[i] else "hnsw" for i in range(len(wants))]
        return [found.get(i, _EMPTY) for i in range(len(wants))], paths

    def _fetch(self, want: Want, count: int) -> int:
        """How many unfiltered neighbours to ask for so that ``want.need`` fall in the subset."""
        return math.ceil(self.oversample * want.need * len(self.keyword) / count)

    def _post_filtered(
        self, q: np.ndarray, wants: Sequence[Want], counts: list[int], chosen: list[int]
    ) -> dict[int, Ranking]:
        """Rankings of the ``chosen`` subsets kept from unfiltered HNSW neighbours (at most
        two queries to Chroma for all of them); a subset left out is to be scored exactly."""
        out: dict[int, Ranking] = {}
        n = len(self.keyword)
        fetch = max((self._fetch(wants[i], counts[i]) for i in chosen), default=0)
        for _ in range(2):
            if not chosen or fetch > self.ann_max:
                break
            rows, scores = self._ann(q, min(fetch, n))
            short: list[tuple[int, int]] = []
            for i in chosen:
                mask = wants[i].mask
                keep = np.ones(rows.size, dtype=bool) if mask is None else mask[rows]
                kept = int(keep.sum())
                # Asked for every record, what came back is the whole subset.
                if kept >= min(wants[i].need, counts[i]) or fetch >= n:
                    depth = wants[i].depth
                    out[i] = (rows[keep][:depth], scores[keep][:depth])
                else:
                    short.append((i, kept))
            if not short:
                break
            # Once more, with as many more neighbours as the poorest yield suggests.
            scale = max(wants[i].need / max(kept, 1) for i, kept in short)
            fetch = math.ceil(fetch * scale * self.oversample)
            chosen = [i for i, _ in short]
        return out

    def _ann(self, q: np.ndarray, n_results: int) -> Ranking:
        res = self.collection.query(
            query_embeddings=[q.tolist()], n_results=n_results, include=["distances"]
        )
        if self._row_of is None:
            self._row_of = {v: i for i, v in enumerate(self.keyword.voc_ids)}
        row_of = self._row_of
        ids = res["ids"][0]
        known = [row_of.get(i, -1) for i in ids]
        rows = np.array(known, dtype=np.int64)
        # Chroma's cosine space reports distance = 1 - cosine similarity.
        scores = 1.0 - np.array(res["distances"][0], dtype=np.float32)
        held = rows >= 0  # an id Chroma holds but the keyword side does not cannot be shown
        return rows[held], scores[held]

    def _exact(self, q: np.ndarray, wants: Sequence[Want]) -> list[Ranking]:
        """Exact rankings of several subsets from one scoring of their union."""
        vectors = self.keyword.vectors
        masks = [w.mask for w in wants if w.mask is not None]
        if len(masks) < len(wants):
            # Score the matrix in place; a fancy-indexed copy of every row would cost more.
            candidates = np.arange(len(self.keyword))
            scores = np.asarray(vectors @ q, dtype=np.float32)
        else:
            union = np.logical_or.reduce(masks)
            candidates = np.flatnonzero(union)
            scores = np.empty(candidates.size, dtype=np.float32)
            # In blocks, so a large subset never copies all of its vectors at once.
            for start in range(0, candidates.size, _EXACT_BLOCK):
                block = candidates[start : start + _EXACT_BLOCK]
                scores[start : start + block.size] = vectors[block] @ q
        out = []
        for w in wants:
            keep = slice(None) if w.mask is None else w.mask[candidates]
            out.append(_top(candidates[keep], scores[keep], w.depth))
        return out

    def _hit(self, row: int, score: float) -> Hit:
        kw = self.keyword
        return Hit(kw.voc_ids[row], kw.texts[row], round(float(score), 6), kw.meta(row))


def _picked(filters: VocFilters | None) -> bool:
    return filters is not None and filters.voc_ids is not None


def _top(candidates: np.ndarray, scores: np.ndarray, depth: int) -> Ranking:
    """Candidate rows ordered by descending score (ties by row), at most ``depth`` of them."""
    if candidates.size > depth:
        part = np.argpartition(-scores, depth - 1)[:depth]
        candidates, scores = candidates[part], scores[part]
    order = np.lexsort((candidates, -scores))
    return candidates[order], scores[order]


def _fuse(rankings: list[Ranking], weights: Sequence[float] | None = None) -> Ranking:
    """Reciprocal-rank fusion: score = sum over rankings of weight / (60 + rank)."""
    fused: dict[int, float] = {}
    for i, (rows, _) in enumerate(rankings):
        weight = weights[i] if weights else 1.0
        if weight <= 0:
            continue
        for rank, row in enumerate(rows.tolist(), start=1):
            fused[row] = fused.get(row, 0.0) + weight / (RRF_K + rank)
    ordered = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = np.array([r for r, _ in ordered], dtype=np.int64)
    return rows, np.array([s for _, s in ordered], dtype=np.float64)


def _reserve_other_language(
    rows: np.ndarray, scores: np.ndarray, other: np.ndarray, k: int, reserved: int
) -> Ranking:
    """Give the last ``reserved`` places of the top k to the best other-language texts.

    Only when none made it on their own: same-language texts are found by both BM25 and the
    vectors, so they fill the top of the fused list, and a Chinese question would otherwise show
    no English voice at all (e.g. "空调压缩机噪音" and English compressor complaints).
    """
    if not reserved or not other.size or np.isin(rows[:k], other).any():
        return rows, scores
    score_of = dict(zip(rows.tolist(), scores.tolist(), strict=True))
    # A reserved text not in the fused list scores as its own ranking would have it.
    for rank, row in enumerate(other[:reserved].tolist(), start=1):
        score_of.setdefault(row, 1.0 / (RRF_K + rank))
    chosen = rows[: k - reserved].tolist() + other[:reserved].tolist()
    return np.array(chosen, dtype=np.int64), np.array([score_of[r] for r in chosen])


def _check_model(meta: dict[str, Any], embedder: Embedder) -> None:
    model, dim = meta.get("model"), meta.get("dim")
    if model != embedder.name or int(dim or 0) != embedder.dim:
        raise IndexMismatchError(
            f"The VOC index was built with {model}/{dim}; re-index with "
            "`servicelens index --rebuild`."
        )


def _language(text: str) -> str:
    # The demo and importers tag texts "zh" or "en"; any Han character makes a query Chinese.
    return "zh" if _HAN.search(text) else "en"


def _yyyymmdd(d: date) -> int:
    return d.year * 10_000 + d.month * 100 + d.day


class VocReader(Protocol):
    """What answering needs from the feedback index (a ``VocIndex`` or a lazy stand-in)."""

    def search(
        self, query: str, *, filters: VocFilters | None = None, k: int = 8, mode: Mode = "hybrid"
    ) -> SearchResult: ...

    def values(self, column: str) -> list[str]: ...


class LazyVocIndex:
    """Opens the VOC index on first use (thread-safe), so questions answered from numbers alone
    never pay for loading Chroma or an embedding model."""

    def __init__(self, opener: Callable[[], VocIndex]) -> None:
        self._opener = opener
        self._index: VocIndex | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._index is not None

    def get(self) -> VocIndex:
        with self._lock:
            if self._index is None:
                self._index = self._opener()
            return self._index

    def search(
        self, query: str, *, filters: VocFilters | None = None, k: int = 8, mode: Mode = "hybrid"
    ) -> SearchResult:
        return self.get().search(query, filters=filters, k=k, mode=mode)

    def values(self, column: str) -> list[str]:
        return self.get().values(column)

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
            self._index = None


class ScopedVoc:
    """A feedback reader that sees only the records of a data scope: every search is limited to
    ``visible()`` — the ids the scoped warehouse returns from the feedback table, read on first
    use — on top of the caller's own filters, so no query or filter can reach another record."""

    def __init__(self, reader: VocReader, visible: Callable[[], frozenset[str]]) -> None:
        self._reader = reader
        self._visible = visible
        self._ids: frozenset[str] | None = None
        self._lock = threading.Lock()

    def ids(self) -> frozenset[str]:
        with self._lock:
            if self._ids is None:
                self._ids = self._visible()
            return self._ids

    def search(
        self, query: str, *, filters: VocFilters | None = None, k: int = 8, mode: Mode = "hybrid"
    ) -> SearchResult:
        given = filters or VocFilters()
        ids = self.ids() if given.voc_ids is None else self.ids() & given.voc_ids
        return self._reader.search(query, filters=replace(given, voc_ids=ids), k=k, mode=mode)

    def values(self, column: str) -> list[str]:
        # Distinct values among the visible records only, so a scoped caller's messages and
        # help never name a value (a model, a region) from outside the scope.
        found: set[str] = set()
        for value in self._reader.values(column):
            wanted: dict[str, Any] = {column: value}
            only = replace(VocFilters(voc_ids=self.ids()), **wanted)
            hits = self._reader.search("", filters=only, k=1, mode="keyword")
            if hits.total_matching:
                found.add(value)
        return sorted(found)

    def close(self) -> None:
        """The wrapped reader belongs to the unscoped workspace, which closes it."""

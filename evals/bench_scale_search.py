"""Hybrid search at scale against exact brute force, with recall@10 and where the time goes:
the search part of ``bench_scale``."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from ..data.voc_index import VocFilters, VocIndex, Want
from ..data.workspace import WorkspacePaths
from . import bench_data
from .bench_timing import Samples, ratio, rss_mb, summary, timed
from .bench_voc import QUERIES


def search_shapes() -> dict[str, VocFilters | None]:
    quarter = VocFilters(start=date(2026, 7, 1), end=date(2026, 10, 1))
    narrow = replace(quarter, region="East", product_line="Air Conditioners")
    return {"unfiltered": None, "filtered_quarter": quarter, "filtered_narrow": narrow}


def search_measures(ws: WorkspacePaths, repeats: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    index = bench_data.open_index(ws, seed=seed)
    out: dict[str, Any] = {"records": len(index), "open_s": round(time.perf_counter() - started, 2)}
    out["chroma_records"] = index.collection.count()
    out["rss_after_open_mb"] = rss_mb()
    for name, filters in search_shapes().items():
        out[name] = _search_shape(index, filters, repeats)
    index.close()
    bench_data.release_chroma()
    return out


def _search_shape(index: VocIndex, filters: VocFilters | None, repeats: int) -> dict[str, Any]:
    default_max = index.exact_max
    mask = index.mask(filters)
    matching = len(index) if mask is None else int(mask.sum())

    paths: set[tuple[str, ...]] = set()

    def run(mode: str, exact: bool) -> tuple[Samples, list[list[str]]]:
        index.exact_max = 10**12 if exact else default_max
        samples = Samples()
        tops: list[list[str]] = []
        for q in QUERIES:
            index.search(q, filters=filters, k=10, mode=mode)  # type: ignore[arg-type]
        for r in range(repeats):
            for q in QUERIES:
                wall, cpu = time.perf_counter(), time.process_time()
                res = index.search(q, filters=filters, k=10, mode=mode)  # type: ignore[arg-type]
                samples.append((time.perf_counter() - wall) * 1000)
                samples.cpu.append((time.process_time() - cpu) * 1000)
                if r == 0:
                    tops.append([h.voc_id for h in res.hits])
                    if not exact and mode == "hybrid":
                        paths.add(res.vector_paths)
        index.exact_max = default_max
        return samples, tops

    hybrid, hybrid_top = run("hybrid", exact=False)
    exact, exact_top = run("hybrid", exact=True)
    _, vector_top = run("vector", exact=False)
    _, vector_exact_top = run("vector", exact=True)
    return {
        "matching": matching,
        # How the query's and the other languages' vector rankings were found, over the queries.
        "vector_path": ", ".join(sorted("+".join(p) for p in paths)),
        "parts_p50_ms": _search_parts(index, filters, repeats),
        "hybrid": summary(hybrid),
        "exact_brute_force": summary(exact),
        "ratio_p50": ratio(statistics.median(hybrid), statistics.median(exact)),
        "hybrid_recall_at_10": _recall(hybrid_top, exact_top),
        "vector_recall_at_10": _recall(vector_top, vector_exact_top),
    }


def _search_parts(index: VocIndex, filters: VocFilters | None, repeats: int) -> dict[str, float]:
    """Where a hybrid search's time goes: the filter mask, BM25, and the vector rankings (the
    query's and that of texts in the languages the query is not written in, found together)."""
    mask = index.mask(filters)
    depth, k = 100, 10  # what ``search`` asks each retriever for at k=10

    def vector(q: str) -> object:
        others = index._other_language_mask(q, filters, mask)
        wants = [Want(mask, depth)] + ([] if others is None else [Want(others, k, depth)])
        return index.vector_rankings(q, wants, picked=bool(filters and filters.voc_ids is not None))

    parts: dict[str, Callable[[str], object]] = {
        "filter_mask": lambda q: index.mask(filters),
        "keyword": lambda q: index._keyword_ranking(q, mask, depth),
        "vector": vector,
    }
    out = {}
    for name, fn in parts.items():
        samples = timed(lambda fn=fn: [fn(q) for q in QUERIES], repeats)  # type: ignore[misc]
        out[name] = round(statistics.median(samples) / len(QUERIES), 3)
    return out


def _recall(found: list[list[str]], truth: list[list[str]]) -> float:
    scores = [len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True) if t]
    return round(statistics.mean(scores), 3) if scores else math.nan

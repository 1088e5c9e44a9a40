"""Search latency over the VOC index: medians and p95 for the shapes of search the agent runs.

Measured in-process on an already-open index (the embedding model loaded, jieba initialised), so
the figures are the per-call cost a running server pays. Each shape is warmed once, then timed
``repeats`` times per query over a fixed query list; the query vectors then come from the
embedding cache, so the model's own cost per new query is reported separately.
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

from ..agent.settings import load_settings
from ..agent.workspace import embedder_for
from ..data.voc_index import VocFilters, VocIndex

QUERIES = (
    "compressor noise at night",
    "空调压缩机噪音",
    "AC-X735",
    "waiting for spare parts",
    "客服电话没人接",
    "E4",
)


def open_index(home: Path | str) -> tuple[VocIndex, date]:
    """The workspace's VOC index with its configured embedder, and its pinned "today"."""
    settings = load_settings(home)
    embedder = embedder_for(settings)
    index = VocIndex.open(settings.paths, embedder, chroma_url=settings.chroma_url)
    return index, settings.today()


def _shapes() -> dict[str, tuple[str, VocFilters | None]]:
    q3 = VocFilters(start=date(2026, 7, 1), end=date(2026, 10, 1))
    narrow = VocFilters(
        region="East",
        product_line="Air Conditioners",
        start=date(2026, 7, 1),
        end=date(2026, 10, 1),
    )
    return {
        "hybrid": ("hybrid", None),
        "hybrid_filtered_quarter": ("hybrid", q3),
        "hybrid_filtered_narrow": ("hybrid", narrow),
        "vector": ("vector", None),
        "keyword": ("keyword", None),
    }


def _time(index: VocIndex, mode: str, filters: VocFilters | None, repeats: int) -> list[float]:
    for q in QUERIES:
        index.search(q, filters=filters, mode=mode)  # type: ignore[arg-type]
    samples = []
    for _ in range(repeats):
        for q in QUERIES:
            t = time.perf_counter()
            index.search(q, filters=filters, mode=mode)  # type: ignore[arg-type]
            samples.append((time.perf_counter() - t) * 1000)
    return samples


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def run_voc_bench(home: Path | str, *, repeats: int = 20) -> dict[str, Any]:
    index, _ = open_index(home)
    out: dict[str, Any] = {"records": len(index), "model": index.embedder.name}
    for name, (mode, filters) in _shapes().items():
        out[name] = _stats(_time(index, mode, filters, repeats))
    # The HNSW path (unfiltered neighbours, post-filtered), forced, for comparison with the
    # exact filtered path.
    index.exact_max = 0
    mode, filters = _shapes()["hybrid_filtered_narrow"]
    out["hybrid_filtered_narrow_via_chroma"] = _stats(_time(index, mode, filters, repeats))
    index.exact_max = 50_000
    out["query_embedding_uncached"] = _stats(_embed_times(index, repeats))
    out["budget_p50_ms"] = 30
    return out


def _embed_times(index: VocIndex, repeats: int) -> list[float]:
    # Repeated bench queries hit the embedding cache; a new question pays the model once.
    inner = getattr(index.embedder, "inner", index.embedder)
    samples = []
    for i in range(repeats):
        for q in QUERIES:
            t = time.perf_counter()
            inner.embed_query(f"{q} {i}")
            samples.append((time.perf_counter() - t) * 1000)
    return samples


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", required=True)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(run_voc_bench(args.home, repeats=args.repeats), indent=2))

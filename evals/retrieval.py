"""Retrieval quality on a labelled query set: nDCG@10 and recall@10 per retriever.

Relevance comes from ``evals/golden/retrieval.yaml``: per case, graded rules over the demo's true
topic labels (``voc_labels.csv``) and over codes held in the text; filters restrict both the search
and the relevant set. Recall@10 is capped recall (relevant found in the top 10, divided by
min(10, relevant)), because most topics have far more than 10 relevant records.

    python -m servicelens.evals.retrieval --home DIR
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..data.periods import parse_period
from ..data.voc_index import Mode, VocFilters, VocIndex
from ..data.workspace import WorkspacePaths
from .bench_voc import open_index

MODES: tuple[Mode, ...] = ("vector", "keyword", "hybrid")
MAX_GRADE = 3


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    query: str
    topics: dict[str, int] = field(default_factory=dict)
    contains: dict[str, int] = field(default_factory=dict)
    filters: dict[str, Any] = field(default_factory=dict)
    period: str | None = None


def load_cases(path: Path | None = None) -> tuple[list[Case], int]:
    if path is None:
        text = resources.files("servicelens.evals").joinpath("golden/retrieval.yaml").read_text()
    else:
        text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return [Case(**c) for c in data["cases"]], int(data.get("k", 10))


def _labels(ws: WorkspacePaths) -> dict[str, str]:
    with ws.voc_labels.open(encoding="utf-8") as fh:
        return {row["voc_id"]: row["topic"] for row in csv.DictReader(fh)}


def _code(code: str) -> re.Pattern[str]:
    # A whole token: "E4" must not match "E45" or "AE4".
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])", re.IGNORECASE)


def grades(case: Case, index: VocIndex, labels: dict[str, str], filters: VocFilters) -> np.ndarray:
    """The graded relevance of every record in the index for one case."""
    kw = index.keyword
    topic = np.array([labels.get(v, "") for v in kw.voc_ids], dtype=object)
    out = np.zeros(len(kw), dtype=np.int64)
    for name, grade in case.topics.items():
        out += grade * (topic == name)
    for code, grade in case.contains.items():
        pattern = _code(code)
        out += grade * np.array([bool(pattern.search(t)) for t in kw.texts])
    mask = index.mask(filters)
    if mask is not None:
        out[~mask] = 0
    return np.minimum(out, MAX_GRADE)


def ndcg(ranked_grades: list[int], all_grades: np.ndarray, k: int) -> float:
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ranked_grades[:k]))
    ideal = sorted(all_grades[all_grades > 0].tolist(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked_grades: list[int], all_grades: np.ndarray, k: int) -> float:
    relevant = int((all_grades > 0).sum())
    found = sum(1 for g in ranked_grades[:k] if g > 0)
    return found / min(k, relevant) if relevant else 0.0


def _filters(case: Case, as_of: Any) -> VocFilters:
    fields_: dict[str, Any] = dict(case.filters)
    if case.period:
        period = parse_period(case.period, as_of)
        fields_["start"], fields_["end"] = period.start, period.end
    return VocFilters(**fields_)


def evaluate(
    index: VocIndex, labels: dict[str, str], cases: list[Case], k: int, as_of: Any
) -> list[dict[str, Any]]:
    row_of = {v: i for i, v in enumerate(index.keyword.voc_ids)}
    rows = []
    for case in cases:
        filters = _filters(case, as_of)
        rel = grades(case, index, labels, filters)
        row: dict[str, Any] = {
            "id": case.id,
            "category": case.category,
            "relevant": int((rel > 0).sum()),
        }
        for mode in MODES:
            hits = index.search(case.query, filters=filters, k=k, mode=mode).hits
            got = [int(rel[row_of[h.voc_id]]) for h in hits]
            row[mode] = {
                "ndcg": round(ndcg(got, rel, k), 4),
                "recall": round(recall(got, rel, k), 4),
            }
        rows.append(row)
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over cases with at least one relevant record (others say nothing about ranking)."""
    scored = [r for r in rows if r["relevant"]]

    def mean(selected: list[dict[str, Any]], mode: str, metric: str) -> float:
        return round(float(np.mean([r[mode][metric] for r in selected])), 4)

    overall = {
        m: {"ndcg@10": mean(scored, m, "ndcg"), "recall@10": mean(scored, m, "recall")}
        for m in MODES
    }
    by_category = {}
    for cat in sorted({r["category"] for r in scored}):
        sel = [r for r in scored if r["category"] == cat]
        by_category[cat] = {m: mean(sel, m, "ndcg") for m in MODES} | {"queries": len(sel)}
    best_single = max(overall["vector"]["ndcg@10"], overall["keyword"]["ndcg@10"])
    return {
        "queries": len(scored),
        "skipped_no_relevant": [r["id"] for r in rows if not r["relevant"]],
        "overall": overall,
        "ndcg@10_by_category": by_category,
        "hybrid_at_least_both": overall["hybrid"]["ndcg@10"] >= best_single,
    }


def run_retrieval_eval(
    home: Path | str, *, repeats: int = 1, path: Path | None = None
) -> dict[str, Any]:
    # Retrieval is deterministic, so ``repeats`` (the bench command's option) is not used.
    index, as_of = open_index(home)
    cases, k = load_cases(path)
    rows = evaluate(index, _labels(WorkspacePaths(Path(home))), cases, k, as_of)
    return {
        **summarise(rows),
        "records": len(index),
        "model": index.embedder.name,
        "per_query": rows,
    }


def _print_table(result: dict[str, Any]) -> None:
    print(f"{result['queries']} queries over {result['records']} records ({result['model']})")
    print(f"{'':24}" + "".join(f"{m:>10}" for m in MODES))
    for metric in ("ndcg@10", "recall@10"):
        print(f"{metric:24}" + "".join(f"{result['overall'][m][metric]:>10.4f}" for m in MODES))
    for cat, scores in result["ndcg@10_by_category"].items():
        label = f"  nDCG {cat} ({scores['queries']})"
        print(f"{label:24}" + "".join(f"{scores[m]:>10.4f}" for m in MODES))
    if result["skipped_no_relevant"]:
        print(f"skipped (no relevant records): {', '.join(result['skipped_no_relevant'])}")


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Retrieval quality: vector, keyword, hybrid.")
    parser.add_argument("--home", required=True)
    parser.add_argument("--golden", type=Path, default=None)
    args = parser.parse_args()
    outcome = run_retrieval_eval(args.home, path=args.golden)
    _print_table(outcome)
    print(json.dumps({k: v for k, v in outcome.items() if k != "per_query"}, indent=2))

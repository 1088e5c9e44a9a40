"""How well discovered themes match a labelled dataset's categories: NMI and purity.

    python -m servicelens.evals.theme_discovery --dataset online_shopping_10_cats_zh [--sample N]
    python -m servicelens.evals.theme_discovery --dataset twcs_support_topics_xlsx [--first-flag]

Each export is ingested into a fresh temporary workspace exactly as a user would load it
(``ingest --text … --id …``), so themes come from the same code path: embedding, discovery and
enrichment in the VOC index pipeline. The themes written to ``voc.theme`` are then compared with
the true labels: NMI (arithmetic normalisation) and purity, with "other" counted as one more
cluster, plus each theme's top terms, size and most common true label. Embeddings are cached
(``--cache``), so a second run costs only the clustering.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from ..data.embeddings import CachedEmbedder, LocalE5Embedder
from ..data.ingest.pipeline import IngestOptions, ingest
from ..data.theme_set import load_theme_set
from ..data.workspace import WorkspacePaths
from .theme_datasets import DATASETS, DEFAULT_ROOT, DatasetMissing, LabelledExport, exports

DEFAULT_SAMPLE = 3_000
DEFAULT_CACHE = Path(".servicelens") / "cache" / "embeddings.sqlite"


@dataclass
class ExportScore:
    name: str
    sample: str
    records: int
    scored: int
    themes: int
    other_pct: float
    nmi: float
    purity: float
    discovery_seconds: float
    source: str
    top: list[dict[str, Any]] = field(default_factory=list)


def nmi(found: list[str], truth: list[str]) -> float:
    """Normalised mutual information, arithmetic mean of the two entropies (sklearn default)."""
    _, a = np.unique(found, return_inverse=True)
    _, b = np.unique(truth, return_inverse=True)
    joint = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(joint, (a, b), 1.0)
    joint /= len(found)
    pa, pb = joint.sum(axis=1), joint.sum(axis=0)
    nz = joint > 0
    mutual = float((joint[nz] * np.log(joint[nz] / np.outer(pa, pb)[nz])).sum())
    entropy = -float((pa * np.log(pa)).sum()) - float((pb * np.log(pb)).sum())
    return 2 * mutual / entropy if entropy > 0 else 1.0


def purity(found: list[str], truth: list[str]) -> float:
    """Share of records whose theme's most common true label is their own."""
    pairs = Counter(zip(found, truth, strict=True))
    best: dict[str, int] = {}
    for (theme, _), n in pairs.items():
        best[theme] = max(best.get(theme, 0), n)
    return sum(best.values()) / len(found)


def score_export(export: LabelledExport, home: Path, cache: Path) -> ExportScore:
    ws = WorkspacePaths(home)
    embedder = CachedEmbedder(LocalE5Embedder(), cache)
    options = IngestOptions(text=export.text, id=export.id)
    report = ingest(ws, [export.file], options, embedder=embedder)
    embedder.close()
    themes = _themes(ws)
    scored = [(themes[v], label) for v, label in export.labels.items() if v in themes]
    found, truth = [s[0] for s in scored], [s[1] for s in scored]
    theme_set = load_theme_set(ws)
    counts = Counter(themes.values())
    return ExportScore(
        name=export.name,
        sample=export.sample,
        records=len(themes),
        scored=len(scored),
        themes=len(theme_set.themes) - 1,
        other_pct=round(100.0 * counts.get("other", 0) / max(len(themes), 1), 1),
        nmi=round(nmi(found, truth), 3),
        purity=round(purity(found, truth), 3),
        discovery_seconds=float((report.index or {}).get("seconds", {}).get("themes", 0.0)),
        source=theme_set.describe(),
        top=_top(found, truth, theme_set.ids),
    )


def _themes(ws: WorkspacePaths) -> dict[str, str]:
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        return {str(v): str(t) for v, t in con.execute("SELECT voc_id, theme FROM voc").fetchall()}
    finally:
        con.close()


def _top(found: list[str], truth: list[str], order: list[str]) -> list[dict[str, Any]]:
    rows = []
    for theme in order:
        labels = Counter(t for f, t in zip(found, truth, strict=True) if f == theme)
        if labels:
            label, n = labels.most_common(1)[0]
            size = sum(labels.values())
            share = round(100 * n / size)
            rows.append({"theme": theme, "scored": size, "label": label, "label_pct": share})
    return rows


def render(scores: list[ExportScore]) -> str:
    lines = []
    for s in scores:
        lines.append(f"{s.name}: {s.sample}")
        lines.append(
            f"  {s.source}; {s.other_pct}% other; NMI {s.nmi:.3f}, purity {s.purity:.3f} "
            f"over {s.scored} labelled records; discovery {s.discovery_seconds:.2f} s"
        )
        lines += [
            f"  {t['scored']:>5}  {t['theme']:<28} {t['label']} {t['label_pct']}%" for t in s.top
        ]
    if len(scores) > 1:
        mean_nmi = sum(s.nmi for s in scores) / len(scores)
        mean_purity = sum(s.purity for s in scores) / len(scores)
        lines.append(f"Mean of {len(scores)}: NMI {mean_nmi:.3f}, purity {mean_purity:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m servicelens.evals.theme_discovery")
    parser.add_argument("--dataset", choices=DATASETS, required=True)
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help="Records to sample.")
    parser.add_argument("--seed", type=int, default=7, help="Sampling seed.")
    parser.add_argument("--first-flag", action="store_true", help="twcs: score the first flag.")
    parser.add_argument("--datasets", type=Path, default=DEFAULT_ROOT, help="Datasets folder.")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="Embedding cache.")
    parser.add_argument("--json", action="store_true", help="Print JSON.")
    args = parser.parse_args(argv)
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="theme-eval-") as tmp:
        work = Path(tmp)
        try:
            found = exports(
                args.dataset,
                args.datasets,
                work,
                args.sample,
                args.seed,
                first_flag=args.first_flag,
            )
        except DatasetMissing as exc:
            sys.stderr.write(f"{exc}\n")
            return 2
        scores = [score_export(e, work / f"ws{i}", args.cache) for i, e in enumerate(found)]
    if args.json:
        data = [asdict(s) for s in scores]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render(scores) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

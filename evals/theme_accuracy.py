"""Theme accuracy of enrichment against the demo generator's true topics.

    python -m servicelens.evals.theme_accuracy --home DIR [--json] [--variants]

Reads the themes ingest wrote into ``voc`` and the generator's labels (``voc_labels.csv``, demo
workspaces only), maps each true topic to the theme it should get, and reports accuracy overall
and per language, the most frequent confusions, and a sentiment sanity check (praise topics
should be mostly positive, complaint topics mostly negative). ``--variants`` re-scores the same
texts (embeddings from the workspace cache) under alternative theme-scoring settings, which is
how the defaults in ``ThemeScoring`` were chosen.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from ..data.enrich import Enricher, ThemeScoring
from ..data.workspace import WorkspacePaths

# What each demo topic should be labelled. Off-topic chatter, abuse and injection attempts are
# not service themes: "other" is right for them (hostile texts often also name a real problem,
# so either "other" or that problem's theme is accepted for them).
TOPIC_THEMES: dict[str, str] = {
    "compressor_noise": "noise",
    "noise_other": "noise",
    "leak": "leak",
    "not_cooling_heating": "performance",
    "installation_delay": "installation_delay",
    "parts_wait": "parts_wait",
    "repeat_visit": "repeat_visit",
    "engineer_attitude": "engineer_attitude",
    "engineer_praise": "engineer_praise",
    "no_answer": "no_response",
    "slow_response": "slow_response",
    "billing_dispute": "billing",
    "remote_fix_praise": "remote_fix_praise",
    "app_problem": "app_digital",
    "contract_renewal": "contract_renewal",
    "delivery_damage": "delivery_damage",
    "safety_hazard": "safety",
    "usage_question": "usage_question",
    "praise_general": "praise",
    "off_topic": "other",
    "hostile": "other",
    "prompt_injection": "other",
}
LENIENT_TOPICS = {"hostile"}
PRAISE_TOPICS = {"engineer_praise", "remote_fix_praise", "praise_general"}
NEUTRAL_TOPICS = {"usage_question", "contract_renewal", "off_topic", "prompt_injection"}


@dataclass
class Record:
    voc_id: str
    topic: str
    lang: str
    text: str
    theme: str
    sentiment: str


@dataclass
class ThemeReport:
    records: int = 0
    correct: int = 0
    by_lang: dict[str, list[int]] = field(default_factory=dict)  # lang -> [correct, total]
    by_topic: dict[str, list[int]] = field(default_factory=dict)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    sentiment: dict[str, Counter[str]] = field(default_factory=dict)  # topic group -> counts

    @property
    def accuracy(self) -> float:
        return self.correct / self.records if self.records else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "accuracy": round(self.accuracy, 4),
            "by_lang": {k: _ratio(*v) for k, v in sorted(self.by_lang.items())},
            "by_topic": {k: _ratio(*v) for k, v in sorted(self.by_topic.items())},
            "top_confusions": [
                {"topic": t, "got": g, "count": n} for (t, g), n in self.confusions.most_common(10)
            ],
            "sentiment": {k: dict(v) for k, v in self.sentiment.items()},
        }


def _ratio(correct: int, total: int) -> dict[str, Any]:
    return {"correct": correct, "total": total, "accuracy": round(correct / total, 4)}


def is_correct(topic: str, theme: str) -> bool:
    expected = TOPIC_THEMES.get(topic)
    if topic in LENIENT_TOPICS:
        return theme == expected or theme not in ("praise", "engineer_praise", "remote_fix_praise")
    return theme == expected


def load_records(ws: WorkspacePaths) -> list[Record]:
    if not ws.voc_labels.exists():
        raise SystemExit(f"No voc_labels.csv in {ws.home}: theme accuracy needs a demo workspace.")
    with ws.voc_labels.open(encoding="utf-8", newline="") as fh:
        labels = {row["voc_id"]: row for row in csv.DictReader(fh)}
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT voc_id, text, theme, sentiment FROM voc ORDER BY voc_id"
        ).fetchall()
    finally:
        con.close()
    return [
        Record(vid, labels[vid]["topic"], labels[vid]["lang"], text or "", theme, sentiment)
        for vid, text, theme, sentiment in rows
        if vid in labels and labels[vid]["topic"] in TOPIC_THEMES
    ]


def score(records: list[Record]) -> ThemeReport:
    report = ThemeReport()
    for r in records:
        ok = is_correct(r.topic, r.theme)
        report.records += 1
        report.correct += ok
        for bucket, key in ((report.by_lang, r.lang), (report.by_topic, r.topic)):
            counts = bucket.setdefault(key, [0, 0])
            counts[0] += ok
            counts[1] += 1
        if not ok:
            report.confusions[(r.topic, r.theme)] += 1
        group = _sentiment_group(r.topic)
        report.sentiment.setdefault(group, Counter())[r.sentiment] += 1
    return report


def _sentiment_group(topic: str) -> str:
    if topic in PRAISE_TOPICS:
        return "praise topics"
    return "neutral topics" if topic in NEUTRAL_TOPICS else "complaint topics"


VARIANTS: dict[str, ThemeScoring] = {
    "default": ThemeScoring(),
    "query exemplars": ThemeScoring(exemplar_kind="query"),
    "centroid only": ThemeScoring(nearest_weight=0.0),
    "nearest only": ThemeScoring(nearest_weight=1.0),
    "no cue bonus": ThemeScoring(cue_bonus=0.0),
    "cue bonus 0.06": ThemeScoring(cue_bonus=0.06),
    "no threshold": ThemeScoring(threshold=0.0),
    "threshold 0.84": ThemeScoring(threshold=0.84),
}


def variant_accuracies(ws: WorkspacePaths, records: list[Record]) -> dict[str, float]:
    """Accuracy of each scoring variant, re-scoring the stored texts (embeddings cached)."""
    from ..data.embeddings import CachedEmbedder, LocalE5Embedder

    embedder = CachedEmbedder(LocalE5Embedder(), ws.embedding_cache)
    texts = [r.text for r in records]
    vectors = embedder.embed_passages(texts)
    out = {}
    for name, scoring in VARIANTS.items():
        themes = Enricher(embedder, scoring=scoring).themes(texts, vectors)
        scored = score([replace(r, theme=t) for r, t in zip(records, themes, strict=True)])
        out[name] = round(scored.accuracy, 4)
    return out


def render(report: ThemeReport, variants: dict[str, float] | None) -> str:
    d = report.to_dict()
    lines = [f"Theme accuracy: {d['accuracy']:.1%} of {d['records']} labelled records"]
    for lang, v in d["by_lang"].items():
        lines.append(f"  {lang}: {v['accuracy']:.1%} ({v['correct']}/{v['total']})")
    lines.append("Per topic:")
    for topic, v in d["by_topic"].items():
        lines.append(f"  {topic:<22} {v['accuracy']:>6.1%} ({v['correct']}/{v['total']})")
    lines.append("Most frequent confusions (true topic -> theme given):")
    lines += [f"  {c['topic']} -> {c['got']}: {c['count']}" for c in d["top_confusions"]]
    lines.append("Sentiment by topic group:")
    lines += [f"  {group}: {counts}" for group, counts in d["sentiment"].items()]
    if variants:
        lines.append("Scoring variants (accuracy):")
        lines += [f"  {name:<18} {acc:.1%}" for name, acc in variants.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m servicelens.evals.theme_accuracy")
    parser.add_argument("--home", type=Path, required=True, help="A demo workspace.")
    parser.add_argument("--json", action="store_true", help="Print JSON.")
    parser.add_argument("--variants", action="store_true", help="Also score scoring variants.")
    args = parser.parse_args(argv)
    ws = WorkspacePaths(args.home)
    records = load_records(ws)
    report = score(records)
    variants = variant_accuracies(ws, records) if args.variants else None
    if args.json:
        sys.stdout.write(json.dumps({**report.to_dict(), "variants": variants}, indent=2) + "\n")
    else:
        sys.stdout.write(render(report, variants) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Labelled public datasets for measuring theme discovery (read where they lie, never copied in).

Each loader returns the file to ingest, the ingest options a user would give for it, and the true
label of each record by its VOC id. ``online_shopping_10_cats_zh`` (62,774 reviews) is too large
to embed whole on a small CPU, so a seeded sample, stratified by category, is written to a
temporary CSV first; each ``twcs_support_topics_xlsx`` company file is ingested as it is, and
scored on the tweets that carry a topic flag (exactly one by default, or the first one).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATASETS = ("online_shopping_10_cats_zh", "twcs_support_topics_xlsx")
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "shared" / "datasets"
TWCS_COMPANIES = ("AmazonHelp", "AppleSupport", "SpotifyCares")
_TWCS_META = {
    "Unnamed: 0", "main_tweet_id", "tweet_id", "in_response_to_tweet_id", "response_tweet_id",
    "created_at", "author_id", "inbound", "text", "company",
}  # fmt: skip


@dataclass(frozen=True)
class LabelledExport:
    name: str  # e.g. "online_shopping_10_cats_zh" or "twcs AppleSupport"
    file: Path
    text: str  # the --text column
    id: str  # the --id column
    labels: dict[str, str]  # voc_id -> true label (records without one are not scored)
    sample: str  # what was taken, in words


class DatasetMissing(Exception):
    """The dataset folder is not where it was looked for."""


def exports(
    name: str, root: Path, work: Path, sample: int, seed: int, *, first_flag: bool = False
) -> list[LabelledExport]:
    folder = root / name
    if not folder.is_dir():
        raise DatasetMissing(f"{folder} is not there; pass --datasets DIR.")
    if name == "online_shopping_10_cats_zh":
        return [_shopping(folder, work, sample, seed)]
    if name == "twcs_support_topics_xlsx":
        return [_twcs(folder, company, first_flag=first_flag) for company in TWCS_COMPANIES]
    raise DatasetMissing(f"Unknown dataset {name!r}; use one of {', '.join(DATASETS)}.")


def _shopping(folder: Path, work: Path, sample: int, seed: int) -> LabelledExport:
    with (folder / "online_shopping_10_cats.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["review"].strip()]
    by_cat: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_cat.setdefault(row["cat"], []).append(row)
    rng = random.Random(seed)
    per = max(1, sample // len(by_cat))
    picked = [r for c in sorted(by_cat) for r in rng.sample(by_cat[c], min(per, len(by_cat[c])))]
    target = work / "online_shopping_sample.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("id", "cat", "review"))
        for i, r in enumerate(picked):
            writer.writerow((f"r{i:05d}", r["cat"], r["review"].replace("\ufeff", "")))
    labels = {f"r{i:05d}": r["cat"] for i, r in enumerate(picked)}
    described = f"{len(picked)} reviews, {per} per category (seed {seed}), of {len(rows):,}"
    return LabelledExport("online_shopping_10_cats_zh", target, "review", "id", labels, described)


def _twcs(folder: Path, company: str, *, first_flag: bool) -> LabelledExport:
    path = folder / f"twcs-{company}-200-inbound.xlsx"
    labels = dict(_flags(path, first_flag))
    rule = "first topic flag" if first_flag else "exactly one topic flag"
    described = f"all 200 tweets clustered; {len(labels)} scored ({rule})"
    return LabelledExport(f"twcs {company}", path, "text", "tweet_id", labels, described)


def _flags(path: Path, first_flag: bool) -> Iterator[tuple[str, str]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows = book.active.iter_rows(values_only=True)
    # The first column is pandas' unnamed index (no header in the sheet): not a flag.
    head = ["" if h is None else str(h) for h in next(rows)]
    flags = [i for i, h in enumerate(head) if h and h not in _TWCS_META]
    tweet = head.index("tweet_id")
    for row in rows:
        on = [head[i] for i in flags if row[i] == 1]
        if on and (first_flag or len(on) == 1):
            yield str(row[tweet]), on[0]
    book.close()

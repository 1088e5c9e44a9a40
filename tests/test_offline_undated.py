"""An export with no dates at all (reviews with a category and a rating): the offline analyst
counts every record instead of refusing for want of a period it was never asked for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

CATEGORIES = ["books", "phones", "hotels", "fruit"]


def test_a_ranking_over_an_export_without_dates_counts_every_record(tmp_path: Path) -> None:
    rows = [(f"R{i:04d}", CATEGORIES[(i * i) % 4], "yes" if i % 3 else "no") for i in range(240)]
    export = tmp_path / "reviews.csv"
    lines = ["review_id,category,recommended", *(",".join(r) for r in rows)]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest(WorkspacePaths(tmp_path / "ws"), [export], IngestOptions(id="review_id"), index=False)
    counts = Counter(r[1] for r in rows)
    top, n = counts.most_common(1)[0]
    with Analyst.open(tmp_path / "ws", provider="offline", checkpointer=InMemorySaver()) as an:
        answer = an.ask("Which category has the most reviews?")
    assert answer.status == "answered", answer.text
    assert "no time column" not in answer.text
    assert f"{top}" in answer.text and f"{n}" in answer.text
    assert answer.reading is not None and "all data" in answer.reading.line

"""A review export rated by a bare 0/1 column, with no dates: the catalog learns from the text
which value is the good one, and the offline analyst answers "negative reviews", "差评率" and
shares by category from the export's own rating; a period or a trend is refused, said why.

Numbers are checked against counts computed here from the rows written, not from the analyst.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.agent.offline.narrative import fmt
from servicelens.data.catalog import load_catalog
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

GOOD = ["很好，非常满意，质量不错", "great product, very good, love it", "物流很快，好评，推荐"]
BAD = ["太差了，质量很差，失望", "terrible, broken and awful", "垃圾，差评，不推荐"]
# category -> (positive rows, negative rows): shares of negative 20%, 50%, 75%.
MIX = {"books": (40, 10), "hotels": (25, 25), "fruit": (10, 30)}
# A topic flag that leans no way: it must stay a plain yes/no column.
TOPIC_EVERY = 3


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for cat, (good, bad) in MIX.items():
        for i in range(good + bad):
            positive = i < good
            texts = GOOD if positive else BAD
            rows.append(
                {
                    "review_id": f"{cat}-{i}",
                    "category": cat,
                    "label": "1" if positive else "0",
                    "gift": "1" if i % TOPIC_EVERY == 0 else "0",
                    "review": f"{texts[i % len(texts)]} #{i}",
                }
            )
    return rows


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("polar")
    export = root / "shop_reviews.csv"
    rows = _rows()
    with export.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    options = IngestOptions(id="review_id", text="review")
    ingest(WorkspacePaths(root / "ws"), [export], options, index=False)
    return root / "ws"


@pytest.fixture(scope="module")
def analyst(home: Path) -> Iterator[Analyst]:
    with Analyst.open(home, provider="offline", checkpointer=InMemorySaver()) as an:
        yield an


def test_the_catalog_reads_the_bare_flag_as_the_reviews_sentiment(home: Path) -> None:
    cat = load_catalog(WorkspacePaths(home).catalog)
    label = cat.dimensions["label"]
    assert label.kind == "category"
    assert set(label.values or []) == {"positive", "negative"}
    assert label.resolve_value("差评") == "negative"
    assert label.resolve_value("good") == "positive"
    negative = cat.metrics["label_negative_rate"]
    assert negative.direction == "lower_is_better" and negative.spec.zh == "差评率"
    # A flag whose two sides read alike is not a sentiment label.
    assert cat.dimensions["gift"].kind == "boolean"
    assert "gift_negative_rate" not in cat.metrics
    # Reviews, by the file's name: "how many reviews" is the plain count.
    assert "review" in cat.metrics["shop_reviews_count"].spec.en.lower()


def test_negative_reviews_are_counted_from_the_export_label(analyst: Analyst) -> None:
    negative = sum(bad for _, bad in MIX.values())
    total = sum(good + bad for good, bad in MIX.values())
    answer = analyst.ask("一共有多少条评论？其中差评有多少条？")
    assert answer.status == "answered", answer.text
    assert fmt(negative) in answer.text and fmt(total) in answer.text
    assert answer.verified, answer.verification
    answer = analyst.ask("How many negative reviews are there in total?")
    assert fmt(negative) in answer.text


def test_the_category_with_the_highest_negative_share_leads(analyst: Analyst) -> None:
    shares = {c: 100 * bad / (good + bad) for c, (good, bad) in MIX.items()}
    top = max(shares, key=lambda c: shares[c])
    for question in (
        "Which category has the highest share of negative reviews?",
        "哪个类别的差评率最高？",
    ):
        answer = analyst.ask(question)
        assert answer.status == "answered", answer.text
        lead = answer.body.split("\n\n")[1]
        assert top in lead and "75" in lead, lead
    low = min(shares, key=lambda c: shares[c])
    answer = analyst.ask("哪个类别的差评比例最低？")
    assert low in answer.body.split("\n\n")[1] and "20" in answer.body


def test_a_grouped_share_also_gives_the_share_over_all_groups(analyst: Analyst) -> None:
    negative = sum(bad for _, bad in MIX.values())
    total = sum(good + bad for good, bad in MIX.values())
    answer = analyst.ask("Across all categories, what share of the reviews are negative?")
    overall = round(100 * negative / total, 1)
    assert f"{overall:g}%" in answer.text, answer.text
    assert f"{fmt(negative)} of {fmt(total)}" in answer.text


def test_a_trend_or_a_period_on_undated_reviews_says_there_are_no_dates(
    analyst: Analyst,
) -> None:
    asked = ("最近几个月差评率是在上升还是下降？", "How many negative reviews last quarter?")
    for question in asked:
        answer = analyst.ask(question)
        assert answer.status == "insufficient_data", answer.text
        assert "date" in answer.text or "日期" in answer.text


def test_a_least_group_size_keeps_small_groups_out_of_a_share_ranking(analyst: Analyst) -> None:
    """ "Among categories with at least 45 reviews": fruit (40) is left out, books lead, and the
    total is over the groups kept, said as such."""
    answer = analyst.ask(
        "Among categories with at least 45 reviews, which has the highest share of negative "
        "reviews?"
    )
    assert answer.status == "answered", answer.text
    lead = answer.body.split("\n\n")[1]
    assert "hotels" in lead and "50%" in lead, lead
    assert "fruit" not in answer.body
    assert "Over the groups shown: 35% (35 of 100)" in lead
    assert answer.reading is not None and "at least 45" in answer.reading.line


def test_a_ranking_limited_to_the_biggest_groups_ranks_only_them(analyst: Analyst) -> None:
    """ "Of our two biggest categories": the two with the most reviews (books, hotels) are
    ranked on the measure asked; the reading names the measure, not the sizing step."""
    answer = analyst.ask("Of our two biggest categories, which one has the highest negative share?")
    assert answer.status == "answered", answer.text
    lead = answer.body.split("\n\n")[1]
    assert "hotels" in lead and "50%" in lead, lead
    assert "fruit" not in answer.body
    assert answer.reading is not None and "Negative share" in answer.reading.line


def test_the_group_whose_reviews_mention_a_word_most_often(analyst: Analyst) -> None:
    """ "哪个类别的评论里最常提到失望": a count of the mentions by group, not the reviews' count."""
    disappointed = sum(
        1 for r in _rows() if "失望" in r["review"] and r["category"] == "fruit"
    )  # fmt: skip
    answer = analyst.ask("哪个类别的评论里最常提到失望？")
    assert answer.status == "answered", answer.text
    assert answer.reading is not None and "失望" in answer.reading.line
    assert "fruit" in answer.body and f"{disappointed} 条" in answer.body, answer.body


def test_complaints_about_a_word_count_its_mentions_not_every_review(analyst: Analyst) -> None:
    """ "Which category gets the most reviews about X": the records' noun, matched as the count,
    is the mention's object; the answer counts the mentions of X (in any case), never all."""
    answer = analyst.ask("Which category gets the most reviews about broken?")
    assert answer.reading is not None and "broken" in answer.reading.line, answer.reading
    broken = sum(1 for r in _rows() if "broken" in r["review"])
    assert f"{broken} of {len(_rows())}" in answer.body, answer.body


def test_a_category_s_share_of_the_negative_reviews_is_no_negative_rate(analyst: Analyst) -> None:
    # "所有差评里，hotels 占了多大比例": the hotels' part of the negative reviews; "多大比例" asks
    # how to measure, and is not the negative rate (100% among negative reviews).
    negative = sum(bad for _, bad in MIX.values())
    hotels = MIX["hotels"][1]
    answer = analyst.ask("所有差评里，hotels 占了多大比例？")
    assert answer.status == "answered", answer.text
    assert f"共 {fmt(negative)} 条记录，其中hotels {fmt(hotels)} 条" in answer.text, answer.text

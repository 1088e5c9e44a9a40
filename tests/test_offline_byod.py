"""The offline analyst on an ingested workspace: real car complaints, no demo catalog.

The real export is ingested once per module into a fresh workspace (skipped only when the file
is absent; it is never copied into the repository). The questions a new user asks first are
answered offline through the real graph, tools and verifier; every figure is compared with an
independent count over the CSV file itself, and every citation must resolve to a real row.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from agent_support import ask_offline, lead_of
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

pytestmark = pytest.mark.slow
CAR = (
    Path(__file__).resolve().parents[2] / "shared" / "datasets" / "car_complaints_zh"
    / "car_complaints.csv"
)  # fmt: skip


def _csv_rows() -> list[dict[str, str]]:
    with CAR.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def car_rows() -> list[dict[str, str]]:
    if not CAR.is_file():
        pytest.skip("car_complaints.csv is not available")
    return _csv_rows()


@pytest.fixture(scope="module")
def analyst(
    car_rows: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Analyst]:
    home = tmp_path_factory.mktemp("byod") / "ws"
    ingest(WorkspacePaths(home), [CAR], IngestOptions(text="desc", id="id"))
    # The offline analyst as every face makes it: over the workspace, with its looked-up values.
    with Analyst.open(home, provider="offline", checkpointer=InMemorySaver()) as an:
        yield an


ask = ask_offline


def _table_rows(text: str) -> dict[str, int]:
    """The first two cells of every Markdown table row: label → count."""
    rows = re.findall(r"^\| ([^|]+?) \| ([\d,]+) \|", text, flags=re.MULTILINE)
    return {label: int(n.replace(",", "")) for label, n in rows}


BRAND_QUESTIONS = ["哪些品牌投诉最多？", "Which brands have the most complaints?"]
STATUS_QUESTIONS = ["投诉按状态分布如何？", "How are complaints distributed by status?"]


@pytest.mark.parametrize("question", BRAND_QUESTIONS)
def test_brands_with_most_complaints_match_the_file(
    analyst: Analyst, car_rows: list[dict[str, str]], question: str
) -> None:
    answer = ask(analyst, question)
    assert answer.status == "answered", answer.text
    counts = Counter(r["brand"] for r in car_rows)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    shown = _table_rows(answer.text)
    assert all(shown.get(brand) == n for brand, n in top), (top, shown)
    first, n = top[0]
    lead = lead_of(answer.text)
    assert first in lead and str(n) in lead
    # The default period holds no data, so the answer says it covers every date instead.
    assert "2020-06-05" in answer.text and "2020-06-08" in answer.text
    assert [t.name for t in answer.trace].count("describe_data") == 1


@pytest.mark.parametrize("question", STATUS_QUESTIONS)
def test_complaints_by_status_match_the_file(
    analyst: Analyst, car_rows: list[dict[str, str]], question: str
) -> None:
    answer = ask(analyst, question)
    assert answer.status == "answered", answer.text
    assert _table_rows(answer.text) == dict(Counter(r["status"] for r in car_rows))
    assert sum(_table_rows(answer.text).values()) == len(car_rows)


def test_what_customers_say_about_a_defect_quotes_real_rows(
    analyst: Analyst, car_rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "客户怎么说变速箱顿挫？")
    assert answer.status == "answered", answer.text
    texts = {r["id"]: r["desc"] for r in car_rows}
    quoted = [c for c in answer.citations if c.kind == "voc"]
    assert len(quoted) >= 2
    for c in quoted:
        voc_id = c.id.removeprefix("V:")
        assert voc_id in texts
        assert f"[{c.id}]" in answer.text
    assert sum("变速箱" in texts[c.id.removeprefix("V:")] for c in quoted) >= 2


def test_a_named_period_outside_the_data_says_what_it_covers(analyst: Analyst) -> None:
    answer = ask(analyst, "2019年各品牌的投诉数量是多少？")
    assert answer.status == "insufficient_data", answer.text
    assert "2020-06-05" in answer.text and "2020-06-08" in answer.text
    assert not re.search(r"\|\s*\d", answer.text)  # no table of made-up figures


def test_out_of_scope_examples_come_from_this_catalog(analyst: Analyst) -> None:
    answer = ask(analyst, "明天上海天气怎么样？")
    assert answer.status == "refused"
    assert "投诉数量" in answer.text and "品牌" in answer.text
    assert not any(w in answer.text for w in ("一次修复率", "区域", "华东"))


def test_a_subject_the_catalog_lacks_is_insufficient_data(analyst: Analyst) -> None:
    answer = ask(analyst, "Which brand sold the most cars last year?")
    assert answer.status == "insufficient_data", answer.text
    assert "car complaints count" in answer.text.lower()


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("投诉最多的主题是什么？", "从反馈本身自动发现"),
        ("What are the top complaint themes?", "discovered"),
    ],
)
def test_themes_come_from_the_complaints_and_the_answer_says_so(
    analyst: Analyst, question: str, source: str
) -> None:
    answer = ask(analyst, question)
    assert answer.status == "answered" and source in answer.text
    # The default period (last quarter) holds none of these 2020 complaints: all dates instead.
    assert "2020-06-05" in answer.text


def test_a_count_with_a_value_the_catalog_does_not_list(
    analyst: Analyst, car_rows: list[dict[str, str]]
) -> None:
    # 75 brands are too many to list in the catalog; the value is looked up in the data.
    answer = ask(analyst, "一汽马自达一共被投诉了多少次？")
    n = sum(r["brand"] == "一汽马自达" for r in car_rows)
    assert answer.reading is not None and answer.reading.filters == ["一汽马自达"]
    assert f"{n} [" in answer.body and answer.status == "answered"


@pytest.mark.parametrize("brands", ["吉利汽车", "吉利"])
def test_what_one_brand_s_owners_say_is_counted_over_that_brand_alone(
    analyst: Analyst, car_rows: list[dict[str, str]], brands: str
) -> None:
    # "吉利" names 吉利汽车 and 吉利新能源 by part of their names: the feedback of either.
    answer = ask(analyst, f"{brands}的车主怎么说变速箱顿挫？")
    assert answer.status == "answered", answer.text
    owned = {r["id"] for r in car_rows if brands in r["brand"]}
    quoted = {c.id.removeprefix("V:") for c in answer.citations if c.kind == "voc"}
    assert quoted and quoted <= owned
    assert answer.reading is not None and brands in " ".join(answer.reading.filters)
    # The number said for the slice is the one the quotes were drawn from.
    search = next(c for c in answer.trace if c.name == "search_voc")
    matching = re.search(r"of ([\d,]+) records", search.summary or "")
    assert matching is not None, search.summary
    assert f"共有 {matching.group(1)} 条反馈" in answer.body


def test_a_count_of_complaints_mentioning_words_and_its_top_brand(
    analyst: Analyst, car_rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "涉及变速箱的投诉有多少条？哪个品牌最多？")
    hits = [r for r in car_rows if "变速箱" in r["desc"]]
    brand, n = Counter(r["brand"] for r in hits).most_common(1)[0]
    lead = lead_of(answer.text)
    assert f"{len(hits)} 条" in lead and f"{len(car_rows)} 条" in lead
    assert brand in answer.body and f"{n} 条" in answer.body
    # The default quarter holds none of these 2020 complaints: the date coverage, then two queries.
    assert [t.name for t in answer.trace] == ["describe_data", "run_sql", "run_sql"]


def test_the_share_of_records_with_a_value_is_a_cited_figure(
    analyst: Analyst, car_rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "目前有多少投诉已经走到“处理反馈”这一步了？占全部投诉的百分之几？")
    n = sum(r["status"] == "处理反馈" for r in car_rows)
    share = round(100 * n / len(car_rows), 1)
    assert f"{n} 条" in answer.body and f"{share:g}%" in answer.body


def test_how_many_different_values_a_dimension_holds(
    analyst: Analyst, car_rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "这份投诉数据一共有多少条？涉及多少个汽车品牌？")
    brands = len({r["brand"] for r in car_rows})
    assert f"{len(car_rows)} [" in answer.body and f"{brands} 个" in answer.body


def test_a_measure_the_data_does_not_hold_is_insufficient_data(analyst: Analyst) -> None:
    for question in (
        "车主对厂家处理结果的打分平均是多少分？",
        "What did the repairs cost on average?",
    ):
        answer = ask(analyst, question)
        assert answer.status == "insufficient_data", answer.text


def test_a_brand_named_by_part_of_its_name_shows_every_value_that_holds_it(
    analyst: Analyst, car_rows: list[dict[str, str]]
) -> None:
    # "奔驰" is inside two brand values (and many model names): the brands, side by side.
    answer = ask(analyst, "奔驰一共有多少条投诉？")
    counts = Counter(r["brand"] for r in car_rows if "奔驰" in r["brand"])
    assert len(counts) > 1
    assert _table_rows(answer.text) == dict(counts)


def test_feedback_is_filtered_by_a_grouping_of_the_records_it_was_written_in(
    analyst: Analyst, car_rows: list[dict[str, str]]
) -> None:
    # The brand is a column of the complaints table, not of the feedback: the themes and
    # quotes still cover only that brand's complaints, and the reading says so.
    answer = ask(analyst, "吉利汽车的车主都在抱怨些什么？")
    brand = [r for r in car_rows if r["brand"] == "吉利汽车" and r["desc"].strip()]
    assert answer.reading is not None and "吉利汽车" in answer.reading.filters
    # Complaints ("抱怨") are the negative feedback; counted here over the file's own ids.
    [[negative]] = analyst.sql(
        "SELECT count(*) FROM voc v JOIN car_complaints c ON v.voc_id = CAST(c.id AS VARCHAR) "
        "WHERE c.brand = '吉利汽车' AND v.sentiment = 'negative'"
    ).rows
    assert 0 < negative < len(brand)
    assert f"{negative} 条反馈" in answer.body
    quoted = {c.id.removeprefix("V:") for c in answer.citations if c.id.startswith("V:")}
    ids = {r["id"] for r in brand}
    assert quoted and quoted <= ids
    search = analyst.search("车机卡顿", where={"brand": "吉利汽车"})
    assert search.hits and {h.id.removeprefix("V:") for h in search.hits} <= ids
    assert search.total_matching == len(brand)


def test_which_of_a_brand_s_models_gather_its_complaints(
    analyst: Analyst, car_rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "吉利汽车的投诉主要集中在哪几款车上？")
    top, n = Counter(r["car_model"] for r in car_rows if r["brand"] == "吉利汽车").most_common(1)[0]
    r = answer.reading
    assert r is not None and r.group_by == ["车型"] and "吉利汽车" in r.filters
    assert top in lead_of(answer.body) and f"{n}" in lead_of(answer.body)


def test_the_grouping_after_which_wins_over_another_dimension_said_in_passing(
    analyst: Analyst,
) -> None:
    # "问题" is also a column of this export; the question groups by brand.
    answer = ask(analyst, "异响问题最集中的是哪个品牌？")
    assert answer.reading is not None and answer.reading.group_by == ["品牌"]


def test_a_grouping_the_export_lacks_is_not_read_as_a_near_name(analyst: Analyst) -> None:
    # 车身颜色 (body colour) resembles 车型 in meaning only through its modifier 车身; the data
    # has no colour, and the answer says so instead of ranking car models.
    answer = ask(analyst, "被投诉的这些车里，哪种车身颜色的最多？")
    assert answer.status == "insufficient_data", answer.text
    assert "车身颜色" in answer.text and not re.search(r"\|\s*\d", answer.text)
    # A near name sharing the head noun still reads as that grouping.
    series = ask(analyst, "哪个车系的投诉最多？")
    assert series.status == "answered" and series.reading is not None
    assert "车型" in series.reading.line

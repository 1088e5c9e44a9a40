"""Readings of questions about exports the test writes: the owner in a possessive is the grouping
("which district's messages"), waiting longest is a time (not the text's length), a value per
group over every date has no earlier period to compare with, the words after "about" end at a
verb ("about parking came from"), words in another script than the feedback's are said so, a way
the records came read as a value is no missing subject ("came in through the web during 2024"),
a value named by its first words in the plural ("credit cards"), and records counted by the words
of a theme discovered in the feedback rather than by one cluster of them.

Every expected figure is computed from the rows the test wrote, never from the analyst.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from agent_support import lead_of
from ingest_support import load_exports, offline_analyst
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.data.theme_set import load_theme_set
from servicelens.data.workspace import WorkspacePaths

pytestmark = pytest.mark.slow
FMT = "%Y-%m-%d %H:%M:%S"
START = datetime(2024, 1, 1, 8, 0)
DISTRICTS = ["东城区", "西城区", "南湖区", "北山县"]
CHANNELS = ["Web", "Phone", "Web", "App"]
TEXTS = ["小区停车位不够", "路灯坏了没人修", "噪音扰民", "垃圾清运不及时"]
TOPICS = ["网购商品质量问题", "物业管理", "市政设施"]


def _hotline() -> list[dict[str, str]]:
    rows = []
    for i in range(320):
        opened = START + timedelta(hours=13 * i)
        district = DISTRICTS[(i * 3 + i // 7) % 4]
        # Each district waits its own number of hours for a reply, give or take.
        hours = 20 + 15 * DISTRICTS.index(district) + (i % 9)
        rows.append(
            {
                "编号": f"M{i:04d}",
                "留言时间": opened.strftime(FMT),
                "所属区县": district,
                "渠道": CHANNELS[(i + i // 5) % 4],
                "诉求类别": TOPICS[(i * 7 + i // 2) % 3],
                "满意度": ("满意", "基本满意", "不满意")[(i + i // 3) % 3],
                "留言详情": f"{TEXTS[(i * 5 + i // 3) % 4]}，请尽快处理（{i}）",
                "答复时间": (opened + timedelta(hours=hours)).strftime(FMT),
            }
        )
    return rows


@pytest.fixture(scope="module")
def hotline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, list[dict]]]:
    rows = _hotline()
    folder = tmp_path_factory.mktemp("owners")
    with offline_analyst(
        folder, rows, file="hotline.csv", as_of="2024-07-01", id="编号", text="留言详情"
    ) as an:
        yield an, rows


def _waits(rows: list[dict[str, str]]) -> dict[str, float]:
    hours: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        opened = datetime.strptime(r["留言时间"], FMT)
        replied = datetime.strptime(r["答复时间"], FMT)
        hours[r["所属区县"]].append((replied - opened).total_seconds() / 3600)
    return {d: sum(h) / len(h) for d, h in hours.items()}


def test_the_owner_in_a_possessive_is_the_grouping_and_waiting_is_a_time(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = hotline
    waits = _waits(rows)
    slowest = max(waits, key=lambda d: waits[d])
    for question in (
        "Which district's messages got the slowest reply on average?",
        "Which district’s residents waited longest for a reply?",
        "Which district's residents wait the longest on average for an answer?",
    ):
        answer = an.ask(question)
        assert answer.status == "answered", answer.text
        line = answer.reading.line if answer.reading else ""
        assert "by district" in line and "length" not in line, (question, line)
        lead = lead_of(answer.text)
        assert slowest in lead and f"{round(waits[slowest], 1):g}" in lead, (question, lead)


def test_a_value_per_group_over_every_date_is_not_compared_with_an_empty_earlier_period(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = hotline
    waits = _waits(rows)
    answer = an.ask("各区县的平均答复时长是多少天？")
    assert answer.status == "answered", answer.text
    line = answer.reading.line if answer.reading else ""
    assert "对比" not in line, line
    assert "无数据" not in answer.text and "n/a" not in answer.text, answer.text
    slowest = max(waits, key=lambda d: waits[d])
    assert slowest in lead_of(answer.text), answer.text


def test_words_after_about_end_at_a_verb_and_another_script_is_said(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, _ = hotline
    answer = an.ask("How many messages about parking came from 东城区 last quarter?")
    line = answer.reading.line if answer.reading else ""
    assert "“parking”" in line and "came" not in line, line
    # The feedback is written in Chinese: no count of an English word is given as a finding.
    assert answer.status == "partial", answer.text
    assert "written in Chinese" in answer.text, answer.text
    # The same words in the feedback's own language are counted.
    n = sum("停车" in r["留言详情"] for r in _hotline() if r["所属区县"] == "东城区"
            and r["留言时间"] >= "2024-04-01" and r["留言时间"] < "2024-07-01")  # fmt: skip
    text = an.ask("上个季度东城区提到停车的留言有多少条？").text
    assert f"其中提到“停车”的有 {n} 条" in text, text


def test_a_way_the_records_came_read_as_a_value_is_no_missing_subject(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = hotline
    answer = an.ask("Month by month, how many messages came in through the web during 2024?")
    assert answer.status == "answered", answer.text
    by_month = Counter(r["留言时间"][:7] for r in rows if r["渠道"] == "Web")
    for month in ("2024-01", "2024-02", "2024-03"):
        assert f"| {month} | {by_month[month]} |" in answer.text, (month, answer.text)


RESPONSES = [
    "Closed with explanation", "In progress", "Closed with monetary relief",
    "Closed with non-monetary relief",
]  # fmt: skip
NARRATIVES = [
    "They keep calling me with a robocall every day", "I was charged a late fee twice",
    "My payment was not applied", "The collector sent a robocall at night",
]  # fmt: skip
PRODUCTS = {
    "Credit card or prepaid card": ["General-purpose credit card", "Store credit card"],
    "Debt collection": ["Credit card debt", "Medical debt"],
    "Credit reporting, credit repair services, or other personal consumer reports": [
        "Credit reporting", "Credit repair services",
    ],
}  # fmt: skip


def _complaints() -> list[dict[str, str]]:
    names = list(PRODUCTS)
    rows = []
    for i in range(180):
        product = names[(i * 7 + i // 4) % 3]
        subs = PRODUCTS[product]
        # The credit cards' first sub-product is named twice as often as the other.
        sub = subs[0] if (i // 5) % 3 else subs[1]
        rows.append(
            {"complaint_id": str(1000 + i), "date_received": f"2024-0{1 + i % 6}-1{i % 9}",
             "product": product, "sub_product": sub, "state": ("CA", "TX", "NY")[i % 3],
             "submitted_via": ("Phone", "Web", "Web", "Email")[(i + i // 4) % 4],
             "company_response": RESPONSES[(i * 3 + i // 5) % 4],
             "consumer_disputed": ("True", "False", "False")[(i + i // 7) % 3],
             "narrative": NARRATIVES[(i * 5 + i // 3) % 4]}
        )  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def complaints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Analyst]:
    folder = tmp_path_factory.mktemp("first_words")
    with offline_analyst(
        folder,
        _complaints(),
        file="complaints.csv",
        as_of="2025-01-02",
        id="complaint_id",
        text="narrative",
    ) as an:
        yield an


def test_a_value_named_by_its_first_words_in_the_plural(complaints: Analyst) -> None:
    rows, names = _complaints(), list(PRODUCTS)
    answer = complaints.ask("Which sub-product within credit cards draws the most complaints?")
    assert answer.status == "answered", answer.text
    line = answer.reading.line if answer.reading else ""
    assert "Credit card or prepaid card" in line and "Credit card debt" not in line, line
    cards = Counter(r["sub_product"] for r in rows if r["product"] == names[0])
    top, n = cards.most_common(1)[0]
    lead = lead_of(answer.text)
    assert top in lead and f": {n}" in lead, lead


def test_waits_and_hand_offs_are_said_missing_where_nothing_records_them(
    complaints: Analyst,
) -> None:
    # The export dates each complaint once: no reply, no resolution, no time between them.
    for question in (
        "Which state's consumers waited longest for a response?",
        "哪个州处理投诉最快？",
        # Nor is anything recorded of complaints passed between teams.
        "How many complaints were passed from one department to another, and how many "
        "hand-offs did a complaint go through on average?",
    ):
        answer = complaints.ask(question)
        assert answer.status == "insufficient_data", (question, answer.text)
        assert not re.search(r"\|\s*\d", answer.text), answer.text  # no figures in its place


TITLES = (
    "发动机异响严重", "变速箱顿挫明显", "刹车异响很大", "车机经常卡顿死机", "天窗漏水",
    "底盘异响", "空调不制冷",
)  # fmt: skip


def test_records_are_counted_by_a_discovered_theme_s_words_not_one_cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    rows = [
        {"id": str(i), "filed": f"2020-06-0{1 + i % 8}", "brand": "甲乙丙丁"[(i * 5 + i // 3) % 4],
         "title": f"{TITLES[(i * 3 + i // 4) % 7]}，第{i}条"}
        for i in range(210)
    ]  # fmt: skip
    folder = tmp_path_factory.mktemp("theme_words")
    home = load_exports(folder, {"complaints.csv": rows}, index=True, id="id", text="title")
    themes = load_theme_set(WorkspacePaths(home))
    # The word is the name of more than one discovered cluster (engine, chassis, brakes).
    assert themes.source.kind == "discovered"
    assert sum("异响" in t.id for t in themes.themes) >= 2, [t.id for t in themes.themes]
    with Analyst.open(
        home, provider="offline", checkpointer=InMemorySaver(), as_of="2020-06-09"
    ) as an:
        answer = an.ask("异响问题最集中的是哪个品牌？")
        # A word of a cluster said as an ordinary word ("严重" of 异响 · 严重 · 发动机) is no
        # trouble to count in the text.
        plain = an.ask("投诉最严重的是哪个品牌？")
    assert answer.status == "answered", answer.text
    said = [r for r in rows if "异响" in r["title"]]
    by_brand = Counter(r["brand"] for r in said)
    (top, n), second = by_brand.most_common(1)[0], by_brand.most_common(2)[1][1]
    assert n > second
    assert f"其中提到“异响”的有 {len(said)} 条" in answer.text, answer.text
    assert f"提到“异响”最多的是{top}：{n} 条" in answer.text, answer.text
    assert any("严重" in t.id for t in themes.themes), [t.id for t in themes.themes]
    assert plain.reading is not None and "严重" not in plain.reading.line, plain.text


def test_the_weekend_and_the_working_days_are_set_side_by_side(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = hotline

    def days(weekend: bool) -> float:
        kept = [
            r for r in rows
            if (datetime.strptime(r["留言时间"], FMT).weekday() >= 5) == weekend
        ]  # fmt: skip
        return sum(
            (datetime.strptime(r["答复时间"], FMT) - datetime.strptime(r["留言时间"], FMT))
            .total_seconds() / 86400 for r in kept
        ) / len(kept)  # fmt: skip

    for question in (
        "周末（周六、周日）提交的留言和工作日提交的留言，平均各用了多少天得到答复？",
        "Do messages sent at the weekend get a reply faster or slower than ones sent Monday to "
        "Friday? Give me both averages.",
    ):
        answer = an.ask(question)
        assert answer.status == "answered", answer.text
        for weekend in (True, False):
            hours = f"{round(days(weekend) * 24, 1):g}"
            assert hours in answer.text, (question, weekend, hours, answer.text)
    # The weekend alone is still read as Saturday and Sunday's records.
    n = sum(1 for r in rows if datetime.strptime(r["留言时间"], FMT).weekday() >= 5)
    text = an.ask("How many messages came in at the weekend?").text
    assert f"was {n} " in text, text


def test_english_words_glossing_a_bracketed_value_name_no_other_value(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = hotline
    answer = an.ask(
        "Are complaints about poor-quality online purchases (网购商品质量问题) growing? "
        "Give me the number for each quarter, from Q1 2024 up to last quarter."
    )
    assert answer.status == "answered", answer.text
    line = answer.reading.line if answer.reading else ""
    # "poor-quality" glosses the value in brackets; it is not the rating 不满意.
    assert "网购商品质量问题" in line and "不满意" not in line, line
    for quarter, months in (("2024-Q1", ("01", "02", "03")), ("2024-Q2", ("04", "05", "06"))):
        n = sum(
            1 for r in rows
            if r["诉求类别"] == "网购商品质量问题" and r["留言时间"][5:7] in months
        )  # fmt: skip
        assert f"| {quarter} | {n} |" in answer.text, (quarter, n, answer.text)


TITLES_BY_KIND = ("车门漆面起泡", "发动机异响", "漆面划痕", "刹车失灵")
BRANDS = ["一汽马自达", "一汽-大众", "东风本田", "广汽本田", "宝马（进口）", "奥迪（进口）"]


@pytest.fixture(scope="module")
def brands(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, list[dict]]]:
    rows = [
        {"id": str(i), "date": f"2020-06-0{1 + i % 8}", "brand": BRANDS[(i * 5 + i // 7) % 6],
         "status": ("信息审核", "处理反馈")[(i // 3) % 2], "problem": f"H{10 + i % 5}",
         "title": TITLES_BY_KIND[(i + i // 4) % 4] + f"第{i}条"}
        for i in range(150)
    ]  # fmt: skip
    folder = tmp_path_factory.mktemp("holding")
    with offline_analyst(folder, rows, id="id", text="title", as_of="2020-06-09") as an:
        yield an, rows


def test_values_whose_names_hold_a_word_are_kept_or_set_aside(
    brands: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = brands
    rest = sum(1 for r in rows if "一汽" not in r["brand"])
    text = an.ask(
        "品牌名里带“一汽”的（一汽马自达、一汽-大众这些）先不算，其余品牌一共被投诉了多少条？"
        "占全部投诉的多少？"
    ).text
    assert f"共 {len(rows)} 条记录，其中品牌不含“一汽” {rest} 条" in text, text
    assert f"{round(100 * rest / len(rows), 1):g}%" in text, text
    # Set aside by the negation words every value shares ("other than").
    text = an.ask("How many complaints are there other than brands whose names contain 一汽?").text
    assert f"was {rest} " in text, text
    imported = sum(1 for r in rows if "进口" in r["brand"])
    text = an.ask("品牌名里带“进口”的投诉有多少条？").text
    assert f"投诉数量为 {imported} " in text or f"为 {imported} [" in text, text


def test_groups_named_side_by_side_get_the_share_of_a_yes_no_column_named_by_its_word(
    complaints: Analyst,
) -> None:
    rows = _complaints()
    answer = complaints.ask("What share of CA complaints and of TX complaints were disputed?")
    assert answer.status == "answered", answer.text
    for state in ("CA", "TX"):
        own = [r for r in rows if r["state"] == state]
        share = 100 * sum(r["consumer_disputed"] == "True" for r in own) / len(own)
        assert f"{round(share, 1):g}%" in answer.text, (state, share, answer.text)


def test_values_listed_after_a_comma_are_set_aside_together(complaints: Analyst) -> None:
    rows = _complaints()
    usual = ("Closed with explanation", "In progress")
    n = sum(1 for r in rows if r["company_response"] not in usual)
    text = complaints.ask(
        "Apart from the two usual responses, Closed with explanation and In progress, how many "
        "complaints got some other company response?"
    ).text
    assert f"was {n} " in text, text


def test_a_value_said_as_the_end_of_the_words_mentioned_is_part_of_them(
    complaints: Analyst,
) -> None:
    rows = _complaints()
    n = sum("robocall" in r["narrative"] for r in rows)
    answer = complaints.ask("叙述里提到自动语音催收电话（robocall）的投诉有多少条？")
    line = answer.reading.line if answer.reading else ""
    assert "Phone" not in line and "robocall" in line, line
    assert f"的有 {n} 条" in answer.text, answer.text


def test_a_share_of_all_records_from_two_values_adds_them_up(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = hotline
    n = sum(1 for r in rows if r["所属区县"] in ("东城区", "西城区"))
    for question in (
        "What share of all our messages come from 东城区 and 西城区?",
        "东城区和西城区的留言占全部留言的多少？",
    ):
        text = an.ask(question).text
        assert f"{n} " in text and f"{round(100 * n / len(rows), 1):g}%" in text, text


def test_a_column_name_ending_a_compound_of_the_question_s_words_splits_nothing(
    brands: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = brands
    paint = [r for r in rows if "漆" in r["title"]]
    review = sum(1 for r in paint if r["status"] == "信息审核")
    text = an.ask(
        "标题里说到漆面问题的投诉（标题带“漆”字就算）有几条？其中还停在信息审核的有几条？"
    ).text
    assert f"提到“漆”的反馈共 {len(paint)} 条，其中信息审核 {review} 条" in text, text


def test_a_weekend_named_by_its_few_days_filters_no_day_kind(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = hotline
    n = sum(1 for r in rows if "2024-03-01" <= r["留言时间"][:10] <= "2024-03-04")
    weekend = sum(1 for r in rows if "2024-03-02" <= r["留言时间"][:10] <= "2024-03-03")
    assert n > weekend
    answer = an.ask(
        "Over the long weekend - Friday Mar 1 through Monday Mar 4, 2024 - how many messages "
        "came in?"
    )
    line = answer.reading.line if answer.reading else ""
    assert "Weekend" not in line, line
    assert f"was {n} " in answer.text, answer.text


def test_records_mentioning_words_set_aside_leave_the_rest_counted(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    # "不算反映停车位的，还剩几条", "not counting those that mention 停车位": the category's
    # records that do not mention the words, not those that do.
    an, rows = hotline
    kind = [r for r in rows if r["诉求类别"] == "物业管理"]
    rest = sum("停车位" not in r["留言详情"] for r in kind)
    assert 0 < rest < len(kind)
    text = an.ask("物业管理类的留言有多少条？不算反映停车位的，还剩几条？").text
    assert f"共有 {len(kind)} 条记录，其中没有提到“停车位”的有 {rest} 条" in text, text
    text = an.ask(
        "How many messages were about 物业管理, not counting those that mention 停车位?"
    ).text
    assert f"{rest} of {len(kind)} records for 物业管理 do not mention “停车位”" in text, text


def test_a_value_s_share_for_groups_named_side_by_side_is_of_those_groups_only(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    # "东城区 and 西城区 - what share of each one's messages were rated 不满意": the two
    # districts named, each with its share, and the share over the two — not every district.
    an, rows = hotline
    named = ["东城区", "西城区"]
    text = an.ask("东城区 and 西城区 - what share of each one's messages were rated 不满意?").text
    for district in named:
        own = [r for r in rows if r["所属区县"] == district]
        bad = sum(r["满意度"] == "不满意" for r in own)
        assert f"| {district} | {bad} | {len(own)} |" in text, (district, text)
    for other in set(DISTRICTS) - set(named):
        assert f"| {other} |" not in text, text
    both = [r for r in rows if r["所属区县"] in named]
    bad = sum(r["满意度"] == "不满意" for r in both)
    assert f"({bad} of {len(both)})" in text, text


def test_a_value_named_by_the_words_that_end_it(complaints: Analyst) -> None:
    # "ended in monetary relief": Closed with monetary relief — not "…non-monetary relief",
    # whose hyphened word is one word — and the other by its own ending.
    rows = _complaints()
    for said, value in (
        ("monetary relief", "Closed with monetary relief"),
        ("non-monetary relief", "Closed with non-monetary relief"),
    ):
        n = sum(r["company_response"] == value for r in rows)
        answer = complaints.ask(f"How many complaints ended in {said} in the first half of 2024?")
        line = answer.reading.line if answer.reading else ""
        assert f"· {value} ·" in line, (said, line)
        assert f"was {n} in" in answer.body, (said, n, answer.body)


def test_two_values_joined_by_or_are_one_part_beside_values_compared(
    complaints: Analyst,
) -> None:
    # "CA vs TX: what share … closed with monetary relief or non-monetary relief": the second
    # value is named by its ending; the two are either of one part, the states side by side.
    rows = _complaints()
    relief = {"Closed with monetary relief", "Closed with non-monetary relief"}
    answer = complaints.ask(
        "CA vs TX: what share of complaints were closed with monetary relief or non-monetary "
        "relief? Which is higher?"
    )
    for state in ("CA", "TX"):
        mine = [r for r in rows if r["state"] == state]
        part = sum(r["company_response"] in relief for r in mine)
        assert f"| {state} | {part} | {len(mine)} |" in answer.text, (state, answer.text)
    line = answer.reading.line if answer.reading else ""
    assert "monetary relief or Closed with non-monetary relief" in line, line


def test_an_average_per_group_said_by_its_measure_word_is_of_the_grouping_named(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    # "有留言的区县，平均每个挨了几条留言": the measure word stands for the districts named
    # before it — the records per district — not a measure the data lacks.
    an, rows = hotline
    per = f"{round(len(rows) / len(DISTRICTS), 2):g}"
    text = an.ask("有留言的所属区县，平均每个挨了几条留言？").text
    assert f"平均每个所属区县 {per} 条记录" in text, text


def test_which_quarter_ranks_the_quarters_and_a_peak_month_of_the_records_is_asked_of_data(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    # "Which quarter … the most": quarters, not months; "the most messages" with no name of
    # the catalog said is still a ranking of the data's own periods, not off topic.
    an, rows = hotline
    east = [r for r in rows if r["所属区县"] == "东城区"]
    text = an.ask(
        "For 东城区, which quarter of this year brought in the most messages, and how many?"
    ).text
    for quarter, months in (("Q1", ("01", "02", "03")), ("Q2", ("04", "05", "06"))):
        n = sum(r["留言时间"][5:7] in months for r in east)
        assert f"| 2024-{quarter} | {n} |" in text, (quarter, n, text)
    answer = an.ask("Which month of 2024 had the most messages?")
    by_month = Counter(r["留言时间"][:7] for r in rows)
    peak, n = by_month.most_common(1)[0]
    assert answer.status == "answered", answer.text
    assert f"| {peak} | {n} |" in answer.text, answer.text
    off = an.ask("Which week had the most rain in London?")
    assert off.status != "answered" or "rain" in off.text.lower(), off.text


def test_months_said_one_by_one_are_each_counted(
    hotline: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = hotline
    text = an.ask("How many messages came in in January, in February, and in March?").text
    for m in ("01", "02", "03"):
        n = sum(r["留言时间"].startswith(f"2024-{m}") for r in rows)
        assert f"| 2024-{m} | {n} |" in text, (m, n, text)


def test_the_group_that_grew_fastest_relative_to_where_it_was_is_said(
    complaints: Analyst,
) -> None:
    # "in percentage terms": beside the largest rise in count, the largest relative to where
    # each group was.
    rows = _complaints()
    q1 = Counter(r["sub_product"] for r in rows if r["date_received"][5:7] in ("01", "02", "03"))
    q2 = Counter(r["sub_product"] for r in rows if r["date_received"][5:7] in ("04", "05", "06"))
    growth = {p: (q2[p] - q1[p]) / q1[p] for p in q1 if q1[p] and q2[p] > q1[p]}
    assert growth, (q1, q2)
    top = max(growth, key=lambda p: growth[p])
    answer = complaints.ask(
        "Which sub-product's complaints grew fastest in percentage terms in Q2 2024 compared "
        "with Q1 2024?"
    )
    pct = f"+{100 * growth[top]:.1f}".rstrip("0").rstrip(".") + "%"
    said = f"the largest rise was in {top}: from {q1[top]} to {q2[top]} ({pct})"
    assert said in answer.body, (said, answer.body)


def test_an_english_name_of_a_chinese_value_and_the_rated_whole_said_after(
    tmp_path: Path,
) -> None:
    # "labour and social security" names 劳动和社会保障; "Jiangbei's (江北区)" glosses the
    # district read; "a share of that group's rated messages" is of those with a rating.
    cats = ["劳动和社会保障", "城乡建设", "交通运输"]
    rows = [
        {"编号": f"H{i:03d}", "留言时间": f"2023-{1 + i % 12:02d}-1{i % 9} 09:00:00",
         "所属区县": ("江北区", "城东区")[i % 2], "一级分类": cats[(i // 2) % 3],
         "满意度": ("满意", "不满意", "", "基本满意", "不满意")[(i // 6) % 5],
         "留言详情": f"请尽快处理（{i}）"}
        for i in range(180)
    ]  # fmt: skip
    mine = [r for r in rows if r["所属区县"] == "江北区" and r["一级分类"] == "劳动和社会保障"]
    bad = sum(r["满意度"] == "不满意" for r in mine)
    rated = sum(bool(r["满意度"]) for r in mine)
    assert rated < len(mine)
    with offline_analyst(
        tmp_path, rows, file="hotline.csv", as_of="2024-07-01", id="编号", text="留言详情"
    ) as an:
        answer = an.ask(
            "Last year, how many of Jiangbei's (江北区) labour and social security messages got "
            "a 不满意 rating? What share of that group's rated messages is that?"
        )
    assert f"{bad} of {rated} records" in answer.body, answer.text
    assert "Jiangbei" not in answer.text.replace(answer.question, ""), answer.text


def test_chinese_names_of_english_values_leave_a_generic_last_word_unsaid(
    tmp_path: Path,
) -> None:
    # "联邦学生贷款和私人学生贷款": Federal student loan servicing (its "servicing" unsaid) and
    # Private student loan, side by side.
    subs = [
        "Federal student loan servicing",
        "Private student loan",
        "Federal student loan servicing",
        "Other",
    ]
    rows = [
        {"complaint_id": str(5000 + i), "date_received": f"2024-0{1 + i % 6}-1{i % 9}",
         "sub_product": subs[i % 4], "consumer_disputed": ("True", "False", "False")[(i // 4) % 3],
         "narrative": "The servicer did not respond"}
        for i in range(120)
    ]  # fmt: skip
    with offline_analyst(
        tmp_path, rows, file="complaints.csv", as_of="2025-01-02", id="complaint_id",
        text="narrative",
    ) as an:  # fmt: skip
        answer = an.ask(
            "联邦学生贷款和私人学生贷款相比，哪一类被消费者提出异议（disputed）的比例更高？各是多少？"
        )
    for sub in ("Federal student loan servicing", "Private student loan"):
        mine = [r for r in rows if r["sub_product"] == sub]
        rate = 100 * sum(r["consumer_disputed"] == "True" for r in mine) / len(mine)
        shown = f"{rate:.1f}".rstrip("0").rstrip(".")
        assert f"| {sub} | {shown}% |" in answer.text, (sub, shown, answer.text)

"""Words said beside what the reading took, over exports the test writes:

- words said inside many subject lines ("噪音扰民" of "小区噪音扰民", "道路噪音扰民"…), the text
  never saying them, are the records whose subject holds them; English words glossing them
  ("false advertising (商家虚假宣传)") name no subject the data lacks;
- a subject said in other words that begin as a value does ("幼儿园收费太高" for the subject
  幼儿园收费过高) is that value, and "在Y类的留言里占几成" takes the share of Y's records;
- two groups said side by side ("A的留言和B的留言") where one names no value of its column:
  the answer says so and offers the column's nearest value to ask again with;
- a value set aside only after the figure was asked ("…平均每款几条？把星越刨掉的话，其余…",
  "and how many without the Xingyue (星越)") gives the figure with and without it;
- "变速箱的投诉里，标题没提“顿挫”的": of the records about the first words, those not
  saying the quoted one;
- values listed inside another value's name ("Vehicle loan or lease") list nothing of their own;
- two groupings asked together ("哪个区县的哪一类留言最多", "which district and category
  combination") rank the pairs of their values;
- "which servicer…" with nothing in the data called that: said, with the nearest groupings
  offered, never left out silently.

Every expected figure is computed from the rows the test wrote, never from the analyst.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from agent_support import ask_offline
from ingest_support import offline_analyst

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
FMT = "%Y-%m-%d %H:%M:%S"
Rows = list[dict[str, str]]
PLACES = ["小区", "道路", "学校", "医院", "公园", "市场"]
ISSUES = ["噪音扰民", "路灯不亮", "垃圾清运慢", "停车难", "排水不畅", "电梯故障", "商家虚假宣传"]
NAMED = {
    "幼儿园收费过高": "教育文体",
    "公司未缴纳社保": "劳动和社会保障",
    "公司拖欠工资": "劳动和社会保障",
}


def _messages() -> Rows:
    subjects = [*NAMED, *(p + i for p in PLACES for i in ISSUES)]
    start, rows = datetime(2023, 1, 2, 8), []
    for i in range(520):
        subject = subjects[(i * 7 + i // 11) % len(subjects)]
        category = NAMED.get(subject) or ("教育文体" if "学校" in subject else "城乡建设")
        at = start + timedelta(hours=17 * i)
        rows.append(
            {
                "编号": f"M{i:04d}",
                "留言时间": at.strftime(FMT),
                "答复时间": (at + timedelta(hours=24 + (i * 13) % 300)).strftime(FMT),
                "一级分类": category,
                "所属区县": ["城东区", "城西区", "江北区"][(i * 5 + i // 13) % 3],
                "留言主题": subject,
                # The text says the matter in its own words, never the subject's.
                "留言详情": f"您好，我想反映一个问题，希望尽快处理（{i}）",
                # Long replies, half of them saying the problem was passed on.
                "答复意见": (
                    "网友您好！您的留言已收悉，经调查核实，您反映的问题已转交相关部门处理，"
                    if i % 2
                    else "网友您好！您的留言已收悉，我们已安排工作人员到现场查看并限期整改，"
                )
                + f"感谢您对我们工作的支持和监督。（{i % 40}）",
            }
        )
    return rows


@pytest.fixture(scope="module")
def hotline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _messages()
    folder = tmp_path_factory.mktemp("said_beside")
    with offline_analyst(
        folder, rows, file="hotline.csv", as_of="2024-07-01", id="编号", text="留言详情"
    ) as an:
        yield an, rows


def test_the_column_named_after_an_counts_by_it_and_one_said_after_bu_an_is_no_split(
    hotline: tuple[Analyst, Rows],
) -> None:
    # "按留言主题算，不按一级分类": the subjects ranked, not themes of the text nor categories.
    an, rows = hotline
    subjects = Counter(r["留言主题"] for r in rows if r["留言时间"].startswith("2023"))
    top = max(subjects.values())
    answer = ask_offline(an, "去年市民反映最多的具体问题是什么？按留言主题算，不按一级分类。")
    assert answer.reading is not None and "按 留言主题" in answer.reading.line, answer.text
    assert "一级分类" not in answer.reading.line
    leader = next(v for v, n in sorted(subjects.items()) if n == top)
    assert f"为 {top} [Q" in answer.body and any(
        v in answer.body for v, n in subjects.items() if n == top
    ), (leader, answer.body)


def test_each_class_of_the_records_is_the_category_column(hotline: tuple[Analyst, Rows]) -> None:
    # "各类留言里，哪一类…": the category the data keeps (一级分类), not the subject line.
    an, _ = hotline
    answer = ask_offline(an, "去年各类留言里，哪一类答复得最快？平均几个小时？")
    assert answer.reading is not None and "按 一级分类" in answer.reading.line, answer.text


def test_a_subject_in_other_words_is_its_value_and_the_share_is_of_the_category_named(
    hotline: tuple[Analyst, Rows],
) -> None:
    an, rows = hotline
    fees = [r for r in rows if r["留言主题"] == "幼儿园收费过高"]
    education = [r for r in rows if r["一级分类"] == "教育文体"]
    assert fees and len(education) > len(fees)
    assert not any("太高" in r["留言详情"] or "太高" in r["留言主题"] for r in rows)
    share = f"{round(100 * len(fees) / len(education), 1):g}%"
    answer = ask_offline(an, "反映幼儿园收费太高的留言有几条？在教育文体类的留言里占几成？")
    assert f"共 {len(education)} 条记录，其中幼儿园收费过高 {len(fees)} 条，占 {share}" in (
        answer.body
    ), answer.body
    # Said in the same words as the value, the share is still of the category's records.
    answer = ask_offline(an, "反映幼儿园收费的留言有几条？在教育文体类的留言里占几成？")
    assert f"{len(education)} 条记录" in answer.body and share in answer.body, answer.body


def test_words_inside_many_subject_lines_are_the_records_whose_subject_holds_them(
    hotline: tuple[Analyst, Rows],
) -> None:
    an, rows = hotline

    def quarter(r: dict[str, str]) -> str:
        return f"{r['留言时间'][:4]}-Q{(int(r['留言时间'][5:7]) - 1) // 3 + 1}"

    noise = [r for r in rows if "噪音扰民" in r["留言主题"]]
    assert len({r["留言主题"] for r in noise}) > 2
    by = Counter(quarter(r) for r in noise)
    answer = ask_offline(
        an, "Noise complaints (噪音扰民) - did 2023-Q4 bring more or fewer than 2023-Q3?"
    )
    assert "message subject containing “噪音扰民”" in answer.text, answer.text
    assert f"{by['2023-Q4']}" in answer.body and f"{by['2023-Q3']}" in answer.body, answer.body
    ads = [r for r in rows if "商家虚假宣传" in r["留言主题"]]
    answer = ask_offline(an, "Merchants' false advertising (商家虚假宣传) - how many messages?")
    assert answer.status == "answered", answer.text
    assert f"{len(ads)}" in answer.body and "商家虚假宣传" in answer.text, answer.body


def test_the_whole_asked_after_the_ranking_is_given_too(hotline: tuple[Analyst, Rows]) -> None:
    an, rows = hotline
    noise = [r for r in rows if "噪音扰民" in r["留言主题"]]
    (top, n), (_, second) = Counter(r["所属区县"] for r in noise).most_common(2)
    assert second < n
    answer = ask_offline(
        an,
        "Which district's residents report noise (噪音扰民) the most, and how many such "
        "messages is that? How many are there overall?",
    )
    assert f"{top} has the most" in answer.body and f": {n}" in answer.body, answer.body
    assert f"of all {len(noise)} records" in answer.body, answer.body


def test_a_column_of_long_replies_is_no_subject_line(hotline: tuple[Analyst, Rows]) -> None:
    # "问题已" is inside half of the replies; a reply is no subject of the records, and the
    # question's words are not read as a filter on it.
    an, rows = hotline
    replies = [r for r in rows if "问题已" in r["答复意见"]]
    assert 0 < len(replies) < len(rows)
    answer = an.ask("这个问题已经持续了几个月的留言有多少条？")
    assert "答复意见" not in answer.text, answer.text
    assert f"{len(replies)}" not in answer.body, answer.body


def test_a_group_said_beside_a_value_that_names_none_is_said_with_the_nearest_value(
    hotline: tuple[Analyst, Rows],
) -> None:
    an, _ = hotline
    answer = ask_offline(
        an, "公司不给交社保的留言和公司拖欠工资的留言，平均各要多少天才能得到答复？"
    )
    assert answer.reading is not None
    assert "公司不给交社保" in answer.text and "公司未缴纳社保" in answer.text, answer.text
    asked = [a.question for a in answer.reading.alternatives]
    assert any(q.startswith("公司未缴纳社保的留言和公司拖欠工资的留言") for q in asked), asked


def test_two_groupings_asked_together_rank_the_pairs_of_their_values(
    hotline: tuple[Analyst, Rows],
) -> None:
    an, rows = hotline
    pairs = Counter((r["所属区县"], r["一级分类"]) for r in rows).most_common()
    (district, category), n = pairs[0]
    assert pairs[1][1] < n
    answer = ask_offline(an, "哪个区县的哪一类留言最多？有多少条？")
    assert f"{district} · {category}的留言数量最多，为 {n}" in answer.body, answer.body
    assert f"| {district} | {category} | {n} |" in answer.body
    answer = ask_offline(an, "Which district and category combination has the most messages?")
    assert f"{district} · {category} has the most" in answer.body, answer.body


def test_the_share_of_the_records_named_is_the_top_group_s_part_of_them(
    hotline: tuple[Analyst, Rows],
) -> None:
    # "占这类留言的多少": the top district's share of the subject's own records, not the
    # subject's share of each district's records.
    an, rows = hotline
    wages = [r for r in rows if r["留言主题"] == "公司拖欠工资"]
    (top, n), (_, second) = Counter(r["所属区县"] for r in wages).most_common(2)
    assert second < n
    share = f"{round(100 * n / len(wages), 2):g}%"
    answer = ask_offline(an, "公司拖欠工资的留言，哪个区县的最多？有几条，占这类留言的多少？")
    assert f"{top}的留言数量（公司拖欠工资）最多，为 {n}" in answer.body, answer.body
    assert f"占全部 {len(wages)} 条记录的 {share}" in answer.body, (share, answer.body)


TEXTS = ["变速箱顿挫严重", "变速箱异响", "发动机异响", "变速箱漏油", "车机死机"]


def _complaints() -> Rows:
    models = {
        "吉利汽车": ["星越"] * 9 + ["博越"] * 4 + ["缤越"] * 3 + ["帝豪"] * 2,
        "本田": ["雅阁"],
    }
    rows, start = [], datetime(2020, 1, 6, 9)
    rows += [
        {
            "complaint_id": f"W{i:04d}",
            "date": (start + timedelta(hours=13 * i)).strftime(FMT),
            "brand": "长城",
            "car_model": "哈弗H6",
            "text": f"车机死机（W{i}）",
        }
        for i in range(20)
    ]
    for i in range(140):
        brand = "吉利汽车" if i % 3 else "本田"
        pool = models[brand]
        rows.append(
            {
                "complaint_id": f"C{i:04d}",
                "date": (start + timedelta(hours=11 * i)).strftime(FMT),
                "brand": brand,
                "car_model": pool[(i * 5 + i // 7) % len(pool)],
                "text": TEXTS[(i * 3 + i // 5) % len(TEXTS)] + f"（{i}）",
            }
        )
    return rows


@pytest.fixture(scope="module")
def cars(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _complaints()
    folder = tmp_path_factory.mktemp("aside_later")
    with offline_analyst(
        folder, rows, file="complaints.csv", as_of="2020-06-09", id="complaint_id", text="text"
    ) as an:
        yield an, rows


def test_a_value_set_aside_after_the_figure_was_asked_gives_both(
    cars: tuple[Analyst, Rows],
) -> None:
    an, rows = cars
    geely = [r for r in rows if r["brand"] == "吉利汽车"]
    rest = [r for r in geely if r["car_model"] != "星越"]
    per_all = round(len(geely) / len({r["car_model"] for r in geely}), 2)
    per_rest = round(len(rest) / len({r["car_model"] for r in rest}), 2)
    answer = ask_offline(an, "吉利汽车有多少条投诉？把星越刨掉的话还剩多少？")
    assert "含星越在内：" in answer.body and f"投诉数量为 {len(geely)}" in answer.body
    assert "不含星越：" in answer.body and f"为 {len(rest)}" in answer.body, answer.body
    answer = ask_offline(
        an, "吉利汽车被投诉的车型，平均每款挨了几条投诉？把星越刨掉的话，其余车型平均每款几条？"
    )
    assert f"平均每个车型 {per_all:g} 条记录" in answer.body, (per_all, answer.body)
    assert f"平均每个车型 {per_rest:g} 条记录" in answer.body, (per_rest, answer.body)
    answer = ask_offline(
        an, "How many complaints did 吉利汽车 get, and how many without the Xingyue (星越)?"
    )
    assert "Including 星越:" in answer.body and f"was {len(geely)}" in answer.body
    assert "Without 星越:" in answer.body and f"was {len(rest)}" in answer.body, answer.body
    # Set aside before the figure is asked, it is the only slice.
    answer = ask_offline(an, "除了星越，吉利汽车有多少条投诉？")
    assert f"为 {len(rest)}" in answer.body and "含星越在内" not in answer.body, answer.body


def test_the_records_about_words_counted_without_a_quoted_word(
    cars: tuple[Analyst, Rows],
) -> None:
    an, rows = cars
    gearbox = [r for r in rows if "变速箱" in r["text"]]
    smooth = [r for r in gearbox if "顿挫" not in r["text"]]
    assert 0 < len(smooth) < len(gearbox)
    answer = ask_offline(an, "变速箱的投诉里，标题没提“顿挫”的有几条？")
    assert f"提到“变速箱”的反馈共 {len(gearbox)} 条，其中没有提到“顿挫”的 {len(smooth)} 条" in (
        answer.body
    ), answer.body


def _accounts() -> Rows:
    products = {
        "Vehicle loan or lease": ["Loan", "Loan", "Lease", "Loan"],
        "Mortgage": ["Conventional home mortgage", "FHA mortgage"],
    }
    companies = [f"Servicing Co {k}" for k in range(30)]
    rows, start = [], datetime(2024, 1, 3, 9)
    for i in range(300):
        product = "Mortgage" if i % 2 else "Vehicle loan or lease"
        subs = products[product]
        modification = product == "Mortgage" and i % 5 == 1
        rows.append(
            {
                "complaint_id": str(5000 + i),
                "date_received": (start + timedelta(hours=19 * i)).strftime(FMT),
                "product": product,
                "sub_product": subs[(i // 2) % len(subs)],
                "company": companies[(i * 7 + i // 3) % 30 if not modification else i % 4],
                "narrative": (
                    f"I applied for a loan modification in week {i} and heard nothing"
                    if modification
                    else f"The payment of week {i} was applied late"
                ),
            }
        )
    return rows


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _accounts()
    folder = tmp_path_factory.mktemp("inside_names")
    with offline_analyst(
        folder, rows, file="complaints.csv", as_of="2025-01-02", id="complaint_id",
        text="narrative",
    ) as an:  # fmt: skip
        yield an, rows


def test_values_listed_inside_another_value_s_name_are_not_listed_values(
    accounts: tuple[Analyst, Rows],
) -> None:
    an, rows = accounts
    vehicle = [r for r in rows if r["product"] == "Vehicle loan or lease"]
    lease = [r for r in vehicle if r["sub_product"] == "Lease"]
    assert lease and len(lease) < len(vehicle)
    share = f"{round(100 * len(lease) / len(vehicle), 1):g}%"
    answer = ask_offline(
        an,
        "汽车贷款或租赁（Vehicle loan or lease）这类投诉里，租赁（Lease）的有几条？"
        "占这一类的多少？",
    )
    assert f"共 {len(vehicle)} 条记录，其中Lease {len(lease)} 条，占 {share}" in answer.body, (
        answer.body
    )


def test_a_grouping_asked_by_which_that_the_data_lacks_is_said(
    accounts: tuple[Analyst, Rows],
) -> None:
    an, rows = accounts
    said = [r for r in rows if "loan modification" in r["narrative"]]
    answer = ask_offline(
        an,
        "How many narratives mention a loan modification, and which servicer are most of "
        "those complaints against?",
    )
    assert f"{len(said)} of {len(rows)} records mention “loan modification”" in answer.body
    assert "No grouping in this data matches “servicer”" in answer.text, answer.text
    assert answer.reading is not None and answer.reading.unsure
    offered = [a.question for a in answer.reading.alternatives]
    assert "And by company?" in offered, offered
    top = Counter(r["company"] for r in said).most_common(1)[0][0]
    assert top not in answer.body  # no ranking passed off as the one asked


def test_a_share_of_a_category_named_after_the_words_is_taken_of_that_category(
    accounts: tuple[Analyst, Rows],
) -> None:
    an, rows = accounts
    said = [r for r in rows if "loan modification" in r["narrative"]]
    mortgage = [r for r in rows if r["product"] == "Mortgage"]
    share = f"{round(100 * len(said) / len(mortgage), 1):g}%"
    answer = ask_offline(
        an,
        "How many complaints mention a loan modification? "
        "What % of our Mortgage complaints is that?",
    )
    assert f"{len(said)} of {len(mortgage)} records" in answer.body, answer.body
    assert share in answer.body, (share, answer.body)


def test_which_kind_of_a_grouping_is_that_grouping(accounts: tuple[Analyst, Rows]) -> None:
    an, rows = accounts
    said = [r for r in rows if "loan modification" in r["narrative"]]
    answer = ask_offline(an, "提到loan modification的投诉有几条？最多的是哪类产品？")
    assert f"提到“loan modification”的有 {len(said)} 条" in answer.body, answer.body
    assert "按产品看" in answer.body and "Mortgage" in answer.body, answer.body


def test_a_column_said_as_who_acted_is_no_split(accounts: tuple[Analyst, Rows]) -> None:
    # "被公司升级到了高管团队": the company is who acted, not a grouping; and what it did is
    # nothing the export records, so no figure (neither every record's count nor a ranking).
    an, rows = accounts
    answer = an.ask("有多少条投诉被公司升级到了高管投诉处理团队？")
    assert answer.status == "insufficient_data", answer.text
    assert "按公司看" not in answer.body and f"{len(rows)}" not in answer.body, answer.body


def test_a_wait_of_several_days_is_said_in_days_too(hotline: tuple[Analyst, Rows]) -> None:
    an, rows = hotline
    fmt = "%Y-%m-%d %H:%M:%S"
    hours = [
        (
            datetime.strptime(r["答复时间"], fmt) - datetime.strptime(r["留言时间"], fmt)
        ).total_seconds()
        / 3600
        for r in rows
    ]
    mean = sum(hours) / len(hours)
    assert mean >= 72
    answer = ask_offline(an, "What is the average reply time?")
    assert f"({round(mean / 24, 2):g} days)" in answer.body, (mean, answer.body)


def test_groups_named_side_by_side_are_compared_with_no_other_group_named(
    cars: tuple[Analyst, Rows],
) -> None:
    # "本田和长城两家比": the two brands' counts; the brand with the most of all (吉利汽车) is
    # none of those asked and is not named.
    an, rows = cars
    counts = Counter(r["brand"] for r in rows)
    assert counts.most_common(1)[0][0] == "吉利汽车"
    answer = ask_offline(an, "本田和长城两家比，投诉各有多少条？哪家更多？")
    assert f"{counts['本田']}" in answer.body and f"{counts['长城']}" in answer.body, answer.body
    assert "吉利汽车" not in answer.body, answer.body


def test_the_quarters_of_a_year_counted_each(hotline: tuple[Analyst, Rows]) -> None:
    # "去年四个季度各有多少条", "each of the four quarters of 2023": a count per quarter.
    an, rows = hotline
    noise = [r for r in rows if "噪音扰民" in r["留言主题"] and r["留言时间"].startswith("2023")]
    by = Counter((int(r["留言时间"][5:7]) - 1) // 3 + 1 for r in noise)
    assert len(set(by.values())) > 1
    for question in (
        "噪音扰民的留言，去年四个季度各有多少条？",
        "How many noise (噪音扰民) messages came in each of the four quarters of 2023?",
        # A word of time mistyped by one letter is that word.
        "How many noise (噪音扰民) messages did we get in each quater of 2023?",
    ):
        answer = ask_offline(an, question)
        assert answer.reading is not None and answer.reading.shape == "trend", answer.reading
        assert "quarter" in answer.reading.line or "季度" in answer.reading.line, answer.reading
        for n in by.values():
            assert f"| {n} |" in answer.body, (n, answer.body)


def test_what_time_of_day_asks_for_the_hours_ranked(hotline: tuple[Analyst, Rows]) -> None:
    # "What time of day …most": a ranking by the hour, not quotes resembling the words.
    an, rows = hotline
    hours = Counter(int(r["留言时间"][11:13]) for r in rows)
    n = max(hours.values())
    answer = ask_offline(
        an, "What time of day do citizens leave the most messages? Give me the busiest hour."
    )
    assert answer.reading is not None and answer.reading.group_by == ["hour of day"], answer.reading
    busiest = [f"{h:02d}:00 has the most" for h, k in hours.items() if k == n]
    assert any(b in answer.body for b in busiest) and f": {n};" in answer.body, answer.body

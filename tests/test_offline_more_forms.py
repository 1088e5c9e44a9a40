"""More ways managers ask about a fresh export, on one the test writes: records by the hour of the
day ("before 8 in the morning or from 6 in the evening", "晚上8点以后"), week by week, two named
days against each other, the export's rows called "tickets" whatever the file calls them, a
value said by its words with commas, what the data does not record (warranty, views, the
device used), words counted among records that mention other words, the records still without
a reply among those mentioning a word, a value's share among each group's mentioning records,
two values' combined share, and groups ranked by how many different values they hold.

Every expected figure is computed from the rows the test wrote, never from the analyst.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from agent_support import lead_of
from ingest_support import offline_analyst

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
START = datetime(2026, 3, 2, 0, 0)  # a Monday
FMT = "%Y-%m-%d %H:%M:%S"
CHANNELS = ["Phone", "Email", "Postal mail", "Fax", "Web", "Web", "Phone"]
PRODUCTS = [
    "Payday loan, title loan, or personal loan", "Mortgage", "Checking or savings account",
    "Vehicle loan or lease",
]  # fmt: skip
SUB_PRODUCTS = {
    PRODUCTS[0]: ["Loan"],
    PRODUCTS[1]: ["Loan"],
    PRODUCTS[2]: ["Savings account", "Checking account"],
    PRODUCTS[3]: ["Loan", "Lease"],
}
BRANDS = ["Aurora", "Borealis", "Cygnus", "Draco"]
STATUSES = ["已关闭", "处理中", "已关闭", "待回访"]


def _words(i: int) -> str:
    said = [f"第{i}号记录"]
    if i % 7 == 0:
        said.append("厨房油烟太大")
    if i % 4 == 0:
        said.append("物流")
    if i % 6 == 0:
        said.append("太慢了")
    if i % 11 == 0:
        said.append("a foreclosure notice arrived")
    return "，".join(said)


def _rows() -> list[dict[str, str]]:
    rows = []
    for i in range(420):
        opened = START + timedelta(hours=7 * i, minutes=13 * (i % 5))
        replied = "" if i % 9 == 0 else (opened + timedelta(hours=1 + i % 40)).strftime(FMT)
        product = PRODUCTS[(i * 5 + i // 7) % 4]
        subs = SUB_PRODUCTS[product]
        brand = BRANDS[(i // 5) % 4]
        rows.append(
            {
                "record_id": f"R{i:05d}",
                "opened_at": opened.strftime(FMT),
                "replied_at": replied,
                "channel": CHANNELS[(i * 3 + i // 5) % 7],
                "product": product,
                "sub_product": subs[(i // 4) % len(subs)],
                "brand": brand,
                "model": f"{brand}-{(i * 7 + i // 3) % (2 + BRANDS.index(brand) * 2)}",
                "status": STATUSES[(i + i // 4) % 4],
                "description": "" if i % 13 == 0 else _words(i),
            }
        )
    return rows


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _rows()


@pytest.fixture(scope="module")
def analyst(
    rows: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Analyst]:
    folder = tmp_path_factory.mktemp("more_forms")
    with offline_analyst(
        folder, rows, file="service_records.csv", as_of="2026-06-01", id="record_id",
        text="description",
    ) as an:  # fmt: skip
        yield an


def _opened(r: dict[str, str]) -> datetime:
    return datetime.strptime(r["opened_at"], FMT)


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole, 1):g}%"


def _ask(analyst: Analyst, question: str, status: str = "answered") -> str:
    answer = analyst.ask(question)
    assert answer.status == status, answer.text
    return answer.text


def test_records_by_the_hour_of_the_day_in_either_language(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    night = sum(1 for r in rows if not 8 <= _opened(r).hour < 18)
    lead = lead_of(
        _ask(
            analyst,
            "What share of our tickets get opened outside office hours - before 8 in the "
            "morning or from 6 in the evening onwards?",
        )
    )
    assert f"{night} of the {len(rows)}" in lead and _pct(night, len(rows)) in lead, lead
    late = sum(1 for r in rows if not 8 <= _opened(r).hour < 20)
    lead = lead_of(_ask(analyst, "晚上8点以后、第二天早上8点以前提交的记录，占全部记录的多少？"))
    assert f" {late} 条" in lead and _pct(late, len(rows)) in lead, lead


def test_week_by_week_counts_monday_to_sunday_weeks(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    text = _ask(analyst, "3月2日到3月29日这四周，每周各有多少条记录？按周一到周日算。")
    for k in range(4):
        monday = date(2026, 3, 2) + timedelta(days=7 * k)
        n = sum(1 for r in rows if 0 <= (_opened(r).date() - monday).days < 7)
        assert f"| {monday.isoformat()} | {n} |" in text, (monday, n, text)


def test_two_named_days_are_compared_with_each_other(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    def on(day: date) -> int:
        return sum(1 for r in rows if _opened(r).date() == day)

    # Two days whose counts differ, the earlier one's also from the day before the later one.
    a, b = next(
        (date(2026, 3, d), date(2026, 3, d + 4)) for d in range(3, 20)
        if on(date(2026, 3, d)) not in (on(date(2026, 3, d + 4)), on(date(2026, 3, d + 3)))
    )  # fmt: skip
    question = f"{b.month}月{b.day}号跟{a.month}月{a.day}号比，记录多了还是少了？两天各几条？"
    text = _ask(analyst, question)
    # The reading says the two days compared, not the span they were counted over.
    assert f"{b.isoformat()} 对比 {a.isoformat()}" in text.splitlines()[0], text
    lead = lead_of(text)
    assert f" {on(b)}" in lead and f" {on(a)}" in lead, lead
    assert a.isoformat() in lead and (b - timedelta(days=1)).isoformat() not in lead, lead


def test_a_week_named_by_its_first_day_against_the_week_before(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    def week(monday: date) -> int:
        return sum(1 for r in rows if 0 <= (_opened(r).date() - monday).days < 7)

    this, before = week(date(2026, 3, 16)), week(date(2026, 3, 9))
    lead = lead_of(
        _ask(
            analyst,
            "How many tickets were opened in the week starting Monday 16 March 2026 (through "
            "Sunday 22 March), and how does that compare with the week before?",
        )
    )
    assert f"{this}" in lead and f"{before}" in lead and "2026-03-09" in lead, lead


def test_a_value_said_by_its_words_with_commas_and_a_grouping_word_said_as_who(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    unreplied = sum(1 for r in rows if r["product"] == PRODUCTS[0] and not r["replied_at"])
    loan = sum(1 for r in rows if r["sub_product"] == "Loan" and not r["replied_at"])
    assert unreplied != loan
    text = _ask(
        analyst,
        "How many payday, title or personal loan records never got a replied at from the company?",
    )
    assert PRODUCTS[0] in text.splitlines()[0] and "by " not in text.splitlines()[0], text
    assert f"{unreplied}" in lead_of(text), text


def test_what_the_data_does_not_record_gets_no_figure(analyst: Analyst) -> None:
    for question in (
        "这些记录里，有多少还在保修期内？",
        "Which records got the most views on the public board?",
        "How many of these tickets came from people working on a Mac versus a Windows PC?",
    ):
        answer = analyst.ask(question)
        assert answer.status == "insufficient_data", (question, answer.text)


def test_words_counted_among_records_mentioning_other_words(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    logistics = [r for r in rows if "物流" in r["description"]]
    slow = sum(1 for r in logistics if "慢" in r["description"])
    lead = lead_of(_ask(analyst, "提到物流的记录里，有多少条带“慢”字？占多少？"))
    assert f"共 {len(logistics)} 条" in lead and f" {slow} 条" in lead, lead
    assert _pct(slow, len(logistics)) in lead, lead


def test_records_still_without_a_reply_among_those_mentioning_a_word(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    fumes = [r for r in rows if "油烟" in r["description"]]
    waiting = sum(1 for r in fumes if not r["replied_at"])
    lead = lead_of(_ask(analyst, "记录里提到油烟的有多少条？其中到现在还没答复的有几条？"))
    assert f"共 {len(fumes)} 条" in lead and f" {waiting} 条" in lead, lead


def test_a_mention_share_counts_every_record_those_without_text_too(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    mortgage = [r for r in rows if r["product"] == "Mortgage"]
    said = sum(1 for r in mortgage if "foreclosure" in r["description"])
    assert any(not r["description"] for r in mortgage)
    lead = lead_of(
        _ask(
            analyst,
            "How many mortgage records mention foreclosure, and what share of all mortgage "
            "records is that?",
        )
    )
    assert f"{said} of {len(mortgage)} records" in lead, lead


def test_a_value_s_share_among_each_group_s_mentioning_records(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    shares = {}
    for brand in BRANDS:
        said = [r for r in rows if r["brand"] == brand and "物流" in r["description"]]
        shares[brand] = (sum(1 for r in said if r["status"] == "待回访"), len(said))
    top = max(shares, key=lambda b: shares[b][0] / shares[b][1])
    n, total = shares[top]
    lead = lead_of(_ask(analyst, "说到“物流”的记录里，哪个品牌的待回访比例最高？是多少？"))
    assert top in lead and _pct(n, total) in lead and f"{total} 条中 {n} 条" in lead, lead


def test_the_part_among_all_mentioning_records_and_the_group_most_of_them_come_from(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # A share asked of all of them, and "which brand do most come from": by how many mention it.
    said = [r for r in rows if "物流" in r["description"]]
    waiting = sum(1 for r in said if r["status"] == "待回访")
    per_brand = {b: sum(1 for r in said if r["brand"] == b) for b in BRANDS}
    top = max(per_brand, key=lambda b: per_brand[b])
    text = _ask(
        analyst,
        "How many records talk about logistics (物流), what share of them are 待回访, and which "
        "brand do most of them come from?",
    )
    assert f"{len(said)} feedback records mention" in text, text
    assert f"{waiting} of them are 待回访 ({_pct(waiting, len(said))})" in text, text
    assert f"{top} has the most mentions of" in text and f": {per_brand[top]} [" in text, text


def test_a_quoted_word_complained_about_or_cursed_is_counted_by_group(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "抱怨“慢”", "骂“慢”": the quoted word is counted, not the themes of complaints.
    slow = [r for r in rows if "慢" in r["description"]]
    per_brand = {b: sum(1 for r in slow if r["brand"] == b) for b in BRANDS}
    top = max(per_brand, key=lambda b: per_brand[b])
    for question in (
        "记录里抱怨“慢”的有多少条？主要集中在哪个品牌？",
        "直接骂“慢”的有多少条？哪个品牌最多？",
    ):
        text = _ask(analyst, question)
        assert f"其中提到“慢”的有 {len(slow)} 条" in text, (question, text)
        assert f"最多的是{top}：{per_brand[top]} 条" in text, (question, text)


def test_a_word_s_share_in_two_values_named_side_by_side(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # Each value named gets its own share of the records mentioning the word, and only those.
    for question in (
        "Among phone records and email records, what share of each mention 物流?",
        "电话和邮件的记录里各有百分之几提到了“物流”？",
    ):
        text = _ask(analyst, question)
        for channel in ("Phone", "Email"):
            kept = [r for r in rows if r["channel"] == channel]
            said = sum(1 for r in kept if "物流" in r["description"])
            row = f"| {channel} | {said} | {len(kept)} | {_pct(said, len(kept))} |"
            assert row in text, (question, text)
        assert "| Web |" not in text, text


def test_two_values_said_with_or_make_one_share(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    paper = sum(1 for r in rows if r["channel"] in ("Postal mail", "Fax"))
    lead = lead_of(
        _ask(analyst, "What share of records still reach us on paper - by postal mail or by fax?")
    )
    assert f"{paper} of {len(rows)}" in lead and _pct(paper, len(rows)) in lead, lead


def test_groups_ranked_by_how_many_different_values_they_hold(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    models = {b: len({r["model"] for r in rows if r["brand"] == b}) for b in BRANDS}
    top = max(models, key=lambda b: models[b])
    lead = lead_of(_ask(analyst, "Which brand has the most different models?"))
    assert top in lead and f": {models[top]} " in lead, lead
    lead = lead_of(_ask(analyst, "哪个品牌涉及的型号最多？"))
    assert top in lead and f"{models[top]} 个不同的" in lead, lead


def test_values_said_in_other_words_or_word_by_word_in_chinese(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    accounts = [r for r in rows if r["product"] == "Checking or savings account"]
    savings = sum(1 for r in accounts if r["sub_product"] == "Savings account")
    lead = lead_of(
        _ask(
            analyst,
            "支票或储蓄账户（Checking or savings account）这类记录里，专门针对储蓄账户的占多少？",
        )
    )
    assert f"共 {len(accounts)} 条" in lead and f" {savings} 条" in lead, lead
    vehicle = sum(1 for r in rows if r["product"] == "Vehicle loan or lease")
    text = _ask(analyst, "How many car loan and lease records are there?")
    assert "Vehicle loan or lease" in text.splitlines()[0], text
    assert f"{vehicle}" in lead_of(text), text


def test_the_biggest_groups_set_aside_leave_the_others_counted(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    by_channel: dict[str, int] = {}
    for r in rows:
        by_channel[r["channel"]] = by_channel.get(r["channel"], 0) + 1
    biggest = sorted(by_channel, key=lambda c: -by_channel[c])[:2]
    rest = sum(n for c, n in by_channel.items() if c not in biggest)
    assert rest not in (len(rows), *by_channel.values())  # the figure tells readings apart
    lead = lead_of(
        _ask(
            analyst,
            "Leaving aside our two biggest channels, how many records came through all the "
            "other channels?",
        )
    )
    assert f" {rest} " in lead and all(c in lead for c in biggest), lead


def test_weeks_cut_by_the_period_are_shown_but_not_compared(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # 4 March is a Wednesday: the week of 2 March is cut, the series starts with 9 March's.
    text = _ask(analyst, "3月4日到3月31日，每周各有多少条记录？")
    first_whole = date(2026, 3, 9)
    n = sum(1 for r in rows if 0 <= (_opened(r).date() - first_whole).days < 7)
    lead = lead_of(text)
    assert f"2026-03-09 的 {n}" in lead, lead
    assert "2026-03-02" in text and "2026-03-02 的" not in lead, text
    assert "不参与比较" in text, text


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, list[dict]]]:
    # Who raised each record is a customer id; some customers raise several in a month.
    records = [
        {
            "record_id": f"P{i:04d}",
            "opened_at": (START + timedelta(hours=9 * i)).strftime(FMT),
            "customer_id": f"C{(i * 7 + i // 9) % (40 + i // 80)}",
        }
        for i in range(330)
    ]
    folder = tmp_path_factory.mktemp("people")
    with offline_analyst(folder, records, as_of="2026-06-30", id="record_id") as an:
        yield an, records


def test_different_people_in_each_month_are_the_person_column_s_values(
    people: tuple[Analyst, list[dict]],
) -> None:
    # "How many different people … in each of March, April and May": the customers (the
    # column that says who each record's person is) in each month, not the records' trend.
    an, records = people
    per = {
        m: len({r["customer_id"] for r in records if r["opened_at"].startswith(m)})
        for m in ("2026-03", "2026-04", "2026-05")
    }
    n = {m: sum(r["opened_at"].startswith(m) for r in records) for m in per}
    assert all(per[m] < n[m] for m in per)
    text = _ask(
        an,
        "How many different people raised records with us in each of March, April and May "
        "2026? Is it shrinking or growing?",
    )
    for month, k in per.items():
        assert f"| {month} | {k} | {n[month]} |" in text, (month, k, text)


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, list[dict]]]:
    # Two years of records, more of them as time goes on.
    records = [
        {
            "record_id": f"H{i:04d}",
            "opened_at": (datetime(2024, 1, 1) + timedelta(days=730 * (i / 300) ** 0.8)).strftime(
                FMT
            ),
        }
        for i in range(300)
    ]
    folder = tmp_path_factory.mktemp("halves")
    with offline_analyst(folder, records, as_of="2026-01-15", id="record_id") as an:
        yield an, records


def test_half_year_by_half_year_counts_each_half(halves: tuple[Analyst, list[dict]]) -> None:
    # "Half-year by half-year": the records of each half of the year, named 2024-H1.
    an, records = halves
    per: dict[str, int] = {}
    for r in records:
        opened = datetime.strptime(r["opened_at"], FMT)
        if opened.year in (2024, 2025):
            key = f"{opened.year}-H{(opened.month + 5) // 6}"
            per[key] = per.get(key, 0) + 1
    assert len(per) == 4 and len(set(per.values())) > 1
    for question in (
        "Half-year by half-year, how has our record volume developed? Give me the count for "
        "each half of 2024 and 2025.",
        "2024年和2025年每半年各有多少条记录？",
    ):
        text = _ask(an, question)
        for half, n in per.items():
            assert f"| {half} | {n} |" in text, (half, n, text)

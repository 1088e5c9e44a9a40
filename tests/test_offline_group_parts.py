"""Conditions on a part of each group's records, over an export the test writes: the groups
none of whose records are of a kind ("never had a single complaint Escalated", "连一条“升级处理”
都没有"), all of whose records are ("every single one of them still Under review"), and whose
share of the values named passes a percentage ("satisfaction rate below 70%, counting 满意 and
基本满意 as satisfied among the complaints that were rated"). Also: a value said with "rate"
(率) is the share of the records with it, and a word before a value's whole name that begins a
longer value's name ("federal student loan") names the longer value; "more than 3 complaints
with no reply" counts the records with no reply in each group; a value written in English is
named by a common Chinese word for it ("苹果" for AppleSupport); the groups past a number are
counted and added up when asked ("…有几家", "how many do they add up to"); a value set aside
by "不是针对 X" or "leave X out of it"; a share past a time month by month.

Every expected figure is computed from the rows the test wrote, never from the analyst.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from agent_support import ask_offline
from ingest_support import offline_analyst

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
Rows = list[dict[str, str]]

# Company → (complaints, how each one's status is chosen).
_SIZES = {
    "Acme Bank": 30,
    "Birch Credit": 20,
    "Cobalt Finance": 12,
    "Dune Lending": 11,
    "Elm Servicing": 5,
    "Fjord Capital": 8,
}


def _status(company: str, i: int) -> str:
    if company == "Cobalt Finance":
        return "Under review"  # every one of its complaints
    if company in ("Birch Credit", "Elm Servicing"):
        return ["Closed", "Under review"][i % 2]  # never escalated
    return ["Closed", "Escalated", "Under review"][i % 3]


def _rating(company: str, i: int) -> str:
    # Unrated complaints are many, and change the shares if counted.
    if i % 4 == 0:
        return ""
    low = {"Acme Bank": 3, "Birch Credit": 2, "Dune Lending": 5}.get(company, 7)
    return "不满意" if i % low == 1 else ["满意", "基本满意"][i % 2]


def _complaints() -> Rows:
    start, rows, n = datetime(2024, 1, 2, 9), [], 0
    for company, size in _SIZES.items():
        for i in range(size):
            federal = (n + i) % 3 == 0
            rows.append(
                {
                    "complaint_id": f"C{n:04d}",
                    "received_at": (start + timedelta(hours=37 * n)).strftime("%Y-%m-%d %H:%M"),
                    "company": company,
                    "product": "Student loan" if (n + i) % 2 == 0 else "Mortgage",
                    "sub_product": (
                        ("Federal student loan servicing" if federal else "Private student loan")
                        if (n + i) % 2 == 0
                        else "Conventional home mortgage"
                    ),
                    "handle": "AppleSupport" if n % 3 else "NimbusCares",
                    "status": _status(company, i),
                    "satisfaction": _rating(company, i),
                    "replied_at": ""
                    if i % {"Acme Bank": 5, "Birch Credit": 4}.get(company, 9) == 2
                    else (start + timedelta(hours=37 * n + (10 if n % 3 else 30))).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                }
            )
            n += 1
    return rows


@pytest.fixture(scope="module")
def complaints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _complaints()
    folder: Path = tmp_path_factory.mktemp("group_parts")
    with offline_analyst(
        folder, rows, file="complaints.csv", as_of="2025-01-02", id="complaint_id"
    ) as an:
        yield an, rows


def _pct(part: int, whole: int) -> str:
    share = (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{share.normalize():f}%"


def _hours(rs: Rows) -> str:
    """The average hours to a reply of the records replied to, and how many they are."""
    waits = [
        (datetime.fromisoformat(r["replied_at"]) - datetime.fromisoformat(r["received_at"]))
        / timedelta(hours=1)
        for r in rs
        if r["replied_at"]
    ]
    return f"{sum(waits) / len(waits):.1f} hours ({len(waits)} records)"


def _by_company(rows: Rows) -> dict[str, Rows]:
    out: dict[str, Rows] = {}
    for r in rows:
        out.setdefault(r["company"], []).append(r)
    return out


def test_groups_none_of_whose_records_are_of_a_kind(complaints: tuple[Analyst, Rows]) -> None:
    an, rows = complaints
    groups = {c: rs for c, rs in _by_company(rows).items() if len(rs) >= 10}
    never = sorted(c for c, rs in groups.items() if all(r["status"] != "Escalated" for r in rs))
    assert never and len(never) < len(groups)
    answer = ask_offline(
        an,
        "Which companies with at least 10 complaints have never had a single complaint Escalated?",
    )
    assert answer.status == "answered"
    for company in groups:
        assert (company in answer.body) == (company in never), answer.body
    assert f"{len(never)} of {len(groups)}" in answer.body, answer.body
    # The groups under the size are not counted among them, though never escalated either.
    assert "Elm Servicing" not in answer.body
    asked = "投诉不少于10条的公司里，有几家连一条“Escalated”都没有？分别是哪几家？"
    answer = ask_offline(an, asked)
    assert f"{len(groups)} 个中有 {len(never)} 个" in answer.body, answer.body
    assert all(c in answer.body for c in never)


def test_groups_all_of_whose_records_are_of_a_kind(complaints: tuple[Analyst, Rows]) -> None:
    an, rows = complaints
    groups = {c: rs for c, rs in _by_company(rows).items() if len(rs) >= 5}
    every = [c for c, rs in groups.items() if all(r["status"] == "Under review" for r in rs)]
    assert every == ["Cobalt Finance"]
    answer = ask_offline(
        an,
        "Which companies with at least 5 complaints have every single one of them still "
        "sitting at Under review?",
    )
    assert f"1 of {len(groups)}" in answer.body, answer.body
    assert "Cobalt Finance" in answer.body
    assert f"{len(groups['Cobalt Finance'])} records" in answer.body
    assert "Acme Bank" not in answer.body
    # "至少有5条的公司里，哪家的投诉已经全部走到…": the size with 有 before the number, and
    # every record having reached the value.
    answer = ask_offline(
        an, "投诉至少有5条的公司里，有没有哪家的投诉已经全部走到“Under review”了？"
    )
    assert f"{len(groups)} 个中有 1 个" in answer.body and "Cobalt Finance" in answer.body
    assert "Acme Bank" not in answer.body


def test_groups_by_the_share_of_the_values_named_among_the_rated(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    satisfied = ("满意", "基本满意")
    shares = {}
    for company, rs in _by_company(rows).items():
        rated = [r for r in rs if r["satisfaction"]]
        shares[company] = (sum(r["satisfaction"] in satisfied for r in rated), len(rated))
    below = {c for c, (n, d) in shares.items() if 100 * n / d < 70}
    # Over every record, unrated ones included, the answer would differ.
    over_all = {c for c, rs in _by_company(rows).items() if 100 * shares[c][0] / len(rs) < 70}
    assert below and below != over_all
    answer = ask_offline(
        an,
        "Which companies have a satisfaction rate below 70%, counting 满意 and 基本满意 as "
        "satisfied among the complaints that were rated?",
    )
    for company, (n, d) in shares.items():
        assert (company in answer.body) == (company in below), answer.body
        if company in below:
            assert _pct(n, d) in answer.body, answer.body


def test_a_value_said_with_rate_is_its_share(complaints: tuple[Analyst, Rows]) -> None:
    an, rows = complaints
    counts = Counter(r["company"] for r in rows)
    low = Counter(r["company"] for r in rows if r["satisfaction"] == "不满意")
    answer = ask_offline(an, "各公司的不满意率是多少？")
    top = max(counts, key=lambda c: (low[c] / counts[c], c))
    assert _pct(low[top], counts[top]) in answer.body, answer.body
    assert top in answer.body


def test_a_word_before_a_value_that_begins_a_longer_name(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    federal = sum(r["sub_product"] == "Federal student loan servicing" for r in rows)
    student = sum(r["product"] == "Student loan" for r in rows)
    assert federal != student
    answer = ask_offline(an, "How many federal student loan complaints did we get in 2024?")
    assert answer.reading is not None and "Federal student loan servicing" in answer.reading.line
    assert f"{federal}" in answer.body and f" {student} " not in answer.body, answer.body


def test_groups_by_how_many_of_their_records_have_no_value(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    unanswered = Counter(r["company"] for r in rows if not r["replied_at"])
    kept = {c: n for c, n in unanswered.items() if n > 3}
    groups = _by_company(rows)
    # By all their complaints, more companies have more than 3: the number is of the unanswered.
    assert kept and len(kept) < sum(len(rs) > 3 for rs in groups.values())
    answer = ask_offline(
        an,
        "Which companies still have more than 3 complaints with no reply at all, and how many "
        "unanswered complaints do those companies add up to?",
    )
    assert f"{len(kept)} of {len(groups)}" in answer.body, answer.body
    for company in groups:
        assert (company in answer.body) == (company in kept), answer.body
    assert f"{sum(kept.values())} such records" in answer.body


def test_a_value_in_english_named_by_a_common_chinese_word(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    apple = sum(r["handle"] == "AppleSupport" for r in rows)
    assert 0 < apple < len(rows)
    answer = ask_offline(an, "苹果的投诉一共有多少条？")
    assert answer.reading is not None and "AppleSupport" in answer.reading.line
    assert f"为 {apple} " in answer.body, answer.body


def test_groups_past_a_number_counted_and_added_up(complaints: tuple[Analyst, Rows]) -> None:
    an, rows = complaints
    groups = _by_company(rows)
    kept = {c: len(rs) for c, rs in groups.items() if len(rs) > 10}
    assert 1 < len(kept) < len(groups)
    held = sum(kept.values())
    answer = ask_offline(
        an,
        "Which companies have more than 10 complaints, and how many complaints do they add up to?",
    )
    assert f"{len(kept)} of {len(groups)}" in answer.body, answer.body
    assert f"{held} such records, {_pct(held, len(rows))} of all {len(rows)}" in answer.body
    answer = ask_offline(an, "投诉超过10条的公司有几家？它们加起来占全部投诉的百分之几？")
    assert f"{len(kept)} 个" in answer.body, answer.body
    assert f"{held} 条" in answer.body and _pct(held, len(rows)) in answer.body


def test_a_company_set_aside_in_other_words(complaints: tuple[Analyst, Rows]) -> None:
    an, rows = complaints
    student = [r for r in rows if r["product"] == "Student loan"]
    others = [r for r in student if r["company"] != "Acme Bank"]
    assert 0 < len(others) < len(student)
    answer = ask_offline(an, "Student loan 的投诉里，不是针对 Acme Bank 的有多少条？")
    assert f"为 {len(others)} " in answer.body, answer.body
    mortgage = [r for r in rows if r["product"] == "Mortgage" and r["company"] != "Acme Bank"]
    answer = ask_offline(an, "Leave Acme Bank out of it - how many Mortgage complaints are there?")
    assert f" {len(mortgage)} " in answer.body, answer.body


def test_a_share_past_a_time_month_by_month(complaints: tuple[Analyst, Rows]) -> None:
    an, rows = complaints
    from datetime import datetime as dt

    fmt = "%Y-%m-%d %H:%M"
    months: dict[str, list[bool]] = {}
    for r in rows:
        if r["replied_at"]:
            hours = dt.strptime(r["replied_at"], fmt) - dt.strptime(r["received_at"], fmt)
            months.setdefault(r["received_at"][:7], []).append(hours.total_seconds() <= 86400)
    shares = {m: _pct(sum(v), len(v)) for m, v in months.items()}
    assert len(set(shares.values())) > 1
    answer = ask_offline(
        an, "What share of complaints got a reply within 24 hours, month by month, in 2024?"
    )
    for month, share in shares.items():
        assert f"| {month} |" in answer.body and share in answer.body, (month, answer.body)


def test_any_group_without_a_kind_and_values_per_group_on_average(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    groups = _by_company(rows)
    never = sorted(c for c, rs in groups.items() if all(r["status"] != "Escalated" for r in rs))
    answer = ask_offline(
        an, "Is there any company with not a single complaint Escalated? Which one?"
    )
    assert f"{len(never)} of {len(groups)}" in answer.body, answer.body
    assert all(c in answer.body for c in never)
    per = [len({r["sub_product"] for r in rs}) for rs in groups.values()]
    average = f"{sum(per) / len(per):.2f}".rstrip("0").rstrip(".")
    answer = ask_offline(
        an, "On average, how many sub-products does each company have complaints about?"
    )
    assert f"each company has {average} different" in answer.body, answer.body
    assert f"over {len(groups)} company values" in answer.body


def test_values_set_against_the_rest_of_their_column(complaints: tuple[Analyst, Rows]) -> None:
    an, rows = complaints
    named = ("Acme Bank", "Birch Credit")

    mine = [r for r in rows if r["company"] in named]
    rest = [r for r in rows if r["company"] not in named]
    assert _hours(mine) != _hours(rest)
    answer = ask_offline(
        an, "Do Acme Bank and Birch Credit take longer to get a reply than the other companies?"
    )
    assert "For Acme Bank and Birch Credit, the average" in answer.body, answer.body
    assert f"is {_hours(mine)}" in answer.body and f"it is {_hours(rest)}" in answer.body
    answer = ask_offline(an, "Acme Bank和Birch Credit的投诉数量和其他公司比怎么样？")
    assert f"投诉数量为 {len(mine)}（" in answer.body, answer.body
    assert f"其余的为 {len(rest)}（" in answer.body


def _pct2(part: int, whole: int) -> str:
    share = (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{share.normalize():f}%"


def test_the_share_of_the_first_groups_together(complaints: tuple[Analyst, Rows]) -> None:
    an, rows = complaints
    sizes = sorted((len(rs) for rs in _by_company(rows).values()), reverse=True)
    top3, top2, first = sum(sizes[:3]), sum(sizes[:2]), sizes[0]
    answer = ask_offline(
        an, "What share of all complaints comes from the three most-complained-about companies?"
    )
    said = f"first 3 by company hold {top3} records, {_pct2(top3, len(rows))} of all"
    assert said in answer.body, answer.body
    answer = ask_offline(an, "投诉最多的前两家公司加起来占全部投诉的百分之几？")
    assert f"合计 {top2} 条，占全部 {len(rows)} 条的 {_pct2(top2, len(rows))}" in answer.body, (
        answer.body
    )
    # The first group's own share when only it is asked about, the others merely listed.
    answer = ask_offline(
        an, "Which company has the most complaints, and what share of all complaints is that? "
        "List the top 3 as well."
    )  # fmt: skip
    assert f"Acme Bank holds {_pct2(first, len(rows))} of all" in answer.body, answer.body


def test_a_measure_for_the_records_with_no_value_and_those_with_one(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints

    unrated = [r for r in rows if not r["satisfaction"]]
    rated = [r for r in rows if r["satisfaction"]]
    assert _hours(unrated) != _hours(rated)
    answer = ask_offline(
        an, "What's the average reply time for complaints with no satisfaction, and for those "
        "with one?"
    )  # fmt: skip
    assert "For records with no satisfaction, the average" in answer.body, answer.body
    assert f"is {_hours(unrated)}" in answer.body and f"it is {_hours(rated)}" in answer.body


def test_a_value_said_twice_is_one_value(complaints: tuple[Analyst, Rows]) -> None:
    # "不满意" said twice: the second is no "满意" inside it; "every complaint" there is all
    # of them, the grouping is the company asked after "which".
    an, rows = complaints
    unhappy = Counter(r["company"] for r in rows if r["satisfaction"] == "不满意")
    (top, n), (_, second) = unhappy.most_common(2)
    assert n > second
    total = sum(unhappy.values())
    answer = ask_offline(
        an, "Looking at every complaint rated 不满意, which company do most of them come from, "
        "and what share of all the 不满意 ratings is that?"
    )  # fmt: skip
    assert f"{top} has the most complaints count for 不满意" in answer.body, answer.body
    assert f"{top} holds {_pct2(n, total)} of all {total} records" in answer.body


def test_a_part_of_those_counted_first(complaints: tuple[Analyst, Rows]) -> None:
    # The records of the value said first, then those of them with the value said after "of
    # those": both figures, not only the records with both.
    an, rows = complaints
    acme = [r for r in rows if r["company"] == "Acme Bank"]
    escalated = [r for r in acme if r["status"] == "Escalated"]
    assert 0 < len(escalated) < len(acme)
    for question in (
        "How many complaints did Acme Bank get, and how many of those were Escalated?",
        "Acme Bank 的投诉有几条？这几条里 Escalated 的有几条？",
    ):
        answer = ask_offline(an, question)
        assert str(len(acme)) in answer.body and str(len(escalated)) in answer.body, answer.body
        assert _pct(len(escalated), len(acme)) in answer.body, answer.body
    unreplied = [r for r in acme if not r["replied_at"]]
    answer = ask_offline(
        an,
        "How many complaints did Acme Bank get, and how many of those still haven't had a reply?",
    )
    assert f"{len(unreplied)} of {len(acme)} records" in answer.body, answer.body


def test_the_first_group_s_share_of_the_slice_it_is_ranked_in(
    complaints: tuple[Analyst, Rows],
) -> None:
    # "…and what share of Student loan's complaints is that": of the slice, not of every record
    # (and not each sub-product's share of Student loan).
    an, rows = complaints
    loans = [r for r in rows if r["product"] == "Student loan"]
    (top, n), _ = Counter(r["sub_product"] for r in loans).most_common(2)
    answer = ask_offline(
        an, "Within Student loan, which sub-product comes up most, and what share of Student "
        "loan's complaints is that?"
    )  # fmt: skip
    assert f"{top} holds {_pct2(n, len(loans))} of all {len(loans)} records" in answer.body, (
        answer.body
    )


def test_a_value_s_share_and_the_one_that_comes_after_it(
    complaints: tuple[Analyst, Rows],
) -> None:
    # "…一家占了百分之多少？排在它后面的是哪家": the share, then the next company by records.
    an, rows = complaints
    loans = [r for r in rows if r["product"] == "Student loan"]
    counts = Counter(r["company"] for r in loans)
    ranked = sorted(counts, key=lambda c: (-counts[c], c))
    first, second = ranked[0], ranked[1]
    answer = ask_offline(
        an, f"Student loan 的投诉里，{first} 一家占了百分之多少？排在它后面的是哪家，几条？"
    )
    assert f"其中{first} {counts[first]} 条" in answer.body, answer.body
    assert f"排在它后面的是{second}，{counts[second]} 条" in answer.body, answer.body

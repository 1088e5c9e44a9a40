"""A kind of thing said in the plural whose names end a column's values: "credit unions" over
companies named "… Federal Credit Union", "which banks" over those named "… Bank". The values
holding the words are the records meant (added up, or ranked among themselves), on a fresh
export written by the test; every expected figure is counted from its rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from agent_support import lead_of
from ingest_support import offline_analyst

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
Rows = list[dict[str, str]]
TOWNS = ("Ashford", "Bayview", "Cedar Falls", "Dunmore", "Eastgate", "Fairhaven", "Glenwood")
COMPANIES = (
    [f"{t} Federal Credit Union" for t in TOWNS[:6]]
    + [f"{t} Savings Bank" for t in TOWNS]
    + [f"{t} Community Bank" for t in TOWNS[:5]]
    + [f"{t} Finance LLC" for t in TOWNS]
)


# A product named by the way its first sub-product begins ("Payday loan, title loan, …").
_PRODUCTS = (
    ("Checking or savings account", ("Checking account", "Savings account")),
    ("Credit card", ("General-purpose credit card", "Store credit card")),
    (
        "Payday loan, title loan, or personal loan",
        ("Payday loan", "Title loan", "Installment loan"),
    ),
    ("Mortgage", ("Conventional home mortgage", "FHA mortgage")),
)


def _rows() -> Rows:
    rows = []
    start = datetime(2026, 3, 2, 9)
    for i in range(600):
        # Uneven: the earlier companies in the list get more complaints.
        company = COMPANIES[min(int((i * 37 % 600) ** 0.5 * 1.1), len(COMPANIES) - 1)]
        rows.append(
            {
                "complaint_id": f"C{i:05d}",
                "received": (start + timedelta(hours=9 * i)).strftime("%Y-%m-%d %H:%M"),
                "company": company,
                "product": _PRODUCTS[i % 4][0],
                "sub_product": _PRODUCTS[i % 4][1][i % len(_PRODUCTS[i % 4][1])],
            }
        )
    return rows


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _rows()
    folder = tmp_path_factory.mktemp("kinds")
    with offline_analyst(
        folder, rows, file="complaints.csv", id="complaint_id", as_of="2026-12-04"
    ) as an:
        yield an, rows


def test_a_kind_said_in_the_plural_is_every_value_named_so(
    export: tuple[Analyst, Rows],
) -> None:
    an, rows = export
    unions = [r for r in rows if r["company"].endswith("Credit Union")]
    names = {r["company"] for r in unions}
    assert 1 < len(names) < len({r["company"] for r in rows})
    lead = lead_of(
        an.ask(
            "How many complaints do we have against credit unions, all of them together? And "
            "how many different credit unions is that?"
        ).text
    )
    assert f"was {len(unions)} " in lead and f"{len(names)} different values" in lead, lead

    banks = Counter(r["company"] for r in rows if r["company"].endswith("Bank"))
    (top, n), (_, second) = banks.most_common(2)
    assert n > second
    text = an.ask("Which banks get the most complaints?").text
    lead = next(p for p in text.split("\n\n") if "has the most" in p)
    assert f"{top} has the most" in lead and f": {n}" in lead, text
    assert "Credit Union" not in text and "Finance" not in text, text
    # Asked how many too: the first bank's share is of the banks' records, not of every company's.
    total = sum(banks.values())
    text = an.ask("How many complaints are against banks, and which bank has the most?").text
    assert f"{top} holds {round(100 * n / total, 2):g}% of all {total} records" in text, text


def test_a_sub_category_said_with_specifically_is_not_its_broader_category(
    export: tuple[Analyst, Rows],
) -> None:
    # "payday loans" names the broader product; "payday loans specifically" the sub-product.
    an, rows = export
    broad = sum(r["product"].startswith("Payday loan,") for r in rows)
    narrow = sum(r["sub_product"] == "Payday loan" for r in rows)
    assert narrow < broad
    lead = lead_of(an.ask("How many complaints are about payday loans?").text)
    assert f"was {broad} " in lead, lead
    lead = lead_of(an.ask("How many complaints are about payday loans specifically?").text)
    assert f"was {narrow} " in lead, lead


def test_names_compared_count_every_value_they_name_and_no_others(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # "国产的和进口的都算上": which of the named brands' values count, not every imported brand;
    # each brand's values are counted together too.
    brands = (
        "北京奔驰",
        "奔驰（进口）",
        "华晨宝马",
        "宝马（进口）",
        "沃尔沃（进口）",
        "大众（进口）",
    )
    rows = [
        {
            "complaint_id": f"K{i:04d}",
            "received": (datetime(2026, 6, 1) + timedelta(hours=5 * i)).strftime("%Y-%m-%d %H:%M"),
            "brand": brands[(i * 7) % len(brands)] if i % 5 else brands[i % 2],
        }
        for i in range(120)
    ]
    folder = tmp_path_factory.mktemp("also_counted")
    with offline_analyst(folder, rows, id="complaint_id", as_of="2026-12-04") as an:
        text = an.ask("奔驰和宝马这两个牌子，谁被投诉得多？国产的和进口的都算上，各几条？").text
    per = Counter(r["brand"] for r in rows)
    for brand in brands[:4]:
        assert f"| {brand} | {per[brand]} |" in text, (brand, text)
    assert "沃尔沃" not in text and "大众" not in text, text
    # Each brand's plants together, from one query.
    benz, bmw = per["北京奔驰"] + per["奔驰（进口）"], per["华晨宝马"] + per["宝马（进口）"]
    assert f"奔驰（北京奔驰 / 奔驰（进口））{benz} 条" in text, text
    assert f"宝马（华晨宝马 / 宝马（进口））{bmw} 条" in text, text

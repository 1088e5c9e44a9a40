"""Columns holding a list in each cell ("H93,H15," — a complaint's defect codes; "1053488,
1053489" — the ids of a tweet's replies), over exports the test writes:

- the derived catalog measures how many items a record's cell holds, and says what the items
  are (codes, replies), leaving prose with commas and numbers with thousands separators alone;
- "logged with three or more defect codes", "只登记了一个故障代码", "more than one reply" count
  the records whose cell holds that many, with their share, by a group when one is asked;
- "on average, how many codes per complaint" averages the items, the empty cell counting none.

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
from servicelens.data.list_items import list_shape

pytestmark = pytest.mark.slow
Rows = list[dict[str, str]]
BRANDS = ["Aurora", "Borealis", "Cinder", "Drift"]


def _codes(i: int) -> list[str]:
    pool = ["H15", "H93", "M279", "E111", "B84", "N318", "A9"]
    return [pool[(i * k + i // 5) % len(pool)] for k in range(1 + (i * 7) % 4)]


def _complaints() -> Rows:
    start, rows = datetime(2020, 3, 2, 9), []
    for i in range(240):
        codes = _codes(i)
        rows.append(
            {
                "id": str(10_000 + i),
                "created": (start + timedelta(hours=7 * i)).strftime("%Y-%m-%d %H:%M:%S"),
                "brand": BRANDS[(i * 3 + i // 7) % len(BRANDS)],
                # The codes joined with a trailing comma, as the export writes them; a few
                # complaints carry none.
                "problem": "" if i % 29 == 0 else "".join(f"{c}," for c in codes),
                "title": f"Complaint {i}: the car makes a noise, then stalls, again",
            }
        )
    return rows


def _count(row: dict[str, str]) -> int:
    return len([c for c in row["problem"].split(",") if c.strip()])


@pytest.fixture(scope="module")
def complaints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _complaints()
    folder = tmp_path_factory.mktemp("list_cells")
    with offline_analyst(
        folder, rows, file="complaints.csv", as_of="2020-06-01", id="id", text="title"
    ) as an:
        yield an, rows


def test_a_list_column_is_measured_by_its_number_of_items(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, _ = complaints
    catalog = an.workspace.catalog
    assert catalog is not None
    items = catalog.metrics["avg_problem_items"].spec
    assert items.en == "Average number of problem codes per record", items
    assert "number of codes" in items.aliases and "代码个数" in items.aliases, items
    # The free text, commas and all, is no list.
    assert not any("title" in name for name in catalog.metrics), list(catalog.metrics)


def test_shapes_of_lists_and_of_what_only_looks_like_one() -> None:
    assert list_shape(["1053488,1053489", "1067699", "1477412,1477413,1477414"] * 3) is not None
    shape = list_shape(["billing; late delivery", "refund", "late delivery; damaged box"] * 4)
    assert shape is not None and shape.delimiter == ";" and shape.kind == "items"
    assert list_shape(["1,234", "12,500", "980"] * 5) is None  # thousands separators
    # A name and its legal form: one company, not two items.
    assert list_shape(["Harborline Bank, N.A.", "Acme, Inc.", "Zeta Loans LLC"] * 5) is None
    prose = "I waited for weeks, called twice, and still nobody came to fix it properly"
    assert list_shape([prose, "fine, thanks for asking, it works again now"] * 5) is None


def test_records_past_a_number_of_items_are_counted_with_their_share(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    three = sum(_count(r) >= 3 for r in rows)
    assert 0 < three < len(rows)
    share = f"{round(100 * three / len(rows), 1):g}%"
    answer = ask_offline(
        an, "What share of the complaints were logged with three or more defect codes?"
    )
    assert f"{three} of the {len(rows)} records have three or more defect codes ({share})" in (
        answer.body
    ), answer.body
    one = sum(_count(r) == 1 for r in rows)
    answer = ask_offline(an, "只登记了一个故障代码的投诉有多少条？占全部投诉的多少？")
    assert f"共 {len(rows)} 条记录，其中只登记了一个故障代码的有 {one} 条" in answer.body, (
        answer.body
    )


def test_a_number_of_items_by_group_and_on_average(complaints: tuple[Analyst, Rows]) -> None:
    an, rows = complaints
    by = Counter(r["brand"] for r in rows if _count(r) > 2)
    (top, n), (_, second) = by.most_common(2)
    assert second < n
    answer = ask_offline(an, "Which brand has the most complaints logged with more than two codes?")
    assert f"By brand, {top} has the most with more than two codes: {n}" in answer.body, answer.body
    average = sum(_count(r) for r in rows) / len(rows)
    answer = ask_offline(an, "On average, how many codes are logged per complaint?")
    assert f"{average:.2f}" in answer.body, answer.body


def test_the_items_are_ranked_by_the_records_listing_them(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    listing = Counter(c for r in rows for c in set(r["problem"].split(",")) if c.strip())
    (top, n), (_, second) = listing.most_common(2)
    assert second < n
    answer = ask_offline(an, "Which defect code shows up on the most complaints?")
    assert f"{top} is listed on the most records: {n} of {len(rows)}" in answer.body, answer.body
    for name in BRANDS:  # a brand whose first code is listed more often than its second
        brand = [r for r in rows if r["brand"] == name]
        (first, m), (_, runner) = Counter(
            c for r in brand for c in set(r["problem"].split(",")) if c.strip()
        ).most_common(2)
        if runner < m:
            break
    assert runner < m
    answer = ask_offline(an, f"{name}的投诉里，哪个故障代码出现得最多？")
    assert f"{first}出现在最多的记录里：{len(brand)} 条中有 {m} 条" in answer.body, answer.body

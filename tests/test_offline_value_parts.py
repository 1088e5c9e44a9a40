"""Words that are parts of many values of one column ("手动" of "2018款 1.6L 手动 豪华型"): the
records whose value holds the word, counted, ranked and set aside, on an export the test writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from ingest_support import offline_analyst

from servicelens import Analyst

BRANDS = ("北辰汽车", "远山汽车", "青禾汽车", "白石汽车")
YEARS = ("2016款", "2017款", "2018款", "2019款", "2020款")
GEARS = ("手动", "自动", "自动", "CVT")
DRIVES = ("两驱", "两驱", "四驱")
CODES = ("K7", "M12", "H150", "Z9")
GRADES = ("舒适型", "豪华型", "精英版", "尊贵型", "运动版", "旗舰型")


def _rows() -> list[dict[str, str]]:
    rows = []
    for i in range(240):
        trim = (
            f"{YEARS[(i * 7) % 5]} {1.4 + (i % 4) * 0.2:.1f}L {GEARS[(i // 2 + i // 9) % 4]} "
            f"{DRIVES[(i + i // 4) % 3]} {GRADES[(i * 5) % 6]}"
        )
        rows.append(
            {
                "id": str(i),
                "brand": BRANDS[(0, 0, 0, 0, 1, 1, 1, 2, 2, 3)[(i * 3 + i // 7) % 10]],
                "car_model": f"车系{(i * 5 + i // 5) % 17:02d}",
                "trim": trim,
                "filed": f"2020-06-0{1 + i % 8}",
                # A list of defect codes, each ending in a comma: "K7,M12,".
                "codes": "".join(
                    f"{c}," for c in CODES if (i * len(c) + i // 3 + len(c) * (i // 5)) % 4 == 0
                )
                or "R1,",
                "text": f"第{i}条：发动机异响，售后处理慢。",
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
    folder = tmp_path_factory.mktemp("value_parts")
    with offline_analyst(folder, rows, id="id", text="text", as_of="2020-06-09") as an:
        yield an


def _holding(rows: list[dict[str, str]], word: str) -> list[dict[str, str]]:
    return [r for r in rows if word in r["trim"].split()]


def test_a_word_inside_many_values_counts_the_records_holding_it(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    manual = _holding(rows, "手动")
    assert 0 < len(manual) < len(rows)
    answer = analyst.ask("手动挡的车有多少条投诉？")
    assert answer.reading is not None and "含“手动”" in answer.reading.line, answer.text
    assert f"为 {len(manual)} [" in answer.text, answer.text
    # The noun right after the word ("四驱车型") is what is counted, not a grouping.
    # An acronym is a part as written ("CVT" of "2019款 1.5T CVT 精英版").
    cvt = _holding(rows, "CVT")
    answer = analyst.ask("搭载CVT变速箱的车被投诉了多少次？")
    assert answer.reading is not None and "含“CVT”" in answer.reading.line, answer.text
    assert f"为 {len(cvt)} [" in answer.text, answer.text
    awd = _holding(rows, "四驱")
    answer = analyst.ask("四驱车型的投诉有多少？")
    assert answer.reading is not None and answer.reading.group_by == [], answer.reading
    assert f"为 {len(awd)} [" in answer.text, answer.text


def test_a_model_year_is_a_part_of_the_values_not_a_period(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    brands = Counter(r["brand"] for r in _holding(rows, "2018款"))
    (top, n), second = brands.most_common(1)[0], brands.most_common(2)[1][1]
    assert n > second
    answer = analyst.ask("2018款的车里，哪个品牌被投诉得最多？")
    assert answer.status == "answered", answer.text
    assert f"{top}的" in answer.text and f"含“2018款”）最多，为 {n}" in answer.text, answer.text


def test_a_word_inside_many_values_set_aside(analyst: Analyst, rows: list[dict[str, str]]) -> None:
    kept = Counter(r["brand"] for r in rows if "手动" not in r["trim"].split())
    (top, n), second = kept.most_common(1)[0], kept.most_common(2)[1][1]
    assert n > second
    answer = analyst.ask("除了手动挡，哪个品牌投诉最多？")
    assert answer.reading is not None and "不含“手动”" in answer.reading.line, answer.reading
    assert f"{top}的" in answer.text and f"不含“手动”）最多，为 {n}" in answer.text, answer.text


def test_a_word_that_is_no_part_of_the_values_filters_nothing(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = analyst.ask("一共有多少张工单？")
    assert f"为 {len(rows)} [" in answer.text, answer.text


def test_a_code_in_a_list_of_codes_counts_every_record_listing_it(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    listing = [r for r in rows if "M12" in r["codes"].split(",")]
    alone = [r for r in rows if r["codes"] == "M12,"]
    assert alone and len(alone) < len(listing)
    answer = analyst.ask("How many tickets list code M12?")
    assert f"codes containing “M12” was {len(listing)} in " in answer.text, answer.text
    answer = analyst.ask("除了M12，哪个品牌的工单最多？")
    kept = Counter(r["brand"] for r in rows if "M12" not in r["codes"].split(","))
    (top, n), second = kept.most_common(1)[0], kept.most_common(2)[1][1]
    assert n > second
    assert f"{top}的" in answer.text and f"不含“M12”）最多，为 {n}" in answer.text, answer.text


def test_values_set_aside_with_the_grouping_s_noun_between(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "北辰汽车和远山汽车的车型先不算": the two brands' models left out, the rest ranked.
    kept = Counter(r["car_model"] for r in rows if r["brand"] not in ("北辰汽车", "远山汽车"))
    (top, n), second = kept.most_common(1)[0], kept.most_common(2)[1][1]
    assert n > second
    answer = analyst.ask("北辰汽车和远山汽车的车型先不算，其余车型里哪一款被投诉得最多？")
    assert answer.reading is not None and "不含" in answer.reading.line, answer.reading
    assert f"{top}的" in answer.text and f"最多，为 {n}" in answer.text, answer.text


def test_an_average_of_a_noun_no_measure_holds_gets_no_figure(analyst: Analyst) -> None:
    # "On average, what model year are they": nothing measures a model year; no themes or
    # counts in its place.
    answer = analyst.ask(
        "How old are the cars people complain about - on average, what model year are they?"
    )
    assert answer.status == "insufficient_data", answer.text
    assert "model year" in answer.text, answer.text


def test_a_model_year_and_every_older_one(analyst: Analyst, rows: list[dict[str, str]]) -> None:
    # "2017款以及更老的车": the trims of that year and of every year before it, counted; "及以后"
    # the later ones.
    older = sum(int(r["trim"][:4]) <= 2017 for r in rows)
    newer = sum(int(r["trim"][:4]) >= 2019 for r in rows)
    assert 0 < older < len(rows) and 0 < newer < len(rows)
    text = analyst.ask("2017款以及更老的车，一共被投诉了多少条？").body
    assert f"为 {older} [" in text, text
    text = analyst.ask("2019款及以后的车有多少条投诉？").body
    assert f"为 {newer} [" in text, text

"""Words counted in Chinese texts, said with the mention verb again ("既没提到A、也没提到B",
"提到了A又提到B"), on an export the test writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_support import offline_analyst

from servicelens import Analyst

TITLES = (
    "发动机异响严重",
    "变速箱顿挫明显",
    "发动机漏油，变速箱也有异响",
    "车机经常卡顿",
    "刹车异响",
)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return [
        {"id": str(i), "filed": f"2020-06-0{1 + i % 8}", "brand": "甲乙丙"[i % 3],
         "title": f"{TITLES[(i * 3 + i // 4) % 5]}（第{i}条）"}
        for i in range(90)
    ]  # fmt: skip


@pytest.fixture(scope="module")
def analyst(
    rows: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Analyst]:
    folder = tmp_path_factory.mktemp("zh_mentions")
    with offline_analyst(folder, rows, id="id", text="title", as_of="2020-06-09") as an:
        yield an


def test_neither_word_when_the_negated_verb_is_said_twice(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    neither = sum("发动机" not in r["title"] and "变速箱" not in r["title"] for r in rows)
    answer = analyst.ask("标题里既没提到发动机、也没提到变速箱的投诉，一共有多少条？")
    assert answer.reading is not None and "也没" not in answer.reading.line, answer.reading
    assert f"的有 {neither} 条" in answer.text, answer.text


def test_both_words_when_the_verb_is_said_again_with_you(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    both = sum("发动机" in r["title"] and "变速箱" in r["title"] for r in rows)
    either = sum("发动机" in r["title"] or "变速箱" in r["title"] for r in rows)
    assert 0 < both < either
    text = analyst.ask("提到了发动机又提到变速箱的投诉有多少？").text
    assert f"的有 {both} 条" in text, text


REVIEWS = ("颜色有色差", "洗了就掉色", "掉色严重还有色差", "质量不错", "过期了不能吃", "物流很快")


@pytest.fixture(scope="module")
def undated(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Analyst, list[dict[str, str]]]]:
    # Reviews with no date column, in categories: "哪个更多" compares the words, not periods.
    rows = [
        {"id": str(i), "cat": ("衣服", "零食", "水果")[(i * 7 + i // 5) % 3],
         "review": f"{REVIEWS[(i * 5 + i // 3) % 6]}（{i}）"}
        for i in range(120)
    ]  # fmt: skip
    folder = tmp_path_factory.mktemp("zh_undated")
    with offline_analyst(folder, rows, id="id", text="review", as_of="2020-06-09") as an:
        yield an, rows


def test_two_quoted_words_compared_in_an_undated_export_are_each_counted(
    undated: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = undated
    clothes = [r for r in rows if r["cat"] == "衣服"]
    fade = sum("掉色" in r["review"] for r in clothes)
    off = sum("色差" in r["review"] for r in clothes)
    answer = an.ask("衣服的评论里，说“色差”的和说“掉色”的各有多少条？哪个更多？")
    assert answer.status == "answered", answer.text
    assert f"“掉色” {fade}" in answer.text and f"“色差” {off}" in answer.text, answer.text


def test_words_counted_by_the_groups_left_after_one_is_set_aside(
    undated: tuple[Analyst, list[dict[str, str]]],
) -> None:
    an, rows = undated
    from collections import Counter

    kept = Counter(r["cat"] for r in rows if r["cat"] != "衣服" and "过期" in r["review"])
    (top, n), second = kept.most_common(1)[0], kept.most_common(2)[1][1]
    assert n > second
    text = an.ask("除了衣服，其他品类的评论里说到“过期”的一共有几条？其中哪个品类最多？").text
    assert f"的有 {sum(kept.values())} 条" in text, text
    assert f"最多的是{top}：{n} 条" in text, text


def test_an_english_question_counts_the_chinese_words_it_glosses_in_brackets(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "mentioning a knocking noise from the engine (发动机异响)": the text's own words, in
    # brackets after a longer English phrase; "how many such complaints" counts the records.
    said = sum("发动机异响" in r["title"] for r in rows)
    answer = analyst.ask(
        "Owners keep mentioning a loud knocking noise from the engine (发动机异响). "
        "How many such complaints are there?"
    )
    assert answer.reading is not None and "发动机异响" in answer.reading.line, answer.reading
    assert f"{said} of {len(rows)} records mention" in answer.text, answer.text


def test_a_compound_the_text_never_says_is_counted_by_its_ending_and_said(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "车辆发动机异响": the titles say "发动机异响" only; counted by it, and the answer says so.
    n = sum("发动机异响" in r["title"] for r in rows)
    assert n and not any("车辆发动机异响" in r["title"] for r in rows)
    text = analyst.ask("提到车辆发动机异响的投诉有多少条？").text
    assert f"其中提到“发动机异响”的有 {n} 条" in text, text
    assert "反馈中没有出现“车辆发动机异响”" in text, text
    # A quoted word is counted as written, found or not.
    quoted = analyst.ask("提到“车辆发动机异响”的投诉有多少条？").text
    assert "的有 0 条" in quoted, quoted


def test_quoted_words_a_text_column_is_said_to_hold_are_counted_by_group(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "标题里有“卡顿”或“漏油”就算": the words the titles hold, counted, then by brand — not
    # every complaint ranked by brand.
    said = [r for r in rows if "卡顿" in r["title"] or "漏油" in r["title"]]
    by_brand = {b: sum(r["brand"] == b for r in said) for b in "甲乙丙"}
    top = max(by_brand, key=lambda b: by_brand[b])
    assert sorted(by_brand.values())[-1] > sorted(by_brand.values())[-2]
    text = analyst.ask(
        "车机卡顿或者漏油的投诉一共有几条？（标题里有“卡顿”或“漏油”就算。）主要集中在哪个品牌？"
    ).text
    assert f"的有 {len(said)} 条" in text, text
    assert f"最多的是{top}：{by_brand[top]} 条" in text, text


def test_a_verb_of_handling_inside_a_value_s_name_does_not_name_it(tmp_path: Path) -> None:
    # "要求重新办理的": 办理 is said of any matter; it does not name 社保卡办理问题.
    subjects = ["社保卡办理问题", "物业管理收费", "路灯不亮"]
    records = [
        {"id": str(i), "filed": f"2024-0{1 + i % 6}-1{i % 9}", "subject": subjects[i % 3],
         "text": f"{subjects[i % 3]}，请尽快处理（{i}）"}
        for i in range(60)
    ]  # fmt: skip
    with offline_analyst(tmp_path, records, id="id", text="text", as_of="2024-07-01") as an:
        answer = an.ask("有多少条留言的答复被市民退回、要求重新办理的？")
    assert answer.reading is not None and answer.reading.line, answer.text
    assert "社保卡办理问题" not in answer.reading.line, answer.text
    assert "社保卡办理问题" not in answer.body, answer.text


def test_families_of_values_named_side_by_side_are_each_a_group(tmp_path: Path) -> None:
    # "2019款和2020款的车": every trim of each model year, a group of its own — for a value's
    # share and for the share that mention a word.
    engines = ["1.5L 手动 舒适型", "1.5T 自动 豪华型", "2.0T 四驱 旗舰型", "1.6L CVT 精英版"]
    rows = [
        {"id": str(i), "filed": f"2020-06-0{1 + i % 8}", "brand": "甲乙丙"[i % 3],
         "type": f"{2018 + (i * 7 + i // 5) % 3}款 {engines[i % 4]}",
         "status": ("处理反馈", "信息审核", "处理反馈", "审核通过")[(i // 3) % 4],
         "title": f"{TITLES[(i * 3 + i // 4) % 5]}（第{i}条）"}
        for i in range(150)
    ]  # fmt: skip
    with offline_analyst(tmp_path, rows, id="id", text="title", as_of="2020-06-09") as an:
        shares = an.ask("2019款和2020款的车，投诉走到“处理反馈”的比例各是多少？").text
        noise = an.ask("2018款和2019款的车，各自的投诉里说到异响的占百分之几？").text
    for year in ("2019款", "2020款"):
        mine = [r for r in rows if r["type"].startswith(year)]
        done = sum(r["status"] == "处理反馈" for r in mine)
        assert f"| {year} | {done} | {len(mine)} |" in shares, (year, shares)
    for year in ("2018款", "2019款"):
        mine = [r for r in rows if r["type"].startswith(year)]
        said = sum("异响" in r["title"] for r in mine)
        assert f"| {year} | {said} | {len(mine)} |" in noise, (year, noise)


def test_the_group_with_the_most_records_then_a_value_s_part_of_it(tmp_path: Path) -> None:
    # "哪个品牌被投诉得最多？…其中星越占了几条": the brands ranked by all their complaints
    # that day, 星越's part of the first — not the brands ranked by 星越's complaints alone.
    models = {"吉利": ["星越", "博越"], "马自达": ["阿特兹", "CX-4"], "大众": ["速腾", "迈腾"]}
    brands = list(models)
    rows = []
    for i in range(120):
        brand = brands[(i * 5 + i // 7) % 3]
        rows.append(
            {"id": str(i), "filed": f"2020-06-0{1 + i % 4}", "brand": brand,
             "model": models[brand][(i // 3) % 2], "title": f"{TITLES[i % 5]}（第{i}条）"}
        )  # fmt: skip
    day = [r for r in rows if r["filed"] == "2020-06-03"]
    counts = Counter(r["brand"] for r in day)
    (top, n), second = counts.most_common(1)[0], counts.most_common(2)[1][1]
    assert n > second
    model = models[top][0]
    part = sum(r["model"] == model for r in day if r["brand"] == top)
    with offline_analyst(tmp_path, rows, id="id", text="title", as_of="2020-06-09") as an:
        text = an.ask(
            f"6月3号哪个品牌被投诉得最多？那天它一共被投诉了几条？其中{model}占了几条？"
        ).text
    assert f"{top}的记录最多：{n} 条，其中{model} {part} 条" in text, text

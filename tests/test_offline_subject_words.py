"""Words the feedback's text never says but the records' subject line does: a hotline export
whose messages carry a subject of many different values beside the text. A word only the
subject says is counted there (and said so), by district too; a word the text says is counted
in the text as before.

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
DISTRICTS = ["东城区", "西城区", "南湖区", "北山县"]
SUBJECTS = ["无证行医诊所", "道路破损", "噪音扰民", "公司拖欠工资", "物业收费"]
TEXTS = ["希望有关部门尽快处理", "已经反映多次没有结果", "小区停车位不够，请协调"]
Rows = list[dict[str, str]]


def _messages() -> Rows:
    start, rows = datetime(2024, 1, 1, 8), []
    for i in range(300):
        rows.append(
            {
                "编号": f"M{i:04d}",
                "留言时间": (start + timedelta(hours=13 * i)).strftime(FMT),
                "所属区县": DISTRICTS[(i * 3 + i // 7) % 4],
                # Many subjects: the subject line names the matter in its own words.
                "留言主题": f"{SUBJECTS[(i * 7 + i // 3) % 5]}（{i % 23}号）",
                "留言详情": f"{TEXTS[(i * 5 + i // 4) % 3]}（{i}）",
            }
        )
    return rows


@pytest.fixture(scope="module")
def hotline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _messages()
    folder = tmp_path_factory.mktemp("subjects")
    with offline_analyst(
        folder, rows, file="hotline.csv", as_of="2024-07-01", id="编号", text="留言详情"
    ) as an:
        yield an, rows


def test_a_word_only_the_subject_says_is_counted_in_the_subject(
    hotline: tuple[Analyst, Rows],
) -> None:
    an, rows = hotline
    said = [r for r in rows if "无证行医" in r["留言主题"]]
    assert said and not any("无证行医" in r["留言详情"] for r in rows)
    answer = ask_offline(an, "反映无证行医的留言有多少条？")
    assert f"共有 {len(rows)} 条记录，其中提到“无证行医”的有 {len(said)} 条" in answer.body
    assert "留言主题" in answer.body, answer.body
    top, n = Counter(r["所属区县"] for r in said).most_common(1)[0]
    answer = ask_offline(an, "Which district has the most messages about 无证行医?")
    assert f"{top} has the most mentions of “无证行医”: {n}" in answer.body, answer.body


def test_a_word_the_text_says_is_counted_in_the_text(hotline: tuple[Analyst, Rows]) -> None:
    an, rows = hotline
    n = sum("停车" in r["留言详情"] for r in rows)
    answer = ask_offline(an, "提到停车的留言有多少条？")
    assert f"其中提到“停车”的有 {n} 条" in answer.body, answer.body
    assert "留言主题" not in answer.body, answer.body


def _complaints() -> Rows:
    texts = ["The web form kept timing out", "Why was I charged twice?", "Nobody answered my call"]
    return [
        {
            "complaint_id": str(500 + i),
            "date_received": f"2024-0{1 + i % 6}-1{i % 9}",
            "submitted_via": ("Web", "Phone", "Email")[(i + i // 4) % 3],
            "narrative": f"{texts[(i * 5 + i // 3) % 3]} ({i})",
        }
        for i in range(150)
    ]


@pytest.fixture(scope="module")
def complaints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _complaints()
    folder = tmp_path_factory.mktemp("inside_words")
    with offline_analyst(
        folder, rows, file="complaints.csv", as_of="2025-01-02", id="complaint_id",
        text="narrative",
    ) as an:  # fmt: skip
        yield an, rows


def test_a_value_said_only_inside_the_words_counted_is_no_filter(
    complaints: tuple[Analyst, Rows],
) -> None:
    # "mention a web form": the words are counted over every channel, not only the Web one.
    an, rows = complaints
    n = sum("web form" in r["narrative"].lower() for r in rows)
    assert sum(r["submitted_via"] != "Web" and "web form" in r["narrative"].lower() for r in rows)
    answer = ask_offline(an, "How many complaints mention a web form?")
    assert f"{n} of {len(rows)} records" in answer.body, answer.body
    # Said apart, the value is still the filter.
    web = [r for r in rows if r["submitted_via"] == "Web"]
    n = sum("web form" in r["narrative"].lower() for r in web)
    answer = ask_offline(an, "How many Web complaints mention a web form?")
    assert f"{n} of {len(web)} records" in answer.body, answer.body


def test_a_mark_named_by_its_name_is_counted_as_written(complaints: tuple[Analyst, Rows]) -> None:
    # "contain a question mark": the records whose text holds "?", not the words "question mark".
    an, rows = complaints
    n = sum("?" in r["narrative"] for r in rows)
    assert n
    answer = ask_offline(an, "How many complaints contain a question mark?")
    assert f"{n} of {len(rows)} records" in answer.body, answer.body

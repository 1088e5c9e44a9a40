"""Words that end every value of a family of subjects, said after a mention verb ("反映小区停车位
问题的留言"), over a hotline export the test writes: the subjects are each place's own line
("城东区翠湖湾小区停车位问题", "城西区学府路小区停车位问题", …) and the message text never says
the words, so they name the subjects that end with them, not words to find in the text.

Also, over a ticket export in English asked in Chinese: a yes/no column named word by word with
the "not" said between its words ("优先级没有经过复核确认的" for Priority confirmation) is its
"no" side.

Every expected figure is computed from the rows the test wrote, never from the analyst.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from agent_support import ask_offline
from ingest_support import offline_analyst

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
FMT = "%Y-%m-%d %H:%M:%S"
Rows = list[dict[str, str]]
DISTRICTS = ["城东区", "城西区", "江北区"]
ESTATES = ["翠湖湾", "学府路", "金桂园", "江景苑"]
ISSUES = ["小区停车位问题", "物业乱收费问题", "违章搭建问题"]


def _messages() -> Rows:
    start, rows = datetime(2024, 1, 2, 8), []
    for i in range(180):
        place = DISTRICTS[i % 3] + ESTATES[(i // 3) % 4]
        at = start + timedelta(hours=19 * i)
        rows.append(
            {
                "编号": f"M{i:04d}",
                "留言时间": at.strftime(FMT),
                "答复时间": (at + timedelta(hours=20 + (i * 29) % 400)).strftime(FMT),
                "留言主题": place + ISSUES[(i * 7 + i // 5) % 3],
                "留言详情": f"您好，我想反映一个情况，希望有关部门尽快处理（{i}）",
            }
        )
    return rows


@pytest.fixture(scope="module")
def hotline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _messages()
    folder = tmp_path_factory.mktemp("families")
    with offline_analyst(
        folder, rows, file="hotline.csv", as_of="2024-07-01", id="编号", text="留言详情"
    ) as an:
        yield an, rows


def test_words_ending_a_family_of_subjects_after_a_mention_verb_name_those_subjects(
    hotline: tuple[Analyst, Rows],
) -> None:
    an, rows = hotline
    parking = [r for r in rows if r["留言主题"].endswith("小区停车位问题")]
    hours = [
        (datetime.strptime(r["答复时间"], FMT) - datetime.strptime(r["留言时间"], FMT))
        .total_seconds() / 3600
        for r in parking
    ]  # fmt: skip
    answer = ask_offline(an, "反映小区停车位问题的留言有多少条？")
    assert f"留言数量为 {len(parking)} [Q" in answer.body, answer.body
    answer = ask_offline(an, "反映小区停车位问题的留言，平均要等几个小时才有答复？")
    assert f"{sum(hours) / len(hours):.1f}小时" in answer.body, answer.body
    # A count past a time asked after the average, in a sentence of its own: both answered.
    answer = ask_offline(
        an, "反映小区停车位问题的留言，平均要等几个小时才有答复？7天之内就答复了的有几条？"
    )
    assert f"{sum(hours) / len(hours):.1f}小时" in answer.body, answer.body
    within = sum(1 for h in hours if h <= 7 * 24)
    assert f"之内的有 {within} 条" in answer.body, answer.body


def _tickets() -> Rows:
    start, rows = datetime(2016, 3, 1, 8), []
    for i in range(160):
        rows.append(
            {
                "number": f"INC{i:05d}",
                "opened_at": (start + timedelta(hours=11 * i)).strftime(FMT),
                "priority": ["1 - Critical", "2 - High", "3 - Moderate"][(i * 7 + i // 3) % 3],
                "priority_confirmation": "true" if (i * 5 + i // 7) % 4 else "false",
            }
        )
    return rows


@pytest.fixture(scope="module")
def tickets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _tickets()
    folder = tmp_path_factory.mktemp("confirmed")
    with offline_analyst(folder, rows, file="incidents.csv", as_of="2017-03-01", id="number") as an:
        yield an, rows


def test_a_yes_no_column_named_in_chinese_with_not_between_its_words(
    tickets: tuple[Analyst, Rows],
) -> None:
    an, rows = tickets
    moderate = [r for r in rows if r["priority"] == "3 - Moderate"]
    unconfirmed = [r for r in moderate if r["priority_confirmation"] != "true"]
    answer = ask_offline(an, "中等优先级（Moderate）的工单里，优先级没有经过复核确认的有几张？")
    assert f"为 {len(unconfirmed)} [Q" in answer.body, answer.body

"""Words the text says mostly in a shorter form, over an export the test writes: "车辆抖动" is
written word for word by a few complaints while many more say "抖动" ("发动机抖动", "怠速抖动").
The count keeps the words asked; the answer says few records use them and offers the shorter
form as the question asked again, rather than passing off the few as all of them. A compound
said about as often as its ending gets no such note.

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
Rows = list[dict[str, str]]
TITLES = ["发动机抖动", "怠速抖动严重", "刹车异响", "天窗漏水", "发动机抖动厉害", "空调不制冷"]


def _rows() -> Rows:
    start, rows = datetime(2021, 5, 3, 9), []
    for i in range(210):
        title = "车辆抖动" if i % 70 == 3 else TITLES[(i * 5 + i // 9) % len(TITLES)]
        rows.append(
            {
                "id": f"K{i:04d}",
                "created": (start + timedelta(hours=5 * i)).strftime("%Y-%m-%d %H:%M:%S"),
                "brand": ["星驰", "远航"][i % 2],
                "title": f"{title}（{i}号）",
            }
        )
    return rows


@pytest.fixture(scope="module")
def complaints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _rows()
    folder = tmp_path_factory.mktemp("said_shorter")
    with offline_analyst(folder, rows, id="id", text="title", as_of="2021-07-01") as an:
        yield an, rows


def test_words_said_mostly_shorter_are_counted_as_asked_and_the_shorter_form_offered(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    whole = [r for r in rows if "车辆抖动" in r["title"]]
    shaking = [r for r in rows if "抖动" in r["title"]]
    assert 0 < 4 * len(whole) <= len(shaking)
    answer = ask_offline(an, "标题里说到车辆抖动的投诉有多少条？")
    assert f"提到“车辆抖动”的有 {len(whole)} 条" in answer.body, answer.body
    assert answer.reading is not None and answer.reading.unsure, answer.reading
    assert "写“抖动”的多得多" in answer.text, answer.text
    (alternative,) = answer.reading.alternatives
    assert alternative.question == "标题里说到抖动的投诉有多少条？", alternative
    again = ask_offline(an, alternative.question)
    assert f"提到“抖动”的有 {len(shaking)} 条" in again.body, again.body
    assert again.reading is not None and not again.reading.alternatives, again.reading


def test_a_compound_said_as_often_as_its_ending_gets_no_note(
    complaints: tuple[Analyst, Rows],
) -> None:
    an, rows = complaints
    engine = [r for r in rows if "发动机抖动" in r["title"]]
    assert 4 * len(engine) > len([r for r in rows if "抖动" in r["title"]])
    answer = ask_offline(an, "标题里说到发动机抖动的投诉有多少条？")
    assert f"提到“发动机抖动”的有 {len(engine)} 条" in answer.body, answer.body
    assert answer.reading is not None and not answer.reading.alternatives, answer.reading
    assert not answer.reading.unsure, answer.reading


def test_a_grouping_ranked_by_what_it_complains_most_about(
    complaints: tuple[Analyst, Rows],
) -> None:
    # "Which brand's owners complain most about X": the brands ranked by X's records, not by
    # all of theirs (every brand has as many).
    an, rows = complaints
    (top, n), (_, second) = Counter(r["brand"] for r in rows if "制冷" in r["title"]).most_common(2)
    assert second < n
    answer = an.ask("Which brand's owners complain most about air conditioning (制冷)?")
    assert answer.reading is not None and "制冷" in answer.reading.line, answer.reading
    assert f"{top}" in answer.body and f": {n}" in answer.body, answer.body

"""Which dates a question means when it names none, or names a month without a year.

Records counted or ranked with no period named are all of them; a measure's level keeps the
latest full quarter as its default (and says so). A month named without a year, asked of an
export that ends years ago, is that month in the latest year the data holds it. The exports are
written by the tests and every expected figure is counted from the rows they wrote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

CHANNELS = ["phone", "email", "chat"]


def _export(folder: Path, start: datetime, days: int, name: str) -> list[tuple[str, date, str]]:
    rows = []
    for i in range(days * 2):
        opened = start + timedelta(hours=12 * i)
        # The channels' order differs between the last quarter and the whole history.
        channel = CHANNELS[(i // 90) % 3] if i % 4 else CHANNELS[i % 3]
        rows.append((f"T{i:05d}", opened.date(), channel))
    lines = ["ticket_id,opened_at,channel", *(f"{t},{d.isoformat()},{c}" for t, d, c in rows)]
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


@pytest.fixture(scope="module")
def recent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, list]]:
    folder = tmp_path_factory.mktemp("recent")
    rows = _export(folder, datetime(2025, 1, 1), 640, "tickets.csv")
    ingest(WorkspacePaths(folder / "ws"), [folder / "tickets.csv"], IngestOptions(id="ticket_id"),
           index=False)  # fmt: skip
    with Analyst.open(folder / "ws", provider="offline", checkpointer=InMemorySaver()) as an:
        yield an, rows


def test_records_ranked_with_no_period_named_are_all_of_them(recent: tuple[Analyst, list]) -> None:
    analyst, rows = recent
    answer = analyst.ask("Which channel has the most tickets?")
    counts = Counter(c for _, _, c in rows)
    top, n = counts.most_common(1)[0]
    assert answer.status == "answered", answer.text
    assert top in answer.body and f"{n:,}" in answer.body, answer.text
    assert answer.reading is not None and "every date in the data" in answer.reading.line


def test_a_month_without_a_year_is_read_in_the_latest_year_the_data_holds(
    tmp_path: Path,
) -> None:
    rows = _export(tmp_path, datetime(2019, 9, 1), 100, "old.csv")
    ingest(WorkspacePaths(tmp_path / "ws"), [tmp_path / "old.csv"], IngestOptions(id="ticket_id"),
           index=False)  # fmt: skip
    nov = sum(d.year == 2019 and d.month == 11 for _, d, _ in rows)
    oct_ = sum(d.year == 2019 and d.month == 10 for _, d, _ in rows)
    with Analyst.open(tmp_path / "ws", provider="offline", checkpointer=InMemorySaver()) as an:
        answer = an.ask("Did we get fewer tickets in November than in October?")
    assert answer.status == "answered", answer.text
    assert answer.reading is not None and "2019-11" in answer.reading.line, answer.reading
    assert "No year was named" in answer.text, answer.text
    assert str(nov) in answer.body and str(oct_) in answer.body, answer.text


def test_the_time_of_day_of_records_dated_by_day_only_is_not_recorded(
    recent: tuple[Analyst, list],
) -> None:
    # The export's times are dates: which hours come busiest cannot be told, and no other
    # figure (a count, a ranking by channel) is given in its place.
    analyst, _ = recent
    for question, said in (
        ("What time of day do most tickets come in?", "the time of day"),
        ("一天里什么时候来的工单最多？上午多还是晚上多？", "一天中的具体时刻"),
    ):
        answer = analyst.ask(question)
        assert answer.status == "insufficient_data", answer.text
        assert said in answer.body, answer.body


def test_records_counted_in_each_of_two_periods_named(recent: tuple[Analyst, list]) -> None:
    # "各有多少条" said of two halves and no grouping: the records counted in each half. (This
    # export has no text; that such a question is not read as the records' themes when there
    # is text is measured on the consumer-complaints bank, cc-f1219s-referral-2024-halves-zh.)
    analyst, rows = recent
    first = sum(1 for _, d, c in rows if c == "phone" and date(2025, 1, 1) <= d < date(2025, 7, 1))
    second = sum(1 for _, d, c in rows if c == "phone" and date(2025, 7, 1) <= d < date(2026, 1, 1))
    assert first != second
    answer = analyst.ask("2025年上半年和下半年，phone 渠道的工单各有多少条？")
    assert answer.status == "answered", answer.text
    assert f"{second:,}" in answer.body and f"{first:,}" in answer.body, answer.body

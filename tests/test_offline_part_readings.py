"""Readings of a question in parts, on a fresh complaints export written by the test:

- words counted among the records mentioning other words ("提到轮胎的…？其中点名是韩泰轮胎的",
  "其中没提到异响的"), the part told apart by what it adds to the words before it;
- the groups of a size named when asked which they are ("有几个月不到 20 条？是哪几个月？");
- two years compared when asked "more … in 2025 than in 2024", not themes of the complaints;
- a subject the export does not record (attachments, veterans, the language, verified
  accounts), which gets no figure;
- "sat" as a verb is no Saturday, "Sat" still is; a text length "running past" a number.

Every expected figure is computed from the rows the test wrote, never from the analyst.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from agent_support import month_said
from ingest_support import offline_analyst

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
TITLES = [
    "韩泰轮胎鼓包",
    "轮胎异响",
    "车门异响",
    "车门关不严",
    "发动机异响",
    "轮胎漏气",
    "车门把手断了",
]
BRANDS = ["星驰汽车", "远航汽车", "北辰汽车"]
START = datetime(2024, 1, 3, 9, 0)
FMT = "%Y-%m-%d %H:%M:%S"


def _rows() -> list[dict[str, str]]:
    rows = []
    for i in range(420):
        # Busier in 2025 than in 2024; a few months of 2024 are quiet.
        opened = START + timedelta(hours=41 * i + (i * 37) % 17)
        closed = opened + timedelta(hours=3 + (i * 13) % 400)
        rows.append(
            {
                "complaint_id": f"C{i:05d}",
                "opened_at": opened.strftime(FMT),
                "closed_at": closed.strftime(FMT),
                "brand": BRANDS[(i * 7 + i // 5) % 3],
                "title": f"{TITLES[(i * 3 + i // 4) % len(TITLES)]}（{i}号）",
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
    folder = tmp_path_factory.mktemp("part_readings")
    with offline_analyst(folder, rows, id="complaint_id", text="title", as_of="2026-01-05") as an:
        yield an


def _with(rows: list[dict[str, str]], *words: str) -> list[dict[str, str]]:
    return [r for r in rows if all(w in r["title"] for w in words)]


def test_words_mentioned_among_the_records_mentioning_others(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    tyres = _with(rows, "轮胎")
    answer = analyst.ask("标题里提到轮胎的投诉有多少条？其中点名是韩泰轮胎的有几条？")
    assert (
        f"提到“轮胎”的反馈共 {len(tyres)} 条，其中提到“韩泰”的 {len(_with(tyres, '韩泰'))} 条"
        in (answer.body)
    ), answer.body
    # The first words quoted, those counted among their records said after "这些投诉里".
    for question in (
        "标题里带“车门”两个字的投诉有几条？这些投诉里，同时提到异响的有几条？",
        "标题里带“车门”的投诉有几条？其中同时提到“异响”的有几条？",
    ):
        doors = _with(rows, "车门")
        answer = analyst.ask(question)
        assert f"提到“车门”的反馈共 {len(doors)} 条" in answer.body, answer.body
        assert f"的 {len(_with(doors, '异响'))} 条" in answer.body, answer.body
    doors = _with(rows, "车门")
    quiet = [r for r in doors if "异响" not in r["title"]]
    answer = analyst.ask("标题里说到车门的投诉有几条？其中标题没提到异响的有几条？")
    assert f"提到“车门”的反馈共 {len(doors)} 条，其中没有提到“异响”的 {len(quiet)} 条" in (
        answer.body
    ), answer.body


def test_words_among_others_said_in_english_with_their_chinese_glosses(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "…, and how many of those are also about a noise (异响)": counted among the doors, in
    # either form of each word (the titles say only the Chinese).
    doors = _with(rows, "车门")
    noisy = _with(doors, "异响")
    assert 0 < len(noisy) < len(doors)
    answer = analyst.ask(
        "How many complaints mention the car door (车门) in the title, and how many of those "
        "are also about a noise (异响)?"
    )
    assert f"{len(doors)} feedback records mention “car door” or “车门”" in answer.body, answer.body
    assert f"{len(noisy)} of them are mentioning “noise” or “异响”" in answer.body, answer.body


def test_the_rest_after_words_set_aside_are_counted_among_the_first(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "…“异响”的投诉有几条？除去轮胎异响的，还剩几条": of the noises, those not about tyres.
    noises = _with(rows, "异响")
    rest = [r for r in noises if "轮胎" not in r["title"]]
    assert 0 < len(rest) < len(noises)
    for question in (
        "标题里说到“异响”的投诉有几条？除去轮胎异响的，还剩几条？",
        "标题里说到异响的投诉有几条？除去轮胎异响的，还剩几条？",
    ):
        answer = analyst.ask(question)
        assert (
            f"提到“异响”的反馈共 {len(noises)} 条，其中没有提到“轮胎”的 {len(rest)} 条"
            in answer.body
        ), answer.body


def test_groups_of_a_size_are_named_when_asked_which(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    months = Counter(r["opened_at"][:7] for r in rows if r["opened_at"].startswith("2024"))
    low = sorted(m for m, n in months.items() if n < 18)
    assert low, months
    answer = analyst.ask("2024年里，有几个月的投诉量不到18条？是哪几个月？")
    assert f"不到18条的月份共有 {len(low)} 个" in answer.body, answer.body
    for month in low:
        assert f"{month_said(month, 'zh')} ({months[month]})" in answer.body, (month, answer.body)


def test_two_years_compared_for_a_group_are_its_counts(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    def year(y: str) -> int:
        return sum(1 for r in rows if r["brand"] == "星驰汽车" and r["opened_at"].startswith(y))

    answer = analyst.ask(
        "星驰汽车 - did they get more complaints in 2025 than in 2024? Give me both years."
    )
    assert answer.reading is not None and "2025 vs 2024" in answer.reading.line
    assert f"{year('2025')} in 2025" in answer.body and f"{year('2024')} in 2024" in answer.body


@pytest.mark.parametrize(
    "question",
    [
        "How many complaints came with photos or videos attached?",
        "投诉时附带了照片或视频的有多少条？",
        "How many of these complaints were filed by veterans?",
        "How many complaints were written in a language other than Chinese?",
        "How many complaints came from verified accounts?",
    ],
)
def test_subjects_the_export_does_not_record_get_no_figure(analyst: Analyst, question: str) -> None:
    answer = analyst.ask(question)
    assert answer.status == "insufficient_data", answer.text


def test_sat_as_a_verb_is_no_saturday_and_a_length_running_past_a_number(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = analyst.ask("How many complaints sat open for more than 300 hours before closing?")
    assert answer.reading is not None and "Sat" not in answer.reading.line, answer.reading
    saturdays = sum(1 for r in rows if datetime.strptime(r["opened_at"], FMT).weekday() == 5)
    answer = analyst.ask("How many complaints were opened on Sat?")
    assert f"{saturdays:,}" in answer.body, answer.body
    long = sum(1 for r in rows if len(r["title"]) > 10)
    answer = analyst.ask("How many complaint titles run past 10 characters?")
    assert f"{long:,} of" in answer.body or f"{long} of" in answer.body, answer.body


def test_a_share_for_each_half_year_of_two_years_named(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "each half-year of 2024 and 2025": the two years as one span, by half-year.
    answer = analyst.ask(
        "What share of all complaints is 星驰汽车's for each half-year of 2024 and 2025?"
    )
    for year in ("2024", "2025"):
        for half, months in (("H1", range(1, 7)), ("H2", range(7, 13))):
            of = [
                r for r in rows if r["opened_at"][:4] == year and int(r["opened_at"][5:7]) in months
            ]
            mine = sum(r["brand"] == "星驰汽车" for r in of)
            assert f"| {year}-{half} | {mine} | {len(of)} |" in answer.body, answer.body


def test_the_average_per_unit_and_the_unit_at_the_end_asked(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "…per month on average, and which month was the quietest": both, the quietest named.
    months = Counter(r["opened_at"][:7] for r in rows if r["opened_at"].startswith("2025"))
    quietest = min(sorted(months), key=lambda m: months[m])
    answer = analyst.ask(
        "In 2025, how many complaints came in per month on average, and which month was the "
        "quietest?"
    )
    assert f"The quietest month was {month_said(quietest)}, with {months[quietest]} [Q" in (
        answer.body
    ), answer.body

"""Date phrases resolve to one explicit half-open range from a fixed as_of (the demo's clock)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from servicelens.data.period_phrases import fix_time_words
from servicelens.data.periods import (
    OPEN_START,
    PeriodError,
    add_months,
    find_period,
    parse_period,
    read_periods,
)

AS_OF = date(2026, 11, 1)  # The demo's pinned "today": the data ends 2026-10-31.
D = date

# phrase -> (start, end exclusive, label)
CASES: dict[str, tuple[date, date, str]] = {
    "last quarter": (D(2026, 7, 1), D(2026, 10, 1), "2026-Q3"),
    "previous quarter": (D(2026, 7, 1), D(2026, 10, 1), "2026-Q3"),
    "The quarter before last": (D(2026, 4, 1), D(2026, 7, 1), "2026-Q2"),
    "this quarter": (D(2026, 10, 1), D(2026, 11, 2), "2026-Q4 to date"),
    "last month": (D(2026, 10, 1), D(2026, 11, 1), "2026-10"),
    "this month": (D(2026, 11, 1), D(2026, 11, 2), "2026-11 to date"),
    "this year": (D(2026, 1, 1), D(2026, 11, 2), "2026 to date"),
    "YTD": (D(2026, 1, 1), D(2026, 11, 2), "2026 to date"),
    "last year": (D(2025, 1, 1), D(2026, 1, 1), "2025"),
    "last week": (D(2026, 10, 19), D(2026, 10, 26), "week of 2026-10-19"),
    "past 30 days": (D(2026, 10, 2), D(2026, 11, 1), "2026-10-02..2026-10-31"),
    "last 90 days": (D(2026, 8, 3), D(2026, 11, 1), "2026-08-03..2026-10-31"),
    "past 2 weeks": (D(2026, 10, 18), D(2026, 11, 1), "2026-10-18..2026-10-31"),
    "last 3 months": (D(2026, 8, 1), D(2026, 11, 1), "2026-08-01..2026-10-31"),
    "last three months": (D(2026, 8, 1), D(2026, 11, 1), "2026-08-01..2026-10-31"),
    "2026-Q3": (D(2026, 7, 1), D(2026, 10, 1), "2026-Q3"),
    "Q3 2026": (D(2026, 7, 1), D(2026, 10, 1), "2026-Q3"),
    "2026 q2": (D(2026, 4, 1), D(2026, 7, 1), "2026-Q2"),
    "2026-07": (D(2026, 7, 1), D(2026, 8, 1), "2026-07"),
    "July 2026": (D(2026, 7, 1), D(2026, 8, 1), "2026-07"),
    "Feb 2025": (D(2025, 2, 1), D(2025, 3, 1), "2025-02"),
    "2026": (D(2026, 1, 1), D(2027, 1, 1), "2026"),
    "2026-01-01..2026-03-31": (D(2026, 1, 1), D(2026, 4, 1), "2026-01-01..2026-03-31"),
    "2026-01-01 to 2026-01-31": (D(2026, 1, 1), D(2026, 2, 1), "2026-01-01..2026-01-31"),
    "上季度": (D(2026, 7, 1), D(2026, 10, 1), "2026-Q3"),
    "上个季度": (D(2026, 7, 1), D(2026, 10, 1), "2026-Q3"),
    "本季度": (D(2026, 10, 1), D(2026, 11, 2), "2026-Q4 to date"),
    "上个月": (D(2026, 10, 1), D(2026, 11, 1), "2026-10"),
    "上月": (D(2026, 10, 1), D(2026, 11, 1), "2026-10"),
    "本月": (D(2026, 11, 1), D(2026, 11, 2), "2026-11 to date"),
    "今年": (D(2026, 1, 1), D(2026, 11, 2), "2026 to date"),
    "去年": (D(2025, 1, 1), D(2026, 1, 1), "2025"),
    "近30天": (D(2026, 10, 2), D(2026, 11, 1), "2026-10-02..2026-10-31"),
    "最近30天": (D(2026, 10, 2), D(2026, 11, 1), "2026-10-02..2026-10-31"),
    "过去30天": (D(2026, 10, 2), D(2026, 11, 1), "2026-10-02..2026-10-31"),
    "近三十天": (D(2026, 10, 2), D(2026, 11, 1), "2026-10-02..2026-10-31"),
    "近3个月": (D(2026, 8, 1), D(2026, 11, 1), "2026-08-01..2026-10-31"),
    "近三个月": (D(2026, 8, 1), D(2026, 11, 1), "2026-08-01..2026-10-31"),
    "2026年第三季度": (D(2026, 7, 1), D(2026, 10, 1), "2026-Q3"),
    "2026年第3季度": (D(2026, 7, 1), D(2026, 10, 1), "2026-Q3"),
    "2026年Q3": (D(2026, 7, 1), D(2026, 10, 1), "2026-Q3"),
    "2026年7月": (D(2026, 7, 1), D(2026, 8, 1), "2026-07"),
    "2026年": (D(2026, 1, 1), D(2027, 1, 1), "2026"),
    "上周": (D(2026, 10, 19), D(2026, 10, 26), "week of 2026-10-19"),
    "本周": (D(2026, 10, 26), D(2026, 11, 2), "week of 2026-10-26 to date"),
}


@pytest.mark.parametrize("phrase", list(CASES))
def test_phrase_resolves_to_explicit_range(phrase: str) -> None:
    start, end, label = CASES[phrase]
    period = parse_period(phrase, AS_OF)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert period.phrase == phrase


def test_previous_of_a_quarter_is_the_quarter_before() -> None:
    prev = parse_period("last quarter", AS_OF).previous()
    assert (prev.start, prev.end, prev.label) == (D(2026, 4, 1), D(2026, 7, 1), "2026-Q2")


def test_previous_of_a_month_is_the_calendar_month_before() -> None:
    # October has 31 days, September 30: "previous" steps by calendar month, not by 31 days.
    prev = parse_period("上个月", AS_OF).previous()
    assert (prev.start, prev.end, prev.label) == (D(2026, 9, 1), D(2026, 10, 1), "2026-09")


def test_previous_of_rolling_days_has_equal_length() -> None:
    period = parse_period("past 30 days", AS_OF)
    prev = period.previous()
    assert prev.end == period.start and prev.days == period.days == 30


def test_previous_of_an_explicit_range_has_equal_length() -> None:
    period = parse_period("2026-01-01..2026-03-31", AS_OF)
    prev = period.previous()
    assert (prev.start, prev.end) == (D(2025, 10, 3), D(2026, 1, 1))


def test_previous_of_to_date_compares_the_same_span() -> None:
    prev = parse_period("this quarter", AS_OF).previous()
    assert (prev.start, prev.end) == (D(2026, 7, 1), D(2026, 8, 2))


def test_year_ago_shifts_by_twelve_months() -> None:
    ya = parse_period("2026-Q3", AS_OF).year_ago()
    assert (ya.start, ya.end, ya.label) == (D(2025, 7, 1), D(2025, 10, 1), "2025-Q3")
    leap = parse_period("2024-02", AS_OF).year_ago()
    assert (leap.start, leap.end) == (D(2023, 2, 1), D(2023, 3, 1))


def test_describe_shows_dates_inclusive() -> None:
    period = parse_period("last quarter", AS_OF)
    assert period.describe() == "2026-Q3 (2026-07-01 – 2026-09-30)"
    assert period.as_dict()["end_exclusive"] == "2026-10-01"


@pytest.mark.parametrize(
    ("question", "phrase", "start"),
    [
        (
            "How did SLA attainment change last quarter vs the one before?",
            "last quarter",
            D(2026, 7, 1),
        ),
        ("上季度华东的安装及时率为什么下降？", "上季度", D(2026, 7, 1)),
        ("What were the top complaints in the past 90 days", "past 90 days", D(2026, 8, 3)),
        ("近30天投诉最多的产品是什么", "近30天", D(2026, 10, 2)),
        ("CSAT for key accounts in Q3 2026, please", "q3 2026", D(2026, 7, 1)),
        ("2026年7月的工单量", "2026年7月", D(2026, 7, 1)),
        # A span said alone ends now: "24个月的满意度", "两年来".
        ("按渠道比一下24个月的满意度", "24个月", D(2024, 11, 1)),
        ("两年来的投诉量", "两年", D(2024, 11, 1)),
        (
            "tickets from 2026-01-01..2026-03-31 by region",
            "from 2026-01-01..2026-03-31",
            D(2026, 1, 1),
        ),
    ],
)
def test_find_period_locates_phrase_in_question(question: str, phrase: str, start: date) -> None:
    found = find_period(question, AS_OF)
    assert found is not None
    assert (found.phrase, found.start) == (phrase, start)


@pytest.mark.parametrize(
    "question",
    [
        "Which region has the worst SLA?",
        "2,000 tickets in 5 regions",
        "3年质保的产品",
        "第2个月的留存",
        # "各占当月…": that month of each period named, not this month.
        "电池问题各占当月推文的多少",
    ],
)
def test_find_period_returns_none_without_a_phrase(question: str) -> None:
    assert find_period(question, AS_OF) is None


@pytest.mark.parametrize("phrase", ["next quarter", "sometime", "Q5 2026", "2026-13", "2026-02-30"])
def test_unknown_or_invalid_phrase_raises_with_accepted_forms(phrase: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(phrase, AS_OF)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_phrase_lists_accepted_forms() -> None:
    with pytest.raises(PeriodError, match=r"2026-Q3.*上季度"):
        parse_period("whenever", AS_OF)


def test_reversed_range_is_empty_and_rejected() -> None:
    with pytest.raises(PeriodError, match="empty"):
        parse_period("2026-03-31..2026-01-01", AS_OF)


def test_add_months_clips_to_month_end() -> None:
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)
    assert add_months(D(2026, 1, 15), 13) == D(2027, 2, 15)


# --- Spans, open ends and runs (as_of 2026-11-01) ----------------------------------------------

NOW = D(2026, 11, 2)  # "since" periods run through as_of inclusive, like YTD.
SPANS: dict[str, tuple[date, date, str]] = {
    "since March 2026": (D(2026, 3, 1), NOW, "since 2026-03"),
    "since 2026-03": (D(2026, 3, 1), NOW, "since 2026-03"),
    "from March 2026 onwards": (D(2026, 3, 1), NOW, "since 2026-03"),
    "since 2026-03-15": (D(2026, 3, 15), NOW, "since 2026-03-15"),
    "2026年3月以来": (D(2026, 3, 1), NOW, "2026年3月以来"),
    "从2026年3月起": (D(2026, 3, 1), NOW, "2026年3月以来"),
    "今年以来": (D(2026, 1, 1), NOW, "2026年以来"),
    "from January to August 2026": (D(2026, 1, 1), D(2026, 9, 1), "2026-01 – 2026-08"),
    "January–August 2026": (D(2026, 1, 1), D(2026, 9, 1), "2026-01 – 2026-08"),
    "Jan-Aug 2026": (D(2026, 1, 1), D(2026, 9, 1), "2026-01 – 2026-08"),
    "2026-01 to 2026-08": (D(2026, 1, 1), D(2026, 9, 1), "2026-01 – 2026-08"),
    "2026年1月到8月": (D(2026, 1, 1), D(2026, 9, 1), "2026年1–8月"),
    "2026年1-8月": (D(2026, 1, 1), D(2026, 9, 1), "2026年1–8月"),
    "2026年1月至2026年8月": (D(2026, 1, 1), D(2026, 9, 1), "2026年1–8月"),
    "in May and June 2026": (D(2026, 5, 1), D(2026, 7, 1), "2026-05 – 2026-06"),
    "May–June 2026": (D(2026, 5, 1), D(2026, 7, 1), "2026-05 – 2026-06"),
    "between March and June 2026": (D(2026, 3, 1), D(2026, 7, 1), "2026-03 – 2026-06"),
    "2026年5、6月": (D(2026, 5, 1), D(2026, 7, 1), "2026年5–6月"),
    "2026年5月和6月": (D(2026, 5, 1), D(2026, 7, 1), "2026年5–6月"),
    "Nov 2025 - Feb 2026": (D(2025, 11, 1), D(2026, 3, 1), "2025-11 – 2026-02"),
    "2025年11月至2026年2月": (D(2025, 11, 1), D(2026, 3, 1), "2025年11月–2026年2月"),
    "between 2026-03-01 and 2026-05-15": (D(2026, 3, 1), D(2026, 5, 16), "2026-03-01..2026-05-15"),
    "from 2026-03-15 to May 2026": (D(2026, 3, 15), D(2026, 6, 1), "2026-03-15..2026-05-31"),
    "2026年7月1日至9月30日": (D(2026, 7, 1), D(2026, 10, 1), "2026-07-01..2026-09-30"),
    "from Q2 to Q3 2026": (D(2026, 4, 1), D(2026, 10, 1), "2026-Q2 – 2026-Q3"),
    "2026 Q2-Q3": (D(2026, 4, 1), D(2026, 10, 1), "2026-Q2 – 2026-Q3"),
    "2026年第二到第三季度": (D(2026, 4, 1), D(2026, 10, 1), "2026年第2–3季度"),
    "2026年Q2到Q3": (D(2026, 4, 1), D(2026, 10, 1), "2026年第2–3季度"),
    "the first half of 2026": (D(2026, 1, 1), D(2026, 7, 1), "2026-H1"),
    "2026年上半年": (D(2026, 1, 1), D(2026, 7, 1), "2026年上半年"),
    "H2 2025": (D(2025, 7, 1), D(2026, 1, 1), "2025-H2"),
    "2025年下半年": (D(2025, 7, 1), D(2026, 1, 1), "2025年下半年"),
    "去年下半年": (D(2025, 7, 1), D(2026, 1, 1), "2025年下半年"),
    # Complete calendar quarters, as "last quarter" is 2026-Q3 (not a rolling six months).
    "last 2 quarters": (D(2026, 4, 1), D(2026, 10, 1), "2026-Q2 – 2026-Q3"),
    "近两个季度": (D(2026, 4, 1), D(2026, 10, 1), "2026年第2–3季度"),
    "before June 2026": (OPEN_START, D(2026, 6, 1), "until 2026-05-31"),
    "until 2026-05-31": (OPEN_START, D(2026, 6, 1), "until 2026-05-31"),
    "2026年6月之前": (OPEN_START, D(2026, 6, 1), "截至2026年5月31日"),
    "截至2026年5月31日": (OPEN_START, D(2026, 6, 1), "截至2026年5月31日"),
    "through 2025": (OPEN_START, D(2026, 1, 1), "until 2025-12-31"),
    # "Going month by month through last year": across the year, not up to its end.
    "month by month through 2025": (D(2025, 1, 1), D(2026, 1, 1), "2025"),
    "all through 2025": (D(2025, 1, 1), D(2026, 1, 1), "2025"),
}


@pytest.mark.parametrize("phrase", list(SPANS))
def test_span_phrase_resolves_to_explicit_range(phrase: str) -> None:
    start, end, label = SPANS[phrase]
    period = parse_period(phrase, AS_OF)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize("phrase", list(SPANS))
def test_span_label_reads_back_as_the_same_range(phrase: str) -> None:
    # The agent tells the model the label; a tool call that passes it on must get the same days.
    period = parse_period(phrase, AS_OF)
    again = parse_period(period.label, AS_OF)
    assert (again.start, again.end, again.label) == (period.start, period.end, period.label)


@pytest.mark.parametrize(
    ("question", "phrase", "start", "end"),
    [
        ("How did CSAT change since March 2026?", "since march 2026", D(2026, 3, 1), NOW),
        ("2026年1月到8月华东的一次修复率是多少？", "2026年1月到8月", D(2026, 1, 1), D(2026, 9, 1)),
        (
            "What was SLA attainment from January to August 2026 in the East?",
            "from january to august 2026",
            D(2026, 1, 1),
            D(2026, 9, 1),
        ),
        (
            "Tickets in May and June 2026 by product",
            "may and june 2026",
            D(2026, 5, 1),
            D(2026, 7, 1),
        ),
        ("2026年5、6月的投诉主题", "2026年5、6月", D(2026, 5, 1), D(2026, 7, 1)),
        ("2026年1月至2026年8月的工单量", "2026年1月至2026年8月", D(2026, 1, 1), D(2026, 9, 1)),
        ("从2026年3月起投诉有什么变化", "从2026年3月起", D(2026, 3, 1), NOW),
        ("Which product from Q2 to Q3 2026?", "from q2 to q3 2026", D(2026, 4, 1), D(2026, 10, 1)),
        ("2026年上半年华东的CSAT", "2026年上半年", D(2026, 1, 1), D(2026, 7, 1)),
        ("近两个季度的安装及时率", "近两个季度", D(2026, 4, 1), D(2026, 10, 1)),
        ("backlog before June 2026 by region", "before june 2026", OPEN_START, D(2026, 6, 1)),
        (
            "first-time fix between 2026-03-01 and 2026-05-15",
            "between 2026-03-01 and 2026-05-15",
            D(2026, 3, 1),
            D(2026, 5, 16),
        ),
        # Of separate phrases the first is the question's period (the other is its comparison).
        ("Compare last quarter with the quarter before last", "last quarter", D(2026, 7, 1), None),
    ],
)
def test_find_period_prefers_the_longest_phrase(
    question: str, phrase: str, start: date, end: date | None
) -> None:
    found = find_period(question, AS_OF)
    assert found is not None
    assert (found.phrase, found.start) == (phrase, start)
    assert end is None or found.end == end
    # The phrase is what tools receive, so it must resolve on its own to the same range.
    again = parse_period(found.phrase, AS_OF)
    assert (again.start, again.end) == (found.start, found.end)


def test_find_period_labels_in_the_question_language() -> None:
    found = find_period("2026-01..2026-08 期间华东的工单量", AS_OF)
    assert found is not None and found.label == "2026年1–8月"


@pytest.mark.parametrize(
    ("phrase", "start", "end", "label"),
    [
        ("from January to August 2026", D(2025, 5, 1), D(2026, 1, 1), "2025-05 – 2025-12"),
        ("2026年1-8月", D(2025, 5, 1), D(2026, 1, 1), "2025年5–12月"),
        ("H1 2026", D(2025, 7, 1), D(2026, 1, 1), "2025-H2"),
        ("2026年上半年", D(2025, 7, 1), D(2026, 1, 1), "2025年下半年"),
        ("last 2 quarters", D(2025, 10, 1), D(2026, 4, 1), "2025-Q4 – 2026-Q1"),
        ("近两个季度", D(2025, 10, 1), D(2026, 4, 1), "2025年第4季度–2026年第1季度"),
    ],
)
def test_previous_of_a_span_is_the_equal_span_before(
    phrase: str, start: date, end: date, label: str
) -> None:
    prev = parse_period(phrase, AS_OF).previous()
    assert (prev.start, prev.end, prev.label) == (start, end, label)


def test_previous_of_since_is_the_equal_number_of_days_before() -> None:
    period = parse_period("since March 2026", AS_OF)
    prev = period.previous()
    assert prev.end == period.start and prev.days == period.days == 246
    assert prev.label == "2025-06-28..2026-02-28" and not prev.to_date


def test_year_ago_of_a_span_keeps_its_shape() -> None:
    ya = parse_period("2026年1月到8月", AS_OF).year_ago()
    assert (ya.start, ya.end, ya.label) == (D(2025, 1, 1), D(2025, 9, 1), "2025年1–8月")


def test_open_start_covers_all_earlier_data_and_has_no_previous() -> None:
    period = parse_period("before June 2026", AS_OF)
    assert period.open_start and period.start == OPEN_START
    assert period.describe() == "until 2026-05-31"
    with pytest.raises(PeriodError, match="no start"):
        period.previous()
    ya = period.year_ago()
    assert (ya.start, ya.end, ya.label) == (OPEN_START, D(2025, 6, 1), "until 2025-05-31")


def test_describe_of_a_span_shows_label_and_dates() -> None:
    period = parse_period("Jan-Aug 2026", AS_OF)
    assert period.describe() == "2026-01 – 2026-08 (2026-01-01 – 2026-08-31)"
    since = parse_period("2026年3月以来", AS_OF)
    assert since.describe() == "2026年3月以来 (2026-03-01 – 2026-11-01)"


@pytest.mark.parametrize("phrase", ["March and June 2026", "2026年3、6月", "Q1 and Q3 2026"])
def test_list_of_units_that_are_not_consecutive_is_rejected(phrase: str) -> None:
    with pytest.raises(PeriodError, match="unbroken"):
        parse_period(phrase, AS_OF)


@pytest.mark.parametrize("phrase", ["Aug-Jan 2026", "2026年8-1月", "since December 2026"])
def test_reversed_or_future_span_is_empty(phrase: str) -> None:
    with pytest.raises(PeriodError, match="empty"):
        parse_period(phrase, AS_OF)


# --- Periods as managers write them in questions (as_of 2026-11-01) ---------------------------

QUESTION_PERIODS: dict[str, tuple[date, date]] = {
    "How many installs in Q3?": (D(2026, 7, 1), D(2026, 10, 1)),
    "三季度的安装量": (D(2026, 7, 1), D(2026, 10, 1)),
    "10月的工单": (D(2026, 10, 1), D(2026, 11, 1)),
    "Jul–Sep tickets": (D(2026, 7, 1), D(2026, 10, 1)),
    "8到10月的投诉": (D(2026, 8, 1), D(2026, 11, 1)),
    "H1 CSAT": (D(2026, 1, 1), D(2026, 7, 1)),
    "上半年的满意度": (D(2026, 1, 1), D(2026, 7, 1)),
    "26年3月的工单": (D(2026, 3, 1), D(2026, 4, 1)),
    "今年3月": (D(2026, 3, 1), D(2026, 4, 1)),
    "CSAT for the last full quarter": (D(2026, 7, 1), D(2026, 10, 1)),
    "tickets over the past half year": (D(2026, 5, 1), D(2026, 11, 1)),
    "这两年的趋势": (D(2024, 11, 1), D(2026, 11, 1)),
    "2026 so far": (D(2026, 1, 1), D(2026, 11, 2)),
    "上季工单": (D(2026, 7, 1), D(2026, 10, 1)),
    "last qtr": (D(2026, 7, 1), D(2026, 10, 1)),
    "past 2 yrs": (D(2024, 11, 1), D(2026, 11, 1)),
    "last 24 mo": (D(2024, 11, 1), D(2026, 11, 1)),
    "repairs from Mar 2026 on, by root cause": (D(2026, 3, 1), D(2026, 11, 2)),
}


@pytest.mark.parametrize("question", sorted(QUESTION_PERIODS))
def test_question_periods_resolve_to_explicit_dates(question: str) -> None:
    reading = read_periods(question, AS_OF)
    assert reading.period is not None
    assert (reading.period.start, reading.period.end) == QUESTION_PERIODS[question]


@pytest.mark.parametrize(
    ("question", "period", "comparison"),
    [
        ("三季度和二季度比", "2026-Q3", "2026-Q2"),
        ("Q3 vs Q2", "2026-Q3", "2026-Q2"),
        ("Q1 and Q3 compared", "2026-Q3", "2026-Q1"),
    ],
)
def test_two_periods_in_a_question_are_a_comparison(
    question: str, period: str, comparison: str
) -> None:
    reading = read_periods(question, AS_OF)
    assert reading.period is not None and reading.comparison is not None
    assert (reading.period.label, reading.comparison.label) == (period, comparison)


@pytest.mark.parametrize(
    ("question", "period", "comparison"),
    [
        ("How does East's SLA attainment compare with Q2?", "2026-Q3", "2026-Q2"),
        ("East SLA attainment vs Q1", "2026-Q3", "2026-Q1"),
        ("华东的SLA达成率跟二季度比如何？", "2026-Q3", "2026-Q2"),
        ("比二季度高还是低？", "2026-Q3", "2026-Q2"),
        ("Tickets compared with August 2026", "2026-10", "2026-08"),
    ],
)
def test_the_one_period_named_as_what_to_compare_with_is_the_comparison(
    question: str, period: str, comparison: str
) -> None:
    """ "Compared with Q2" asks about the latest full quarter against Q2, not about Q2."""
    reading = read_periods(question, AS_OF)
    assert reading.period is not None and reading.comparison is not None
    assert (reading.period.label, reading.comparison.label) == (period, comparison)


@pytest.mark.parametrize("question", ["East SLA attainment in Q2", "二季度华东的SLA达成率"])
def test_a_period_named_without_comparison_words_is_the_period_asked(question: str) -> None:
    reading = read_periods(question, AS_OF)
    assert reading.period is not None and reading.period.label == "2026-Q2"
    assert reading.comparison is None


@pytest.mark.parametrize(
    "question", ["Which region has the most tickets overall?", "至今一共多少投诉", "历年的满意度",
                 "SLA across the whole history", "the busiest hour over the whole log",
                 "opened in the entire incident log"],
)  # fmt: skip
def test_words_for_the_whole_history_read_as_all_data(question: str) -> None:
    reading = read_periods(question, AS_OF)
    assert reading.period is None and reading.all_data


def test_a_list_that_is_not_one_run_and_not_two_periods_is_still_an_error() -> None:
    with pytest.raises(PeriodError, match="one unbroken period"):
        read_periods("2026年1、3月的工单", AS_OF)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("Since March this year, which model has the lowest fix rate?", date(2026, 3, 1)),
        ("since march of last year", date(2025, 3, 1)),
        ("今年3月以来 AC-X735 的首次修复率", date(2026, 3, 1)),
        ("2026.3至今的一次修复率", date(2026, 3, 1)),
        ("2026/3 onwards", date(2026, 3, 1)),
        ("How has install volume trended month over month since May?", date(2026, 5, 1)),
    ],
)
def test_since_a_month_named_with_a_relative_year_or_a_dotted_date(text: str, start: date) -> None:
    period = read_periods(text, AS_OF).period
    assert period is not None and period.kind == "since"
    assert period.start == start and period.to_date


def test_two_month_ranges_joined_by_and_are_two_periods_to_compare() -> None:
    reading = read_periods("华东安装及时率：今年7-9月和4-6月分别是多少，差了多少？", AS_OF)
    assert reading.period is not None and reading.comparison is not None
    assert (reading.period.start, reading.period.end) == (date(2026, 7, 1), date(2026, 10, 1))
    before = (reading.comparison.start, reading.comparison.end)
    assert before == (date(2026, 4, 1), date(2026, 7, 1))
    earlier = read_periods("2025年1-3月与4-6月的工单", AS_OF)
    assert earlier.comparison is not None and earlier.comparison.start == date(2025, 1, 1)


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("6月6日那天收到了多少条投诉？", D(2026, 6, 6), D(2026, 6, 7)),
        ("tickets on June 6th", D(2026, 6, 6), D(2026, 6, 7)),
        ("the most complaints on June 8, and how many?", D(2026, 6, 8), D(2026, 6, 9)),
        ("12月25日的工单", D(2025, 12, 25), D(2025, 12, 26)),
        ("June 6, 2025", D(2025, 6, 6), D(2025, 6, 7)),
        ("6月1日至6月5日", D(2026, 6, 1), D(2026, 6, 6)),
        ("6月1日到5日的投诉", D(2026, 6, 1), D(2026, 6, 6)),
        ("from June 1 to June 5", D(2026, 6, 1), D(2026, 6, 6)),
        ("Oct 30 to Nov 1", D(2026, 10, 30), D(2026, 11, 2)),
    ],
)
def test_days_without_a_year_are_days_of_the_latest_year_they_have_come(
    question: str, start: date, end: date
) -> None:
    """ "6月6日" is a day, not the month of June; its year is the latest one in which it has
    come by today (2026-11-01 here)."""
    reading = read_periods(question, AS_OF)
    assert reading.period is not None
    assert (reading.period.start, reading.period.end) == (start, end)


def test_a_day_that_does_not_exist_is_a_clear_error() -> None:
    with pytest.raises(PeriodError, match="no such day"):
        read_periods("2月30日的工单", AS_OF)


@pytest.mark.parametrize(
    ("question", "period", "comparison"),
    [
        ("今年上半年的工单比去年同期多了还是少了？", "2026年上半年", "2025年上半年"),
        ("How did Q3 compare with the same quarter last year?", "2026-Q3", "2025-Q3"),
        ("上季度工单量同比变化多少？", "2026-Q3", "2025-Q3"),
        ("上个月的留言量跟去年同一个月比，是多了还是少了？", "2026-10", "2025-10"),
        ("上季度和去年同一季度比呢？", "2026-Q3", "2025-Q3"),
    ],
)
def test_the_same_period_last_year_is_the_comparison(
    question: str, period: str, comparison: str
) -> None:
    reading = read_periods(question, AS_OF)
    assert reading.period is not None and reading.period.label == period
    assert reading.comparison is not None and reading.comparison.label == comparison


# Spans of days and weeks as managers write them: the year after the span, the day first, a
# weekday beside the date, the n-th week of a month; question -> (first day, last day).
DAY_SPANS: dict[str, tuple[date, date]] = {
    "How many complaints between June 1 and June 7, 2020?": (D(2020, 6, 1), D(2020, 6, 7)),
    "tickets from June 28 to July 3, 2020": (D(2020, 6, 28), D(2020, 7, 3)),
    "March 3-9, 2016": (D(2016, 3, 3), D(2016, 3, 9)),
    "between 1 and 7 June 2020": (D(2020, 6, 1), D(2020, 6, 7)),
    "2020年6月1日至7日的投诉": (D(2020, 6, 1), D(2020, 6, 7)),
    "in the first week of March 2016": (D(2016, 3, 1), D(2016, 3, 7)),
    "the last week of February 2016": (D(2016, 2, 23), D(2016, 2, 29)),
    "2016年3月第二周的事件": (D(2016, 3, 8), D(2016, 3, 14)),
    "the week of March 9, 2016": (D(2016, 3, 7), D(2016, 3, 13)),
    "from Monday June 1 to Sunday June 7, 2020": (D(2020, 6, 1), D(2020, 6, 7)),
    "6月1日（周一）到6月7日（周日）一共多少投诉": (D(2026, 6, 1), D(2026, 6, 7)),
    "between June 1 and June 5": (D(2026, 6, 1), D(2026, 6, 5)),
    "from 28 Nov to 25 Dec 2024": (D(2024, 11, 28), D(2024, 12, 25)),
    "how many on 3 March 2016?": (D(2016, 3, 3), D(2016, 3, 3)),
    # A period said twice, broadly then exactly: the exact one.
    "last year - Nov 28 through Dec 25, 2025": (D(2025, 11, 28), D(2025, 12, 25)),
    "2016年里，3月1日到3月9日有多少": (D(2016, 3, 1), D(2016, 3, 9)),
    # Half of a month: days 1-15, or the 16th to the month's end.
    "tweets in the first half of October": (D(2026, 10, 1), D(2026, 10, 15)),
    "the second half of February 2024": (D(2024, 2, 16), D(2024, 2, 29)),
    "2016年3月下半月的事件": (D(2016, 3, 16), D(2016, 3, 31)),
    "6月上半月收到多少条": (D(2026, 6, 1), D(2026, 6, 15)),
    # The first or last months or quarters of a year named.
    "In the last quarter of last year, how many came in?": (D(2025, 10, 1), D(2025, 12, 31)),
    "the final quarter of 2023": (D(2023, 10, 1), D(2023, 12, 31)),
    "the last two months of last year": (D(2025, 11, 1), D(2025, 12, 31)),
    "the first three months of 2024": (D(2024, 1, 1), D(2024, 3, 31)),
    "去年最后一个季度的留言": (D(2025, 10, 1), D(2025, 12, 31)),
    "2024年最后两个月": (D(2024, 11, 1), D(2024, 12, 31)),
    "去年头两个月": (D(2025, 1, 1), D(2025, 2, 28)),
    # Days before today, each its own day.
    "前天进来的投诉有几条": (D(2026, 10, 30), D(2026, 10, 30)),
    "大前天的投诉": (D(2026, 10, 29), D(2026, 10, 29)),
    "How many came in the day before yesterday?": (D(2026, 10, 30), D(2026, 10, 30)),
    "and yesterday?": (D(2026, 10, 31), D(2026, 10, 31)),
}


@pytest.mark.parametrize("question", list(DAY_SPANS))
def test_a_span_of_days_or_a_week_is_read_whole(question: str) -> None:
    reading = read_periods(question, AS_OF)
    first, last = DAY_SPANS[question]
    assert reading.period is not None and reading.comparison is None
    assert (reading.period.start, reading.period.end) == (first, last + timedelta(days=1))


def test_two_days_named_for_comparison_stay_two_days() -> None:
    reading = read_periods("Compare June 1 and June 7", AS_OF)
    assert reading.period is not None and reading.comparison is not None
    assert reading.period.start == D(2026, 6, 7) and reading.comparison.start == D(2026, 6, 1)


@pytest.mark.parametrize(
    ("question", "asked", "compared"),
    [
        ("Did debt collection complaints rise or fall from 2023 to 2024?", "2024", "2023"),
        ("从2023年到2024年投诉是增加还是减少？", "2024", "2023"),
        ("How did complaints change from Q2 to Q3 2026?", "2026-Q3", "2026-Q2"),
        # Two units in a list asked about each, or set against each other: not one span.
        ("今年一季度和二季度提交的留言，平均各等了几天才得到答复？", "2026-Q2", "2026-Q1"),
        ("一季度和二季度比，哪个多", "2026-Q2", "2026-Q1"),
        ("Q1 and Q2 2026 compared", "2026-Q2", "2026-Q1"),
        ("上个季度和再上个季度各有多少张？", "2026-Q3", "2026-Q2"),
        # A year said once holds the units after it; a broad period round two others only
        # says where they lie.
        ("In 2024, March vs April", "2024-04", "2024-03"),
        (
            "How much did the workload grow between March and May 2016? The number in each of "
            "the two months, please.",
            "2016-05",
            "2016-03",
        ),
        ("In 2024, January vs March", "2024-03", "2024-01"),
        ("去年（2025年）上半年和下半年各有多少条？下半年少了吗？", "2025年下半年", "2025年上半年"),
        (
            "the first two weeks of June (Jun 1-14) against the two weeks after (Jun 15-28)",
            "2026-06-15..2026-06-28",
            "2026-06-01..2026-06-14",
        ),
    ],
)
def test_a_move_from_one_period_to_another_compares_the_two(
    question: str, asked: str, compared: str
) -> None:
    reading = read_periods(question, AS_OF)
    assert reading.period is not None and reading.comparison is not None
    assert (reading.period.label, reading.comparison.label) == (asked, compared)


def test_a_range_without_a_move_or_with_a_trend_stays_one_span() -> None:
    for question in (
        "complaints from 2023 to 2024",
        "今年1月和2月的投诉",
        "between January and March, how many came in each week?",
        "the trend of complaints from 2023 to 2024",
        "For contracts ending between January and August, how did renewal rates differ by region?",
    ):
        reading = read_periods(question, AS_OF)
        assert reading.comparison is None and reading.period is not None, question


@pytest.mark.parametrize(
    ("question", "start", "last"),
    [
        ("tickets from 28 March 2016 to 3 April 2016", date(2016, 3, 28), date(2016, 4, 3)),
        ("tickets 28 March 2016 - 3 April 2016", date(2016, 3, 28), date(2016, 4, 3)),
        ("March 28, 2016 to April 3, 2016 tickets", date(2016, 3, 28), date(2016, 4, 3)),
        ("the week of 30 March 2016", date(2016, 3, 28), date(2016, 4, 3)),
        ("the week starting March 9, 2016", date(2016, 3, 9), date(2016, 3, 15)),
        ("from the 1st of June to the 5th of June", date(2020, 6, 1), date(2020, 6, 5)),
        # A day said again in brackets only restates the end of the week named.
        (
            "the week starting Monday 28 March 2016 (through Sunday 3 April)",
            date(2016, 3, 28),
            date(2016, 4, 3),
        ),
    ],
)
def test_spans_with_the_day_first_or_both_years_or_a_week_s_first_day(
    question: str, start: date, last: date
) -> None:
    reading = read_periods(question, date(2020, 6, 9))
    assert reading.period is not None
    assert (reading.period.start, reading.period.last_day) == (start, last)


def test_the_week_or_month_before_is_just_before_the_period_named() -> None:
    reading = read_periods(
        "How many tickets in the week of March 28, 2016 compared with the week before?",
        date(2017, 3, 1),
    )
    assert reading.period is not None and reading.comparison is not None
    assert (reading.comparison.start, reading.comparison.last_day) == (
        date(2016, 3, 21),
        date(2016, 3, 27),
    )
    reading = read_periods("Tickets in March 2016 vs the previous month", date(2017, 3, 1))
    assert reading.comparison is not None and reading.comparison.label == "2016-02"
    # "The same quarter a year earlier" stays a year earlier.
    reading = read_periods(
        "How did volume last quarter compare with the same quarter a year earlier?",
        date(2025, 1, 2),
    )
    assert reading.comparison is not None and reading.comparison.label == "2023-Q4"


@pytest.mark.parametrize(
    "text",
    [
        "2018款的车里，哪个品牌被投诉得最多？",
        "2018年款的车",
        "2019版",
        "Among the 2018 models, which brand",
    ],
)
def test_a_model_year_names_no_period(text: str) -> None:
    assert read_periods(text, date(2020, 6, 9)).period is None


@pytest.mark.parametrize(
    "text", ["How many in 2018?", "2018年的投诉", "complaints in 2018, by brand"]
)
def test_a_year_said_alone_is_still_that_year(text: str) -> None:
    period = read_periods(text, date(2020, 6, 9)).period
    assert period is not None and period.start == date(2018, 1, 1)


def test_a_year_said_once_holds_both_periods_compared() -> None:
    # "The second half of 2024 than in the first half": the first half of 2024, not of the
    # year begun by today.
    as_of = date(2025, 1, 2)
    for text, asked, compared in (
        ("Fewer in the second half of 2024 than in the first half?", "2024-H2", "2024-H1"),
        ("2024年下半年比上半年少吗？", "2024年下半年", "2024年上半年"),
    ):
        r = read_periods(text, as_of)
        assert r.period is not None and r.comparison is not None, text
        assert (r.period.label, r.comparison.label) == (asked, compared), text


def test_months_said_one_by_one_make_a_span_listed() -> None:
    # "in October, in November, and so far in December": each month asked, over their span —
    # not the second compared with the first, the third dropped.
    r = read_periods(
        "How many tweets did we get in October, in November, and so far in December?",
        date(2017, 12, 4),
    )
    assert r.listed and r.comparison is None and r.period is not None
    assert (r.period.start, r.period.end) == (date(2017, 10, 1), date(2018, 1, 1))
    # Two months are a comparison, as before.
    r = read_periods("More in November than in October?", date(2017, 12, 4))
    assert not r.listed and r.comparison is not None


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("each quater of 2023", "2023-Q1"),  # a letter missing
        ("Febuary 2024", "2024-02"),
        ("Septmeber 2024", "2024-09"),  # two letters swapped
    ],
)
def test_a_word_of_time_mistyped_by_one_letter_is_read_as_meant(said: str, meant: str) -> None:
    found = read_periods(f"How many tickets in {said}?", date(2025, 1, 2))
    assert found.period is not None and found.period.label.startswith(meant[:4]), found
    if "-" in meant and "Q" not in meant:
        assert found.period.label == meant, found


def test_words_near_a_word_of_time_that_are_words_stay() -> None:
    assert fix_time_words("a string quartet played") == "a string quartet played"
    assert fix_time_words("the mouth of the river") == "the mouth of the river"
    assert fix_time_words("montly and quartely") == "monthly and quarterly"


@pytest.mark.parametrize(
    "question",
    [
        "苹果11月上半月（1-15号）和下半月（16-30号）各收到多少条客户推文？",
        "11月1-15号和16-30号各有多少条投诉？",
        "11月上半月和下半月比，投诉多了还是少了？",
    ],
)
def test_days_said_without_their_month_after_one_are_read_in_that_month(question: str) -> None:
    r = read_periods(question, date(2017, 12, 4))
    assert r.period is not None and r.comparison is not None, r
    assert (r.comparison.start, r.comparison.end) == (date(2017, 11, 1), date(2017, 11, 16))
    assert (r.period.start, r.period.end) == (date(2017, 11, 16), date(2017, 12, 1))


def test_days_without_a_month_and_no_month_before_are_no_period() -> None:
    assert read_periods("1-15号的投诉有多少条？", date(2017, 12, 4)).period is None


def test_each_finer_unit_of_two_years_named_is_one_span() -> None:
    r = read_periods(
        "Its share of complaints for each half-year of 2023 and 2024?", date(2025, 1, 2)
    )
    assert r.comparison is None and r.period is not None, r
    assert (r.period.start, r.period.end) == (date(2023, 1, 1), date(2025, 1, 1))
    # Without a unit asked each of, the two years are still compared.
    r = read_periods("Complaints in 2024 vs 2023?", date(2025, 1, 2))
    assert r.comparison is not None and r.comparison.start == date(2023, 1, 1)


@pytest.mark.parametrize(
    "question",
    [
        "How has on-time completion in the East changed between the second and third quarters "
        "of 2026?",
        "How has on-time completion changed between Q2 and Q3 2026?",
    ],
)
def test_a_change_between_two_units_next_to_each_other_compares_them(question: str) -> None:
    r = read_periods(question, date(2026, 11, 1))
    assert r.period is not None and r.comparison is not None, r
    assert (r.comparison.start, r.period.start) == (date(2026, 4, 1), date(2026, 7, 1))


def test_a_count_between_two_quarters_is_still_their_span() -> None:
    r = read_periods("How many tickets between Q2 and Q3 2026?", date(2026, 11, 1))
    assert r.comparison is None and r.period is not None
    assert (r.period.start, r.period.end) == (date(2026, 4, 1), date(2026, 10, 1))


@pytest.mark.parametrize("said", ["across the last year", "throughout the past year"])
def test_the_last_year_said_as_a_stretch_is_the_last_twelve_months(said: str) -> None:
    r = read_periods(f"CSAT per quarter {said}", date(2026, 11, 1))
    assert r.period is not None and r.period.start == date(2025, 11, 1), r


def test_a_span_restated_by_the_units_it_holds_is_one_span() -> None:
    # "the last three months - December, January and February": the months say again which
    # the span is; not months asked one by one.
    reading = read_periods(
        "Over the last three months - December, January and February - how many tickets?",
        date(2017, 3, 1),
    )
    assert reading.period is not None and not reading.listed
    assert (reading.period.start, reading.period.end) == (date(2016, 12, 1), date(2017, 3, 1))
    listed = read_periods("How many in January, in February, and in March?", date(2017, 3, 1))
    assert listed.listed

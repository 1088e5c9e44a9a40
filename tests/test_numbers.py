"""Number extraction: measurements with their units, and everything that is not one skipped."""

from __future__ import annotations

import pytest

from servicelens.agent.numbers import extract_numbers


def _one(text: str):  # type: ignore[no-untyped-def]
    found = extract_numbers(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "value", "unit", "decimals"),
    [
        ("about 1,234 tickets", 1234, None, 0),
        ("about 1 234 tickets", 1234, None, 0),
        ("FCR 35.2 % overall", 35.2, "%", 1),
        ("FCR 35%", 35, "%", 0),
        ("工单1.2万条", 12000, None, 1),
        ("收入3.5亿元", 350_000_000, "CNY", 1),
        ("成本3千元", 3000, "CNY", 0),
        ("price ¥3,200 each", 3200, "CNY", 0),
        ("budget CNY 3.2k", 3200, "CNY", 1),
        ("revenue $1.2M", 1_200_000, "USD", 1),
        ("took 36.5 hours", 36.5, "h", 1),
        ("a 24h SLA", 24, "h", 0),
        ("平均等待3天", 3, "d", 0),
        ("满意度百分之三十五", 35, "%", 0),
        ("2026 tickets were opened", 2026, None, 0),
    ],
)
def test_values_units_and_precision(
    text: str, value: float, unit: str | None, decimals: int
) -> None:
    n = _one(text)
    assert n.value == pytest.approx(value)
    assert n.unit == unit
    assert n.decimals == decimals
    assert n.percent == (unit == "%")


def test_precision_is_kept_in_the_scale_shown() -> None:
    n = _one("工单1.2万条")
    assert n.tolerance == pytest.approx(500)
    assert _one("63.2%").tolerance == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("text", "value", "points"),
    [
        ("up +12.5 pp", 12.5, True),
        ("fell -3.1%", -3.1, False),
        ("下降了5个百分点", 5, True),
        ("a change of −2.0 percentage points", -2.0, True),
    ],
)
def test_signed_changes(text: str, value: float, points: bool) -> None:
    n = _one(text)
    assert n.signed
    assert n.value == pytest.approx(value)
    assert n.points == points


def test_levels_are_not_changes() -> None:
    assert not _one("FCR rose to 45%").signed
    assert _one("FCR rose by 4%").signed


@pytest.mark.parametrize(
    "text",
    [
        "In 2026 the team grew.",
        "2026年第三季度",
        "From 2026-07-01 to 2026/9/30",
        "7月1日至9月30日",
        "2026年10–11月（2026-10-01 至 2026-11-30）",
        "in Q3 and 2026-Q3 and Q3 2026",
        "at 14:00 sharp",
        "ticket T000123 and record V:v000812",
        "citations [Q3] [Q3, V:v000812] 【Q12】 [T1] [C2]",
        "model AC-X200 shows error E4",
        "1. first point\n2) second point",
        "the 3rd region, 5G modems, 第3名, (1) speed",
        "over the last 3 months, 近3个月",
        "the top 5 themes",
        "July 1, 2026 and 1 July",
    ],
)
def test_not_measurements(text: str) -> None:
    assert extract_numbers(text) == []


def test_spans_point_at_the_text() -> None:
    text = "East FCR 63.2% [Q1], 12,034 tickets in 2026."
    found = extract_numbers(text)
    assert [text[n.start : n.end] for n in found] == ["63.2%", "12,034"]
    assert [n.text for n in found] == ["63.2%", "12,034"]


def test_range_is_two_numbers_not_a_negative() -> None:
    found = extract_numbers("3-5 days")
    assert [n.value for n in found] == [3, 5]


def test_digits_inside_names_from_the_evidence_are_not_numbers() -> None:
    text = "Group 70 handled 2,361 tickets; Category 42 leads with 883, and 2020款 too."
    labels = {"Group 70", "Category 42", "2020款", "Group 7"}
    assert [m.value for m in extract_numbers(text, labels)] == [2361, 883]
    assert 70 in [m.value for m in extract_numbers(text)]  # without the names they count

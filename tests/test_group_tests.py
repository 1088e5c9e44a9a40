"""Comparisons with a percentage, as a question sets them on each group (``group_tests``)."""

from __future__ import annotations

import pytest

from servicelens.agent.offline.group_tests import percent_test


@pytest.mark.parametrize(
    ("question", "op", "value"),
    [
        ("How many respond on time less than 97% of the time?", "<", 97.0),
        ("Which teams are at 90% or more?", ">=", 90.0),
        ("Regions at 85 percent or lower", "<=", 85.0),
        ("No more than 5% of tickets reopened", "<=", 5.0),
        ("差评率低于50%的品类有几个？", "<", 50.0),
        ("满意率80%以上的区县", ">=", 80.0),
        ("不低于百分之90的处理组", ">=", 90.0),
    ],
)
def test_a_comparison_with_a_percentage_is_read(question: str, op: str, value: float) -> None:
    found = percent_test(question)
    assert found is not None and (found.op, found.value) == (op, value)


@pytest.mark.parametrize(
    "question",
    [
        # Comparison words with no percentage beside them compare nothing here.
        "Which complaints took 3 days or longer to close?",
        "Tickets reopened more than once, or more?",
        "Which region has the most tickets?",
    ],
)
def test_no_percentage_no_comparison(question: str) -> None:
    assert percent_test(question) is None

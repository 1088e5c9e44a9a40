"""English category names said in Chinese word by word (``data.glossary`` and the matcher over
it): names that list alternatives ("Credit card or prepaid card") are named by any one of them,
and a name said whole outranks a longer name of which it is one alternative."""

from __future__ import annotations

from servicelens.agent.offline.label_meaning import glossed

PRODUCTS = [
    "Debt collection",
    "Checking or savings account",
    "Credit card or prepaid card",
    "Vehicle loan or lease",
    "Payday loan, title loan, or personal loan",
    "Student loan",
    "Mortgage",
]


def _named(question: str, values: list[str]) -> list[str]:
    return [value for _, _, value in glossed(question, values, set())]


def test_one_alternative_of_a_name_names_it() -> None:
    assert _named("信用卡相关的投诉有多少条？", PRODUCTS) == ["Credit card or prepaid card"]
    # A bare first alternative shares the last one's noun: 储蓄账户 is "savings account".
    assert _named("储蓄账户的投诉", PRODUCTS) == ["Checking or savings account"]
    assert _named("车贷投诉占多少？", PRODUCTS) == ["Vehicle loan or lease"]


def test_names_said_whole_stay_as_they_were() -> None:
    assert _named("学生贷款和房贷哪个多？", PRODUCTS) == ["Student loan", "Mortgage"]
    # "贷款" alone is a word of several names, all of them longer: none is named.
    assert _named("贷款投诉有多少？", PRODUCTS) == []


def test_a_name_said_whole_outranks_one_it_is_an_alternative_of() -> None:
    values = ["Credit card", "Prepaid card", "Credit card or prepaid card"]
    assert _named("信用卡投诉", values) == ["Credit card"]


def test_a_name_said_right_before_another_modifies_it() -> None:
    # "软件更新" is an update (of the software), not the App category beside the Update one;
    # two names with a word between them are both named.
    values = ["App", "Update", "Battery"]
    assert _named("关于软件更新的推文有几条？", values) == ["Update"]
    assert _named("软件和电池的推文各有几条？", values) == ["App", "Battery"]

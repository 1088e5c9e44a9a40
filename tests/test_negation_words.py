"""Which values said in a question are negated, read from the words around them."""

from __future__ import annotations

import pytest

from servicelens.agent.offline.negation import negated
from servicelens.agent.offline.slots import normal_text


@pytest.mark.parametrize(
    ("question", "value", "expected"),
    [
        # The value glossed in brackets after its Chinese name, the negation before the name.
        ("其中没有被标成配送（delivery）话题的有几条？", "delivery", True),
        ("其中被标成配送（delivery）话题的有几条？", "delivery", False),
        # "非" inside the Chinese name is the name's own "non", not a negation of it.
        (
            "以非金钱补救方式结案（Closed with non-monetary relief）的投诉有多少？",
            "closed with non monetary relief",
            False,
        ),
        ("没有被标成 delivery 的有几条？", "delivery", True),
    ],
)
def test_a_value_glossed_in_brackets_is_negated_by_words_before_its_name(
    question: str, value: str, expected: bool
) -> None:
    text = normal_text(question)
    at = text.find(value)
    assert at >= 0, text
    assert negated(text, at, at + len(value)) is expected
